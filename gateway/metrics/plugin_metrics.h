// PluginMetrics: the counters, gauges and histograms plugins define with proxy_define_metric,
// process-wide (every worker's VM of a plugin adds to the same stat, as in Envoy's stats store)
// and rendered as Prometheus text under `wasmcustom_<name>` for the admin /stats.
//
// Semantics (Envoy's wasm host): ids carry the type in their low 2 bits and grow by 4 per
// definition; defining a name again yields a new id for the same stat. Counter increment needs
// offset > 0 and record adds; gauge increment adds or subtracts and record sets; histograms
// only take record. Unknown ids are NotFound, the wrong operation for a type BadArgument.
//
// Internal header (gateway/metrics/). Thread affinity: any thread (atomics for values, a
// shared mutex for definitions).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <wasmgate/abi.h>

namespace wasmgate::gateway::metrics {

class PluginMetrics {
 public:
  // Histogram bucket upper bounds (Envoy's defaults, in the plugin's own unit).
  static constexpr std::array<double, 19> kBuckets = {0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500,
                                                      5000, 10000, 30000, 60000, 300000, 600000,
                                                      1800000, 3600000};

  static PluginMetrics& process();

  abi::Status define(abi::MetricType type, std::string_view name, uint32_t* metric_id);
  abi::Status increment(uint32_t metric_id, int64_t offset);
  abi::Status record(uint32_t metric_id, uint64_t value);
  // Counter and gauge values; BadArgument for a histogram.
  abi::Status get(uint32_t metric_id, uint64_t* value) const;

  // Every stat as Prometheus text exposition (version 0.0.4), sorted by name.
  std::string renderPrometheus() const;
  // "wasmcustom_" + name with every character outside [A-Za-z0-9_:] replaced by '_'.
  static std::string prometheusName(std::string_view name);

 private:
  struct Stat {
    abi::MetricType type;
    std::string name;
    std::atomic<int64_t> value{0};  // counter, gauge
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // histogram; last: +Inf
    std::atomic<uint64_t> sum{0};
    std::atomic<uint64_t> count{0};
  };
  Stat* find(uint32_t metric_id) const;

  mutable std::shared_mutex mutex_;
  std::map<std::pair<std::string, abi::MetricType>, std::unique_ptr<Stat>> stats_;
  std::vector<Stat*> by_index_;  // id >> 2 -> stat
};

}  // namespace wasmgate::gateway::metrics
