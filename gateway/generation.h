// One configuration generation: the immutable Snapshot every worker shares (config, route table,
// access log) and, per worker, the clusters (pools, LB and health state) built for it. A stream
// keeps its generation alive until it ends, so a reload never pulls state from under it.
//
// Internal header (gateway/). Snapshot: immutable, any thread. WorkerGeneration: its worker only.
#pragma once

#include <cstdint>
#include <memory>

#include "gateway/access_log.h"
#include "gateway/config.h"
#include "gateway/router.h"
#include "gateway/upstream/cluster.h"
#include "gateway/wasm/filter_factory.h"

namespace wasmgate::gateway {

namespace wasm {
class PluginSet;
}

struct Snapshot {
  std::shared_ptr<const GatewayConfig> config;
  std::unique_ptr<RouteTable> routes;
  std::shared_ptr<AccessLog> access_log;  // nullptr: off
  uint64_t generation = 0;
  // Compiled plugins (gateway/wasm/plugin_set.h); nullptr: no plugins.
  std::shared_ptr<const wasm::PluginSet> plugins;
};

struct WorkerGeneration {
  std::shared_ptr<const Snapshot> snapshot;
  std::unique_ptr<ClusterSet> clusters;
  // This worker's plugin VMs for the snapshot's plugins; built on the worker thread.
  std::shared_ptr<PluginFilterFactory> plugin_filters;
};

}  // namespace wasmgate::gateway
