// Per-plugin counters shown at the admin /stats endpoint: callbacks run, failures (traps, exits,
// failed starts) and VM rebuilds. Process-wide, summed over workers.
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
};

// The counters of plugin `name`; created on first use and never freed (stable address).
PluginCounters& pluginCounters(const std::string& name);

// Prometheus text: wasmgate_plugin_<counter>_total{plugin="<name>"} n, one family per counter.
std::string pluginStatsPrometheus();

}  // namespace wasmgate::gateway::wasm
