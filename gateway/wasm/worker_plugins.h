// WorkerPlugins: one worker's plugin VMs. Each plugin gets its own WasmVm (one instance of the
// process-wide compiled module) with its root context started; a VM that failed (trap, exit) or
// asked for a rebuild (wasm_need_rebuild) is replaced from the compiled module before the next
// stream uses it. Streams keep the VM they started on alive, so a rebuild never pulls a VM from
// under a running stream. Also the PluginFilterFactory the stream asks for its filters.
//
// Internal header (gateway/wasm/). Thread affinity: the worker thread that built it.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "gateway/router.h"
#include "gateway/wasm/filter_factory.h"
#include "gateway/wasm/plugin_set.h"
#include "gateway/wasm/plugin_stats.h"
#include "gateway/wasm/vm_hosts.h"
#include "runtime/vm.h"

namespace wasmgate::gateway::wasm {

// Plugin log lines go to the gateway log as "wasm <plugin>: message".
class GatewayLogHost final : public runtime::LogHost {
 public:
  void log(abi::LogLevel level, std::string_view plugin, std::string_view message) override;
  abi::LogLevel logLevel() override;
};

// One plugin on one worker. Each VM it builds gets its own VmHosts, which lives exactly as long
// as that VM (a rebuilt VM's pending calls and timers die with it).
class PluginRuntime {
 public:
  // `worker` nullptr: the configuration canary (no outbound work, see VmHosts).
  PluginRuntime(const LoadedPlugin& plugin, runtime::WorkerEngine& engine, runtime::LogHost* log,
                const GatewayConfig& config, const WorkerServices* worker);

  const PluginSpec& spec() const { return plugin_.spec; }
  PluginCounters& counters() { return counters_; }
  // The VM for a new stream and its root context id: rebuilt first if it failed or asked for a
  // rebuild. Error: the VM could not be built or started (the stream applies the fail strategy).
  Result<std::shared_ptr<runtime::WasmVm>> vmForStream(uint32_t* root_id);
  // A stream saw this VM fail or ask for a rebuild; the next stream gets a fresh one.
  void markForRebuild(const runtime::WasmVm* vm);
  // Builds the VM now (at load, so a start failure shows at once).
  Status build();

 private:
  const LoadedPlugin& plugin_;
  runtime::WorkerEngine& engine_;
  runtime::LogHost* log_;
  const GatewayConfig& config_;
  const WorkerServices* worker_;
  PluginCounters& counters_;
  std::shared_ptr<runtime::WasmVm> vm_;
  uint32_t root_id_ = 0;
  bool rebuild_ = false;
  bool built_once_ = false;
};

class WorkerPlugins final : public PluginFilterFactory {
 public:
  WorkerPlugins(std::shared_ptr<const PluginSet> set, const GatewayConfig& config, const RouteTable& routes,
                WorkerServices worker);
  ~WorkerPlugins() override;

  void addFilters(std::vector<std::unique_ptr<StreamFilter>>& filters) override;

 private:
  std::shared_ptr<const PluginSet> set_;
  const RouteTable& routes_;
  uint64_t buffer_limit_;
  WorkerServices worker_;
  std::unique_ptr<runtime::WorkerEngine> engine_;
  GatewayLogHost log_;
  std::vector<std::unique_ptr<PluginRuntime>> plugins_;
};

}  // namespace wasmgate::gateway::wasm
