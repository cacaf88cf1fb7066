// What WasmVm's stream calls (vm_streams.cc) and its chains across plugins (vm_chains.cc) share.
//
// Runtime-internal header. Thread affinity: the VM's worker thread.
#pragma once

#include <cstdint>

#include <wasmgate/abi.h>

#include "common/result.h"
#include "runtime/vm_state.h"

namespace wasmgate::runtime {

// Envoy's FilterHeadersStatus from a header callback's answer (`stopped`: the guest sent a local
// response during the call).
abi::HeaderAction headerAction(const VmState& vm, uint64_t result, bool stopped);

// A new stream needs a working VM and a root context that is not retiring.
wasmgate::Status requireLiveRoot(VmState& vm, uint32_t root_id);

}  // namespace wasmgate::runtime
