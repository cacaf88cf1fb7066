// Process-wide counters for the admin /stats endpoint (Prometheus text format): requests by
// response code, a request latency histogram, connection counts and upstream errors by kind.
//
// Public header (gateway/). Thread-safe: lock-free atomic counters written by every worker.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace wasmgate::gateway {

enum class UpstreamError {
  ConnectFailure,
  ResetBeforeResponse,
  ResetDuringResponse,
  ProtocolError,
  Timeout,
  NoHealthyUpstream,
  Retry,
  kCount,
};

class Stats {
 public:
  static Stats& global();

  void requestDone(int status, uint64_t latency_us);
  void upstreamError(UpstreamError kind) { upstream_errors_[static_cast<size_t>(kind)].fetch_add(1, std::memory_order_relaxed); }
  void connectionOpened() { cx_total_.fetch_add(1, std::memory_order_relaxed); cx_active_.fetch_add(1, std::memory_order_relaxed); }
  void connectionClosed() { cx_active_.fetch_sub(1, std::memory_order_relaxed); }
  void upstreamRequest() { upstream_rq_total_.fetch_add(1, std::memory_order_relaxed); }
  void configReload(bool ok) { (ok ? reloads_ok_ : reloads_failed_).fetch_add(1, std::memory_order_relaxed); }

  uint64_t requestsWithStatus(int status) const;
  uint64_t upstreamErrors(UpstreamError kind) const { return upstream_errors_[static_cast<size_t>(kind)].load(); }
  // The whole set in Prometheus text exposition format.
  std::string prometheus() const;

  // Upper bounds of the latency buckets, in milliseconds (Envoy's default histogram buckets).
  static constexpr std::array<double, 19> kBucketsMs = {0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000,
                                                        2500, 5000, 10000, 30000, 60000, 300000,
                                                        600000, 1800000, 3600000};

 private:
  std::array<std::atomic<uint64_t>, 600> by_status_{};
  std::array<std::atomic<uint64_t>, kBucketsMs.size() + 1> latency_buckets_{};
  std::atomic<uint64_t> latency_sum_us_{0};
  std::atomic<uint64_t> latency_count_{0};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(UpstreamError::kCount)> upstream_errors_{};
  std::atomic<uint64_t> cx_total_{0};
  std::atomic<int64_t> cx_active_{0};
  std::atomic<uint64_t> upstream_rq_total_{0};
  std::atomic<uint64_t> reloads_ok_{0};
  std::atomic<uint64_t> reloads_failed_{0};
};

}  // namespace wasmgate::gateway
