// Integration tests of plugins' Redis calls through the real `wasmgate run` binary: the seed's
// per-minute rate limiter (examples/redis-rate-limit) against a real redis-server the test starts
// (with a password), 429 after the quota across workers, and fail-open when Redis is down.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <string>
#include <thread>

#include "tests/gateway/support/gateway_harness.h"
#include "tests/gateway/support/redis_server.h"

namespace wasmgate::test {
namespace {

std::string pluginUrl(const std::string& name) { return "file://" WASMGATE_PLUGIN_DIR "/" + name + ".wasm"; }

void hello(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello");
  }
}

std::string config(int app_port, int redis_port, const std::string& password, int qpm) {
  return "routes:\n  - name: default/app\n    hosts: ['*']\n    match: {prefix: /}\n    service: outbound|80||app.static\n"
         "services:\n  - name: outbound|80||app.static\n    endpoints: [127.0.0.1:" + std::to_string(app_port) + "]\n"
         "  - name: outbound|6379||redis.static\n    endpoints: [127.0.0.1:" + std::to_string(redis_port) + "]\n"
         "plugins:\n  - name: ratelimit\n    url: " + pluginUrl("redis-rate-limit") +
         "\n    pluginConfig: {serviceName: redis.static, servicePort: 6379, password: '" + password +
         "', timeout: 1000, qpm: " + std::to_string(qpm) + "}\n";
}

// The limiter counts per wall-clock minute: keep a test's requests inside one minute.
void avoidMinuteBoundary() {
  std::time_t now = std::time(nullptr);
  if (now % 60 >= 55) std::this_thread::sleep_for(std::chrono::seconds(61 - now % 60));
}

TEST(PluginOutboundRedis, RateLimitAnswers429AfterTheQuotaAcrossWorkers) {
  testing::RedisServer redis({"--requirepass", "s3cret"});
  ASSERT_TRUE(redis.start()) << redis.error();
  ScriptedUpstream app(hello);
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, config(app.port(), redis.port(), "s3cret", 5)), 2)) << gw.logs();
  avoidMinuteBoundary();
  for (int i = 1; i <= 5; ++i) {  // fresh connections: both workers share the count in Redis
    HttpResponse r = httpGet(port, "/x");
    EXPECT_EQ(r.status, 200) << gw.logs();
    EXPECT_EQ(r.body, "hello");
    EXPECT_EQ(r.header("calltimeleft"), std::to_string(5 - i));
    EXPECT_FALSE(r.header("timestamp").empty());
  }
  for (int i = 0; i < 3; ++i) {
    HttpResponse limited = httpGet(port, "/x");
    EXPECT_EQ(limited.status, 429);
    EXPECT_EQ(limited.body, "Too many requests\n");
    EXPECT_EQ(limited.header("calltimeleft"), "0");
  }
  // The counter lives in Redis, keyed by the minute, with the 60 s expiry the first hit set.
  std::string key = httpGet(port, "/x").header("timestamp");
  EXPECT_EQ(redis.command({{"AUTH", "s3cret"}, {"GET", key}}), "$1\r\n9\r\n");
  std::string ttl = redis.command({{"AUTH", "s3cret"}, {"TTL", key}});
  EXPECT_TRUE(ttl.rfind(":", 0) == 0 && ttl != ":-1\r\n" && ttl != ":-2\r\n") << ttl;
}

TEST(PluginOutboundRedis, RedisDownLetsRequestsThroughPromptly) {
  testing::RedisServer redis;
  ASSERT_TRUE(redis.start()) << redis.error();
  ScriptedUpstream app(hello);
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, config(app.port(), redis.port(), "", 1000)), 2)) << gw.logs();
  EXPECT_EQ(httpGet(port, "/x").header("calltimeleft"), "999");
  redis.stop();
  for (int i = 0; i < 4; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    HttpResponse r = httpGet(port, "/x");
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.status, 200);  // the limiter fails open
    EXPECT_EQ(r.body, "hello");
    EXPECT_EQ(r.header("calltimeleft"), "");  // no count: the call failed
    EXPECT_LT(ms, 1500);
  }
  EXPECT_NE(gw.logs().find("redis incr failed"), std::string::npos) << gw.logs();
  // Redis back on the same port: the clients reconnect and counting resumes.
  ASSERT_TRUE(redis.start()) << redis.error();
  bool counted = false;
  for (int i = 0; i < 40 && !counted; ++i) {
    counted = !httpGet(port, "/x").header("calltimeleft").empty();
    if (!counted) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(counted) << gw.logs();
  EXPECT_EQ(gw.terminate(), 0) << gw.logs();  // Redis connections and plugin VMs shut down cleanly
}

}  // namespace
}  // namespace wasmgate::test
