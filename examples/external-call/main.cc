// external-call: the seed guide's "External HTTP Call" pattern. Every request waits for
// GET /api/check on a policy service; 200 lets it through, anything else answers 403 Forbidden.
// If the call cannot even be dispatched the request goes on (fail open, as the guide advises).
// Config: {"serviceName": "policy.default.svc.cluster.local", "servicePort": 8080}
#include <wasmgate/wrapper.h>

struct CheckConfig {
  wrapper::ClusterClient client{wrapper::FQDNCluster{}};
};

wrapper::Error parseConfig(const wrapper::Json& json, CheckConfig& config) {
  std::string serviceName = json.get("serviceName").asString();
  if (serviceName.empty()) return wrapper::Error("field 'serviceName': required");
  int64_t servicePort = json.get("servicePort").asInt(80);
  config.client = wrapper::NewClusterClient(wrapper::FQDNCluster{.FQDN = serviceName, .Port = servicePort});
  return {};
}

types::Action onHttpRequestHeaders(wrapper::HttpContext&, const CheckConfig& config) {
  auto err = config.client.Get("/api/check", {},
      [](int statusCode, const types::Headers&, std::string_view) {
        if (statusCode != 200) {
          proxywasm::SendHttpResponse(403, {}, "Forbidden", -1);
          return;  // a local response ends the request: no resume (best practice 1)
        }
        proxywasm::ResumeHttpRequest();
      },
      3000);
  if (err) {
    log::Warnf("policy check not sent, letting the request through: %v", err);
    return types::HeaderContinue;
  }
  return types::HeaderStopAllIterationAndWatermark;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<CheckConfig>("external-call",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders));
}
