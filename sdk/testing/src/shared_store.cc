// SharedDataStore: shared data with compare-and-swap and FIFO queues. See shared_store.h.
#include "shared_store.h"

namespace wasmgate::testing {


std::string SharedDataStore::scoped(std::string_view vm_id, std::string_view key) {
  std::string out(vm_id);
  out.push_back('\0');
  out.append(key);
  return out;
}

abi::Status SharedDataStore::get(std::string_view vm_id, std::string_view key, std::string* value, uint32_t* cas) const {
  auto it = data_.find(scoped(vm_id, key));
  if (it == data_.end()) return abi::Status::NotFound;
  *value = it->second.value;
  *cas = it->second.cas;
  return abi::Status::Ok;
}

abi::Status SharedDataStore::set(std::string_view vm_id, std::string_view key, std::string_view value, uint32_t cas) {
  Entry& entry = data_[scoped(vm_id, key)];
  // A fresh entry has cas 0, so any cas writes it, as in proxy-wasm-cpp-host.
  if (cas != 0 && entry.cas != 0 && cas != entry.cas) return abi::Status::CasMismatch;
  entry.value.assign(value);
  entry.cas = next_cas_++;
  return abi::Status::Ok;
}

abi::Status SharedDataStore::registerQueue(std::string_view vm_id, std::string_view name, const void* owner, Notify notify,
                                      uint32_t* queue_id) {
  const std::string scoped_name = scoped(vm_id, name);
  for (auto& [id, queue] : queues_) {
    if (queue.scoped_name == scoped_name) {
      queue.owner = owner;
      queue.notify = std::move(notify);
      *queue_id = id;
      return abi::Status::Ok;
    }
  }
  *queue_id = next_queue_id_++;
  queues_[*queue_id] = Queue{scoped_name, owner, std::move(notify), {}};
  return abi::Status::Ok;
}

abi::Status SharedDataStore::resolveQueue(std::string_view vm_id, std::string_view name, uint32_t* queue_id) const {
  const std::string scoped_name = scoped(vm_id, name);
  for (const auto& [id, queue] : queues_) {
    if (queue.scoped_name == scoped_name) {
      *queue_id = id;
      return abi::Status::Ok;
    }
  }
  return abi::Status::NotFound;
}

abi::Status SharedDataStore::enqueue(uint32_t queue_id, std::string_view data) {
  auto it = queues_.find(queue_id);
  if (it == queues_.end()) return abi::Status::NotFound;
  it->second.items.emplace_back(data);
  // Copy: the notification runs plugin code, which may register queues (and move this one).
  Notify notify = it->second.notify;
  if (notify) notify(queue_id);
  return abi::Status::Ok;
}

abi::Status SharedDataStore::dequeue(uint32_t queue_id, std::string* data) {
  auto it = queues_.find(queue_id);
  if (it == queues_.end()) return abi::Status::NotFound;
  if (it->second.items.empty()) return abi::Status::Empty;
  *data = std::move(it->second.items.front());
  it->second.items.pop_front();
  return abi::Status::Ok;
}

std::vector<std::string> SharedDataStore::items(std::string_view vm_id, std::string_view name) const {
  uint32_t id = 0;
  if (resolveQueue(vm_id, name, &id) != abi::Status::Ok) return {};
  const auto& items = queues_.at(id).items;
  return {items.begin(), items.end()};
}

void SharedDataStore::forgetOwner(const void* owner) {
  for (auto& [id, queue] : queues_) {
    if (queue.owner == owner) {
      queue.owner = nullptr;
      queue.notify = nullptr;
    }
  }
}

}  // namespace wasmgate::testing
