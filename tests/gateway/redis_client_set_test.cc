// RedisClientSet (one plugin VM's clients on one worker) against a real redis-server: Higress's
// init/call rules, identical re-init as a no-op, 10,000 calls in flight, and the VM going away
// from inside a reply callback with calls still pending.
#include <gtest/gtest.h>

#include "gateway/redis/redis_client_set.h"
#include "tests/gateway/support/redis_loop.h"
#include "tests/gateway/support/redis_server.h"

namespace wasmgate::gateway::redis {
namespace {

using testing::RedisReplyLog;
using testing::RedisServer;
using testing::RedisTestLoop;
using testing::respCommand;

class RedisClientSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.start()) << server_.error();
    set_ = std::make_unique<RedisClientSet>(loop_.loop(), [this](std::string_view name)
                                                              -> Result<std::vector<std::string>> {
      if (name == "outbound|6379||redis.static") return std::vector<std::string>{server_.endpoint()};
      if (name == "empty.static") return std::vector<std::string>{};
      return makeError("unknown cluster '" + std::string(name) + "'");
    });
  }

  static constexpr const char* kCluster = "outbound|6379||redis.static";
  RedisTestLoop loop_;
  RedisServer server_;
  std::unique_ptr<RedisClientSet> set_;
};

TEST_F(RedisClientSetTest, InitRules) {
  std::string why;
  EXPECT_EQ(set_->init("nope.static?db=1", "", "", 500, &why), abi::Status::BadArgument);
  EXPECT_NE(why.find("unknown cluster 'nope.static'"), std::string::npos) << why;
  EXPECT_EQ(set_->init("empty.static", "", "", 500, &why), abi::Status::InternalFailure);
  EXPECT_NE(why.find("no host"), std::string::npos) << why;
  EXPECT_EQ(set_->init(std::string(kCluster) + "?db=x", "", "", 500, &why), abi::Status::BadArgument);
  EXPECT_EQ(set_->call(kCluster, respCommand({"PING"}), nullptr), abi::Status::BadArgument);  // not initialised

  std::string cluster = std::string(kCluster) + "?db=3&buffer_flush_timeout=3&max_buffer_size_before_flush=1024";
  ASSERT_EQ(set_->init(cluster, "", "", 500), abi::Status::Ok);
  RedisClient* first = set_->find(kCluster);
  ASSERT_NE(first, nullptr);
  ASSERT_EQ(set_->init(cluster, "", "", 500), abi::Status::Ok);
  EXPECT_EQ(set_->find(kCluster), first) << "identical re-init keeps the client";
  RedisReplyLog log;
  ASSERT_EQ(set_->call(kCluster, respCommand({"SET", "s", "db3"}), log.callback()), abi::Status::Ok);
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 1; }));
  EXPECT_EQ(server_.command({{"SELECT", "3"}, {"GET", "s"}}), "$3\r\ndb3\r\n");

  ASSERT_EQ(set_->init(std::string(kCluster) + "?db=4", "", "", 500), abi::Status::Ok);
  EXPECT_NE(set_->find(kCluster), first) << "a new config makes a new client";
  ASSERT_EQ(set_->call(cluster, respCommand({"GET", "s"}), log.callback()), abi::Status::Ok);
  ASSERT_TRUE(loop_.runUntil([&] { return log.size() == 2; }));
  EXPECT_EQ(log.entries[1].reply, "$-1\r\n");  // db 4 is empty
}

TEST_F(RedisClientSetTest, TenThousandCallsInFlight) {
  ASSERT_EQ(set_->init(std::string(kCluster) + "?buffer_flush_timeout=3&max_buffer_size_before_flush=1024",
                       "", "", 5000), abi::Status::Ok);
  constexpr int kCalls = 10000;
  int ok = 0, in_order = 0;
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_EQ(set_->call(kCluster, respCommand({"INCR", "n"}), [&, i](RedisCallStatus status, std::string_view reply) {
      ok += status == RedisCallStatus::Ok;
      in_order += reply == std::string(":").append(std::to_string(i + 1)).append("\r\n");
    }), abi::Status::Ok);
  }
  ASSERT_TRUE(loop_.runUntil([&] { return ok == kCalls; }, 10000)) << ok;
  EXPECT_EQ(in_order, kCalls);
  EXPECT_EQ(set_->find(kCluster)->pendingCalls(), 0u);
}

TEST_F(RedisClientSetTest, VmGoneInsideACallbackDropsTheLateReplies) {
  ASSERT_EQ(set_->init(kCluster, "", "", 2000), abi::Status::Ok);
  int delivered = 0;
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(set_->call(kCluster, respCommand({"PING"}), [&](RedisCallStatus, std::string_view) {
      ++delivered;
      set_.reset();  // the plugin's VM is rebuilt while 49 calls are pending
    }), abi::Status::Ok);
  }
  loop_.runFor(300);
  EXPECT_EQ(delivered, 1);
}

}  // namespace
}  // namespace wasmgate::gateway::redis
