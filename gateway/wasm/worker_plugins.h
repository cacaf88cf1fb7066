// WorkerPlugins: one worker's plugin VMs. Each plugin gets its own WasmVm (one instance of the
// process-wide compiled module) with its root context started; a VM that failed (trap, exit) or
// asked for a rebuild (wasm_need_rebuild) is replaced from the compiled module before the next
// stream uses it. Streams keep the VM they started on alive, so a rebuild never pulls a VM from
// under a running stream. Also the PluginFilterFactory the stream asks for its filters.
//
// On a reload the new WorkerPlugins shares the worker's V8 isolate (WorkerEngine) with the one
// it replaces and takes over the running VM of every plugin whose module bytes, name, root id,
// configuration and env are unchanged (when the services are unchanged too), so that plugin's
// state (globals, counters, ticks) carries on. The replaced WorkerPlugins drops its VMs once its
// last stream is done.
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
  // nullptr for the canary.
  const WorkerServices* worker() const { return worker_; }
  // The VM for a new stream and its root context id: rebuilt first if it failed or asked for a
  // rebuild. Error: the VM could not be built or started (the stream applies the fail strategy).
  Result<std::shared_ptr<runtime::WasmVm>> vmForStream(uint32_t* root_id);
  // The VM vmForStream() would give without building one, or nullptr when it would build.
  const std::shared_ptr<runtime::WasmVm>* readyVm(uint32_t* root_id) const {
    if (!vm_ || rebuild_ || vm_->failed()) return nullptr;
    *root_id = root_id_;
    return &vm_;
  }
  // A stream saw this VM fail or ask for a rebuild; the next stream gets a fresh one.
  void markForRebuild(const runtime::WasmVm* vm);
  // Builds the VM now (at load, so a start failure shows at once).
  Status build();
  // Takes over `previous`'s VM if it runs the same plugin unchanged and is healthy; `home` keeps
  // alive what that VM's host services point into (the generation that built it).
  bool adoptVm(const PluginRuntime& previous, const std::shared_ptr<const void>& home);
  // Drops this runtime's VM (its generation was replaced and has no streams left).
  void releaseVm() { vm_.reset(); }

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
  bool adopted_ = false;  // vm_ was built by an earlier generation (and keeps its home alive)
};

class WorkerPlugins final : public PluginFilterFactory {
 public:
  // `previous`: this worker's WorkerPlugins being replaced (nullptr at start), kept alive by
  // `previous_home` (its generation) for the VMs taken over from it.
  WorkerPlugins(std::shared_ptr<const PluginSet> set, const GatewayConfig& config, WorkerServices worker,
                WorkerPlugins* previous = nullptr, std::shared_ptr<const void> previous_home = nullptr);
  ~WorkerPlugins() override;

  void addFilters(std::vector<std::unique_ptr<StreamFilter>>& filters) override;
  // StreamShared's lifetime marks a stream's: a retired set drops its VMs after the last one.
  void onStreamDone();

 private:
  void retire();

  const GatewayConfig& config_;
  size_t live_streams_ = 0;
  bool retired_ = false;
  std::shared_ptr<const PluginSet> set_;
  uint64_t buffer_limit_;
  WorkerServices worker_;
  std::shared_ptr<runtime::WorkerEngine> engine_;  // the worker's isolate, shared across reloads
  GatewayLogHost log_;
  std::vector<std::unique_ptr<PluginRuntime>> plugins_;
  size_t adopted_vms_ = 0;
};

}  // namespace wasmgate::gateway::wasm
