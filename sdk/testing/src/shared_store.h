// SharedDataStore: the harness's process-wide shared data (key/value with compare-and-swap) and
// shared queues, namespaced by vm_id, with the rules of proxy-wasm-cpp-host: cas values come from
// one counter starting at 1; set with a non-zero cas that differs from the current one is
// CasMismatch; every set takes a new cas. A queue notifies the root context that registered it.
//
// Harness-internal header. Thread affinity: the test's thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <wasmgate/abi.h>

namespace wasmgate::testing {

class SharedDataStore {
 public:
  // Called after an enqueue with the queue id; set by whoever registered the queue.
  using Notify = std::function<void(uint32_t queue_id)>;

  abi::Status get(std::string_view vm_id, std::string_view key, std::string* value, uint32_t* cas) const;
  abi::Status set(std::string_view vm_id, std::string_view key, std::string_view value, uint32_t cas);

  // Registering a name again rebinds it to the new owner and keeps its items.
  abi::Status registerQueue(std::string_view vm_id, std::string_view name, const void* owner, Notify notify,
                            uint32_t* queue_id);
  abi::Status resolveQueue(std::string_view vm_id, std::string_view name, uint32_t* queue_id) const;
  abi::Status enqueue(uint32_t queue_id, std::string_view data);
  abi::Status dequeue(uint32_t queue_id, std::string* data);
  std::vector<std::string> items(std::string_view vm_id, std::string_view name) const;

  // `owner` is going away: its queues stop notifying.
  void forgetOwner(const void* owner);

 private:
  static std::string scoped(std::string_view vm_id, std::string_view key);

  struct Entry {
    std::string value;
    uint32_t cas = 0;
  };
  struct Queue {
    std::string scoped_name;
    const void* owner = nullptr;
    Notify notify;
    std::deque<std::string> items;
  };
  std::map<std::string, Entry, std::less<>> data_;
  uint32_t next_cas_ = 1;
  std::map<uint32_t, Queue> queues_;
  uint32_t next_queue_id_ = 1;
};

}  // namespace wasmgate::testing
