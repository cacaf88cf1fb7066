// The binary of a tiny wasm module that sits between a plugin and some of its imports, so that
// host functions can hand bytes to the guest without re-entering it, and so that the engine can
// call host functions through its fast path.
//
// Copying imports. A proxy-wasm host function that returns data (a header value, a body, a
// property) needs memory from the guest's allocator. Calling the allocator from inside the host
// function is a second entry into the engine (~150-300 ns); a call from wasm to wasm costs a few.
// The wrapper calls the host, and when the host answers with a negative value (bit 31 set, the
// other bits a size) it calls the allocator through table slot 0 with that size and passes the
// address to the host's "complete", whose answer it returns. Otherwise it returns the host's
// answer as is.
//
// Fast imports. The engine's fast path (runtime/v8/v8_fast_call.h) has one host function, "host"
// "fast", shared by every fast import: the wrapper calls it with the engine's handle of the
// instance (the imported i64 global "host" "instance", out of the plugin's reach), the import's
// index, and kFastParams more: the import's own parameters, then zeros. One signature for all of
// them because V8 10.2 compiles a wrapper for each fast-call import of every instance. Its answer
// kFastTrap makes the wrapper trap (`unreachable`: the host keeps the reason), kFastRetry makes it
// call the import's usual host function instead (a copy that needs the guest's allocator, which
// the fast path cannot call); any other answer is read as above. A fast copying wrapper also
// completes its copy through the fast path: fast(instance, kFastComplete, address, 0, ...) in
// place of "complete".
//
// Internal to runtime/. Imports, in order: the global "host" "instance" (i64, only if a wrapper is
// fast), the function "host" "complete" (i32) -> i32, "host" "fast" (i64 instance, i32 index,
// i32 x kFastParams) -> i32 (only if a wrapper is fast), then "host" "0", "host" "1", ...:
// each import's usual host function, with the import's own signature. Exports: "0", "1", ... with
// those signatures, and the table "alloc" (one funcref slot, empty until the engine sets it to the
// module's allocator, an (i32) -> i32 function).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "runtime/module_info.h"

namespace wasmgate::runtime {

// The bit a copying import's answer carries when the host wants guest memory for a copy.
inline constexpr uint32_t kCopyOutPending = 0x80000000u;
// Answers of the fast path that are never a host function's result nor a pending copy (whose size
// is at most a few KB).
inline constexpr uint32_t kFastTrap = 0xffffffffu;
inline constexpr uint32_t kFastRetry = 0xfffffffeu;
// The import index a fast copying wrapper passes to complete its copy.
inline constexpr uint32_t kFastComplete = 0xffffffffu;
// The indices a chain module (runtime/sequence_module.h) passes with its chain's handle instead
// of an instance's: run the chain's checkpoint (parameters: the callback's index, its result;
// answer: the low 32 bits of the checkpoint's answer, or kFastRetry when the checkpoint must run
// where it may enter the guest), and give the high 32 bits of the last answer.
inline constexpr uint32_t kFastChainNext = 0xfffffffdu;
inline constexpr uint32_t kFastChainHigh = 0xfffffffcu;
// The parameters of "host" "fast" after the instance and the index: the most a fast import may
// have (every proxy-wasm function that qualifies has at most 5).
inline constexpr uint32_t kFastParams = 5;

// One wrapped import: its parameters (all i32) and result (none or an i32).
struct WrappedImport {
  uint32_t params = 0;
  bool has_result = true;
  bool copying = false;  // its answer may be a pending copy (needs has_result)
  bool fast = false;     // called through the fast path (then params <= kFastParams)
  uint32_t index = 0;    // the import's index in the plugin, passed to the fast path
};

std::vector<uint8_t> importWrapperModule(std::span<const WrappedImport> imports);

// The module a worker puts between every import wrapper module and its fast host function:
// imports "host" "fast" and exports "fast", a wasm function calling it with the same arguments.
// V8 10.2 compiles the wrapper of a fast-call import for each instance that imports it; through
// this module that is once per worker, and each plugin instance imports a wasm function instead.
std::vector<uint8_t> fastTrampolineModule();

// The signature of "host" "fast": (i64 handle, i32 index, i32 x kFastParams) -> i32.
FuncSig fastHostSignature();

}  // namespace wasmgate::runtime
