// Deadline lists (gateway/net/deadline.h) on a real libuv loop: expiry in order, cancel, restart,
// a callback that cancels another deadline, and no timer after close.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <uv.h>

#include "gateway/net/deadline.h"
#include "gateway/net/loop.h"

namespace wasmgate::gateway {
namespace {

class DeadlineTest : public ::testing::Test {
 protected:
  void SetUp() override { uv_loop_init(&loop_); }
  void TearDown() override {
    lists_.close();
    uv_run(&loop_, UV_RUN_DEFAULT);  // close callbacks
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  // Runs the loop until nothing is armed.
  void run() { uv_run(&loop_, UV_RUN_DEFAULT); }

  uv_loop_t loop_;
  DeadlineLists lists_{&loop_};
  std::vector<std::string> fired_;
};

TEST_F(DeadlineTest, SameDurationExpiresInStartOrderAfterItsTime) {
  Deadline a(lists_, [&] { fired_.push_back("a"); });
  Deadline b(lists_, [&] { fired_.push_back("b"); });
  const uint64_t start = uv_now(&loop_);
  a.start(20);
  b.start(20);
  EXPECT_TRUE(a.active());
  run();
  EXPECT_EQ(fired_, (std::vector<std::string>{"a", "b"}));
  EXPECT_GE(uv_now(&loop_) - start, 20u);
  EXPECT_FALSE(a.active());
  EXPECT_FALSE(b.active());
}

TEST_F(DeadlineTest, StoppedDeadlineNeverFires) {
  Deadline a(lists_, [&] { fired_.push_back("a"); });
  Deadline b(lists_, [&] { fired_.push_back("b"); });
  a.start(10);
  b.start(10);
  a.stop();
  run();
  EXPECT_EQ(fired_, (std::vector<std::string>{"b"}));
}

TEST_F(DeadlineTest, DestroyedDeadlineNeverFires) {
  auto a = std::make_unique<Deadline>(lists_, [&] { fired_.push_back("a"); });
  a->start(10);
  a.reset();
  run();
  EXPECT_TRUE(fired_.empty());
}

TEST_F(DeadlineTest, RestartMovesTheDeadlineBehindLaterOnes) {
  Deadline a(lists_, [&] { fired_.push_back("a"); });
  Deadline b(lists_, [&] { fired_.push_back("b"); });
  a.start(15);
  b.start(15);
  a.start(15);  // restarted: now due after b
  run();
  EXPECT_EQ(fired_, (std::vector<std::string>{"b", "a"}));
}

TEST_F(DeadlineTest, DifferentDurationsFireByTheirOwnTime) {
  Deadline slow(lists_, [&] { fired_.push_back("slow"); });
  Deadline fast(lists_, [&] { fired_.push_back("fast"); });
  slow.start(60);
  fast.start(5);
  run();
  EXPECT_EQ(fired_, (std::vector<std::string>{"fast", "slow"}));
}

TEST_F(DeadlineTest, ACallbackMayCancelTheNextDueDeadline) {
  Deadline b(lists_, [&] { fired_.push_back("b"); });
  Deadline a(lists_, [&] {
    fired_.push_back("a");
    b.stop();
  });
  a.start(10);
  b.start(10);  // due in the same loop turn as a, or just after
  run();
  EXPECT_EQ(fired_, (std::vector<std::string>{"a"}));
}

TEST_F(DeadlineTest, ACallbackMayStartItselfAgain) {
  int rounds = 0;
  Deadline* self = nullptr;
  Deadline again(lists_, [&] {
    fired_.push_back("tick");
    if (++rounds < 3) self->start(5);
  });
  self = &again;
  again.start(5);
  run();
  EXPECT_EQ(rounds, 3);
}

TEST_F(DeadlineTest, AfterCloseAStartedDeadlineIsInactiveAndNeverFires) {
  Deadline a(lists_, [&] { fired_.push_back("a"); });
  a.start(10);
  lists_.close();
  EXPECT_FALSE(a.active());
  a.start(10);  // the loop is ending: no new timer
  EXPECT_FALSE(a.active());
  run();
  EXPECT_TRUE(fired_.empty());
}

}  // namespace
}  // namespace wasmgate::gateway
