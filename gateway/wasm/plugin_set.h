// PluginSet: the plugins of one configuration generation, each read from its file and compiled
// once for the process (runtime::v8Engine().compile), and checked by a canary start (instantiate +
// proxy_on_configure) so a plugin that refuses its configuration is a configuration error.
// forWorker() builds one worker's VMs from the compiled modules.
//
// Internal header (gateway/wasm/). load() and the canary run on the main thread; a PluginSet is
// immutable afterwards and shared by every worker; forWorker() must run on the worker thread.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "gateway/config.h"
#include "gateway/net/loop.h"
#include "gateway/router.h"
#include "gateway/upstream/cluster.h"
#include "gateway/wasm/filter_factory.h"
#include "gateway/wasm/plugin_spec.h"
#include "runtime/engine.h"

namespace wasmgate::gateway {
struct WorkerGeneration;
}

namespace wasmgate::gateway::wasm {

struct LoadedPlugin {
  PluginSpec spec;
  std::shared_ptr<const runtime::CompiledModule> module;
  uint64_t digest = 0;  // of the .wasm bytes: a reload keeps the VMs of unchanged plugins
};

class PluginSet {
 public:
  // nullptr (no error) when the config has no plugins.
  static Result<std::shared_ptr<const PluginSet>> load(const GatewayConfig& config);

  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }

  // Worker thread: instantiates every plugin on a new WorkerEngine and starts its root context.
  // `config` is the generation's (it outlives the factory; the route cache is the stream's, so
  // `routes` is not needed); `clusters` and
  // `dispatcher` serve the plugins' outbound calls, ticks and queue notifications.
  // `previous`: the worker generation being replaced (nullptr at start); the new VMs share its
  // isolate and take over the VMs of unchanged plugins (worker_plugins.h).
  static std::shared_ptr<PluginFilterFactory> forWorker(std::shared_ptr<const PluginSet> set,
                                                       const GatewayConfig& config, const RouteTable& routes,
                                                       ClusterSet& clusters, Dispatcher& dispatcher,
                                                       std::shared_ptr<const WorkerGeneration> previous = nullptr);

 private:
  std::vector<LoadedPlugin> plugins_;
};

}  // namespace wasmgate::gateway::wasm
