// The WASI preview1 functions wasmgate offers, under both "wasi_snapshot_preview1" and
// "wasi_unstable": what Go 1.24 wasip1, TinyGo and clang-built C++ modules import, with the
// results Go's runtime needs (see docs/abi.md).
//
// Public header.
#pragma once

#include <span>

#include "runtime/engine.h"

namespace wasmgate::runtime {

// Every WASI function, once per module name. They reach their VM through guestHostOf().
std::span<const HostFunction> wasiFunctions();

}  // namespace wasmgate::runtime
