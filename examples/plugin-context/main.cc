// plugin-context: storage on the plugin (root) context, shared by everything parsed for one
// plugin configuration (advanced-patterns reference). PrePluginStartOrReload stamps the
// configuration's load time; each parsed config (the global one, then each rule) takes the next
// number from a counter kept in the plugin context. A reload makes a new plugin context, so the
// numbering starts over. Responses show it: x-config: "<n>/<greeting>", x-config-loaded-at.
// Config: {"greeting": "hello", "_rules_": [{"_match_route_": ["r1"], "greeting": "hi"}]}
#include <string>

#include <wasmgate/wrapper.h>

struct GreetingConfig {
  std::string greeting;
  int64_t index = 0;
  std::string loadedAt;
};

void onPluginStart(wrapper::PluginContext& plugin) {
  uint64_t nowMs = proxywasm::GetCurrentTimeNanoseconds() / 1000000u;
  plugin.SetContext("loaded_at_ms", std::to_string(nowMs));
  plugin.SetContext("configs_parsed", int64_t{0});
}

wrapper::Error parseConfig(wrapper::PluginContext& plugin, const wrapper::Json& json, GreetingConfig& config) {
  config.greeting = json.get("greeting").asString("hello");
  auto* parsed = plugin.GetContextAs<int64_t>("configs_parsed");
  auto* loadedAt = plugin.GetContextAs<std::string>("loaded_at_ms");
  if (!parsed || !loadedAt) return wrapper::Error("plugin context: start hook did not run");
  config.index = ++*parsed;
  config.loadedAt = *loadedAt;
  return {};
}

types::Action onHttpResponseHeaders(wrapper::HttpContext&, const GreetingConfig& config) {
  proxywasm::AddHttpResponseHeader("x-config", std::to_string(config.index) + "/" + config.greeting);
  proxywasm::AddHttpResponseHeader("x-config-loaded-at", config.loadedAt);
  return types::HeaderContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<GreetingConfig>("plugin-context",
      wrapper::PrePluginStartOrReload(onPluginStart),
      wrapper::ParseConfigWithContext(parseConfig),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders));
}
