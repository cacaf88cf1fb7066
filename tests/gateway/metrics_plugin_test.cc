// PluginMetrics: id encoding, per-type operations and their errors, updates from several
// threads, and the Prometheus text the admin /stats serves.
#include <gtest/gtest.h>

#include <thread>

#include "gateway/metrics/plugin_metrics.h"

namespace wasmgate::gateway::metrics {
namespace {

using abi::MetricType;
using abi::Status;

TEST(PluginMetrics, IdsCarryTheTypeInTheLowBits) {
  PluginMetrics m;
  uint32_t c = 0, g = 0, h = 0, c2 = 0;
  ASSERT_EQ(m.define(MetricType::Counter, "requests", &c), Status::Ok);
  ASSERT_EQ(m.define(MetricType::Gauge, "inflight", &g), Status::Ok);
  ASSERT_EQ(m.define(MetricType::Histogram, "latency", &h), Status::Ok);
  ASSERT_EQ(m.define(MetricType::Counter, "requests", &c2), Status::Ok);
  EXPECT_EQ(c & 3, 0u);
  EXPECT_EQ(g & 3, 1u);
  EXPECT_EQ(h & 3, 2u);
  EXPECT_NE(c, c2);  // a new id for the same stat
  ASSERT_EQ(m.increment(c, 2), Status::Ok);
  ASSERT_EQ(m.increment(c2, 3), Status::Ok);
  uint64_t v = 0;
  ASSERT_EQ(m.get(c, &v), Status::Ok);
  EXPECT_EQ(v, 5u);
  EXPECT_EQ(m.define(static_cast<MetricType>(3), "bad", &c), Status::BadArgument);
  EXPECT_EQ(m.get(1000, &v), Status::NotFound);
  EXPECT_EQ(m.get(g ^ 1, &v), Status::NotFound);  // the type bits must match the issued id
}

TEST(PluginMetrics, OperationsPerType) {
  PluginMetrics m;
  uint32_t c = 0, g = 0, h = 0;
  ASSERT_EQ(m.define(MetricType::Counter, "c", &c), Status::Ok);
  ASSERT_EQ(m.define(MetricType::Gauge, "g", &g), Status::Ok);
  ASSERT_EQ(m.define(MetricType::Histogram, "h", &h), Status::Ok);
  uint64_t v = 0;
  EXPECT_EQ(m.increment(c, 0), Status::BadArgument);
  EXPECT_EQ(m.increment(c, -1), Status::BadArgument);
  ASSERT_EQ(m.increment(c, 1), Status::Ok);
  ASSERT_EQ(m.record(c, 10), Status::Ok);  // record adds for counters
  ASSERT_EQ(m.get(c, &v), Status::Ok);
  EXPECT_EQ(v, 11u);
  ASSERT_EQ(m.increment(g, 5), Status::Ok);
  ASSERT_EQ(m.increment(g, -2), Status::Ok);
  ASSERT_EQ(m.get(g, &v), Status::Ok);
  EXPECT_EQ(v, 3u);
  ASSERT_EQ(m.record(g, 42), Status::Ok);  // record sets gauges
  ASSERT_EQ(m.get(g, &v), Status::Ok);
  EXPECT_EQ(v, 42u);
  EXPECT_EQ(m.increment(h, 1), Status::BadArgument);
  EXPECT_EQ(m.get(h, &v), Status::BadArgument);
  ASSERT_EQ(m.record(h, 7), Status::Ok);
}

TEST(PluginMetrics, ConcurrentUpdatesAreExact) {
  PluginMetrics m;
  uint32_t c = 0, h = 0;
  ASSERT_EQ(m.define(MetricType::Counter, "hits", &c), Status::Ok);
  ASSERT_EQ(m.define(MetricType::Histogram, "sizes", &h), Status::Ok);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      uint32_t mine = 0;
      ASSERT_EQ(m.define(MetricType::Counter, "hits", &mine), Status::Ok);  // each worker defines
      for (int i = 0; i < 10000; ++i) {
        ASSERT_EQ(m.increment(mine, 1), Status::Ok);
        ASSERT_EQ(m.record(h, 3), Status::Ok);
      }
    });
  }
  for (auto& t : threads) t.join();
  uint64_t v = 0;
  ASSERT_EQ(m.get(c, &v), Status::Ok);
  EXPECT_EQ(v, 40000u);
  EXPECT_NE(m.renderPrometheus().find("wasmcustom_sizes_count 40000\n"), std::string::npos);
}

TEST(PluginMetrics, PrometheusText) {
  PluginMetrics m;
  uint32_t c = 0, g = 0, h = 0;
  ASSERT_EQ(m.define(MetricType::Counter, "route.r1.upstream.c-1.metric.token", &c), Status::Ok);
  ASSERT_EQ(m.define(MetricType::Gauge, "queue depth", &g), Status::Ok);
  ASSERT_EQ(m.define(MetricType::Histogram, "latency_ms", &h), Status::Ok);
  ASSERT_EQ(m.increment(c, 3), Status::Ok);
  ASSERT_EQ(m.increment(g, -4), Status::Ok);
  ASSERT_EQ(m.record(h, 1), Status::Ok);     // le="1"
  ASSERT_EQ(m.record(h, 7), Status::Ok);     // le="10"
  ASSERT_EQ(m.record(h, 4000000), Status::Ok);  // +Inf only
  std::string text = m.renderPrometheus();
  EXPECT_NE(text.find("# TYPE wasmcustom_route_r1_upstream_c_1_metric_token counter\n"
                      "wasmcustom_route_r1_upstream_c_1_metric_token 3\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE wasmcustom_queue_depth gauge\nwasmcustom_queue_depth -4\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE wasmcustom_latency_ms histogram\n"), std::string::npos);
  EXPECT_NE(text.find("wasmcustom_latency_ms_bucket{le=\"0.5\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("wasmcustom_latency_ms_bucket{le=\"1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("wasmcustom_latency_ms_bucket{le=\"10\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("wasmcustom_latency_ms_bucket{le=\"3.6e+06\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("wasmcustom_latency_ms_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("wasmcustom_latency_ms_sum 4000008\nwasmcustom_latency_ms_count 3\n"), std::string::npos);
  // Sorted by name: latency < queue < route.
  EXPECT_LT(text.find("wasmcustom_latency_ms"), text.find("wasmcustom_queue_depth"));
  EXPECT_LT(text.find("wasmcustom_queue_depth"), text.find("wasmcustom_route"));
}

}  // namespace
}  // namespace wasmgate::gateway::metrics
