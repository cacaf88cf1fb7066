// The proxy-wasm imports a natively built plugin calls, with the shape of each argument, so the
// native engine can marshal native pointers to and from its exchange arena (the arena plays the
// plugin's linear memory for the runtime's host functions).
//
// Harness-internal header. Thread affinity: the thread running the plugin.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace wasmgate::testing::native {

// How one argument of an import travels between the plugin's native world and the arena.
enum class Arg : uint8_t {
  Value,    // an integer, passed through (i32 or i64)
  In,       // a pointer to bytes the plugin gives; the next argument is their length
  OutU32,   // uint32_t* the host writes
  OutU64,   // uint64_t* the host writes
  OutSize,  // size_t* the host writes (4 bytes in wasm32, 8 natively)
  OutBytes, // char** the host fills with bytes it allocated; the next argument is an OutSize
};

struct ImportShape {
  const char* name;
  std::span<const Arg> args;
};

// Every import the SDK declares (sdk/include/wasmgate/internal/imports.h), in a fixed order; the
// index is the import's id.
std::span<const ImportShape> importShapes();

// Called by the extern "C" proxy_* definitions (native_imports.cc): runs import `id` for the
// plugin currently running on this thread, with one word per argument (pointers as addresses).
uint32_t invokeImport(size_t id, const uint64_t* words);

}  // namespace wasmgate::testing::native
