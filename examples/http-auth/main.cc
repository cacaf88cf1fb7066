// http-auth: asks an authorization service before letting a request through (the pattern of
// Higress's ext-auth). Config:
//   {"service": {"fqdn": "auth.internal", "port": 8080}, "path": "/check", "timeout_ms": 1000,
//    "forward_headers": ["authorization", "cookie"],
//    "_rules_": [{"_match_route_": ["default/admin"], "path": "/check-admin"}]}
// The request is held (HeaderStopAllIterationAndWatermark) until the service answers: 2xx resumes
// it with the service's x-user-id header added; anything else answers 403 with the service's body.
#include <string>
#include <vector>

#include <wasmgate/wrapper.h>

struct AuthConfig {
  wrapper::ClusterClient client{wrapper::FQDNCluster{}};
  std::string path = "/check";
  uint32_t timeoutMs = 500;
  std::vector<std::string> forwardHeaders;
};

// Rules start from the parsed global config and may override path and timeout.
wrapper::Error parseRuleConfig(const wrapper::Json& json, const AuthConfig& global, AuthConfig& config) {
  config = global;
  if (json.get("path").exists()) config.path = json.get("path").asString();
  if (json.get("timeout_ms").exists()) config.timeoutMs = static_cast<uint32_t>(json.get("timeout_ms").asInt());
  return {};
}

wrapper::Error parseConfig(const wrapper::Json& json, AuthConfig& config) {
  std::string fqdn = json.get("service.fqdn").asString();
  if (fqdn.empty()) return wrapper::Error("field 'service.fqdn': required");
  int64_t port = json.get("service.port").asInt(80);
  if (port <= 0 || port > 65535) return wrapper::Errorf("field 'service.port': %d is not a port", port);
  config.client = wrapper::NewClusterClient(wrapper::FQDNCluster{.FQDN = fqdn, .Port = port});
  config.path = json.get("path").asString("/check");
  config.timeoutMs = static_cast<uint32_t>(json.get("timeout_ms").asInt(500));
  for (const auto& h : json.get("forward_headers").asArray()) config.forwardHeaders.push_back(h.asString());
  return {};
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, const AuthConfig& config) {
  types::Headers headers{{"x-original-path", ctx.Path()}, {"x-original-method", ctx.Method()}};
  for (const auto& name : config.forwardHeaders) {
    auto [value, status] = proxywasm::GetHttpRequestHeader(name);
    if (status == types::Status::Ok) headers.emplace_back(name, value);
  }
  auto err = config.client.Get(config.path, headers,
      [](int status, const types::Headers& responseHeaders, std::string_view body) {
        if (status >= 200 && status < 300) {
          std::string_view user = wrapper::GetHeaderValue(responseHeaders, "x-user-id");
          if (!user.empty()) proxywasm::ReplaceHttpRequestHeader("x-user-id", user);
          proxywasm::ResumeHttpRequest();
          return;
        }
        log::Infof("access denied by the auth service (status %d)", status);
        proxywasm::SendHttpResponseWithDetail(403, "http-auth.denied", {{"content-type", "text/plain"}},
                                              body.empty() ? std::string_view("forbidden") : body);
      },
      config.timeoutMs);
  if (err) {
    log::Errorf("auth call failed: %v", err);
    return types::HeaderContinue;  // fail open, as Higress's examples do on dispatch errors
  }
  return types::HeaderStopAllIterationAndWatermark;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<AuthConfig>("http-auth",
      wrapper::ParseOverrideConfig(parseConfig, parseRuleConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders));
}
