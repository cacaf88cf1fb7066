// RedisClient against a real redis-server started by the test: replies and errors, pipelining
// order, flush by time and by size, SELECT isolation, AUTH (password, ACL user, wrong password),
// a closed port, per-call timeouts, cancellation, and a Redis restart while commands flow.
#include <gtest/gtest.h>

#include "gateway/redis/redis_client.h"
#include "tests/gateway/support/redis_loop.h"
#include "tests/gateway/support/gateway_harness.h"
#include "tests/gateway/support/redis_server.h"

namespace wasmgate::gateway::redis {
namespace {

using testing::RedisReplyLog;
using testing::RedisServer;
using testing::RedisTestLoop;
using testing::respCommand;
using Clock = std::chrono::steady_clock;

// ":<n>\r\n"
std::string integerReply(long n) { return std::string(":").append(std::to_string(n)).append("\r\n"); }

long msSince(Clock::time_point t0, Clock::time_point t1) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0).count());
}

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start()) << server_.error(); }

  std::unique_ptr<RedisClient> makeClient(std::string cluster = "redis", std::string user = "",
                                          std::string password = "", uint32_t timeout_ms = 2000) {
    auto spec = parseRedisClusterSpec(cluster);
    EXPECT_TRUE(spec.ok());
    RedisClientOptions options;
    options.endpoints = {server_.endpoint()};
    options.spec = spec.value();
    options.username = std::move(user);
    options.password = std::move(password);
    options.timeout_ms = timeout_ms;
    auto client = RedisClient::create(loop_.loop(), std::move(options));
    EXPECT_TRUE(client.ok()) << client.message();
    return std::move(client).value();
  }

  RedisTestLoop loop_;
  RedisServer server_;
};

TEST_F(RedisClientTest, RepliesAndErrorRepliesAreReplies) {
  auto client = makeClient();
  RedisReplyLog log;
  client->call(respCommand({"SET", "k", "v1"}), log.callback());
  client->call(respCommand({"GET", "k"}), log.callback());
  client->call(respCommand({"NOSUCHCOMMAND"}), log.callback());
  client->call(respCommand({"GET", "missing"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 4; }));
  EXPECT_EQ(log.entries[0].reply, "+OK\r\n");
  EXPECT_EQ(log.entries[1].reply, "$2\r\nv1\r\n");
  EXPECT_EQ(log.entries[2].status, RedisCallStatus::Ok);
  EXPECT_EQ(log.entries[2].reply.rfind("-ERR unknown command", 0), 0u) << log.entries[2].reply;
  EXPECT_EQ(log.entries[3].reply, "$-1\r\n");
  EXPECT_EQ(client->stats().connects, 1u);
}

TEST_F(RedisClientTest, PipelinedRepliesArriveInOrder) {
  auto client = makeClient("redis?buffer_flush_timeout=1&max_buffer_size_before_flush=4096");
  RedisReplyLog log;
  constexpr int kCalls = 2000;
  for (int i = 0; i < kCalls; ++i) client->call(respCommand({"INCR", "counter"}), log.callback());
  // A big reply (a 200 KB bulk string) crosses many reads in the middle of the pipeline.
  std::string big(200 * 1024, 'x');
  client->call(respCommand({"SET", "big", big}), log.callback());
  client->call(respCommand({"GET", "big"}), log.callback());
  client->call(respCommand({"INCR", "counter"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == kCalls + 3; }));
  for (int i = 0; i < kCalls; ++i) ASSERT_EQ(log.entries[i].reply, integerReply(i + 1));
  EXPECT_EQ(log.entries[kCalls + 1].reply, std::string("$204800\r\n").append(big).append("\r\n"));
  EXPECT_EQ(log.entries[kCalls + 2].reply, integerReply(kCalls + 1));
  EXPECT_EQ(client->stats().connects, 1u);
}

