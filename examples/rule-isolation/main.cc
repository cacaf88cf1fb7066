// rule-isolation: a broken rule must not take every route down (advanced-patterns reference).
// With EnableRuleLevelConfigIsolation (called before parsing, from PrePluginStartOrReload), a rule
// whose config fails to parse keeps the last config that parsed for it, or is skipped if it never
// parsed; the other rules and the global config still apply. Without it, one bad rule fails the
// whole configuration. The plugin itself: requests whose method is not in `allow_methods` get 405.
// Config: {"allow_methods": ["GET"], "_rules_": [{"_match_route_": ["admin"], "allow_methods": ["GET", "POST"]}]}
#include <string>
#include <vector>

#include <wasmgate/wrapper.h>

struct MethodConfig {
  std::vector<std::string> allowMethods;
};

void onPluginStart(wrapper::PluginContext& plugin) { plugin.EnableRuleLevelConfigIsolation(); }

bool isHttpMethod(std::string_view m) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}) {
    if (m == known) return true;
  }
  return false;
}

wrapper::Error parseConfig(const wrapper::Json& json, MethodConfig& config) {
  auto methods = json.get("allow_methods");
  if (!methods.isArray() || methods.asArray().empty()) return wrapper::Error("field 'allow_methods': a non-empty list is required");
  for (const auto& m : methods.asArray()) {
    std::string method = m.asString();
    if (!isHttpMethod(method)) return wrapper::Errorf("field 'allow_methods': %q is not an HTTP method", method);
    config.allowMethods.push_back(std::move(method));
  }
  return {};
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, const MethodConfig& config) {
  for (const auto& m : config.allowMethods) {
    if (ctx.Method() == m) return types::HeaderContinue;
  }
  proxywasm::SendHttpResponse(405, {}, "method not allowed", -1);
  return types::HeaderStopAllIterationAndWatermark;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<MethodConfig>("rule-isolation",
      wrapper::PrePluginStartOrReload(onPluginStart),
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders));
}
