// The call path into guest code and the JS-API helpers that V8Instance (v8_instance.cc) and the
// chains across instances (v8_chain.cc) share.
//
// Internal to runtime/v8/. Thread affinity: the worker's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include <v8.h>

#include "common/result.h"
#include "runtime/engine.h"
#include "runtime/module_info.h"
#include "runtime/v8/v8_worker.h"

namespace wasmgate::runtime::v8backend {

class V8Instance;

// What a host-side use of the JS API on this worker needs (off the call path): the isolate
// entered, a handle scope, the worker's context entered, and any exception caught.
struct JsScope {
  explicit JsScope(WorkerIsolate& worker)
      : entered(worker),
        handles(worker.isolate),
        context(worker.context.Get(worker.isolate)),
        context_scope(context),
        caught(worker.isolate) {}
  EnteredIsolate entered;
  v8::HandleScope handles;
  v8::Local<v8::Context> context;
  v8::Context::Scope context_scope;
  v8::TryCatch caught;
};

// A host function asked to trap (JS-API path): throws into the guest so the call unwinds, and
// keeps the host's message for the Instance::call() that catches it.
void throwHostTrap(v8::Isolate* isolate, V8Instance& instance, HostCall& call);

// A wasm value as V8 hands it to an import or returns it from an export, to a raw word.
uint64_t toWord(v8::Local<v8::Value> value, ValType type, v8::Isolate* isolate);

// Calls `function` (an export, a sequence or a chain) with `args` of signature `sig`; its code
// runs in `members`, whose memory views are forgotten afterwards. The one entry into the engine
// every call from the host goes through.
Result<uint64_t> enterGuest(WorkerIsolate& worker, const v8::Global<v8::Function>& function, const FuncSig& sig,
                            std::span<const uint64_t> args, std::span<V8Instance* const> members);

// The value of a sequence's or chain's "step" global.
std::optional<uint32_t> stepOf(WorkerIsolate& worker, const v8::Global<v8::Object>& step);

}  // namespace wasmgate::runtime::v8backend