TEST_F(RedisClientTest, FlushWaitsForTheTimeoutWhenUnderTheSize) {
  auto client = makeClient("redis?buffer_flush_timeout=150&max_buffer_size_before_flush=100000");
  RedisReplyLog warm;
  client->call(respCommand({"PING"}), warm.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return warm.size() == 1; }));
  RedisReplyLog log;
  auto t0 = Clock::now();
  client->call(respCommand({"PING"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 1; }));
  EXPECT_EQ(log.entries[0].reply, "+PONG\r\n");
  EXPECT_GE(msSince(t0, log.entries[0].at), 140);
  EXPECT_LT(msSince(t0, log.entries[0].at), 1000);
}

TEST_F(RedisClientTest, FlushHappensAtOnceWhenTheSizeIsReached) {
  auto client = makeClient("redis?buffer_flush_timeout=10000&max_buffer_size_before_flush=64");
  // A command over the size limit is written at once (and brings the connection up).
  RedisReplyLog warm;
  client->call(respCommand({"SET", "size", std::string(80, 's')}), warm.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return warm.size() == 1; }, 2000));
  RedisReplyLog log;
  // Two 31-byte commands stay under 64 bytes: held for the 10 s timeout.
  client->call(respCommand({"ECHO", "0123456789"}), log.callback());
  client->call(respCommand({"ECHO", "0123456789"}), log.callback());
  loop_.runFor(200);
  EXPECT_EQ(log.size(), 0u);
  auto t0 = Clock::now();
  client->call(respCommand({"ECHO", "0123456789"}), log.callback());  // 93 bytes: flushed
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 3; }, 2000));
  EXPECT_LT(msSince(t0, log.entries[2].at), 100);
  EXPECT_EQ(log.entries[0].reply, "$10\r\n0123456789\r\n");
}

TEST_F(RedisClientTest, ImmediateModeAnswersWithoutWaiting) {
  auto client = makeClient("redis?buffer_flush_timeout=0&max_buffer_size_before_flush=0");
  RedisReplyLog log;
  client->call(respCommand({"PING"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 1; }));
  auto t0 = Clock::now();
  client->call(respCommand({"PING"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 2; }));
  EXPECT_LT(msSince(t0, log.entries[1].at), 50);
}

TEST_F(RedisClientTest, SelectIsolatesDatabases) {
  auto db1 = makeClient("redis?db=1");
  auto db0 = makeClient("redis");
  RedisReplyLog log;
  db1->call(respCommand({"SET", "iso", "one"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 1; }));
  db0->call(respCommand({"GET", "iso"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 2; }));
  db1->call(respCommand({"GET", "iso"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 3; }));
  EXPECT_EQ(log.entries[1].reply, "$-1\r\n");
  EXPECT_EQ(log.entries[2].reply, "$3\r\none\r\n");
  EXPECT_EQ(server_.command({{"SELECT", "1"}, {"GET", "iso"}}), "$3\r\none\r\n");
  EXPECT_EQ(server_.command({{"GET", "iso"}}), "$-1\r\n");
}

TEST_F(RedisClientTest, ClosedPortFailsPromptlyThenBacksOff) {
  RedisClientOptions options;
  options.endpoints = {"127.0.0.1:" + std::to_string(test::freePort())};
  options.spec.name = "nowhere";
  auto client = RedisClient::create(loop_.loop(), options).value();
  RedisReplyLog log;
  auto t0 = Clock::now();
  client->call(respCommand({"PING"}), log.callback());
  client->call(respCommand({"PING"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 2; }, 2000));
  EXPECT_LT(msSince(t0, log.entries[1].at), 200);
  for (auto& e : log.entries) EXPECT_EQ(e.status, RedisCallStatus::NetworkError);
  EXPECT_NE(client->lastError().find("connect to"), std::string::npos) << client->lastError();
  // Inside the backoff window no connection is attempted; the call still fails promptly.
  client->call(respCommand({"PING"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 3; }, 500));
  EXPECT_EQ(client->stats().connect_failures, 1u);
}

