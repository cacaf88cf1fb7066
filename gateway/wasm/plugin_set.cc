#include "gateway/wasm/plugin_set.h"

#include <fstream>
#include <functional>
#include <iterator>

#include "gateway/generation.h"
#include "gateway/log.h"
#include "gateway/wasm/worker_plugins.h"
#include "runtime/vm.h"

#ifndef WASMGATE_PLUGIN_DIR
#define WASMGATE_PLUGIN_DIR "."
#endif

namespace wasmgate::gateway::wasm {
namespace {

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError("cannot open '" + path + "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) return makeError("'" + path + "' is empty");
  return bytes;
}

// The canary engine lives on the main thread (the only thread that loads configurations), so
// reloads do not pay for a new isolate each time.
runtime::WorkerEngine& canaryEngine() {
  static std::unique_ptr<runtime::WorkerEngine> engine = runtime::v8Engine().newWorker();
  return *engine;
}

}  // namespace

Result<std::shared_ptr<const PluginSet>> PluginSet::load(const GatewayConfig& config) {
  auto specs = parsePluginSpecs(config, WASMGATE_PLUGIN_DIR);
  if (!specs) return makeError(specs.message());
  auto set = std::make_shared<PluginSet>();
  for (PluginSpec& spec : *specs) {
    std::string where = config.source + ": plugin '" + spec.name + "' (" + spec.file + ")";
    auto bytes = readFile(spec.file);
    if (!bytes && config.path.empty()) {
      // The built-in demo names the build tree's hello-world.wasm; an installed binary may run
      // without it, and should still serve the demo.
      logf(LogLevel::Warn, "%s: %s; the demo runs without it", where.c_str(), bytes.message().c_str());
      continue;
    }
    if (!bytes) return makeError(where + ": " + bytes.message());
    auto module = runtime::v8Engine().compile(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()), spec.name);
    if (!module) return makeError(where + ": " + module.message());
    set->plugins_.push_back(LoadedPlugin{std::move(spec), *module, std::hash<std::string>{}(*bytes)});
  }
  if (set->plugins_.empty()) return std::shared_ptr<const PluginSet>();
  // Canary: every plugin must instantiate and accept its configuration before the config is used.
  GatewayLogHost log;
  for (const LoadedPlugin& p : set->plugins_) {
    PluginRuntime canary(p, canaryEngine(), &log, config, nullptr);
    if (Status s = canary.build(); !s.ok()) {
      return makeError(config.source + ": plugin '" + p.spec.name + "' (" + p.spec.file + "): " + s.message());
    }
  }
  return std::shared_ptr<const PluginSet>(std::move(set));
}

std::shared_ptr<PluginFilterFactory> PluginSet::forWorker(std::shared_ptr<const PluginSet> set,
                                                          const GatewayConfig& config, const RouteTable& /*routes*/,
                                                          ClusterSet& clusters, Dispatcher& dispatcher,
                                                          std::shared_ptr<const WorkerGeneration> previous) {
  if (!set) return nullptr;
  auto* previous_plugins = previous ? dynamic_cast<WorkerPlugins*>(previous->plugin_filters.get()) : nullptr;
  return std::make_shared<WorkerPlugins>(std::move(set), config, WorkerServices{&dispatcher, &clusters},
                                         previous_plugins, std::move(previous));
}

}  // namespace wasmgate::gateway::wasm
