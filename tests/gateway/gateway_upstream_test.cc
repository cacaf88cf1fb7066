// Upstream behaviours through the real `wasmgate run` binary that the proxy tests leave out:
// `.dns` services (resolving `localhost`, and a name that does not resolve), the passive
// ejection time window (and its growth on a second ejection), the route timeout once the
// response head was already sent (the client connection is reset), and admin HEAD requests.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

using std::chrono::milliseconds;

void answerOk(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
  }
}

TEST(GatewayUpstream, DnsServiceResolvesLocalhost) {
  ScriptedUpstream up(answerOk);
  int port = freePort(), admin = freePort();
  std::string service = "outbound|" + std::to_string(up.port()) + "||localhost.dns";
  std::string rest = "routes:\n  - name: default/dns\n    match: {prefix: /}\n    service: '" + service + "'\n"
                     "services:\n  - name: '" + service + "'\n    dns_refresh: 200ms\n";
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  HttpResponse r = httpGet(port, "/x");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "ok");
  // Still served across several re-resolutions (endpoints and their pools are kept).
  std::this_thread::sleep_for(milliseconds(700));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(httpGet(port, "/y").status, 200) << i;
  EXPECT_GE(up.connections(), 1);
}

TEST(GatewayUpstream, UnresolvableDnsServiceAnswers503) {
  int port = freePort(), admin = freePort();
  std::string rest = "routes:\n  - name: default/dns\n    match: {prefix: /}\n    service: 'outbound|80||no-such-host.invalid.dns'\n"
                     "services:\n  - name: 'outbound|80||no-such-host.invalid.dns'\n";
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  HttpResponse r = httpGet(port, "/x");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "no healthy upstream");
}

TEST(GatewayUpstream, EjectionLastsItsWindowAndGrows) {
  ScriptedUpstream live(answerOk);
  int dead = freePort();
  int port = freePort(), admin = freePort();
  // No retries: every request that lands on the dead endpoint shows as a 503.
  std::string rest = "routes:\n  - name: default/r\n    match: {prefix: /}\n    service: pair\n    retries: 0\n"
                     "services:\n  - name: pair\n    endpoints: [127.0.0.1:" + std::to_string(dead) +
                     ", 127.0.0.1:" + std::to_string(live.port()) + "]\n"
                     "    outlier_detection: {consecutive_failures: 1, base_ejection_time: 1s}\n";
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  auto failuresIn = [&](int requests) {
    int failures = 0;
    for (int i = 0; i < requests; ++i) failures += httpGet(port, "/").status == 503;
    return failures;
  };
  // Round robin: one of the first two requests hits the dead endpoint, which is then ejected.
  EXPECT_EQ(failuresIn(2), 1);
  EXPECT_EQ(failuresIn(6), 0) << "the dead endpoint must stay ejected within its window";
  // After the window (1 s) it is tried again, fails, and is ejected for 2 × 1 s this time.
  std::this_thread::sleep_for(milliseconds(1200));
  EXPECT_EQ(failuresIn(2), 1) << "an ejected endpoint comes back once its window ends";
  std::this_thread::sleep_for(milliseconds(1200));
  EXPECT_EQ(failuresIn(4), 0) << "a second ejection lasts base_ejection_time × 2";
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_EQ(failuresIn(2), 1);
}

TEST(GatewayUpstream, TimeoutAfterResponseHeadResetsTheClient) {
  // The upstream sends the head and part of the body, then stalls past the route timeout.
  ScriptedUpstream stall([](int fd) {
    ScriptedUpstream::readRequest(fd);
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789");
    usleep(2000000);
  });
  int port = freePort(), admin = freePort();
  std::string rest = "routes:\n  - name: default/s\n    match: {prefix: /}\n    service: s\n    timeout: 300ms\n"
                     "services:\n  - name: s\n    endpoints: [127.0.0.1:" + std::to_string(stall.port()) + "]\n";
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  RawClient c(port);
  auto start = std::chrono::steady_clock::now();
  c.send("GET /stall HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string got = c.readAll(1500);
  auto took = std::chrono::steady_clock::now() - start;
  // The 200 head and the partial body reached the client; no 504 can follow a sent head, so
  // the connection is closed before the 100 promised bytes.
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
  EXPECT_NE(got.find("0123456789"), std::string::npos) << got;
  EXPECT_EQ(got.find("504"), std::string::npos) << got;
  EXPECT_LT(took, milliseconds(1400)) << "the connection should close at the 300 ms timeout";
  HttpResponse stats = httpGet(admin, "/stats");
  EXPECT_NE(stats.body.find("wasmgate_upstream_errors_total{kind=\"timeout\"} 1\n"), std::string::npos) << stats.body;
}

TEST(GatewayUpstream, AdminAnswersHead) {
  int port = freePort(), admin = freePort();
  std::string rest = "routes:\n  - name: default/b\n    match: {prefix: /}\n    service: bin\n"
                     "services:\n  - name: bin\n    builtin: httpbin\n";
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  for (const char* path : {"/ready", "/config_dump"}) {
    HttpResponse get = httpGet(admin, path);
    ASSERT_EQ(get.status, 200) << path;
    RawClient c(admin);
    c.send(std::string("HEAD ") + path + " HTTP/1.1\r\nHost: a\r\n\r\n");
    HttpResponse head = c.readResponse(5000, /*head_request=*/true);
    EXPECT_EQ(head.status, 200) << path;
    EXPECT_TRUE(head.body.empty()) << path;
    // Same length announced as GET's body, but no body bytes follow.
    EXPECT_EQ(head.header("content-length"), std::to_string(get.body.size())) << path;
    EXPECT_EQ(c.readAll(300), "") << path;
  }
  RawClient post(admin);
  post.send("POST /ready HTTP/1.1\r\nHost: a\r\ncontent-length: 0\r\n\r\n");
  EXPECT_EQ(post.readResponse().status, 405);
}

}  // namespace
}  // namespace wasmgate::test
