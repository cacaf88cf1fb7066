// Integration tests of the gateway's lifecycle guarantees not covered by gateway_ops_test: the
// SIGTERM drain is bounded by limits.drain_timeout (a request outliving it is cut and the
// process still exits 0), and a reload lets an in-flight request finish on the configuration it
// started with while the next request, even on the same keep-alive connection, uses the new one.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

using Clock = std::chrono::steady_clock;

// An upstream answering every request with `body` after `delay_ms`, keep-alive.
ScriptedUpstream::Handler answer(std::string body, int delay_ms) {
  return [body, delay_ms](int fd) {
    while (!ScriptedUpstream::readRequest(fd, 3000).empty()) {
      if (delay_ms > 0) usleep(delay_ms * 1000);
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(body.size()) +
                                         "\r\n\r\n" + body);
    }
  };
}

std::string routeTo(int upstream_port) {
  return "routes:\n  - name: default/all\n    match: {prefix: /}\n    service: backend\n"
         "services:\n  - name: backend\n    endpoints: [127.0.0.1:" + std::to_string(upstream_port) + "]\n";
}

TEST(GatewayLifecycle, SigtermDrainIsBoundedByDrainTimeout) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin,
                                     "limits:\n  drain_timeout: 1s\n"
                                     "routes:\n  - name: default/bin\n    match: {prefix: /}\n    service: httpbin\n"
                                     "    timeout: 30s\n"
                                     "services:\n  - name: httpbin\n    builtin: httpbin\n"),
                       1))
      << gw.logs();
  RawClient in_flight(port);
  ASSERT_TRUE(in_flight.send("GET /delay/8 HTTP/1.1\r\nHost: a\r\n\r\n"));
  usleep(200000);
  auto start = Clock::now();
  int exit_code = gw.terminate(8000);
  auto took = Clock::now() - start;
  EXPECT_EQ(exit_code, 0) << gw.logs();
  EXPECT_GE(took, std::chrono::milliseconds(800)) << "the in-flight request got less than drain_timeout";
  EXPECT_LT(took, std::chrono::milliseconds(3000)) << "drain must stop at drain_timeout, not wait for /delay/8";
  HttpResponse r = in_flight.readResponse(1000);
  EXPECT_FALSE(r.ok) << "a request outliving the drain is cut, not answered";
  EXPECT_TRUE(in_flight.closedByPeer(1000));
  EXPECT_NE(gw.logs().find("drain timeout: closing 1 connection(s)"), std::string::npos) << gw.logs();
}

TEST(GatewayLifecycle, ReloadFinishesInFlightRequestOnOldConfig) {
  ScriptedUpstream old_upstream(answer("old", 1200));
  ScriptedUpstream new_upstream(answer("new", 0));
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, routeTo(old_upstream.port())), 1)) << gw.logs();

  RawClient kept(port);  // keep-alive connection whose first request spans the reload
  ASSERT_TRUE(kept.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"));
  usleep(150000);
  gw.rewriteConfig(gatewayConfig(port, admin, routeTo(new_upstream.port())));
  gw.sighup();
  // New requests switch over while the slow one is still running on the old generation.
  auto deadline = Clock::now() + std::chrono::seconds(3);
  std::string body;
  while (Clock::now() < deadline && (body = httpGet(port, "/probe").body) != "new") usleep(50000);
  EXPECT_EQ(body, "new") << gw.logs();

  HttpResponse first = kept.readResponse(3000);
  ASSERT_TRUE(first.ok) << "the in-flight request was dropped by the reload";
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "old");
  // The same connection's next request is a new request: it takes the new routes.
  ASSERT_TRUE(kept.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n"));
  HttpResponse second = kept.readResponse(3000);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "new");
  HttpResponse stats = httpGet(admin, "/stats");
  ASSERT_NE(stats.body.find("wasmgate_config_reloads_total{result=\"ok\"}"), std::string::npos) << stats.body;
  EXPECT_EQ(stats.body.find("wasmgate_config_reloads_total{result=\"ok\"} 0\n"), std::string::npos) << stats.body;
}

}  // namespace
}  // namespace wasmgate::test
