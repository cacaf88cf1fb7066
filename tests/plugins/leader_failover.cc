// leader_failover: the leader-election example's pattern (DoLeaderElection on every tick, only the
// leader publishes) plus ways for a test to make the leader go, for the gateway's failover tests
// (tests/gateway/plugin_leader_failover_test.cc). Every response carries x-vm-id (this VM's
// uuid) and x-vm-leader. A request with `x-crash: trap` makes the VM trap if it is the leader,
// `x-crash: rebuild` makes it ask for a rebuild (wasm_need_rebuild) instead, and `x-crash: silence`
// makes it stop running elections (as a stuck worker would) until a request with
// `x-crash: resume` reaches it; followers ignore the first three. Another VM must then take the
// lease over, and a resumed VM must find that it lost it.
// Each leader tick logs "leader tick <vmID>". Config: {"interval_ms": 100}
#include <string>

#include <wasmgate/wrapper.h>

namespace {

bool silenced = false;  // this VM skips its elections (one VM per module instance)

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
    if (silenced) return;
    if (plugin.DoLeaderElection()) log::Infof("leader tick %s", wrapper::VmID());
  });
  return {};
}

types::Action onRequestHeaders(wrapper::HttpContext&, const FailoverConfig& config) {
  auto crash = proxywasm::GetHttpRequestHeader("x-crash");
  if (crash.value == "resume" && silenced) {
    silenced = false;
    log::Infof("vm %s resumes its elections", wrapper::VmID());
  }
  if (!config.plugin->IsLeader()) return types::HeaderContinue;
  if (crash.value == "trap") {
    log::Warnf("leader %s leaving by trap", wrapper::VmID());
    __builtin_trap();
  }
  if (crash.value == "rebuild") {
    log::Warnf("leader %s leaving by rebuild", wrapper::VmID());
    proxywasm::SetProperty({"wasm_need_rebuild"}, "true");
  }
  if (crash.value == "silence") {
    log::Warnf("leader %s leaving by silence", wrapper::VmID());
    silenced = true;
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
