// A deadline for guest code run by the CLI: if the call in progress is still running when the
// deadline passes, the watchdog terminates it through WorkerEngine::terminate() (the one
// WorkerEngine method any thread may call), so a plugin that spins cannot hang `wasmgate check`.
//
// Internal to tools/. Created and destroyed on the thread that runs the guest; owns one thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "runtime/engine.h"

namespace wasmgate::tools {

class Watchdog {
 public:
  Watchdog(runtime::WorkerEngine& worker, std::chrono::milliseconds limit)
      : worker_(worker), limit_(limit), thread_([this] { watch(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  bool fired() const {
    std::lock_guard lock(mu_);
    return fired_;
  }

 private:
  void watch() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, limit_, [this] { return stop_; })) {
      fired_ = true;
      worker_.terminate();
    }
  }

  runtime::WorkerEngine& worker_;
  std::chrono::milliseconds limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool fired_ = false;
  std::thread thread_;  // last: starts after the fields it reads are initialised
};

}  // namespace wasmgate::tools
