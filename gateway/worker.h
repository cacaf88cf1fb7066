// Worker: one thread running its own libuv loop, with its own listening sockets (SO_REUSEPORT:
// the kernel spreads connections over the workers), its connections, and its clusters for the
// current configuration generation. The main thread talks to it only through post(), which
// queues a task onto the worker's loop.
//
// Public header (gateway/). Thread affinity: constructed, bound and started on the main thread;
// everything else runs on the worker's thread except post(), which any thread may call.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include <uv.h>

#include "common/result.h"
#include "gateway/connection.h"
#include "gateway/generation.h"
#include "gateway/net/loop.h"

namespace wasmgate::gateway {

class Worker final : public ConnectionHost {
 public:
  Worker(int index, std::shared_ptr<const Snapshot> snapshot);
  ~Worker() override;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Main thread, before start(): opens this worker's listening sockets.
  Status bind(const std::vector<ListenerConfig>& listeners);
  void start();
  // Any thread: runs `task` on the worker's loop thread.
  void post(std::function<void()> task);
  // Any thread: switch new requests to `snapshot`.
  void setSnapshot(std::shared_ptr<const Snapshot> snapshot);
  // Any thread: stop accepting, close idle connections, close the others after their response.
  void drain();
  // Any thread: close everything and end the thread; join() waits for it.
  void stop();
  void join();
  // Any thread: open downstream connections.
  size_t connectionCount() const { return connection_count_.load(); }

  // ConnectionHost (worker thread)
  Dispatcher& dispatcher() override { return *dispatcher_; }
  std::shared_ptr<WorkerGeneration> currentGeneration() override { return generation_; }
  bool draining() const override { return draining_; }
  void onConnectionClosed(DownstreamConnection* connection) override;

 private:
  void onAccept(uv_stream_t* listener);
  void runTasks();
  void closeListeners();

  int index_;
  uv_loop_t loop_;
  std::unique_ptr<Dispatcher> dispatcher_;
  uv_async_t async_;
  std::mutex tasks_mutex_;
  std::vector<std::function<void()>> tasks_;
  std::vector<uv_tcp_t*> listeners_;
  std::unordered_set<DownstreamConnection*> connections_;
  std::atomic<size_t> connection_count_{0};
  std::shared_ptr<WorkerGeneration> generation_;
  bool draining_ = false;
  std::thread thread_;
};

}  // namespace wasmgate::gateway
