// Integration tests of the two signals an operator sends to the real `wasmgate run` binary, for
// what gateway_ops_test and gateway_lifecycle_test leave unchecked: during a SIGTERM drain a new
// client connection gets no service while the in-flight request still finishes, and a rejected
// SIGHUP reload shows in /stats as a failed reload (with the old configuration still serving).
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

std::string httpbinRoute(const std::string& prefix) {
  return "routes:\n  - name: default/bin\n    match: {prefix: " + prefix + "}\n    service: httpbin\n"
         "    prefix_rewrite: /\n    timeout: 30s\n"
         "services:\n  - name: httpbin\n    builtin: httpbin\n";
}

// The value of one Prometheus series in /stats text, or -1 when the series is absent.
long long seriesValue(const std::string& stats, const std::string& series) {
  size_t at = stats.find(series + " ");
  if (at == std::string::npos) return -1;
  return std::atoll(stats.c_str() + at + series.size() + 1);
}

const char kReloadsFailed[] = "wasmgate_config_reloads_total{result=\"failed\"}";
const char kReloadsOk[] = "wasmgate_config_reloads_total{result=\"ok\"}";

// Polls `condition` every 20 ms until it holds or `limit` passes.
template <typename Condition>
bool waitFor(Condition condition, Clock::duration limit) {
  auto deadline = Clock::now() + limit;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    usleep(20000);
  }
  return true;
}

TEST(GatewaySignals, SigtermDrainRefusesNewConnectionsWhileInFlightFinishes) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, "limits:\n  drain_timeout: 20s\n" + httpbinRoute("/")), 2))
      << gw.logs();
  ASSERT_EQ(httpGet(port, "/get").status, 200) << "the listener must serve before the drain";

  // /delay/6 cannot be answered before 6 s have passed since it was sent: anything observed
  // earlier than that is observed while the drain is still waiting for it.
  RawClient in_flight(port);
  auto sent = Clock::now();
  ASSERT_TRUE(in_flight.send("GET /delay/6 HTTP/1.1\r\nHost: a\r\n\r\n"));
  usleep(200000);  // lets the request reach the upstream; the drain would otherwise close an idle connection
  ASSERT_EQ(::kill(gw.pid(), SIGTERM), 0);
  ASSERT_TRUE(waitFor([&] { return httpGet(admin, "/ready").status == 503; }, seconds(3)))
      << "the admin /ready must report the drain\n" << gw.logs();

  // Each worker closes its listener when it handles the drain; with SO_REUSEPORT a connection
  // may still reach a worker that has not yet, so wait until no worker accepts.
  bool refused = waitFor([&] {
    RawClient probe(port);
    return !probe.connected();
  }, seconds(3));
  auto refused_at = Clock::now();
  EXPECT_TRUE(refused) << "a new connection was still accepted during the drain";
  EXPECT_LT(refused_at - sent, seconds(6)) << "too slow to tell whether the refusal came during the drain";

  HttpResponse r = in_flight.readResponse(15000);
  EXPECT_TRUE(r.ok) << "the in-flight request must complete during the drain";
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_GE(Clock::now() - sent, seconds(6));
  EXPECT_EQ(gw.waitExit(10000), 0) << "the drain ends in a clean exit\n" << gw.logs();
}

TEST(GatewaySignals, RejectedSighupReloadIsCountedAndOldConfigServes) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, httpbinRoute("/old/")), 1)) << gw.logs();
  std::string before = httpGet(admin, "/stats").body;
  ASSERT_EQ(seriesValue(before, kReloadsFailed), 0) << before;
  ASSERT_EQ(seriesValue(before, kReloadsOk), 0) << before;

  // A route naming a service that does not exist: rejected by validation.
  gw.rewriteConfig(gatewayConfig(port, admin, "routes:\n  - name: default/bad\n    match: {prefix: /new/}\n"
                                              "    service: missing\n"));
  gw.sighup();
  // The file watcher may also notice the change and reject it a second time, so at least one.
  std::string stats;
  EXPECT_TRUE(waitFor([&] { return seriesValue(stats = httpGet(admin, "/stats").body, kReloadsFailed) >= 1; },
                      seconds(5)))
      << stats << gw.logs();
  EXPECT_EQ(seriesValue(stats, kReloadsOk), 0) << stats;
  EXPECT_EQ(httpGet(port, "/old/get").status, 200) << "the running configuration must stay";
  EXPECT_EQ(httpGet(port, "/new/get").status, 404);
  std::string plugins = httpGet(admin, "/plugins").body;
  EXPECT_NE(plugins.find("no service named 'missing'"), std::string::npos) << plugins;

  // A second rejection, this time of a file that is not even YAML, counts again.
  long long after_first = seriesValue(stats, kReloadsFailed);
  gw.rewriteConfig("listeners: [unclosed\n");
  gw.sighup();
  EXPECT_TRUE(waitFor([&] {
    return seriesValue(stats = httpGet(admin, "/stats").body, kReloadsFailed) > after_first;
  }, seconds(5))) << stats << gw.logs();
  EXPECT_EQ(seriesValue(stats, kReloadsOk), 0) << stats;
  EXPECT_EQ(httpGet(port, "/old/get").status, 200);
}

}  // namespace
}  // namespace wasmgate::test
