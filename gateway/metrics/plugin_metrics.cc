#include "gateway/metrics/plugin_metrics.h"

#include <algorithm>
#include <cstdio>

namespace wasmgate::gateway::metrics {

namespace {
constexpr uint32_t kTypeMask = 0x3;
constexpr uint32_t kTypeBits = 2;

std::string formatBound(double bound) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", bound);
  return buf;
}
}  // namespace

PluginMetrics& PluginMetrics::process() {
  static PluginMetrics* metrics = new PluginMetrics;  // never destroyed: workers may outlive statics
  return *metrics;
}

std::string PluginMetrics::prometheusName(std::string_view name) {
  std::string out = "wasmcustom_";
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
    out.push_back(ok ? c : '_');
  }
  return out;
}

abi::Status PluginMetrics::define(abi::MetricType type, std::string_view name, uint32_t* metric_id) {
  if (static_cast<uint32_t>(type) > static_cast<uint32_t>(abi::MetricType::Histogram)) {
    return abi::Status::BadArgument;
  }
  std::unique_lock lock(mutex_);
  auto& slot = stats_[{std::string(name), type}];
  if (!slot) {
    slot = std::make_unique<Stat>();
    slot->type = type;
    slot->name = name;
  }
  // Ids are process-wide; each definition gets its own, all pointing at the one stat.
  uint32_t index = static_cast<uint32_t>(by_index_.size());
  by_index_.push_back(slot.get());
  *metric_id = (index << kTypeBits) | static_cast<uint32_t>(type);
  return abi::Status::Ok;
}

PluginMetrics::Stat* PluginMetrics::find(uint32_t metric_id) const {
  std::shared_lock lock(mutex_);
  uint32_t index = metric_id >> kTypeBits;
  if (index >= by_index_.size()) return nullptr;
  Stat* stat = by_index_[index];
  // The low bits must match the type the id was issued for.
  if ((metric_id & kTypeMask) != static_cast<uint32_t>(stat->type)) return nullptr;
  return stat;
}

abi::Status PluginMetrics::increment(uint32_t metric_id, int64_t offset) {
  Stat* stat = find(metric_id);
  if (stat == nullptr) return abi::Status::NotFound;
  switch (stat->type) {
    case abi::MetricType::Counter:
      if (offset <= 0) return abi::Status::BadArgument;
      stat->value.fetch_add(offset, std::memory_order_relaxed);
      return abi::Status::Ok;
    case abi::MetricType::Gauge:
      stat->value.fetch_add(offset, std::memory_order_relaxed);
      return abi::Status::Ok;
    default:
      return abi::Status::BadArgument;
  }
}

abi::Status PluginMetrics::record(uint32_t metric_id, uint64_t value) {
  Stat* stat = find(metric_id);
  if (stat == nullptr) return abi::Status::NotFound;
  switch (stat->type) {
    case abi::MetricType::Counter:
      stat->value.fetch_add(static_cast<int64_t>(value), std::memory_order_relaxed);
      return abi::Status::Ok;
    case abi::MetricType::Gauge:
      stat->value.store(static_cast<int64_t>(value), std::memory_order_relaxed);
      return abi::Status::Ok;
    case abi::MetricType::Histogram: {
      auto bucket = std::lower_bound(kBuckets.begin(), kBuckets.end(), static_cast<double>(value));
      stat->buckets[static_cast<size_t>(bucket - kBuckets.begin())].fetch_add(1, std::memory_order_relaxed);
      stat->sum.fetch_add(value, std::memory_order_relaxed);
      stat->count.fetch_add(1, std::memory_order_relaxed);
      return abi::Status::Ok;
    }
  }
  return abi::Status::BadArgument;
}

abi::Status PluginMetrics::get(uint32_t metric_id, uint64_t* value) const {
  Stat* stat = find(metric_id);
  if (stat == nullptr) return abi::Status::NotFound;
  if (stat->type == abi::MetricType::Histogram) return abi::Status::BadArgument;
  *value = static_cast<uint64_t>(stat->value.load(std::memory_order_relaxed));
  return abi::Status::Ok;
}

std::string PluginMetrics::renderPrometheus() const {
  std::shared_lock lock(mutex_);
  std::vector<const Stat*> sorted;
  for (const auto& [key, stat] : stats_) sorted.push_back(stat.get());
  std::sort(sorted.begin(), sorted.end(), [](const Stat* a, const Stat* b) {
    return prometheusName(a->name) < prometheusName(b->name);
  });
  std::string out;
  for (const Stat* stat : sorted) {
    std::string name = prometheusName(stat->name);
    switch (stat->type) {
      case abi::MetricType::Counter:
        out += "# TYPE " + name + " counter\n" + name + " " +
               std::to_string(static_cast<uint64_t>(stat->value.load(std::memory_order_relaxed))) + "\n";
        break;
      case abi::MetricType::Gauge:
        out += "# TYPE " + name + " gauge\n" + name + " " +
               std::to_string(stat->value.load(std::memory_order_relaxed)) + "\n";
        break;
      case abi::MetricType::Histogram: {
        out += "# TYPE " + name + " histogram\n";
        uint64_t cumulative = 0;
        for (size_t i = 0; i < kBuckets.size(); ++i) {
          cumulative += stat->buckets[i].load(std::memory_order_relaxed);
          out += name + "_bucket{le=\"" + formatBound(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
        }
        cumulative += stat->buckets[kBuckets.size()].load(std::memory_order_relaxed);
        out += name + "_bucket{le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
        out += name + "_sum " + std::to_string(stat->sum.load(std::memory_order_relaxed)) + "\n";
        out += name + "_count " + std::to_string(stat->count.load(std::memory_order_relaxed)) + "\n";
        break;
      }
    }
  }
  return out;
}

}  // namespace wasmgate::gateway::metrics
