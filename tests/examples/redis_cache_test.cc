// The redis-cache example through the harness: a miss goes upstream and is stored with SETEX, a
// hit is answered from Redis, and Redis failures, other methods and non-200 answers are never
// cached.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

TestHost load() {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/redis-cache.wasm",
                             R"({"serviceName": "redis.static", "database": 2, "ttl": 30, "prefix": "c:"})");
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

HttpStream get(TestHost& host, std::string path) {
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", std::move(path)}}, true),
            HeaderAction::StopAllIterationAndWatermark);
  return http;
}

TEST(RedisCache, TheClientUsesTheConfiguredDatabase) {
  auto host = load();
  ASSERT_EQ(host.redisInits().size(), 1u);
  EXPECT_NE(host.redisInits()[0].cluster.find("outbound|6379||redis.static?db=2"), std::string::npos)
      << host.redisInits()[0].cluster;
}

TEST(RedisCache, AMissGoesUpstreamAndIsStored) {
  auto host = load();
  auto http = get(host, "/items/1");
  ASSERT_EQ(host.redisCalls().size(), 1u);
  EXPECT_EQ(host.redisCalls()[0].command(), (std::vector<std::string>{"get", "c:/items/1"}));
  ASSERT_TRUE(host.respondRedisCall(resp::null()).ok());
  EXPECT_TRUE(http.requestContinued());

  http.responseHeaders({{":status", "200"}});
  EXPECT_EQ(http.responseHeader("x-cache"), "MISS");
  EXPECT_EQ(http.responseBody("{\"id\": 1}", true), DataAction::Continue);
  EXPECT_EQ(http.response().body, "{\"id\": 1}");
  ASSERT_EQ(host.redisCalls().size(), 1u);
  // SetEx is sent as SET ... EX, as the Go client does.
  EXPECT_EQ(host.redisCalls()[0].command(), (std::vector<std::string>{"set", "c:/items/1", "{\"id\": 1}", "ex", "30"}));
}

TEST(RedisCache, AHitIsAnsweredFromRedis) {
  auto host = load();
  auto http = get(host, "/items/1");
  ASSERT_TRUE(host.respondRedisCall(resp::bulk("{\"id\": 1}")).ok());
  ASSERT_TRUE(http.localResponse());
  EXPECT_EQ(http.localResponse()->status, 200u);
  EXPECT_EQ(http.localResponse()->body, "{\"id\": 1}");
  EXPECT_EQ(findHeader(http.localResponse()->headers, "x-cache"), "HIT");
  EXPECT_FALSE(http.requestContinued());
}

TEST(RedisCache, FailuresAndNon200AnswersAreNotCached) {
  auto host = load();
  auto failed = get(host, "/a");
  ASSERT_TRUE(host.respondRedisCall(resp::error("ERR down")).ok());
  EXPECT_TRUE(failed.requestContinued());
  failed.responseHeaders({{":status", "200"}});
  failed.responseBody("a", true);
  EXPECT_TRUE(host.redisCalls().empty()) << "a failed lookup stores nothing";
  EXPECT_TRUE(host.hasLog(LogLevel::Warn, "cache lookup of c:/a failed")) << host.logDump();

  auto notFound = get(host, "/b");
  ASSERT_TRUE(host.respondRedisCall(resp::null()).ok());
  notFound.responseHeaders({{":status", "404"}});
  notFound.responseBody("no", true);
  EXPECT_TRUE(host.redisCalls().empty()) << "only 200s are stored";

  auto post = host.newHttp();
  EXPECT_EQ(post.requestHeaders({{":method", "POST"}, {":path", "/a"}}, true), HeaderAction::Continue);
  EXPECT_TRUE(host.redisCalls().empty());
}

}  // namespace
