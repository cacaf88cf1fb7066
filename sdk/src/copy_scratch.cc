// The copy scratch: memory this module lends a wasmgate host for small results (foreign function
// "wasmgate_copy_scratch", docs/abi.md). Such a result is written there instead of into an
// allocation of ours, which saves the allocation, its free, and on wasmgate's fast path a second
// host call to complete the copy. Every reader of host bytes copies or scans them before its next
// host call (TakeHostBytes, HostBytes), and frees them through FreeHostBytes.
#include <cstdlib>

#include <wasmgate/internal/pairs.h>

#include "hostcall.h"

namespace wasmgate::internal {
namespace {

// A request's header map usually fits; a bigger result is allocated as on any other host.
constexpr uint32_t kCopyScratchBytes = 4096;
alignas(8) char copy_scratch[kCopyScratchBytes];

}  // namespace

void RegisterCopyScratch() {
#if defined(__wasm__)  // the scratch's address is a 32-bit offset into the module's memory
  const uint32_t argument[2] = {static_cast<uint32_t>(reinterpret_cast<uintptr_t>(copy_scratch)), kCopyScratchBytes};
  HostExtension("wasmgate_copy_scratch", std::string_view(reinterpret_cast<const char*>(argument), sizeof argument));
#endif
}

// Bytes the host wrote to the scratch are not ours to free; the host writes nowhere else in it.
void FreeHostBytes(char* data) {
  if (data != copy_scratch) ::free(data);
}

}  // namespace wasmgate::internal
