// The redis-rate-limit example through the harness: INCR on the current minute's key, EXPIRE on
// the first hit, 429 with timeStamp/callTimeLeft once the quota is used, the remaining quota on
// allowed responses, and fail-open on Redis errors.
#include <gtest/gtest.h>

#include <chrono>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

const char* kConfig = R"({"serviceName": "redis.static", "servicePort": 6379, "username": "default",
  "password": "pw", "timeout": 1000, "qpm": 2})";

TestHost load() {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/redis-rate-limit.wasm", kConfig);
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

int64_t currentMinute() {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  return now.count() - now.count() % 60;
}

HttpStream startRequest(TestHost& host) {
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/api"}}, true),
            HeaderAction::StopAllIterationAndWatermark);
  return http;
}

TEST(RedisRateLimit, TheClientIsInitialisedFromTheConfig) {
  auto host = load();
  ASSERT_EQ(host.redisInits().size(), 1u);
  EXPECT_EQ(host.redisInits()[0].cluster.rfind("outbound|6379||redis.static?", 0), 0u) << host.redisInits()[0].cluster;
  EXPECT_EQ(host.redisInits()[0].username, "default");
  EXPECT_EQ(host.redisInits()[0].password, "pw");
  EXPECT_EQ(host.redisInits()[0].timeout_ms, 1000u);
}

TEST(RedisRateLimit, FirstHitOfTheMinuteSetsTheExpiryThenPasses) {
  auto host = load();
  int64_t before = currentMinute();
  auto http = startRequest(host);
  ASSERT_EQ(host.redisCalls().size(), 1u);
  std::vector<std::string> incr = host.redisCalls()[0].command();
  ASSERT_EQ(incr.size(), 2u);
  EXPECT_EQ(incr[0], "incr");
  int64_t key = std::stoll(incr[1]);
  EXPECT_EQ(key % 60, 0) << "the key is a whole minute";
  EXPECT_GE(key, before);
  EXPECT_LE(key, currentMinute());

  ASSERT_TRUE(host.respondRedisCall(resp::integer(1)).ok());
  EXPECT_FALSE(http.requestContinued()) << "waits for EXPIRE";
  ASSERT_EQ(host.redisCalls().size(), 1u);
  EXPECT_EQ(host.redisCalls()[0].command(),
            (std::vector<std::string>{"expire", std::to_string(key), "60"}));
  ASSERT_TRUE(host.respondRedisCall(resp::integer(1)).ok());
  EXPECT_TRUE(http.requestContinued());

  http.responseHeaders({{":status", "200"}});
  EXPECT_EQ(http.responseHeader("timeStamp"), std::to_string(key));
  EXPECT_EQ(http.responseHeader("callTimeLeft"), "1");
}

TEST(RedisRateLimit, AboveTheQuotaIs429) {
  auto host = load();
  auto second = startRequest(host);
  ASSERT_TRUE(host.respondRedisCall(resp::integer(2)).ok());
  EXPECT_TRUE(second.requestContinued()) << "the quota's last request passes without EXPIRE";
  EXPECT_TRUE(host.redisCalls().empty());
  second.responseHeaders({{":status", "200"}});
  EXPECT_EQ(second.responseHeader("callTimeLeft"), "0");

  auto third = startRequest(host);
  std::string key = host.redisCalls()[0].command().at(1);
  ASSERT_TRUE(host.respondRedisCall(resp::integer(3)).ok());
  ASSERT_TRUE(third.localResponse());
  EXPECT_EQ(third.localResponse()->status, 429u);
  EXPECT_EQ(third.localResponse()->body, "Too many requests\n");
  EXPECT_EQ(findHeader(third.localResponse()->headers, "timeStamp"), key);
  EXPECT_EQ(findHeader(third.localResponse()->headers, "callTimeLeft"), "0");
  EXPECT_FALSE(third.requestContinued());
}

TEST(RedisRateLimit, RedisErrorsLetTheRequestThrough) {
  auto host = load();
  auto replyError = startRequest(host);
  ASSERT_TRUE(host.respondRedisCall(resp::error("ERR something")).ok());
  EXPECT_TRUE(replyError.requestContinued());
  replyError.responseHeaders({{":status", "200"}});
  EXPECT_FALSE(replyError.responseHeader("callTimeLeft").has_value());

  auto networkError = startRequest(host);
  ASSERT_TRUE(host.failRedisCall().ok());
  EXPECT_TRUE(networkError.requestContinued());
  EXPECT_TRUE(host.hasLog(LogLevel::Error, "redis incr failed")) << host.logDump();
}

TEST(RedisRateLimit, QpmIsRequired) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/redis-rate-limit.wasm", R"({"serviceName": "redis"})");
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.message().find("field 'qpm'"), std::string::npos) << host.message();
}

}  // namespace
