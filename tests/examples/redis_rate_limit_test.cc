// The redis-rate-limit example through the harness: INCR on the current minute's key, EXPIRE on
// the first hit, 429 with timeStamp/callTimeLeft once the quota is used, the remaining quota on
// allowed responses, fail-open on Redis errors, and windows that follow the harness's virtual
// clock. Every case runs against the .wasm and against the native build.
#include <gtest/gtest.h>

#include <chrono>

#include <wasmgate/testing/plugin_test.h>

#include "tests/harness/support/builds.h"

namespace {

using namespace wasmgate::testing;
using harness_test::Build;

const char* kConfig = R"({"serviceName": "redis.static", "servicePort": 6379, "username": "default",
  "password": "pw", "timeout": 1000, "qpm": 2})";

class RedisRateLimit : public ::testing::TestWithParam<Build> {
 protected:
  TestHost load() {
    auto host = harness_test::loadExample(GetParam(), "redis-rate-limit", kConfig);
    EXPECT_TRUE(host.ok()) << host.message();
    return std::move(host).value();
  }
};
INSTANTIATE_TEST_SUITE_P(Builds, RedisRateLimit, ::testing::Values(Build::Wasm, Build::Native),
                         harness_test::buildName);

// The minute the plugin sees: the harness's virtual wall clock, not the machine's.
int64_t currentMinute(const TestHost& host) {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(host.now().time_since_epoch());
  return now.count() - now.count() % 60;
}

std::chrono::system_clock::time_point utc(int64_t unix_seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
}

HttpStream startRequest(TestHost& host) {
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/api"}}, true),
            HeaderAction::StopAllIterationAndWatermark);
  return http;
}

TEST_P(RedisRateLimit, TheClientIsInitialisedFromTheConfig) {
  auto host = load();
  ASSERT_EQ(host.redisInits().size(), 1u);
  EXPECT_EQ(host.redisInits()[0].cluster.rfind("outbound|6379||redis.static?", 0), 0u) << host.redisInits()[0].cluster;
  EXPECT_EQ(host.redisInits()[0].username, "default");
  EXPECT_EQ(host.redisInits()[0].password, "pw");
  EXPECT_EQ(host.redisInits()[0].timeout_ms, 1000u);
}

TEST_P(RedisRateLimit, FirstHitOfTheMinuteSetsTheExpiryThenPasses) {
  auto host = load();
  int64_t before = currentMinute(host);
  auto http = startRequest(host);
  ASSERT_EQ(host.redisCalls().size(), 1u);
  std::vector<std::string> incr = host.redisCalls()[0].command();
  ASSERT_EQ(incr.size(), 2u);
  EXPECT_EQ(incr[0], "incr");
  int64_t key = std::stoll(incr[1]);
  EXPECT_EQ(key % 60, 0) << "the key is a whole minute";
  EXPECT_GE(key, before);
  EXPECT_LE(key, currentMinute(host));

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

TEST_P(RedisRateLimit, AboveTheQuotaIs429) {
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

TEST_P(RedisRateLimit, TheWindowFollowsTheVirtualClock) {
  auto host = load();
  host.setTime(utc(1'700'000'010));  // 2023-11-14T22:13:30Z: half-way through a minute
  const int64_t minute = 1'700'000'010 - 1'700'000'010 % 60;
  auto keyOfNextRequest = [&] {
    auto http = startRequest(host);
    std::string key = host.redisCalls().at(0).command().at(1);
    EXPECT_TRUE(host.respondRedisCall(resp::integer(2)).ok());  // not the first hit: no EXPIRE
    EXPECT_TRUE(http.requestContinued());
    return key;
  };
  EXPECT_EQ(keyOfNextRequest(), std::to_string(minute));
  ASSERT_TRUE(host.advance(std::chrono::seconds(29)).ok());  // 59 s into the minute
  EXPECT_EQ(keyOfNextRequest(), std::to_string(minute));
  ASSERT_TRUE(host.advance(std::chrono::seconds(1)).ok());  // the next minute: a new window
  EXPECT_EQ(keyOfNextRequest(), std::to_string(minute + 60));
  host.setTime(utc(minute));  // the wall clock may also be set back
  EXPECT_EQ(keyOfNextRequest(), std::to_string(minute));
}

TEST_P(RedisRateLimit, RedisErrorsLetTheRequestThrough) {
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

TEST_P(RedisRateLimit, QpmIsRequired) {
  auto host = harness_test::loadExample(GetParam(), "redis-rate-limit", R"({"serviceName": "redis"})");
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.message().find("field 'qpm'"), std::string::npos) << host.message();
}

}  // namespace
