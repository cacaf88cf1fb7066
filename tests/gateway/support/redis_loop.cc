#include "tests/gateway/support/redis_loop.h"

namespace wasmgate::testing {

RedisTestLoop::RedisTestLoop() { uv_loop_init(&loop_); }

RedisTestLoop::~RedisTestLoop() {
  // Let closed handles finish, then close the loop (handles still open are a test bug).
  uv_run(&loop_, UV_RUN_NOWAIT);
  uv_run(&loop_, UV_RUN_NOWAIT);
  uv_loop_close(&loop_);
}

bool RedisTestLoop::runUntil(const std::function<bool()>& done, int timeout_ms) {
  // A repeating wake-up keeps UV_RUN_ONCE from blocking past the deadline.
  uv_timer_t tick;
  uv_timer_init(&loop_, &tick);
  uv_timer_start(&tick, [](uv_timer_t*) {}, 2, 2);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done() && std::chrono::steady_clock::now() < deadline) uv_run(&loop_, UV_RUN_ONCE);
  uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
  uv_run(&loop_, UV_RUN_NOWAIT);
  return done();
}

void RedisTestLoop::runFor(int ms) {
  runUntil([] { return false; }, ms);
}

}  // namespace wasmgate::testing
