// RedisTestLoop: a libuv loop a test drives until a condition holds, and a recorder of Redis
// client callbacks (status, reply, arrival time).
//
// Test support (tests/gateway/). Thread affinity: the test's main thread.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

#include "gateway/redis/redis_client.h"

namespace wasmgate::testing {

class RedisTestLoop {
 public:
  RedisTestLoop();
  ~RedisTestLoop();
  uv_loop_t* loop() { return &loop_; }
  // Runs the loop until `done()` or `timeout_ms` passed; returns done().
  bool runUntil(const std::function<bool()>& done, int timeout_ms = 5000);
  void runFor(int ms);

 private:
  uv_loop_t loop_;
};

struct RedisReplyLog {
  struct Entry {
    gateway::redis::RedisCallStatus status;
    std::string reply;
    std::chrono::steady_clock::time_point at;
  };
  std::vector<Entry> entries;
  gateway::redis::RedisReplyCallback callback() {
    return [this](gateway::redis::RedisCallStatus status, std::string_view reply) {
      entries.push_back({status, std::string(reply), std::chrono::steady_clock::now()});
    };
  }
  size_t size() const { return entries.size(); }
};

}  // namespace wasmgate::testing
