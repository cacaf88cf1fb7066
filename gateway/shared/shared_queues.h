// SharedQueues: process-wide message queues behind proxy_register/resolve_shared_queue and
// proxy_enqueue/dequeue_shared_queue. A queue, named by (vm_id, name), is bound to the root
// context that registered it, on that context's worker; each enqueue (from any thread) posts
// one "queue ready" notification to that worker's loop, where QueueNotifier calls back with
// (root_context_id, token). Tokens start at 1 and are never reused.
//
// Internal header (gateway/shared/). Thread affinity: SharedQueues: any thread (one mutex).
// QueueNotifier: created, used and destroyed on its worker's loop thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <uv.h>

#include <wasmgate/abi.h>

namespace wasmgate::gateway::shared {

class SharedQueues;

// One per worker loop: where that worker's queues' notifications arrive.
class QueueNotifier {
 public:
  using ReadyCallback = std::function<void(uint32_t root_context_id, uint32_t token)>;
  QueueNotifier(uv_loop_t* loop, SharedQueues& queues, ReadyCallback on_ready);
  // Unbinds every queue bound here (their later enqueues notify nobody until re-registered).
  ~QueueNotifier();
  QueueNotifier(const QueueNotifier&) = delete;
  QueueNotifier& operator=(const QueueNotifier&) = delete;

 private:
  friend class SharedQueues;
  // Any thread, with the SharedQueues mutex held.
  void post(uint32_t root_context_id, uint32_t token);
  void drain();

  struct AsyncHandle;
  AsyncHandle* async_;  // closed (and freed) on the loop after this object is gone
  SharedQueues& queues_;
  ReadyCallback on_ready_;
};

class SharedQueues {
 public:
  static SharedQueues& process();

  // Creates the queue or re-binds an existing one to this (worker, root context), keeping its
  // token and its queued items. Never fails.
  uint32_t registerQueue(std::string_view vm_id, std::string_view name, QueueNotifier* worker,
                         uint32_t root_context_id);
  abi::Status resolve(std::string_view vm_id, std::string_view name, uint32_t* token) const;
  // NotFound for an unknown token.
  abi::Status enqueue(uint32_t token, std::string_view data);
  // NotFound for an unknown token, Empty when nothing is queued.
  abi::Status dequeue(uint32_t token, std::string* data);
  size_t size(uint32_t token) const;

 private:
  friend class QueueNotifier;
  struct Queue {
    std::string vm_id;
    std::string name;
    QueueNotifier* worker = nullptr;  // nullptr: its worker is gone
    uint32_t root_context_id = 0;
    std::deque<std::string> items;
  };
  void detach(QueueNotifier* worker);

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, uint32_t> tokens_;
  std::unordered_map<uint32_t, Queue> queues_;
  uint32_t last_token_ = 0;
};

}  // namespace wasmgate::gateway::shared
