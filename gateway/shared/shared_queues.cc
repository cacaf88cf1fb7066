#include "gateway/shared/shared_queues.h"

namespace wasmgate::gateway::shared {

// The uv_async_t and the notifications not yet delivered. Outlives the QueueNotifier until
// uv_close completes, so a post racing the destructor touches valid memory.
struct QueueNotifier::AsyncHandle {
  uv_async_t async;
  std::mutex mutex;
  std::vector<std::pair<uint32_t, uint32_t>> ready;  // (root_context_id, token)
  QueueNotifier* owner;
};

QueueNotifier::QueueNotifier(uv_loop_t* loop, SharedQueues& queues, ReadyCallback on_ready)
    : async_(new AsyncHandle), queues_(queues), on_ready_(std::move(on_ready)) {
  async_->owner = this;
  async_->async.data = async_;
  uv_async_init(loop, &async_->async, [](uv_async_t* handle) {
    auto* h = static_cast<AsyncHandle*>(handle->data);
    if (h->owner != nullptr) h->owner->drain();
  });
}

QueueNotifier::~QueueNotifier() {
  queues_.detach(this);
  {
    std::lock_guard lock(async_->mutex);
    async_->owner = nullptr;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&async_->async),
           [](uv_handle_t* h) { delete static_cast<AsyncHandle*>(h->data); });
}

void QueueNotifier::post(uint32_t root_context_id, uint32_t token) {
  std::lock_guard lock(async_->mutex);
  async_->ready.emplace_back(root_context_id, token);
  uv_async_send(&async_->async);  // coalesces; drain() delivers every entry
}

void QueueNotifier::drain() {
  std::vector<std::pair<uint32_t, uint32_t>> ready;
  {
    std::lock_guard lock(async_->mutex);
    ready.swap(async_->ready);
  }
  for (auto [root_context_id, token] : ready) on_ready_(root_context_id, token);
}

SharedQueues& SharedQueues::process() {
  static SharedQueues* queues = new SharedQueues;  // never destroyed: workers may outlive statics
  return *queues;
}

uint32_t SharedQueues::registerQueue(std::string_view vm_id, std::string_view name, QueueNotifier* worker,
                                     uint32_t root_context_id) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = tokens_.try_emplace({std::string(vm_id), std::string(name)}, 0);
  if (inserted) {
    it->second = ++last_token_;
    Queue& queue = queues_[it->second];
    queue.vm_id = vm_id;
    queue.name = name;
  }
  Queue& queue = queues_[it->second];
  queue.worker = worker;
  queue.root_context_id = root_context_id;
  return it->second;
}

abi::Status SharedQueues::resolve(std::string_view vm_id, std::string_view name, uint32_t* token) const {
  std::lock_guard lock(mutex_);
  auto it = tokens_.find({std::string(vm_id), std::string(name)});
  if (it == tokens_.end()) return abi::Status::NotFound;
  *token = it->second;
  return abi::Status::Ok;
}

abi::Status SharedQueues::enqueue(uint32_t token, std::string_view data) {
  std::lock_guard lock(mutex_);
  auto it = queues_.find(token);
  if (it == queues_.end()) return abi::Status::NotFound;
  it->second.items.emplace_back(data);
  if (it->second.worker != nullptr) it->second.worker->post(it->second.root_context_id, token);
  return abi::Status::Ok;
}

abi::Status SharedQueues::dequeue(uint32_t token, std::string* data) {
  std::lock_guard lock(mutex_);
  auto it = queues_.find(token);
  if (it == queues_.end()) return abi::Status::NotFound;
  if (it->second.items.empty()) return abi::Status::Empty;
  *data = std::move(it->second.items.front());
  it->second.items.pop_front();
  return abi::Status::Ok;
}

size_t SharedQueues::size(uint32_t token) const {
  std::lock_guard lock(mutex_);
  auto it = queues_.find(token);
  return it == queues_.end() ? 0 : it->second.items.size();
}

void SharedQueues::detach(QueueNotifier* worker) {
  std::lock_guard lock(mutex_);
  for (auto& [token, queue] : queues_) {
    if (queue.worker == worker) queue.worker = nullptr;
  }
}

}  // namespace wasmgate::gateway::shared
