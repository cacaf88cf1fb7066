// The V8 WorkerEngine: one isolate and one context per worker thread, holding any number of
// instances. WorkerIsolate is the part instances share, so an instance outliving its
// WorkerEngine keeps the isolate alive instead of touching a disposed one.
//
// Internal to runtime/v8/. Thread affinity: the creating thread, except terminate() (any thread).
// The last owner (WorkerEngine or Instance) must be released on that thread or after it ended:
// the isolate stays entered there between calls, and V8 will not dispose an isolate that a live
// thread has entered.
#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <v8.h>

#include "runtime/engine.h"

namespace wasmgate::runtime::v8backend {

class V8CrossChain;  // v8_instance.h

struct WorkerIsolate {
  WorkerIsolate();
  ~WorkerIsolate();
  WorkerIsolate(const WorkerIsolate&) = delete;
  WorkerIsolate& operator=(const WorkerIsolate&) = delete;

  bool onOwnerThread() const { return std::this_thread::get_id() == owner; }

  // Entering an isolate from outside costs a mutex and an allocation in V8, so a worker isolate
  // stays entered on its thread between calls (until another worker isolate is used there, the
  // isolate is disposed, or the thread exits). EnteredIsolate makes sure it is entered.
  bool isEnteredHere() const;

  // Bracket the outermost call into guest code (call_depth 0 -> 1 and back). end() cancels a
  // termination that arrived too late to stop anything, so it cannot kill the next call.
  void beginOutermostCall() { running.store(true, std::memory_order_relaxed); }
  void endOutermostCall();
  void terminate();

  v8::Isolate* const isolate;
  v8::Global<v8::Context> context;
  v8::Global<v8::Function> instance_constructor;  // WebAssembly.Instance
  const std::thread::id owner = std::this_thread::get_id();
  int call_depth = 0;
  // Memory views taken in the outermost call in progress without a HandleScope of their own
  // (V8Instance::memory); their handles live until that call returns.
  uint32_t unscoped_views = 0;
  uint32_t calls_since_pump = 0;
  uint64_t outermost_calls = 0;

  // A HostCall::trap() in flight: the exception thrown into the guest and the host's message,
  // which the innermost Instance::call() that catches that exception reports.
  v8::Global<v8::Value> host_trap_exception;
  std::string host_trap_message;

  // The import wrapper modules (runtime/import_wrapper_module.h) compiled so far, by their bytes:
  // every instance of a plugin needs the same one.
  std::map<std::string, v8::Global<v8::WasmModuleObject>> wrapper_modules;

  // Fast imports (v8_fast_call.h): the function they all go through; whether one is running (the
  // guest cannot be entered then); a trap one answered, for the call that fails with it; calls
  // and chain checkpoints so far.
  void noteFastTrap(std::string message) {
    fast_trap_pending = true;
    fast_trap_message = std::move(message);
  }
  v8::Global<v8::Function> fast_function;
  bool in_fast_call = false;
  bool fast_trap_pending = false;
  std::string fast_trap_message;
  uint64_t fast_calls = 0;
  uint64_t fast_checkpoints = 0;  // chain checkpoints answered on the fast path

  // The chains across instances built so far (V8Instance::chainAcross). A V8Instance drops the
  // ones it is part of when it is destroyed, so no chain can call into a freed instance.
  std::vector<std::unique_ptr<V8CrossChain>> cross_chains;

 private:
  // The isolate's outermost HandleScope (see the constructor); v8::HandleScope cannot be a member.
  alignas(v8::HandleScope) std::byte base_scope_[sizeof(v8::HandleScope)];
  std::atomic<bool> running{false};
  std::atomic<int> terminators{0};  // terminate() calls between their check and their request
  std::atomic<bool> terminate_requested{false};
};

// RAII: the worker's isolate is entered for this scope (usually it already is: a no-op).
class EnteredIsolate {
 public:
  explicit EnteredIsolate(WorkerIsolate& worker) {
    if (!worker.isEnteredHere()) enter(worker);
  }
  ~EnteredIsolate() {
    if (scoped_ != nullptr) scoped_->Exit();
  }
  EnteredIsolate(const EnteredIsolate&) = delete;
  EnteredIsolate& operator=(const EnteredIsolate&) = delete;

 private:
  void enter(WorkerIsolate& worker);
  v8::Isolate* scoped_ = nullptr;  // set when entered only for this scope
};

class V8Worker final : public WorkerEngine {
 public:
  V8Worker() : isolate_(std::make_shared<WorkerIsolate>()) {}

  Result<std::unique_ptr<Instance>> instantiate(const CompiledModule& module,
                                                std::span<const HostFunction* const> imports) override;
  void terminate() override { isolate_->terminate(); }
  uint64_t guestEntries() const override { return isolate_->outermost_calls; }
  uint64_t fastHostCalls() const override { return isolate_->fast_calls; }
  uint64_t fastCheckpoints() const override { return isolate_->fast_checkpoints; }

 private:
  std::shared_ptr<WorkerIsolate> isolate_;
};

}  // namespace wasmgate::runtime::v8backend
