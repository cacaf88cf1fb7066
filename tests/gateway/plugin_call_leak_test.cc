// Outbound calls at scale through the real `wasmgate run` binary and the call_fanout test plugin
// (tests/plugins/call_fanout.cc): 10,000 Redis calls in flight at once (plus HTTP calls to a
// Debian nginx), repeated bursts with RSS checked for growth (Release), a VM that traps with its
// calls in flight, and a config reload then a shutdown while thousands of calls wait on a Redis
// that never answers.
// Every test ends with the gateway exiting with status 0: in the ASan/UBSan suite (make
// test-asan, detect_leaks=1) LeakSanitizer runs in the gateway process at exit and turns any leak
// into a non-zero status and a report in its log. No suppressions are needed: libnode/V8 leave
// nothing LeakSanitizer reports once the gateway has shut down.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tests/gateway/support/gateway_harness.h"
#include "tests/gateway/support/redis_server.h"

namespace wasmgate::test {
namespace {

using Clock = std::chrono::steady_clock;

std::string config(int redis_port, int http_port, uint32_t timeout_ms) {
  return "limits: {drain_timeout: 2s}\n"
         "routes:\n  - name: default/fanout\n    hosts: ['*']\n    match: {prefix: /}\n    service: httpbin\n"
         "services:\n  - {name: httpbin, builtin: httpbin}\n"
         "  - name: outbound|6379||redis.static\n    endpoints: [127.0.0.1:" + std::to_string(redis_port) + "]\n"
         "  - name: outbound|80||backend.static\n    endpoints: [127.0.0.1:" + std::to_string(http_port) + "]\n"
         "plugins:\n  - name: fanout\n    url: file://" WASMGATE_PLUGIN_DIR "/call_fanout.wasm\n"
         "    pluginConfig: {redisService: redis.static, redisPort: 6379, httpService: backend.static, httpPort: 80,"
         " redisCalls: 0, httpCalls: 0, timeout: " + std::to_string(timeout_ms) + "}\n";
}

std::string expectedBody(int redis, int http) {
  return "redis ok=" + std::to_string(redis) + " err=0 http ok=" + std::to_string(http) + " err=0\n";
}

// `requests` concurrent requests (one connection each), each asking for the given calls; returns
// the responses in request order.
std::vector<HttpResponse> burst(int port, int requests, int redis_calls, int http_calls,
                                const std::string& extra_headers = "", int timeout_ms = 20000) {
  std::vector<HttpResponse> responses(requests);
  std::vector<std::thread> clients;
  for (int i = 0; i < requests; ++i) {
    clients.emplace_back([&, i] {
      RawClient client(port);
      client.send("GET /fanout HTTP/1.1\r\nhost: x\r\nx-redis-calls: " + std::to_string(redis_calls) +
                  "\r\nx-http-calls: " + std::to_string(http_calls) + "\r\n" + extra_headers + "\r\n");
      responses[i] = client.readResponse(timeout_ms);
    });
  }
  for (auto& c : clients) c.join();
  return responses;
}

// SIGTERM, then the exit status must be 0: under ASan, LeakSanitizer's report at exit makes it
// non-zero, and its report is in the gateway's log.
void expectCleanExit(GatewayProcess& gw) {
  EXPECT_EQ(gw.terminate(), 0) << gw.logs().substr(0, 8000);
  std::string logs = gw.logs();
  size_t leak = logs.find("LeakSanitizer");
  EXPECT_EQ(leak, std::string::npos) << logs.substr(leak == std::string::npos ? 0 : leak, 6000);
}

long rssKb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(PluginCallLeak, TenThousandConcurrentCallsAllAnsweredAndRssFlat) {
  testing::RedisServer redis({"--maxclients", "1000"});
  ASSERT_TRUE(redis.start()) << redis.error();
  NginxUpstream nginx;
  bool with_http = nginx.start("    location / { return 200 'ok'; }");
  if (!with_http) std::cout << "nginx not installed: Redis calls only\n";
  int port = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, freePort(), config(redis.port(), with_http ? nginx.port() : 1, 10000)), 2))
      << gw.logs();

  // 20 requests x 500 INCRs: 10,000 Redis calls issued before the first reply can come back.
  auto t0 = Clock::now();
  for (const HttpResponse& r : burst(port, 20, 500, 0)) {
    ASSERT_EQ(r.status, 200) << gw.logs().substr(0, 4000);
    ASSERT_EQ(r.body, expectedBody(500, 0));
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  std::cout << "10,000 concurrent redis calls answered in " << ms << " ms\n";
  EXPECT_EQ(redis.command({{"GET", "fanout"}}), "$5\r\n10000\r\n");

  if (with_http) {  // 10 requests x 50 GETs and 50 INCRs
    for (const HttpResponse& r : burst(port, 10, 50, 50)) {
      ASSERT_EQ(r.status, 200);
      ASSERT_EQ(r.body, expectedBody(50, 50));
    }
  }

  // Repeated bursts: memory must settle, not grow with the number of calls made.
  long warm = 0;
  for (int round = 0; round < 12; ++round) {
    for (const HttpResponse& r : burst(port, 20, 500, with_http ? 10 : 0)) {
      ASSERT_EQ(r.body, expectedBody(500, with_http ? 10 : 0)) << "round " << round;
    }
    if (round == 3) warm = rssKb(gw.pid());
  }
  long after = rssKb(gw.pid());
  std::cout << "gateway RSS after 4 bursts " << warm << " kB, after 12 bursts " << after << " kB\n";
#ifndef WASMGATE_ASAN  // ASan's quarantine and shadow memory make RSS meaningless
  EXPECT_LT(after - warm, 6 * 1024) << "RSS grew by " << (after - warm) << " kB over 8 bursts of 10,000 calls";
#endif
  expectCleanExit(gw);
}

