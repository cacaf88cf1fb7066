// The native engine: runtime/engine.h implemented for a plugin built for the host as a shared
// library (wasmgate_add_native_plugin), so the same plugin runs under the harness as ordinary
// machine code an author can step through in gdb. The runtime (WasmVm, host functions, contexts)
// is unchanged: the plugin's proxy_on_* exports are dlsym'ed function pointers, and its proxy_*
// imports (native_imports.cc) reach the runtime's host functions through an exchange arena that
// plays the plugin's linear memory. Values the host returns are copied into native malloc'ed
// memory, which the SDK frees as it does in wasm.
//
// Differences from wasm, by nature: static initialisers run when the library is loaded (before the
// VM is bound, so host calls made there answer Unimplemented); a host-side trap cannot unwind
// native code (the host call answers InternalFailure, and the export's call fails after it
// returns); a plugin crash or abort() ends the test process; terminate() cannot stop native code;
// memoryBytes() is the arena's size, not the plugin's heap.
//
// Each instance loads its own copy of the library's globals: the first from the library file
// itself, any further live one from a temporary copy (a second dlopen of one path would share
// globals). A rebuild therefore gets fresh globals, as a new wasm instance does. Sanitizer builds
// never unload a library (LeakSanitizer would report the SDK's deliberately immortal globals).
//
// Harness-internal header. Thread affinity: a worker and its instances belong to the thread that
// created the worker.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "runtime/engine.h"

namespace wasmgate::testing::native {

// Opens the library at `path` to learn its exports (fails naming the path and dlerror's reason,
// e.g. an undefined symbol, or a library that is not a proxy-wasm plugin).
Result<std::shared_ptr<const runtime::CompiledModule>> loadModule(const std::string& path, std::string name);

// A worker that instantiates modules made by loadModule() (and only those).
std::unique_ptr<runtime::WorkerEngine> newWorker();

}  // namespace wasmgate::testing::native
