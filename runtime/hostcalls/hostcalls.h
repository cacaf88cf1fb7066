// Shared pieces of the proxy-wasm host functions: the per-ABI availability of each function,
// signature builders, guest-memory helpers, and the function groups (one file each).
//
// Runtime-internal header (runtime/hostcalls/). Thread affinity: the calling VM's worker thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <wasmgate/abi.h>

#include "runtime/engine.h"
#include "runtime/guest_memory.h"
#include "runtime/vm_state.h"

namespace wasmgate::runtime::hostcalls {

// ABI versions a host function is offered to (bit set).
enum AbiSet : uint8_t {
  kAbi010 = 1,
  kAbi020 = 2,
  kAbi021 = 4,
  kAbi02100 = 8,
  kAllAbis = kAbi010 | kAbi020 | kAbi021 | kAbi02100,
  kAbi02x = kAbi020 | kAbi021 | kAbi02100,
  kHigressAbis = kAbi021 | kAbi02100,  // Higress registers its extensions only for these
};
uint8_t abiBit(abi::AbiVersion v);

struct Entry {
  HostFunction fn;
  uint8_t abis;
};

// HostFunction::copies_out, for the entries of functions that return bytes through VmState::copyOut.
inline constexpr bool kCopiesOut = true;
inline constexpr bool kNoCopy = false;
// HostFunction::fast, for the entries of functions that meet its conditions (checked by reading
// each one: no plugin re-entered, no effect before a copy).
inline constexpr bool kFast = true;

// "(i32 x params) -> i32", the shape of nearly every proxy-wasm host function.
FuncSig i32Sig(size_t params);

inline void finish(HostCall& call, abi::Status s) { call.result = static_cast<uint32_t>(s); }

// Guest bytes [ptr, ptr+size): valid until guest code runs again (e.g. VmState::copyOut).
inline std::optional<std::string_view> guestBytes(HostCall& call, uint64_t ptr, uint64_t size) {
  return GuestMemory(*call.instance).read(ptr, size);
}
template <typename T>
inline bool storeGuest(HostCall& call, uint64_t ptr, T value) {
  return GuestMemory(*call.instance).store<T>(ptr, value);
}

// Groups of host functions, each defined in its own file.
std::span<const Entry> logTimeStatusFunctions();  // log_time_status.cc
std::span<const Entry> headerMapFunctions();      // header_maps.cc
std::span<const Entry> bufferFunctions();         // buffers.cc
std::span<const Entry> propertyFunctions();       // properties.cc
std::span<const Entry> streamControlFunctions();  // stream_control.cc
std::span<const Entry> httpCallFunctions();       // http_call.cc
std::span<const Entry> redisFunctions();          // redis.cc
std::span<const Entry> sharedDataFunctions();     // shared_data.cc
std::span<const Entry> metricFunctions();         // metrics.cc
std::span<const Entry> contextFunctions();        // contexts.cc
std::span<const Entry> foreignFunctions();        // foreign.cc
std::span<const Entry> extensionFunctions();      // extensions.cc

}  // namespace wasmgate::runtime::hostcalls
