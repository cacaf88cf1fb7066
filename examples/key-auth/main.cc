// key-auth: Higress's key-auth plugin (plugins/wasm-go/extensions/key-auth) ported from Go to the
// wasmgate C++ SDK; docs/sdk.md "Porting guide: key-auth" walks through the port.
// Global config (credentials, and where to look for them):
//   {"global_auth": true, "keys": ["x-api-key", "apikey"], "in_header": true, "in_query": false,
//    "consumers": [{"name": "consumer1", "credential": "token1"}]}
// Rule config (route or domain level): {"allow": ["consumer1"]}
// A caller presents exactly one credential under one of `keys` (request header, or query
// parameter); a known credential adds X-Mse-Consumer: <name> and the request goes on. No
// credential or several: 401; an unknown one, or a consumer not in the rule's allow list: 403.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <wasmgate/wrapper.h>

namespace {

constexpr std::string_view kRealm = "MSE Gateway";

struct KeyAuthConfig {
  std::optional<bool> globalAuth;  // unset: decided by whether any rule configures the plugin
  std::vector<std::string> keys;
  bool inQuery = false;
  bool inHeader = false;
  std::map<std::string, std::string, std::less<>> credentialToName;
  std::vector<std::string> allow;  // only in rule configs
  bool ruleSet = false;            // this config came from a rule (route/domain)
};

wrapper::Error parseGlobalConfig(const wrapper::Json& json, KeyAuthConfig& config) {
  if (json.get("global_auth").exists()) config.globalAuth = json.get("global_auth").asBool();

  wrapper::Json keys = json.get("keys");
  if (!keys.exists()) return wrapper::Error("keys is required");
  for (const auto& key : keys.asArray()) config.keys.push_back(key.asString());
  if (config.keys.empty()) return wrapper::Error("keys cannot be empty");

  wrapper::Json inQuery = json.get("in_query");
  wrapper::Json inHeader = json.get("in_header");
  if (!inQuery.exists() && !inHeader.exists()) return wrapper::Error("must one of in_query/in_header required");
  config.inQuery = inQuery.asBool();
  config.inHeader = inHeader.asBool();

  wrapper::Json consumers = json.get("consumers");
  if (!consumers.exists()) return wrapper::Error("consumers is required");
  if (consumers.asArray().empty()) return wrapper::Error("consumers cannot be empty");
  for (const auto& consumer : consumers.asArray()) {
    std::string name = consumer.get("name").asString();
    if (name.empty()) return wrapper::Error("consumer name is required");
    std::string credential = consumer.get("credential").asString();
    if (credential.empty()) return wrapper::Error("consumer credential is required");
    auto [it, inserted] = config.credentialToName.emplace(credential, name);
    if (!inserted) return wrapper::Errorf("duplicate consumer credential: %s", credential);
  }
  return {};
}

// A rule inherits keys and consumers from the global config and names who may pass.
wrapper::Error parseRuleConfig(const wrapper::Json& json, const KeyAuthConfig& global, KeyAuthConfig& config) {
  config = global;
  wrapper::Json allow = json.get("allow");
  if (!allow.exists()) return wrapper::Error("allow is required");
  for (const auto& name : allow.asArray()) config.allow.push_back(name.asString());
  if (config.allow.empty()) return wrapper::Error("allow cannot be empty");
  config.ruleSet = true;
  return {};
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Query decoding as Go's url.ParseQuery does it: '+' is a space, %XX a byte.
std::string unescapeQuery(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 && hexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Every value of query parameter `key` in `path` ("/p?a=1&b=2&a=3").
void appendQueryValues(std::string_view path, std::string_view key, std::vector<std::string>& values) {
  size_t question = path.find('?');
  if (question == std::string_view::npos) return;
  std::string_view query = path.substr(question + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (unescapeQuery(pair.substr(0, eq)) != key) continue;
    values.push_back(eq == std::string_view::npos ? std::string() : unescapeQuery(pair.substr(eq + 1)));
  }
}

types::Action deny(uint32_t status, std::string_view reason) {
  std::string body = "Request denied by Key Auth check. ";
  body += reason;
  proxywasm::SendHttpResponse(status, {{"WWW-Authenticate", "Key realm=" + std::string(kRealm)}}, body);
  return types::HeaderContinue;  // as in Go: the local response ends the stream
}

types::Action authenticated(std::string_view name) {
  log::Infof("consumer %q authenticated", name);
  proxywasm::AddHttpRequestHeader("X-Mse-Consumer", name);
  return types::HeaderContinue;
}

bool allowed(const KeyAuthConfig& config, std::string_view name) {
  for (const auto& entry : config.allow) {
    if (entry == name) return true;
  }
  return false;
}

types::Action onHttpRequestHeaders(wrapper::HttpContext&, const KeyAuthConfig& config) {
  const bool noAllow = config.allow.empty();  // this route/domain does not configure the plugin
  const bool globalAuthOff = config.globalAuth.has_value() && !*config.globalAuth;
  const bool authOnlyWhereConfigured = globalAuthOff || (!config.globalAuth.has_value() && config.ruleSet);
  if (authOnlyWhereConfigured && noAllow) {
    log::Info("authorization is not required");
    return types::HeaderContinue;
  }

  std::vector<std::string> tokens;
  if (config.inHeader) {
    for (const auto& key : config.keys) {
      auto [value, status] = proxywasm::GetHttpRequestHeader(key);
      if (status == types::Status::Ok && !value.empty()) tokens.push_back(value);
    }
  } else if (config.inQuery) {
    auto [path, status] = proxywasm::GetHttpRequestHeader(":path");
    for (const auto& key : config.keys) appendQueryValues(path, key, tokens);
  }
  if (tokens.size() > 1) return deny(401, "Muti Key Authentication information found.");
  if (tokens.empty()) return deny(401, "No Key Authentication information found.");

  auto consumer = config.credentialToName.find(tokens[0]);
  if (consumer == config.credentialToName.end()) {
    log::Warnf("credential %q is not configured", tokens[0]);
    return deny(403, "Unauthorized consumer.");
  }
  const std::string& name = consumer->second;
  if (noAllow) return authenticated(name);  // global authentication: any known consumer passes
  if (!allowed(config, name)) {
    log::Warnf("consumer %q is not allowed", name);
    return deny(403, "Unauthorized consumer.");
  }
  return authenticated(name);
}

}  // namespace

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<KeyAuthConfig>("key-auth",
      wrapper::ParseOverrideConfig(parseGlobalConfig, parseRuleConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders));
}
