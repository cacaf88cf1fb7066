// SharedQueues with real worker loops on their own threads: registration binds a queue to a
// (worker, root context); enqueues from other threads are announced on the registering
// worker's loop, one notification per item; dequeue answers Empty/NotFound.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "gateway/shared/shared_queues.h"

namespace wasmgate::gateway::shared {
namespace {

// A worker thread running its own uv loop with a QueueNotifier, until stopped.
class Worker {
 public:
  explicit Worker(SharedQueues& queues) : queues_(queues) {
    uv_loop_init(&loop_);
    uv_async_init(&loop_, &stop_, [](uv_async_t* a) { uv_stop(a->loop); });
    notifier_ = std::make_unique<QueueNotifier>(&loop_, queues_, [this](uint32_t root, uint32_t token) {
      // Runs on this worker's thread: drain the queue as a plugin's proxy_on_queue_ready would.
      EXPECT_EQ(std::this_thread::get_id(), thread_.get_id());
      ++notifications;
      last_root = root;
      std::string item;
      while (queues_.dequeue(token, &item) == abi::Status::Ok) ++items;
    });
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }
  ~Worker() {
    uv_async_send(&stop_);
    thread_.join();
    notifier_.reset();
    uv_close(reinterpret_cast<uv_handle_t*>(&stop_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
  QueueNotifier* notifier() { return notifier_.get(); }

  std::atomic<int> notifications{0};
  std::atomic<int> items{0};
  std::atomic<uint32_t> last_root{0};

 private:
  SharedQueues& queues_;
  uv_loop_t loop_;
  uv_async_t stop_;
  std::unique_ptr<QueueNotifier> notifier_;
  std::thread thread_;
};

bool waitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

TEST(SharedQueues, RegisterResolveAndErrors) {
  SharedQueues queues;
  uint32_t token = 0;
  EXPECT_EQ(queues.resolve("vm", "q", &token), abi::Status::NotFound);
  std::string item;
  EXPECT_EQ(queues.dequeue(42, &item), abi::Status::NotFound);
  EXPECT_EQ(queues.enqueue(42, "x"), abi::Status::NotFound);
  uint32_t q1 = queues.registerQueue("vm", "q", nullptr, 1);
  uint32_t q2 = queues.registerQueue("vm", "other", nullptr, 1);
  uint32_t q3 = queues.registerQueue("vm2", "q", nullptr, 1);
  EXPECT_GE(q1, 1u);
  EXPECT_NE(q1, q2);
  EXPECT_NE(q1, q3);
  EXPECT_EQ(queues.registerQueue("vm", "q", nullptr, 2), q1);  // same name: same queue
  ASSERT_EQ(queues.resolve("vm", "q", &token), abi::Status::Ok);
  EXPECT_EQ(token, q1);
  EXPECT_EQ(queues.dequeue(q1, &item), abi::Status::Empty);
  ASSERT_EQ(queues.enqueue(q1, "a"), abi::Status::Ok);
  ASSERT_EQ(queues.enqueue(q1, "b"), abi::Status::Ok);
  ASSERT_EQ(queues.dequeue(q1, &item), abi::Status::Ok);
  EXPECT_EQ(item, "a");
  ASSERT_EQ(queues.dequeue(q1, &item), abi::Status::Ok);
  EXPECT_EQ(item, "b");
  EXPECT_EQ(queues.dequeue(q1, &item), abi::Status::Empty);
}

TEST(SharedQueues, EnqueueFromManyThreadsNotifiesTheRegisteringWorker) {
  SharedQueues queues;
  Worker a(queues), b(queues);
  uint32_t qa = queues.registerQueue("vm", "to-a", a.notifier(), 7);
  uint32_t qb = queues.registerQueue("vm", "to-b", b.notifier(), 9);
  constexpr int kProducers = 4;
  constexpr int kItems = 2000;
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kItems; ++i) {
        ASSERT_EQ(queues.enqueue(p % 2 == 0 ? qa : qb, "item"), abi::Status::Ok);
      }
    });
  }
  for (auto& t : producers) t.join();
  ASSERT_TRUE(waitFor([&] { return a.items == kItems * 2 && b.items == kItems * 2; }))
      << a.items << " " << b.items;
  ASSERT_TRUE(waitFor([&] { return a.notifications == kItems * 2 && b.notifications == kItems * 2; }));
  EXPECT_EQ(a.last_root, 7u);
  EXPECT_EQ(b.last_root, 9u);
}

TEST(SharedQueues, ReRegisteringMovesNotificationsAndAGoneWorkerIsSafe) {
  SharedQueues queues;
  auto a = std::make_unique<Worker>(queues);
  Worker b(queues);
  uint32_t q = queues.registerQueue("vm", "q", a->notifier(), 1);
  ASSERT_EQ(queues.enqueue(q, "first"), abi::Status::Ok);
  ASSERT_TRUE(waitFor([&] { return a->items == 1; }));
  a.reset();  // worker a's VM/loop goes away: its queue is unbound, not broken
  ASSERT_EQ(queues.enqueue(q, "kept"), abi::Status::Ok);
  EXPECT_EQ(queues.size(q), 1u);
  EXPECT_EQ(queues.registerQueue("vm", "q", b.notifier(), 5), q);
  ASSERT_EQ(queues.enqueue(q, "second"), abi::Status::Ok);
  ASSERT_TRUE(waitFor([&] { return b.items == 2; }));  // "kept" and "second"
  EXPECT_EQ(b.last_root, 5u);
}

}  // namespace
}  // namespace wasmgate::gateway::shared