TEST(PluginCallLeak, VmThatTrapsWithCallsInFlightDropsTheirRepliesSafely) {
  testing::RedisServer redis;
  ASSERT_TRUE(redis.start()) << redis.error();
  int port = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, freePort(), config(redis.port(), 1, 5000)), 2)) << gw.logs();
  // Each trapping request leaves 1,000 calls in flight on a VM that has just failed, next to
  // requests whose 1,000 calls each are in flight on the same VMs. The trapping ones get the
  // plugin's fail strategy (FAIL_CLOSE: 503). A bystander is answered by its VM if its replies
  // came in before the trap; otherwise its replies are dropped (Higress: deliveries to a failed
  // VM are dropped) and it gets the fail strategy too (503), never a hang.
  std::vector<HttpResponse> trapped, bystanders;
  std::thread trapping([&] { trapped = burst(port, 6, 1000, 0, "x-trap: 1\r\n"); });
  bystanders = burst(port, 10, 1000, 0, "", 5000);
  trapping.join();
  for (const HttpResponse& r : trapped) EXPECT_EQ(r.status, 503) << gw.logs().substr(0, 4000);
  int answered = 0, failed = 0;
  for (const HttpResponse& r : bystanders) {
    ASSERT_TRUE(r.ok) << "a request held by a failed VM was left hanging";
    if (r.status == 503) {
      ++failed;
      continue;
    }
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, expectedBody(1000, 0));
    ++answered;
  }
  std::cout << answered << " of 10 requests sharing VMs with the traps were answered by the plugin, "
            << failed << " got 503\n";
  EXPECT_NE(gw.logs().find("trap in proxy_on_request_headers: unreachable"), std::string::npos);
  // The rebuilt VMs work, and the dropped replies did not reach them.
  for (const HttpResponse& r : burst(port, 10, 300, 0)) {
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, expectedBody(300, 0));
  }
  expectCleanExit(gw);
}

// A Redis that accepts connections and reads commands but never answers.
void silentRedis(int fd) {
  char buffer[4096];
  while (::read(fd, buffer, sizeof buffer) > 0) {
  }
}

