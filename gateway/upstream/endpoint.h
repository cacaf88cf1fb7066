// Endpoint: one address of a service, with the per-worker state load balancing and passive
// outlier detection need, and its connection pool.
//
// Internal header (gateway/). Thread affinity: the worker thread of its cluster.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <sys/socket.h>

#include "gateway/upstream/upstream_connection.h"

namespace wasmgate::gateway {

struct Endpoint {
  sockaddr_storage addr{};
  std::string address;  // "ip:port", for logs and stats
  uint32_t active_requests = 0;
  uint32_t consecutive_failures = 0;
  uint32_t times_ejected = 0;
  uint64_t ejected_until_ms = 0;  // loop time; 0: not ejected
  std::unique_ptr<ConnPool> pool;

  bool ejected(uint64_t now_ms) const { return ejected_until_ms > now_ms; }
};

}  // namespace wasmgate::gateway
