// RedisClient's AUTH against real redis-servers: password only (requirepass), an ACL user
// (username + password), and refusals, which reach the caller as Redis's own error replies.
// Also a Redis restart while commands flow: prompt errors, then recovery.
#include <gtest/gtest.h>

#include "gateway/redis/redis_client.h"
#include "tests/gateway/support/redis_loop.h"
#include "tests/gateway/support/redis_server.h"

namespace wasmgate::gateway::redis {
namespace {

using testing::RedisReplyLog;
using testing::RedisServer;
using testing::RedisTestLoop;
using testing::respCommand;

std::unique_ptr<RedisClient> makeClient(RedisTestLoop& loop, const RedisServer& server, std::string user,
                                        std::string password, std::string cluster = "redis") {
  RedisClientOptions options;
  options.endpoints = {server.endpoint()};
  options.spec = parseRedisClusterSpec(cluster).value();
  options.username = std::move(user);
  options.password = std::move(password);
  options.timeout_ms = 2000;
  options.backoff_base_ms = 50;
  options.backoff_max_ms = 200;
  return RedisClient::create(loop.loop(), std::move(options)).value();
}

TEST(RedisAuth, PasswordOnly) {
  RedisServer server({"--requirepass", "s3cret"});
  ASSERT_TRUE(server.start()) << server.error();
  RedisTestLoop loop;
  auto good = makeClient(loop, server, "", "s3cret", "redis?db=2");
  auto bad = makeClient(loop, server, "", "wrong");
  auto none = makeClient(loop, server, "", "");
  RedisReplyLog ok_log, bad_log, none_log;
  good->call(respCommand({"SET", "p", "1"}), ok_log.callback());
  bad->call(respCommand({"GET", "p"}), bad_log.callback());
  none->call(respCommand({"GET", "p"}), none_log.callback());
  ASSERT_TRUE(loop.runUntil([&] { return ok_log.size() + bad_log.size() + none_log.size() == 3; }));
  EXPECT_EQ(ok_log.entries[0].reply, "+OK\r\n");
  // The refused AUTH is swallowed; the command's own NOAUTH error is the reply (the SDK's
  // re-auth logic keys on it).
  EXPECT_EQ(bad_log.entries[0].status, RedisCallStatus::Ok);
  EXPECT_EQ(bad_log.entries[0].reply.rfind("-NOAUTH", 0), 0u) << bad_log.entries[0].reply;
  EXPECT_NE(bad->lastError().find("WRONGPASS"), std::string::npos) << bad->lastError();
  EXPECT_EQ(none_log.entries[0].reply.rfind("-NOAUTH", 0), 0u) << none_log.entries[0].reply;
  EXPECT_EQ(server.command({{"AUTH", "s3cret"}, {"SELECT", "2"}, {"GET", "p"}}), "$1\r\n1\r\n");
}

TEST(RedisAuth, AclUser) {
  RedisServer server({"--user", "default", "off", "--user", "alice", "on", ">pw1", "~*", "&*", "+@all"});
  ASSERT_TRUE(server.start()) << server.error();
  RedisTestLoop loop;
  auto alice = makeClient(loop, server, "alice", "pw1");
  auto wrong = makeClient(loop, server, "alice", "nope");
  RedisReplyLog log, wrong_log;
  alice->call(respCommand({"ACL", "WHOAMI"}), log.callback());
  wrong->call(respCommand({"PING"}), wrong_log.callback());
  ASSERT_TRUE(loop.runUntil([&] { return log.size() + wrong_log.size() == 2; }));
  EXPECT_EQ(log.entries[0].reply, "$5\r\nalice\r\n");
  EXPECT_EQ(wrong_log.entries[0].reply.rfind("-NOAUTH", 0), 0u) << wrong_log.entries[0].reply;
}

TEST(RedisRestart, ErrorsPromptlyThenRecovers) {
  RedisServer server;
  ASSERT_TRUE(server.start()) << server.error();
  RedisTestLoop loop;
  auto client = makeClient(loop, server, "", "", "redis?buffer_flush_timeout=1&max_buffer_size_before_flush=1024");
  RedisReplyLog log;
  auto flow = [&](int n) {
    for (int i = 0; i < n; ++i) client->call(respCommand({"INCR", "flow"}), log.callback());
  };
  flow(100);
  ASSERT_TRUE(loop.runUntil([&] { return log.size() == 100; }));
  // Kill Redis with calls in flight: every pending call fails, none hangs.
  flow(200);
  server.stop();
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(loop.runUntil([&] { return log.size() == 300; }, 2000));
  size_t errors = 0;
  for (size_t i = 100; i < 300; ++i) errors += log.entries[i].status == RedisCallStatus::NetworkError;
  EXPECT_GT(errors, 0u);
  // While Redis is down, calls keep failing promptly (connect refused, then backoff).
  for (int round = 0; round < 5; ++round) {
    size_t before = log.size();
    flow(10);
    ASSERT_TRUE(loop.runUntil([&] { return log.size() == before + 10; }, 500)) << "round " << round;
    for (size_t i = before; i < log.size(); ++i) EXPECT_EQ(log.entries[i].status, RedisCallStatus::NetworkError);
    loop.runFor(30);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  ASSERT_TRUE(server.start()) << server.error();
  // Recovery once the backoff (at most 200 ms here) has passed.
  bool recovered = false;
  for (int attempt = 0; attempt < 30 && !recovered; ++attempt) {
    size_t before = log.size();
    flow(1);
    ASSERT_TRUE(loop.runUntil([&] { return log.size() == before + 1; }, 1000));
    recovered = log.entries.back().status == RedisCallStatus::Ok;
    if (!recovered) loop.runFor(50);
  }
  ASSERT_TRUE(recovered) << client->lastError();
  EXPECT_EQ(log.entries.back().reply, ":1\r\n");  // a fresh server: the counter restarts
  EXPECT_GE(client->stats().disconnects, 1u);
  EXPECT_GE(client->stats().connect_failures, 1u);
}

}  // namespace
}  // namespace wasmgate::gateway::redis
