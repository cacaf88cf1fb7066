// Deadline: a one-shot timeout for per-request use (the route timeout), armed and cancelled
// thousands of times a second without an allocation or a libuv call.
//
// Every Deadline of one duration on one loop sits in one DeadlineList, in arming order, which is
// also deadline order (same duration). One uv timer per list wakes for the list's head; cancelling
// only unlinks, and a wake-up that finds nothing due just re-arms for the new head (or sleeps).
// A Timer per request costs two allocations, uv_timer_init/start/stop and a uv_close; this costs
// two pointer writes.
//
// Internal header (gateway/). Thread affinity: the loop's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "gateway/net/loop.h"

namespace wasmgate::gateway {

class DeadlineList;
class DeadlineLists;

class Deadline {
 public:
  // `on_expired` runs from the loop when a started deadline passes; it may destroy this object.
  Deadline(DeadlineLists& lists, std::function<void()> on_expired);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  // (Re)starts the deadline `timeout_ms` from the loop's current time.
  void start(uint64_t timeout_ms);
  void stop();
  bool active() const { return list_ != nullptr; }

 private:
  friend class DeadlineList;
  DeadlineLists& lists_;
  std::function<void()> on_expired_;
  DeadlineList* list_ = nullptr;  // set while started
  Deadline* prev_ = nullptr;
  Deadline* next_ = nullptr;
  uint64_t due_ms_ = 0;  // loop time (uv_now) at which it expires
};

// The lists of one loop, one per duration in use. Lives as long as the loop's connections; close()
// before the loop's final run.
class DeadlineLists {
 public:
  explicit DeadlineLists(uv_loop_t* loop);
  ~DeadlineLists();
  DeadlineLists(const DeadlineLists&) = delete;
  DeadlineLists& operator=(const DeadlineLists&) = delete;

  // The list for `timeout_ms`, created on first use; nullptr once closed (the loop is ending and
  // no timer may be created on it: a deadline started then never fires).
  DeadlineList* forDuration(uint64_t timeout_ms);
  uv_loop_t* loop() const { return loop_; }
  // Cancels every started deadline and closes the timers.
  void close();

 private:
  uv_loop_t* loop_;
  std::map<uint64_t, std::unique_ptr<DeadlineList>> lists_;
  bool closed_ = false;
};

}  // namespace wasmgate::gateway
