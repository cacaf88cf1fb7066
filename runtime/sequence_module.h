// The binary of a tiny wasm module that calls imported functions one after the other.
//
// Entering guest code from the host costs far more than a call between wasm functions (a V8 API
// entry is ~100-200 ns, a wasm-to-wasm call a few), and the host makes some callbacks back to
// back on every stream (proxy_on_log, proxy_on_done, proxy_on_delete). An engine instantiates
// this module with those exports as its imports and enters it once for all of them.
//
// Internal to runtime/. The module imports "seq" "0", "seq" "1", ... with the given signatures,
// and exports "run": its parameters are those of every import in turn, its result that of the
// last one; earlier results are dropped. Its mutable i32 global "step" holds the index of the
// import being called (the one that trapped, after a failed run).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "runtime/module_info.h"

namespace wasmgate::runtime {

// The module for `sigs` (each made of i32, i64, f32 and f64 only).
std::vector<uint8_t> sequenceModule(std::span<const FuncSig> sigs);

// The signature of its "run" export.
FuncSig sequenceSignature(std::span<const FuncSig> sigs);

// A sequence of header callbacks of several plugins with a host checkpoint after each: imports
// "seq" "0", "seq" "1", ... (each (i32 id, i32 num_headers[, i32 end_of_stream]) -> i32) and
// "seq" "next" (i32 result, i32 index) -> i32, and exports "run" (i32 num_headers, i32
// end_of_stream, i32 id_0, i32 id_1, ...) -> () and the "step" global. After callback i, "next"
// gets its result and index and answers 0 to stop, or the next callback's num_headers plus one
// (a callback may add or remove headers, so the count is the host's to give). Empty if a
// signature is not one of the two header callback shapes.
//
// With `fast_next`, "run" asks the engine's fast path first: the module also imports "host"
// "fast" (runtime/import_wrapper_module.h's fastHostSignature) and the immutable i64 global
// "host" "chain" (the engine's handle of the chain), and calls fast(chain, kFastChainNext, index,
// result, 0, 0, 0); only on kFastRetry does it call "seq" "next" (for a checkpoint that may enter
// the guest, which a fast call must not). "step" is then global 1.
std::vector<uint8_t> headerChainModule(std::span<const FuncSig> sigs, bool fast_next = false);

// The start of a stream in several plugins: for each plugin i, proxy_on_context_create
// ("seq" "2i", (i32 id, i32 root) -> ()) then proxy_on_request_headers ("seq" "2i+1", one of the
// two header callback shapes), then "seq" "next" (i32 result, i32 i) -> i64. "run" takes (i32
// num_headers, i32 end_of_stream, i32 id_0, i32 root_0, i32 root_1, ...) -> (). "next" answers 0
// to stop, or the next plugin's new stream id in its high 32 bits and its num_headers plus one in
// the low ones (the host creates each stream context only when the chain reaches it). "step" is
// the index of the import being called. Empty if a signature does not fit. `fast_next` as for
// headerChainModule; the fast answer's high half comes from fast(chain, kFastChainHigh, 0, ...).
std::vector<uint8_t> startChainModule(std::span<const FuncSig> sigs, bool fast_next = false);

}  // namespace wasmgate::runtime