// Requests held on calls that can never be answered (a Redis that never replies) share one VM
// with a request that traps: the held ones get the fail strategy at once (FAIL_CLOSE: 503), not
// when the client gives up.
TEST(PluginCallLeak, HeldRequestsGetTheFailStrategyWhenTheirVmTraps) {
  ScriptedUpstream blackHole(silentRedis);
  int port = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, freePort(), config(blackHole.port(), 1, 60000)), 1)) << gw.logs();
  std::vector<HttpResponse> held(4);
  std::vector<std::thread> clients;
  for (size_t i = 0; i < held.size(); ++i) {
    clients.emplace_back([&, i] {
      RawClient client(port);
      client.send("GET /fanout HTTP/1.1\r\nhost: x\r\nx-redis-calls: 3\r\n\r\n");
      held[i] = client.readResponse(10000);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // all four are held now
  auto t0 = Clock::now();
  std::vector<HttpResponse> trapped = burst(port, 1, 3, 0, "x-trap: 1\r\n");
  for (auto& c : clients) c.join();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  ASSERT_EQ(trapped[0].status, 503) << gw.logs().substr(0, 4000);
  for (const HttpResponse& r : held) {
    ASSERT_TRUE(r.ok) << "held request left hanging; logs: " << gw.logs().substr(0, 4000);
    EXPECT_EQ(r.status, 503);
  }
  EXPECT_LT(ms, 5000);
  expectCleanExit(gw);
}

// The same with FAIL_OPEN: the held requests go on to the upstream without the plugin.
TEST(PluginCallLeak, HeldRequestsContinueWhenTheirFailOpenVmTraps) {
  ScriptedUpstream blackHole(silentRedis);
  int port = freePort();
  GatewayProcess gw;
  std::string yaml = config(blackHole.port(), 1, 60000) + "    failStrategy: FAIL_OPEN\n";
  ASSERT_TRUE(gw.start(gatewayConfig(port, freePort(), yaml), 1)) << gw.logs();
  HttpResponse held;
  std::thread client([&] {
    RawClient c(port);
    c.send("GET /get HTTP/1.1\r\nhost: x\r\nx-redis-calls: 3\r\n\r\n");
    held = c.readResponse(10000);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::vector<HttpResponse> trapped = burst(port, 1, 3, 0, "x-trap: 1\r\n");
  client.join();
  ASSERT_TRUE(held.ok) << "held request left hanging; logs: " << gw.logs().substr(0, 4000);
  EXPECT_EQ(held.status, 200);  // httpbin's /get, reached without the plugin
  EXPECT_NE(held.body.find("\"url\""), std::string::npos) << held.body;
  EXPECT_EQ(trapped[0].status, 404) << "FAIL_OPEN: the trapping request goes on too (httpbin has no /fanout)";
  expectCleanExit(gw);
}

TEST(PluginCallLeak, ReloadThenShutdownWithThousandsOfCallsPendingExitsCleanly) {
  ScriptedUpstream blackHole(silentRedis);
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, config(blackHole.port(), 1, 60000)), 2)) << gw.logs();
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  auto hold = [&](int n) {
    for (int i = 0; i < n; ++i) {
      clients.emplace_back([&] {
        RawClient client(port);
        client.send("GET /fanout HTTP/1.1\r\nhost: x\r\nx-redis-calls: 500\r\n\r\n");
        if (client.readResponse(15000).ok) ++answered;
      });
    }
  };
  hold(6);  // 3,000 calls waiting on Redis in the first generation's VMs
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // A new configuration replaces every VM; the held streams keep their old VMs and calls.
  gw.rewriteConfig(gatewayConfig(port, admin, config(blackHole.port(), 1, 60001)));
  bool reloaded = false;
  for (int i = 0; i < 100 && !reloaded; ++i) {
    reloaded = httpGet(admin, "/plugins").body.find("60001") != std::string::npos;
    if (!reloaded) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(reloaded) << gw.logs().substr(0, 4000);
  hold(4);  // 2,000 more in the new generation's VMs
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto t0 = Clock::now();
  expectCleanExit(gw);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  EXPECT_LT(ms, 8000) << "shutdown waited for calls that cannot finish";
  for (auto& c : clients) c.join();
  EXPECT_EQ(answered.load(), 0) << "no reply could have arrived";
}

}  // namespace
}  // namespace wasmgate::test
