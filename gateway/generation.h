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

namespace wasmgate::gateway {

struct Snapshot {
  std::shared_ptr<const GatewayConfig> config;
  std::unique_ptr<RouteTable> routes;
  std::shared_ptr<AccessLog> access_log;  // nullptr: off
  uint64_t generation = 0;
};

struct WorkerGeneration {
  std::shared_ptr<const Snapshot> snapshot;
  std::unique_ptr<ClusterSet> clusters;
};

}  // namespace wasmgate::gateway
