#include "gateway/net/deadline.h"

namespace wasmgate::gateway {

// The Deadlines of one duration, oldest first, and the timer that wakes for the oldest.
class DeadlineList {
 public:
  DeadlineList(uv_loop_t* loop, uint64_t timeout_ms)
      : loop_(loop), timeout_ms_(timeout_ms), timer_(loop, [this] { expire(); }) {}
  ~DeadlineList() { cancelAll(); }

  void append(Deadline& d) {
    d.list_ = this;
    d.due_ms_ = uv_now(loop_) + timeout_ms_;
    d.prev_ = tail_;
    d.next_ = nullptr;
    (tail_ ? tail_->next_ : head_) = &d;
    tail_ = &d;
    // An armed timer is due no later than this deadline (it was armed for an older one): it
    // re-arms itself when it fires. Only an idle timer needs starting.
    if (!timer_.active()) timer_.start(timeout_ms_);
  }

  void unlink(Deadline& d) {
    (d.prev_ ? d.prev_->next_ : head_) = d.next_;
    (d.next_ ? d.next_->prev_ : tail_) = d.prev_;
    d.prev_ = d.next_ = nullptr;
    d.list_ = nullptr;
  }

  void cancelAll() {
    while (head_) unlink(*head_);
    timer_.stop();
  }

 private:
  void expire() {
    const uint64_t now = uv_now(loop_);
    while (head_ && head_->due_ms_ <= now) {
      Deadline& due = *head_;
      unlink(due);
      auto on_expired = due.on_expired_;  // the callback may destroy `due`, and others in the list
      on_expired();
    }
    if (head_ && !timer_.active()) timer_.start(head_->due_ms_ - now);
  }

  uv_loop_t* loop_;
  uint64_t timeout_ms_;
  Deadline* head_ = nullptr;
  Deadline* tail_ = nullptr;
  Timer timer_;
};

Deadline::Deadline(DeadlineLists& lists, std::function<void()> on_expired)
    : lists_(lists), on_expired_(std::move(on_expired)) {}

Deadline::~Deadline() { stop(); }

void Deadline::start(uint64_t timeout_ms) {
  stop();
  if (DeadlineList* list = lists_.forDuration(timeout_ms)) list->append(*this);
}

void Deadline::stop() {
  if (list_) list_->unlink(*this);
}

DeadlineLists::DeadlineLists(uv_loop_t* loop) : loop_(loop) {}

DeadlineLists::~DeadlineLists() = default;

DeadlineList* DeadlineLists::forDuration(uint64_t timeout_ms) {
  if (closed_) return nullptr;
  std::unique_ptr<DeadlineList>& list = lists_[timeout_ms];
  if (!list) list = std::make_unique<DeadlineList>(loop_, timeout_ms);
  return list.get();
}

void DeadlineLists::close() {
  closed_ = true;
  lists_.clear();
}

}  // namespace wasmgate::gateway
