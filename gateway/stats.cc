#include "gateway/stats.h"

#include <cstdio>

namespace wasmgate::gateway {

Stats& Stats::global() {
  static Stats stats;
  return stats;
}

void Stats::requestDone(int status, uint64_t latency_us) {
  if (status >= 0 && status < static_cast<int>(by_status_.size())) {
    by_status_[status].fetch_add(1, std::memory_order_relaxed);
  }
  double ms = static_cast<double>(latency_us) / 1000.0;
  size_t bucket = 0;
  while (bucket < kBucketsMs.size() && ms > kBucketsMs[bucket]) ++bucket;
  latency_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(latency_us, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
}

uint64_t Stats::requestsWithStatus(int status) const {
  if (status < 0 || status >= static_cast<int>(by_status_.size())) return 0;
  return by_status_[status].load(std::memory_order_relaxed);
}

std::string Stats::prometheus() const {
  std::string out;
  char line[256];
  auto add = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    out += line;
  };
  out += "# TYPE wasmgate_http_requests_total counter\n";
  for (size_t code = 0; code < by_status_.size(); ++code) {
    uint64_t n = by_status_[code].load(std::memory_order_relaxed);
    if (n) add("wasmgate_http_requests_total{code=\"%zu\"} %llu\n", code, static_cast<unsigned long long>(n));
  }
  out += "# TYPE wasmgate_http_request_duration_ms histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBucketsMs.size(); ++i) {
    cumulative += latency_buckets_[i].load(std::memory_order_relaxed);
    add("wasmgate_http_request_duration_ms_bucket{le=\"%g\"} %llu\n", kBucketsMs[i],
        static_cast<unsigned long long>(cumulative));
  }
  cumulative += latency_buckets_.back().load(std::memory_order_relaxed);
  add("wasmgate_http_request_duration_ms_bucket{le=\"+Inf\"} %llu\n", static_cast<unsigned long long>(cumulative));
  add("wasmgate_http_request_duration_ms_sum %.3f\n", static_cast<double>(latency_sum_us_.load()) / 1000.0);
  add("wasmgate_http_request_duration_ms_count %llu\n", static_cast<unsigned long long>(latency_count_.load()));
  static const char* kErrorNames[] = {"connect_failure", "reset_before_response", "reset_during_response",
                                      "protocol_error", "timeout", "no_healthy_upstream", "retry"};
  out += "# TYPE wasmgate_upstream_errors_total counter\n";
  for (size_t i = 0; i < upstream_errors_.size(); ++i) {
    add("wasmgate_upstream_errors_total{kind=\"%s\"} %llu\n", kErrorNames[i],
        static_cast<unsigned long long>(upstream_errors_[i].load(std::memory_order_relaxed)));
  }
  out += "# TYPE wasmgate_upstream_requests_total counter\n";
  add("wasmgate_upstream_requests_total %llu\n", static_cast<unsigned long long>(upstream_rq_total_.load()));
  out += "# TYPE wasmgate_downstream_connections_total counter\n";
  add("wasmgate_downstream_connections_total %llu\n", static_cast<unsigned long long>(cx_total_.load()));
  out += "# TYPE wasmgate_downstream_connections_active gauge\n";
  add("wasmgate_downstream_connections_active %lld\n", static_cast<long long>(cx_active_.load()));
  out += "# TYPE wasmgate_config_reloads_total counter\n";
  add("wasmgate_config_reloads_total{result=\"ok\"} %llu\n", static_cast<unsigned long long>(reloads_ok_.load()));
  add("wasmgate_config_reloads_total{result=\"failed\"} %llu\n", static_cast<unsigned long long>(reloads_failed_.load()));
  return out;
}

}  // namespace wasmgate::gateway