TEST_F(RedisClientTest, DeadEndpointIsSkippedWithoutWaiting) {
  RedisClientOptions options;
  options.endpoints = {"127.0.0.1:" + std::to_string(test::freePort()), server_.endpoint()};
  options.spec.name = "two";
  options.backoff_base_ms = 5000;  // a backoff would make the second call fail too
  auto client = RedisClient::create(loop_.loop(), options).value();
  RedisReplyLog log;
  client->call(respCommand({"PING"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 1; }));
  EXPECT_EQ(log.entries[0].status, RedisCallStatus::NetworkError);
  client->call(respCommand({"PING"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 2; }));
  EXPECT_EQ(log.entries[1].reply, "+PONG\r\n");
  EXPECT_EQ(client->stats().connect_failures, 1u);
  EXPECT_EQ(client->stats().connects, 1u);
}

TEST_F(RedisClientTest, BadEndpointIsAnError) {
  RedisClientOptions options;
  options.spec.name = "r";
  options.endpoints = {"redis.example:6379"};
  auto named = RedisClient::create(loop_.loop(), options);
  ASSERT_FALSE(named.ok());
  EXPECT_NE(named.message().find("redis.example"), std::string::npos) << named.message();
  options.endpoints = {"127.0.0.1:99999"};
  EXPECT_FALSE(RedisClient::create(loop_.loop(), options).ok());
  options.endpoints = {};
  EXPECT_FALSE(RedisClient::create(loop_.loop(), options).ok());
}

TEST_F(RedisClientTest, SlowCallTimesOutAndTheClientRecovers) {
  auto client = makeClient("redis", "", "", /*timeout_ms=*/200);
  RedisReplyLog log;
  auto t0 = Clock::now();
  client->call(respCommand({"BLPOP", "never", "0"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 1; }, 3000));
  EXPECT_EQ(log.entries[0].status, RedisCallStatus::NetworkError);
  EXPECT_GE(msSince(t0, log.entries[0].at), 190);
  EXPECT_LT(msSince(t0, log.entries[0].at), 1000);
  EXPECT_EQ(client->stats().timeouts, 1u);
  client->call(respCommand({"PING"}), log.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 2; }));
  EXPECT_EQ(log.entries[1].reply, "+PONG\r\n");
}

TEST_F(RedisClientTest, CancelledCallbacksNeverRun) {
  auto client = makeClient();
  RedisReplyLog log;
  bool cancelled_ran = false;
  uint64_t id = client->call(respCommand({"PING"}), [&](RedisCallStatus, std::string_view) { cancelled_ran = true; });
  client->call(respCommand({"SET", "a", "1"}), [&](RedisCallStatus, std::string_view) { cancelled_ran = true; }, 7);
  client->call(respCommand({"GET", "a"}), [&](RedisCallStatus, std::string_view) { cancelled_ran = true; }, 7);
  client->call(respCommand({"ECHO", "kept"}), log.callback(), 8);
  client->cancel(id);
  client->cancelOwner(7);
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 1; }));
  EXPECT_FALSE(cancelled_ran);
  EXPECT_EQ(log.entries[0].reply, "$4\r\nkept\r\n");
  EXPECT_EQ(client->stats().replies, 4u);  // the cancelled replies were read and dropped
  EXPECT_EQ(server_.command({{"GET", "a"}}), "$1\r\n1\r\n");
}

TEST_F(RedisClientTest, DestroyingTheClientWithCallsPendingIsHarmless) {
  bool ran = false;
  {
    auto client = makeClient();
    for (int i = 0; i < 100; ++i) {
      client->call(respCommand({"PING"}), [&](RedisCallStatus, std::string_view) { ran = true; });
    }
  }
  loop_.runFor(100);
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace wasmgate::gateway::redis
