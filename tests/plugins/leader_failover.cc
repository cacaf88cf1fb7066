// leader_failover: the leader-election example's pattern (DoLeaderElection on every tick, only the
// leader publishes) plus a way for a test to kill the leader's VM, for the gateway's failover test
// (tests/gateway/plugin_leader_failover_test.cc). Every response carries x-vm-id (this VM's
// uuid) and x-vm-leader. A request with `x-crash: trap` makes the VM trap if it is the leader,
// `x-crash: rebuild` makes it ask for a rebuild (wasm_need_rebuild) instead; followers ignore
// both. Either way its worker must replace it and another VM must take the lease over.
// Each leader tick logs "leader tick <vmID>". Config: {"interval_ms": 100}
#include <string>

#include <wasmgate/wrapper.h>

namespace {

struct FailoverConfig {
  wrapper::PluginContext* plugin = nullptr;  // lives as long as this configuration
};

wrapper::Error onPluginStart(wrapper::PluginContext& plugin) {
  plugin.DoLeaderElection();
  log::Infof("vm %s started, leader: %s", wrapper::VmID(), plugin.IsLeader() ? "yes" : "no");
  return {};
}

wrapper::Error parseConfig(wrapper::PluginContext& plugin, const wrapper::Json& json, FailoverConfig& config) {
  config.plugin = &plugin;
  int64_t intervalMs = json.get("interval_ms").asInt(100);
  if (intervalMs <= 0) return wrapper::Errorf("field 'interval_ms': %d is not positive", intervalMs);
  wrapper::RegisterTickFunc(intervalMs, [&plugin] {
    if (plugin.DoLeaderElection()) log::Infof("leader tick %s", wrapper::VmID());
  });
  return {};
}

types::Action onRequestHeaders(wrapper::HttpContext&, const FailoverConfig& config) {
  auto crash = proxywasm::GetHttpRequestHeader("x-crash");
  if (!config.plugin->IsLeader()) return types::HeaderContinue;
  if (crash.value == "trap") {
    log::Warnf("leader %s leaving by trap", wrapper::VmID());
    __builtin_trap();
  }
  if (crash.value == "rebuild") {
    log::Warnf("leader %s leaving by rebuild", wrapper::VmID());
    proxywasm::SetProperty({"wasm_need_rebuild"}, "true");
  }
  return types::HeaderContinue;
}

types::Action onResponseHeaders(wrapper::HttpContext&, const FailoverConfig& config) {
  proxywasm::AddHttpResponseHeader("x-vm-id", wrapper::VmID());
  proxywasm::AddHttpResponseHeader("x-vm-leader", config.plugin->IsLeader() ? "true" : "false");
  return types::HeaderContinue;
}

}  // namespace

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<FailoverConfig>("leader_failover",
      wrapper::PrePluginStartOrReload(onPluginStart),
      wrapper::ParseConfigWithContext(parseConfig),
      wrapper::ProcessRequestHeaders(onRequestHeaders),
      wrapper::ProcessResponseHeaders(onResponseHeaders));
}
