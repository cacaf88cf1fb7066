// The cluster-rate-limit example (one Lua EVAL per request) in two real `wasmgate run` processes
// of two workers each, sharing one real redis-server: requests sent concurrently through both
// gateways share each key's quota exactly (allowed == quota, the rest 429), keys are independent,
// and the counter in Redis holds every request with the window's expiry.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/gateway/support/gateway_harness.h"
#include "tests/gateway/support/redis_server.h"

namespace wasmgate::test {
namespace {

std::string config(int app_port, int redis_port, int quota) {
  return "routes:\n  - name: default/app\n    hosts: ['*']\n    match: {prefix: /}\n    service: outbound|80||app.static\n"
         "services:\n  - name: outbound|80||app.static\n    endpoints: [127.0.0.1:" + std::to_string(app_port) + "]\n"
         "  - name: outbound|6379||redis.static\n    endpoints: [127.0.0.1:" + std::to_string(redis_port) + "]\n"
         "plugins:\n  - name: cluster-rate-limit\n    url: file://" WASMGATE_PLUGIN_DIR "/cluster-rate-limit.wasm\n"
         "    pluginConfig: {serviceName: redis.static, servicePort: 6379, password: s3cret, timeout: 2000, quota: " +
         std::to_string(quota) + ", windowSeconds: 60, keyHeader: x-api-key, keyPrefix: crl}\n";
}

struct Outcome {
  std::atomic<int> allowed{0}, limited{0}, other{0};
};

// `total` requests for `key` from `threads` threads, alternating between the gateways, each on a
// fresh connection (so the kernel spreads them over both workers of each gateway).
void sendConcurrently(const std::vector<int>& ports, const std::string& key, int total, int threads, Outcome* out) {
  std::atomic<int> next{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < threads; ++t) {
    senders.emplace_back([&] {
      for (int i = next++; i < total; i = next++) {
        HttpResponse r = httpGet(ports[i % ports.size()], "/x", "x-api-key: " + key + "\r\n");
        if (r.status == 200 && r.body == "hello" && !r.header("x-ratelimit-remaining").empty()) {
          ++out->allowed;
        } else if (r.status == 429 && r.header("x-ratelimit-remaining") == "0" && !r.header("retry-after").empty()) {
          ++out->limited;
        } else {
          ++out->other;
        }
      }
    });
  }
  for (auto& s : senders) s.join();
}

TEST(PluginClusterRateLimit, TwoGatewaysShareEachKeysQuotaExactly) {
  testing::RedisServer redis({"--requirepass", "s3cret"});
  ASSERT_TRUE(redis.start()) << redis.error();
  ScriptedUpstream app(ScriptedUpstream::answerHello);
  constexpr int kQuota = 30, kRequests = 80;
  GatewayProcess first, second;
  int port1 = freePort(), port2 = freePort();
  ASSERT_TRUE(first.start(gatewayConfig(port1, freePort(), config(app.port(), redis.port(), kQuota)), 2)) << first.logs();
  ASSERT_TRUE(second.start(gatewayConfig(port2, freePort(), config(app.port(), redis.port(), kQuota)), 2))
      << second.logs();

  Outcome alice;
  sendConcurrently({port1, port2}, "alice", kRequests, 8, &alice);
  EXPECT_EQ(alice.allowed.load(), kQuota) << first.logs() << second.logs();
  EXPECT_EQ(alice.limited.load(), kRequests - kQuota);
  EXPECT_EQ(alice.other.load(), 0);

  // Every request was counted once, in one key whose expiry is the window.
  EXPECT_EQ(redis.command({{"AUTH", "s3cret"}, {"GET", "crl:60:alice"}}), "$2\r\n80\r\n");
  std::string ttl = redis.command({{"AUTH", "s3cret"}, {"TTL", "crl:60:alice"}});
  ASSERT_EQ(ttl.rfind(":", 0), 0u) << ttl;
  int seconds = std::stoi(ttl.substr(1));
  EXPECT_GT(seconds, 0);
  EXPECT_LE(seconds, 60);

  // Another key has its own quota, even while the first one is exhausted.
  Outcome bob;
  sendConcurrently({port2, port1}, "bob", 10, 4, &bob);
  EXPECT_EQ(bob.allowed.load(), 10);
  EXPECT_EQ(bob.limited.load(), 0);
  HttpResponse stillLimited = httpGet(port1, "/x", "x-api-key: alice\r\n");
  EXPECT_EQ(stillLimited.status, 429);
  EXPECT_EQ(stillLimited.body, "Too many requests\n");
  EXPECT_EQ(stillLimited.header("x-ratelimit-limit"), std::to_string(kQuota));

  // Without the key header a request is not limited (and not counted).
  HttpResponse unkeyed = httpGet(port2, "/x");
  EXPECT_EQ(unkeyed.status, 200);
  EXPECT_EQ(unkeyed.header("x-ratelimit-limit"), "");

  EXPECT_EQ(first.terminate(), 0) << first.logs();
  EXPECT_EQ(second.terminate(), 0) << second.logs();
}

TEST(PluginClusterRateLimit, WindowExpiryRestoresTheQuota) {
  testing::RedisServer redis({"--requirepass", "s3cret"});
  ASSERT_TRUE(redis.start()) << redis.error();
  ScriptedUpstream app(ScriptedUpstream::answerHello);
  GatewayProcess gw;
  int port = freePort();
  ASSERT_TRUE(gw.start(gatewayConfig(port, freePort(), config(app.port(), redis.port(), 2)), 2)) << gw.logs();
  EXPECT_EQ(httpGet(port, "/x", "x-api-key: carol\r\n").header("x-ratelimit-remaining"), "1");
  EXPECT_EQ(httpGet(port, "/x", "x-api-key: carol\r\n").header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(httpGet(port, "/x", "x-api-key: carol\r\n").status, 429);
  // The window ends when the key expires in Redis (made to happen now rather than in 60 s).
  EXPECT_EQ(redis.command({{"AUTH", "s3cret"}, {"DEL", "crl:60:carol"}}), ":1\r\n");
  HttpResponse fresh = httpGet(port, "/x", "x-api-key: carol\r\n");
  EXPECT_EQ(fresh.status, 200);
  EXPECT_EQ(fresh.header("x-ratelimit-remaining"), "1");
  EXPECT_EQ(fresh.header("x-ratelimit-reset"), "60");
  EXPECT_EQ(gw.terminate(), 0) << gw.logs();
}

}  // namespace
}  // namespace wasmgate::test
