// leader-election: one VM among all of a gateway's workers does the periodic work
// (advanced-patterns reference). Every VM tries for the lease when the plugin starts and again on
// each tick (DoLeaderElection: a shared-data lease renewed by its holder, taken over by another VM
// once it is older than 60 s). Only the leader publishes the report: shared-data key
// "leader-election:report" = "<vmID> <ticks>". Responses say which role served them
// (x-vm-leader: true|false). Config: {"interval_ms": 10000}
#include <string>

#include <wasmgate/wrapper.h>

struct LeaderConfig {
  wrapper::PluginContext* plugin = nullptr;  // lives as long as this configuration
};

wrapper::Error onPluginStart(wrapper::PluginContext& plugin) {
  plugin.DoLeaderElection();
  log::Infof("plugin started, leader: %s", plugin.IsLeader() ? "yes" : "no");
  return {};
}

wrapper::Error parseConfig(wrapper::PluginContext& plugin, const wrapper::Json& json, LeaderConfig& config) {
  config.plugin = &plugin;
  int64_t intervalMs = json.get("interval_ms").asInt(10000);
  if (intervalMs <= 0) return wrapper::Errorf("field 'interval_ms': %d is not positive", intervalMs);
  auto ticks = std::make_shared<int64_t>(0);
  wrapper::RegisterTickFunc(intervalMs, [&plugin, ticks] {
    if (!plugin.DoLeaderElection()) return;  // followers only keep trying for the lease
    ++*ticks;
    std::string report = wrapper::VmID() + " " + std::to_string(*ticks);
    auto shared = proxywasm::GetSharedData("leader-election:report");
    if (auto s = proxywasm::SetSharedData("leader-election:report", report, shared.cas); s != types::Status::Ok) {
      log::Warnf("report not published: %v", s);
    }
  });
  return {};
}

types::Action onHttpResponseHeaders(wrapper::HttpContext&, const LeaderConfig& config) {
  proxywasm::AddHttpResponseHeader("x-vm-leader", config.plugin->IsLeader() ? "true" : "false");
  return types::HeaderContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<LeaderConfig>("leader-election",
      wrapper::PrePluginStartOrReload(onPluginStart),
      wrapper::ParseConfigWithContext(parseConfig),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders));
}
