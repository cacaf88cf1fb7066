// disable-reroute: change request headers without changing the route (advanced-patterns
// reference). Envoy re-matches the route when a filter changes request headers; a plugin that
// tags or rewrites headers after routing would then send the request elsewhere (or nowhere).
// DisableReroute, called before the change, keeps the route chosen for the original request.
// The plugin stamps the version header the routes match on (canary routing is done at the edge,
// this hop must not re-decide it). Config: {"header": "x-version", "value": "v2", "keep_route": true}
#include <string>

#include <wasmgate/wrapper.h>

struct StampConfig {
  std::string header, value;
  bool keepRoute = true;
};

wrapper::Error parseConfig(const wrapper::Json& json, StampConfig& config) {
  config.header = json.get("header").asString();
  config.value = json.get("value").asString();
  if (config.header.empty()) return wrapper::Error("field 'header': required");
  config.keepRoute = json.get("keep_route").asBool(true);
  return {};
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, const StampConfig& config) {
  if (config.keepRoute) ctx.DisableReroute();
  proxywasm::ReplaceHttpRequestHeader(config.header, config.value);
  return types::HeaderContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<StampConfig>("disable-reroute",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders));
}
