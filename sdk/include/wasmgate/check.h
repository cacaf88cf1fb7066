// WASMGATE_CHECK: an invariant a plugin cannot continue without. The SDK is built without
// exceptions, so a broken invariant cannot be thrown and caught; it ends the VM instead, as an
// unrecovered Go panic does, and says why first:
//
//   WASMGATE_CHECK(config.limit > 0, "limit must have been validated by parseConfig");
//
// On failure it logs "check failed: <condition> at <file>:<line>: <message>" at Critical
// (through the plugin's logger, so with its "[plugin] ..." prefix) and traps. The host then fails
// the VM (Higress: 503 or fail-open for its streams, until the VM is rebuilt). For errors a
// request or a configuration can cause, return a wrapper::Error or answer locally instead.
//
// Public header. Natively (TestHost::loadNative) the trap ends the test process, as abort() does.
#pragma once

#include <string_view>

namespace wasmgate::internal {
[[noreturn]] void CheckFailed(std::string_view condition, std::string_view file, int line, std::string_view message);
}  // namespace wasmgate::internal

#define WASMGATE_CHECK(condition, message)                                                   \
  do {                                                                                       \
    if (!(condition)) [[unlikely]] {                                                         \
      ::wasmgate::internal::CheckFailed(#condition, __FILE__, __LINE__, (message));          \
    }                                                                                        \
  } while (false)
