// Integration tests, through the real `wasmgate run` binary and the raw probe plugin, of host
// state that spans requests and workers: a shared queue's readiness reaching the registering VM
// when a request on another worker enqueues, and proxy_get_upstream_hosts reporting a host that
// outlier detection ejected as Unhealthy.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <regex>
#include <string>
#include <thread>

#include "tests/gateway/support/gateway_harness.h"
#include "tests/gateway/support/probe_plugin.h"

namespace wasmgate::test {
namespace {

std::string routes(const std::string& endpoints, const std::string& service_extra = "") {
  return "routes:\n  - name: default/app\n    hosts: ['*']\n    match: {prefix: /}\n    service: outbound|80||app.static\n"
         "services:\n  - name: outbound|80||app.static\n    endpoints: [" + endpoints + "]\n" + service_extra;
}

bool waitFor(const std::function<bool()>& done, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Every worker's VM registers "jobs" when configured; the queue is bound to whichever registered
// last (R). Each request enqueues its own tag. The probe's "$" lives in each VM's memory, so in
// R's queue_ready "log 2 $" prints the last value R itself saw: the tag of the request R served
// last, or "<null>" from the empty dequeue that ends each of its queue_ready calls. When it is
// not the job now dequeued, that job was enqueued by a request R did not serve: one on the other
// worker.
TEST(PluginOutboundWorkers, QueueReadyReachesTheRegisteringWorkerFromTheOther) {
  ScriptedUpstream app(ScriptedUpstream::answerHello);
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin,
                                     routes("127.0.0.1:" + std::to_string(app.port())) + "plugins:\n" +
                                         probePlugin("queue",
                                                     "configure register_queue jobs\n"
                                                     "request_headers get_header 0 x-tag\n"
                                                     "request_headers enqueue 1 $\n"
                                                     "queue_ready log 2 $\n"
                                                     "queue_ready dequeue 1\n"
                                                     "queue_ready dequeue 1")),
                       2))
      << gw.logs();
  const int kRequests = 16;  // on fresh connections: P(all on one worker) = 2^-15
  int cross_worker = 0;
  for (int i = 0; i < kRequests; ++i) {
    const std::string tag = "tag-" + std::to_string(100 + i);
    ASSERT_EQ(httpGet(port, "/x", "x-tag: " + tag + "\r\n").status, 200);
    // Each job is dequeued by R before the next request is sent, so lines never interleave.
    const std::string dequeued = "queue_ready: dequeue 1 -> 0 " + tag + "\n";
    ASSERT_TRUE(waitFor([&] { return gw.logs().find(dequeued) != std::string::npos; }, 10000))
        << "job " << tag << " never reached the registering VM\n" << gw.logs();
    // The value R logged just before it: the last line that is a bare value (every other line
    // of the probe has a space or starts with "@"; the other worker's lines may interleave).
    std::string logs = gw.logs();
    std::string before = logs.substr(0, logs.find(dequeued));
    static const std::regex value_line("wasm queue: ([^ @\n]+)\n");
    std::string seen;
    for (auto it = std::sregex_iterator(before.begin(), before.end(), value_line); it != std::sregex_iterator(); ++it) {
      seen = (*it)[1];
    }
    ASSERT_FALSE(seen.empty()) << before;
    if (seen != tag) ++cross_worker;
  }
  EXPECT_GE(cross_worker, 1) << gw.logs();
  // One notification per enqueue, and each found exactly one job: nothing was lost or doubled.
  std::string logs = gw.logs();
  size_t empty = 0;
  for (size_t at = logs.find("queue_ready: dequeue 1 -> 7"); at != std::string::npos;
       at = logs.find("queue_ready: dequeue 1 -> 7", at + 1)) {
    ++empty;
  }
  EXPECT_EQ(empty, static_cast<size_t>(kRequests)) << logs;
}

TEST(PluginOutboundWorkers, AnEjectedHostIsListedAsUnhealthy) {
  ScriptedUpstream app(ScriptedUpstream::answerHello);
  int port = freePort(), admin = freePort(), closed = freePort();
  const std::string live = "127.0.0.1:" + std::to_string(app.port());
  const std::string dead = "127.0.0.1:" + std::to_string(closed);
  GatewayProcess gw;
  // One worker: ejection is per worker, like the pools. One failure ejects for 60 s.
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin,
                                     routes(live + ", " + dead,
                                            "    outlier_detection: {consecutive_failures: 1, base_ejection_time: 60s}\n") +
                                         "plugins:\n" + probePlugin("hosts", "request_headers upstream_hosts")),
                       1))
      << gw.logs();
  const std::string healthy = "={\"health_status\":\"Healthy\",\"metrics\":\"\"}";
  const std::string unhealthy = "={\"health_status\":\"Unhealthy\",\"metrics\":\"\"}";
  // The first request sees both hosts healthy (nothing failed yet).
  httpGet(port, "/x");
  EXPECT_NE(gw.logs().find("upstream_hosts -> 0 " + live + healthy + "," + dead + healthy), std::string::npos)
      << gw.logs();
  // Round robin sends one of the next requests to the closed port: a connect failure, ejected.
  for (int i = 0; i < 3; ++i) httpGet(port, "/x");
  EXPECT_EQ(httpGet(port, "/x").status, 200) << "only the live host is used";
  std::string logs = gw.logs();
  const std::string last = logs.substr(logs.rfind("request_headers: upstream_hosts -> "));
  EXPECT_EQ(last.substr(0, last.find('\n')),
            "request_headers: upstream_hosts -> 0 " + live + healthy + "," + dead + unhealthy)
      << logs;
}

}  // namespace
}  // namespace wasmgate::test
