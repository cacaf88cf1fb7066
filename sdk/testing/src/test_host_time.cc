// TestHost's side of time: the plugin's virtual clock (setTime, advance) and the ticks that fall
// due on it. See test_host.h.
#include <wasmgate/testing/test_host.h>

#include <algorithm>

#include "host_state.h"

namespace wasmgate::testing {

uint32_t TestHost::tickPeriodMs() const {
  VmSlot& slot = state_->current();
  const TickTimer* t = state_->timer(&slot, slot.root_id);
  return t ? t->period_ms : 0;
}

Status TestHost::tick() {
  std::vector<TickTimer> armed;
  for (const TickTimer& t : state_->timers) {
    if (t.slot == &state_->current()) armed.push_back(t);
  }
  if (armed.empty()) return makeError("no tick is armed: the plugin set no tick period (proxy_set_tick_period_milliseconds)");
  for (const TickTimer& t : armed) {
    if (Status s = state_->fireTimer(t.slot, t.root_id); !s.ok()) return s;
  }
  return {};
}

Status TestHost::advanceTime(uint64_t ms) { return advance(std::chrono::milliseconds(ms)); }

Status TestHost::advance(std::chrono::nanoseconds by) {
  if (by.count() < 0) return makeError("advance: time never goes back (use setTime to move the wall clock)");
  VirtualClock& clock = state_->clock;
  const uint64_t target_ns = clock.elapsed_ns + static_cast<uint64_t>(by.count());
  for (;;) {
    const TickTimer* next = nullptr;
    for (const TickTimer& t : state_->timers) {
      if (t.next_at_ms * 1'000'000u <= target_ns && (next == nullptr || t.next_at_ms < next->next_at_ms)) next = &t;
    }
    if (next == nullptr) break;
    // The plugin sees the clock at the tick's due time while the tick runs.
    clock.elapsed_ns = std::max(clock.elapsed_ns, next->next_at_ms * 1'000'000u);
    if (Status s = state_->fireTimer(next->slot, next->root_id); !s.ok()) return s;
  }
  clock.elapsed_ns = target_ns;
  return {};
}

void TestHost::setTime(std::chrono::system_clock::time_point wall_time) {
  const auto since_epoch = std::chrono::duration_cast<std::chrono::nanoseconds>(wall_time.time_since_epoch());
  state_->clock.wall_start_ns = static_cast<uint64_t>(since_epoch.count()) - state_->clock.elapsed_ns;
}

std::chrono::system_clock::time_point TestHost::now() const {
  const auto ns = std::chrono::nanoseconds(state_->clock.wall_start_ns + state_->clock.elapsed_ns);
  return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(ns));
}

uint64_t TestHost::nowMs() const { return state_->clock.elapsedMs(); }

}  // namespace wasmgate::testing
