// The cluster-rate-limit example through the harness: one EVAL per request with the counting
// script, the key built from the prefix, window and key header, the reply {used, seconds left}
// turned into x-ratelimit-* headers or a 429, fail-open on Redis errors, and config validation.
// (The script itself runs against a real redis-server in
// tests/gateway/plugin_cluster_rate_limit_test.cc.)
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

const char* kConfig = R"({"serviceName": "redis.static", "servicePort": 6379, "password": "pw",
  "timeout": 500, "quota": 2, "windowSeconds": 30, "keyHeader": "x-api-key", "keyPrefix": "rl"})";

TestHost load(const char* config = kConfig) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/cluster-rate-limit.wasm", config);
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

HttpStream startRequest(TestHost& host, const std::string& apiKey) {
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/api"}, {"x-api-key", apiKey}}, true),
            HeaderAction::StopAllIterationAndWatermark);
  return http;
}

std::string countReply(int64_t used, int64_t secondsLeft) {
  return resp::array({resp::integer(used), resp::integer(secondsLeft)});
}

TEST(ClusterRateLimit, InitUsesTheConfiguredClusterAndDefaultBuffering) {
  auto host = load();
  ASSERT_EQ(host.redisInits().size(), 1u);
  RedisInit init = host.redisInits()[0];  // redisInits() returns a copy
  EXPECT_EQ(init.cluster, "outbound|6379||redis.static?buffer_flush_timeout=3&max_buffer_size_before_flush=1024");
  EXPECT_EQ(init.password, "pw");
  EXPECT_EQ(init.timeout_ms, 500u);
}

TEST(ClusterRateLimit, BufferOptionsReachTheInitString) {
  auto host = load(R"({"serviceName": "redis.static", "quota": 1, "bufferFlushTimeout": 0,
    "maxBufferSizeBeforeFlush": 0})");
  ASSERT_EQ(host.redisInits().size(), 1u);
  EXPECT_EQ(host.redisInits()[0].cluster,
            "outbound|6379||redis.static?buffer_flush_timeout=0&max_buffer_size_before_flush=0");
}

TEST(ClusterRateLimit, EachRequestIsOneEvalOnTheKeysWindowCounter) {
  auto host = load();
  auto http = startRequest(host, "alice");
  ASSERT_EQ(host.redisCalls().size(), 1u);
  std::vector<std::string> eval = host.redisCalls()[0].command();
  ASSERT_EQ(eval.size(), 5u);
  EXPECT_EQ(eval[0], "eval");
  // The script counts, reads the time left and sets the expiry in one atomic step.
  EXPECT_NE(eval[1].find("INCR"), std::string::npos) << eval[1];
  EXPECT_NE(eval[1].find("TTL"), std::string::npos) << eval[1];
  EXPECT_NE(eval[1].find("EXPIRE"), std::string::npos) << eval[1];
  EXPECT_EQ(eval[2], "1");
  EXPECT_EQ(eval[3], "rl:30:alice");
  EXPECT_EQ(eval[4], "30");

  ASSERT_TRUE(host.respondRedisCall(countReply(1, 30)).ok());
  EXPECT_TRUE(http.requestContinued());
  http.responseHeaders({{":status", "200"}});
  EXPECT_EQ(http.responseHeader("x-ratelimit-limit"), "2");
  EXPECT_EQ(http.responseHeader("x-ratelimit-remaining"), "1");
  EXPECT_EQ(http.responseHeader("x-ratelimit-reset"), "30");
}

TEST(ClusterRateLimit, AboveTheQuotaIs429WithRetryAfter) {
  auto host = load();
  auto last = startRequest(host, "bob");
  ASSERT_TRUE(host.respondRedisCall(countReply(2, 17)).ok());
  EXPECT_TRUE(last.requestContinued()) << "the quota's last request passes";
  last.responseHeaders({{":status", "200"}});
  EXPECT_EQ(last.responseHeader("x-ratelimit-remaining"), "0");

  auto over = startRequest(host, "bob");
  ASSERT_TRUE(host.respondRedisCall(countReply(3, 16)).ok());
  ASSERT_TRUE(over.localResponse());
  EXPECT_FALSE(over.requestContinued());
  EXPECT_EQ(over.localResponse()->status, 429u);
  EXPECT_EQ(over.localResponse()->body, "Too many requests\n");
  const Headers& headers = over.localResponse()->headers;
  EXPECT_EQ(findHeader(headers, "x-ratelimit-limit"), "2");
  EXPECT_EQ(findHeader(headers, "x-ratelimit-remaining"), "0");
  EXPECT_EQ(findHeader(headers, "x-ratelimit-reset"), "16");
  EXPECT_EQ(findHeader(headers, "retry-after"), "16");
}

TEST(ClusterRateLimit, RequestsWithoutTheKeyHeaderAreNotCounted) {
  auto host = load();
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/"}}, true), HeaderAction::Continue);
  EXPECT_TRUE(host.redisCalls().empty());
}

TEST(ClusterRateLimit, WithoutKeyHeaderAllRequestsShareOneKey) {
  auto host = load(R"({"serviceName": "redis.static", "quota": 5})");
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/"}}, true),
            HeaderAction::StopAllIterationAndWatermark);
  ASSERT_EQ(host.redisCalls().size(), 1u);
  EXPECT_EQ(host.redisCalls()[0].command().at(3), "cluster-rate-limit:60:all");
  EXPECT_EQ(host.redisCalls()[0].command().at(4), "60");
}

TEST(ClusterRateLimit, RedisErrorsLetTheRequestThrough) {
  auto host = load();
  auto scriptError = startRequest(host, "carol");
  ASSERT_TRUE(host.respondRedisCall(resp::error("NOSCRIPT no such script")).ok());
  EXPECT_TRUE(scriptError.requestContinued());
  scriptError.responseHeaders({{":status", "200"}});
  EXPECT_FALSE(scriptError.responseHeader("x-ratelimit-limit").has_value());

  auto networkError = startRequest(host, "carol");
  ASSERT_TRUE(host.failRedisCall().ok());
  EXPECT_TRUE(networkError.requestContinued());

  auto oddReply = startRequest(host, "carol");
  ASSERT_TRUE(host.respondRedisCall(resp::integer(7)).ok());
  EXPECT_TRUE(oddReply.requestContinued());
  EXPECT_TRUE(host.hasLog(LogLevel::Error, "unexpected redis reply")) << host.logDump();
}

TEST(ClusterRateLimit, BadConfigsAreRejectedByName) {
  auto noQuota = TestHost::load(WASMGATE_PLUGIN_DIR "/cluster-rate-limit.wasm", R"({"serviceName": "r"})");
  ASSERT_FALSE(noQuota.ok());
  EXPECT_NE(noQuota.message().find("field 'quota'"), std::string::npos) << noQuota.message();
  auto badWindow = TestHost::load(WASMGATE_PLUGIN_DIR "/cluster-rate-limit.wasm",
                                  R"({"serviceName": "r", "quota": 1, "windowSeconds": -5})");
  ASSERT_FALSE(badWindow.ok());
  EXPECT_NE(badWindow.message().find("field 'windowSeconds'"), std::string::npos) << badWindow.message();
  auto noService = TestHost::load(WASMGATE_PLUGIN_DIR "/cluster-rate-limit.wasm", R"({"quota": 1})");
  ASSERT_FALSE(noService.ok());
  EXPECT_NE(noService.message().find("field 'serviceName'"), std::string::npos) << noService.message();
}

}  // namespace
