// http-call-token: the http-client reference's token pattern. Before a request goes upstream the
// plugin asks a token service (GET <tokenPath>, with the caller's Authorization), copies the token
// the service answers in header <tokenHeader> into the request, and resumes it.
//   401/403 from the service -> 403 "access denied"; any other failure (non-200, no token, the
//   call timing out, or the call not being dispatched at all) -> 500 "token service unavailable".
// Config: {"serviceName": "token.auth.svc.cluster.local", "servicePort": 8080,
//          "tokenPath": "/token", "tokenHeader": "x-auth-token", "timeout": 1000}
#include <string>

#include <wasmgate/wrapper.h>

struct TokenConfig {
  wrapper::ClusterClient client{wrapper::FQDNCluster{}};
  std::string tokenPath;
  std::string tokenHeader;
  uint32_t timeoutMs = 500;
};

wrapper::Error parseConfig(const wrapper::Json& json, TokenConfig& config) {
  std::string serviceName = json.get("serviceName").asString();
  if (serviceName.empty()) return wrapper::Error("field 'serviceName': required");
  config.client = wrapper::NewClusterClient(
      wrapper::FQDNCluster{.FQDN = serviceName, .Port = json.get("servicePort").asInt(80)});
  config.tokenPath = json.get("tokenPath").asString("/token");
  config.tokenHeader = json.get("tokenHeader").asString("x-auth-token");
  int64_t timeout = json.get("timeout").asInt(500);
  if (timeout <= 0) return wrapper::Errorf("field 'timeout': %d is not a positive number of ms", timeout);
  config.timeoutMs = static_cast<uint32_t>(timeout);
  return {};
}

void reject(uint32_t status, std::string_view body) {
  proxywasm::SendHttpResponse(status, {{"content-type", "text/plain"}}, body, -1);
}

types::Action onHttpRequestHeaders(wrapper::HttpContext&, const TokenConfig& config) {
  types::Headers callHeaders;
  if (auto [credential, status] = proxywasm::GetHttpRequestHeader("authorization"); status == types::Status::Ok) {
    callHeaders.emplace_back("authorization", credential);
  }
  // The config outlives every call it starts (a reload keeps the old one until its streams end).
  auto err = config.client.Get(config.tokenPath, callHeaders,
      [&config](int statusCode, const types::Headers& headers, std::string_view) {
        if (statusCode == 401 || statusCode == 403) {
          reject(403, "access denied");
          return;
        }
        std::string_view token = wrapper::GetHeaderValue(headers, config.tokenHeader);
        if (statusCode != 200 || token.empty()) {
          log::Errorf("token service answered %d%s", statusCode, token.empty() ? " without a token" : "");
          reject(500, "token service unavailable");
          return;
        }
        proxywasm::ReplaceHttpRequestHeader(config.tokenHeader, token);
        proxywasm::ResumeHttpRequest();
      },
      config.timeoutMs);
  if (err) {
    log::Errorf("token call not sent: %v", err);
    reject(500, "token service unavailable");
  }
  return types::HeaderStopAllIterationAndWatermark;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<TokenConfig>("http-call-token",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders));
}
