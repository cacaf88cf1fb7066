// Per-plugin counters shown at the admin /stats endpoint: callbacks run, failures (traps, exits,
// failed starts), VM rebuilds, and the plugin's outbound calls (proxy_http_call, proxy_redis_call)
// with those of them that failed. Process-wide, summed over workers.
//
// Internal header (gateway/wasm/, admin). Thread-safe: counters are atomics; the registry locks.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>

namespace wasmgate::gateway::wasm {

struct PluginCounters {
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> rebuilds{0};
  std::atomic<uint64_t> fail_closed_requests{0};
  std::atomic<uint64_t> fail_open_skips{0};
  std::atomic<uint64_t> local_replies{0};
  // Calls the host accepted (status Ok); a refused call (BadArgument, ...) is not counted.
  std::atomic<uint64_t> http_calls{0};
  // Accepted http calls that got no answer from the service: connection failure or reset, no
  // healthy endpoint, or the call's timeout (the 504 the host generates).
  std::atomic<uint64_t> http_call_failures{0};
  std::atomic<uint64_t> redis_calls{0};
  // Accepted Redis calls delivered with status 1 (network error, timeout, no connection). A Redis
  // error reply (-ERR ...) is an answer, not a failure.
  std::atomic<uint64_t> redis_call_failures{0};
};

// The counters of plugin `name`; created on first use and never freed (stable address).
PluginCounters& pluginCounters(const std::string& name);

// Prometheus text: wasmgate_plugin_<counter>_total{plugin="<name>"} n, one family per counter.
std::string pluginStatsPrometheus();

}  // namespace wasmgate::gateway::wasm
