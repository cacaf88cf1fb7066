// Host functions called from wasm as plain C calls: V8's fast API calls, for the imports whose
// HostFunction is marked `fast` (runtime/engine.h).
//
// An import through the JS API costs ~400 instructions of V8 machinery a call (the wasm-to-JS
// wrapper, Builtin_HandleApiCall, FunctionCallbackArguments, a handle scope) before the host
// function runs; a fast call is a C call from the wrapper V8 compiles for the import. V8 10.2
// passes a fast call from wasm its parameters and a receiver (the global proxy of the context the
// importing module was instantiated in), nothing else: no data pointer, no way to throw, fall back
// or run JS (nor allocate on V8's heap). So:
// - there is one fast host function on a worker, and each plugin's fast imports reach it through
//   the import wrapper module (runtime/import_wrapper_module.h), which passes the V8Instance's
//   address (an i64 global of the wrapper instance, which the plugin cannot reach), the import's
//   index and kFastParams parameters (the import's, then zeros); V8 10.2 compiles a wrapper for
//   each fast-call import of each instance (~0.35 ms), so that one import is made once per worker,
//   in a trampoline module whose wasm export the plugins' wrappers import;
// - the chain modules of chains across instances (v8_chain.cc) reach the same function with their
//   V8CrossChain's address and kFastChainNext / kFastChainHigh for their host checkpoint, which
//   answers kFastRetry when it may have to run guest code (ChainCheckpoint::needs_guest);
// - a trap is answered with kFastTrap and the wrapper executes `unreachable` (the message waits
//   in the worker for the Instance::call() that fails); a copy that needs the guest's allocator
//   is answered with kFastRetry and the wrapper calls the import's usual host function.
// If V8 does not take the fast path (another V8, or the flag turned off), the same functions run
// through their JS-API callback with the same answers, throwing instead of kFastTrap.
//
// Internal to runtime/v8/. Thread affinity: the worker's thread.
#pragma once

#include <cstdint>

#include <v8.h>

#include "runtime/engine.h"
#include "runtime/v8/v8_worker.h"

namespace wasmgate::runtime::v8backend {

class V8Instance;
struct ImportBinding;

// The V8 flag that turns fast calls on (set by initializeV8), or "" if this V8 has none we can use.
const char* fastCallFlag();

// The function every fast import calls on `worker` ("host" "fast"): the trampoline module's
// export, made on first use; empty if this build has no fast path or it cannot be made.
v8::Local<v8::Function> fastImportFunction(WorkerIsolate& worker);

// Runs `binding`'s host function for `call` and returns what its wrapper reads: the result, a
// pending copy (kCopyOutPending | size), kFastTrap or kFastRetry. Shared by the fast path and the
// JS-API trampolines of copying imports.
uint32_t answerImport(V8Instance& instance, const ImportBinding& binding, HostCall& call);

}  // namespace wasmgate::runtime::v8backend
