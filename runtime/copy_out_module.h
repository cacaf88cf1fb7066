// The binary of a tiny wasm module that lets host functions hand bytes to the guest without
// re-entering it.
//
// A proxy-wasm host function that returns data (a header value, a body, a property) needs memory
// from the guest's allocator. Calling the allocator from inside the host function is a second
// entry into the engine (~150-300 ns); a call from wasm to wasm costs a few. An engine puts one
// function of this module in front of each such import: the function calls the host, and when
// the host answers with a negative value (bit 31 set, the other bits a size) it calls the
// allocator through table slot 0 with that size and passes the address to the host's "complete",
// whose answer it returns. Otherwise it returns the host's answer as is.
//
// Internal to runtime/. Imports: "host" "complete" (i32) -> i32, then "host" "0", "host" "1", ...
// with `param_counts[k]` i32 parameters and an i32 result. Exports: "0", "1", ... with the same
// signatures, and the table "alloc" (one funcref slot, empty until the engine sets it to the
// module's allocator, an (i32) -> i32 function).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace wasmgate::runtime {

// The bit a wrapped import's answer carries when the host wants guest memory for a copy.
inline constexpr uint32_t kCopyOutPending = 0x80000000u;

std::vector<uint8_t> copyOutModule(std::span<const uint32_t> param_counts);

}  // namespace wasmgate::runtime
