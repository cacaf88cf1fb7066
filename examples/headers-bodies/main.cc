// headers-bodies: every header and buffered-body operation of the seed guide's API reference in
// one plugin. Config:
//   {"tag": "edge-1", "strip_request_header": "x-internal-token",
//    "body_prefix": "[", "body_suffix": "]", "replace": {"from": "secret", "to": "******"},
//    "json_inject": {"field": "injected", "value": "value"}}
// Request: tags it (x-gateway), drops an internal header, and wraps a text body with the prefix
// and suffix; a JSON object body instead gets the json_inject field (the guide's buffered-body
// sample). Response: records the request path and method (cached by the SDK, so readable
// after the request headers are gone), hides the server header, and masks `from` in text bodies.
#include <string>

#include <wasmgate/wrapper.h>

struct RewriteConfig {
  std::string tag;
  std::string stripRequestHeader;
  std::string bodyPrefix, bodySuffix;
  std::string maskFrom, maskTo;
  std::string injectField, injectValue;
};

wrapper::Error parseConfig(const wrapper::Json& json, RewriteConfig& config) {
  config.tag = json.get("tag").asString("wasmgate");
  config.stripRequestHeader = json.get("strip_request_header").asString();
  config.bodyPrefix = json.get("body_prefix").asString();
  config.bodySuffix = json.get("body_suffix").asString();
  config.maskFrom = json.get("replace.from").asString();
  config.maskTo = json.get("replace.to").asString();
  if (json.get("replace").exists() && config.maskFrom.empty()) {
    return wrapper::Error("field 'replace.from': must be a non-empty string");
  }
  config.injectField = json.get("json_inject.field").asString();
  config.injectValue = json.get("json_inject.value").asString();
  return {};
}

// A JSON string literal of `text`.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c < 0x20) {
      out += "\\u00";
      out.push_back("0123456789abcdef"[c >> 4]);
      out.push_back("0123456789abcdef"[c & 0xf]);
      continue;
    }
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(static_cast<char>(c));
  }
  return out + "\"";
}

// Adds "field": "value" as the first member of a JSON object body; false if it is not one.
bool injectJsonField(std::string_view body, const RewriteConfig& config) {
  if (config.injectField.empty() || !wrapper::Json::Parse(body).isObject()) return false;
  size_t open = body.find('{');
  bool empty = body.find_first_not_of(" \t\r\n", open + 1) == body.find('}', open);
  std::string member = quoted(config.injectField) + ":" + quoted(config.injectValue) + (empty ? "" : ",");
  std::string changed(body);
  changed.insert(open + 1, member);
  proxywasm::ReplaceHttpRequestBody(changed);
  return true;
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, const RewriteConfig& config) {
  proxywasm::ReplaceHttpRequestHeader("x-gateway", config.tag);
  if (!config.stripRequestHeader.empty()) proxywasm::RemoveHttpRequestHeader(config.stripRequestHeader);
  // Holding the headers only makes sense when a body follows (best practice 2 of the guide);
  // the body changes its length, so the old content-length must go.
  if (!ctx.HasRequestBody() || ctx.IsBinaryRequestBody()) return types::HeaderContinue;
  proxywasm::RemoveHttpRequestHeader("content-length");
  return types::HeaderStopIteration;
}

types::Action onHttpRequestBody(wrapper::HttpContext&, const RewriteConfig& config, std::string_view body) {
  if (injectJsonField(body, config)) return types::ActionContinue;
  if (!config.bodyPrefix.empty()) proxywasm::PrependHttpRequestBody(config.bodyPrefix);
  if (!config.bodySuffix.empty()) proxywasm::AppendHttpRequestBody(config.bodySuffix);
  log::Debugf("request body of %d bytes wrapped", body.size());
  return types::ActionContinue;
}

types::Action onHttpResponseHeaders(wrapper::HttpContext& ctx, const RewriteConfig& config) {
  proxywasm::AddHttpResponseHeader("x-request-line", ctx.Method() + " " + ctx.Path());
  proxywasm::RemoveHttpResponseHeader("server");
  if (config.maskFrom.empty() || ctx.IsBinaryResponseBody()) {
    ctx.DontReadResponseBody();
    return types::HeaderContinue;
  }
  proxywasm::RemoveHttpResponseHeader("content-length");
  return types::HeaderContinue;
}

types::Action onHttpResponseBody(wrapper::HttpContext&, const RewriteConfig& config, std::string_view body) {
  std::string masked(body);
  for (size_t at = masked.find(config.maskFrom); at != std::string::npos;
       at = masked.find(config.maskFrom, at + config.maskTo.size())) {
    masked.replace(at, config.maskFrom.size(), config.maskTo);
  }
  if (masked != body) proxywasm::ReplaceHttpResponseBody(masked);
  return types::ActionContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<RewriteConfig>("headers-bodies",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders),
      wrapper::ProcessRequestBody(onHttpRequestBody),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders),
      wrapper::ProcessResponseBody(onHttpResponseBody));
}
