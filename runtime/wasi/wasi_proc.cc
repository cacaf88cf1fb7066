// WASI process functions. proc_exit must not return into the guest (its caller is noreturn), so
// it ends the whole call into the plugin with a trap the runtime reports as a failure naming the
// exit code. A plugin has no signals to raise and no other threads to yield to.
#include <string>

#include "runtime/wasi/wasi_internal.h"

namespace wasmgate::runtime::wasi {
namespace {

// proc_exit(code)
void procExit(HostCall& call) { call.trap("proc_exit(" + std::to_string(call.u32(0)) + ")"); }

// proc_raise(signal) -> errno
void procRaise(HostCall& call) { answer(call, kNoSys); }

// sched_yield() -> errno
void schedYield(HostCall& call) { answer(call, kSuccess); }

}  // namespace

std::span<const Entry> procEntries() {
  static const Entry entries[] = {
      {"proc_exit", FuncSig{{I32}, {}}, procExit, procExit},
      {"proc_raise", errnoSig({I32}), procRaise, procRaise},
      {"sched_yield", errnoSig({}), schedYield, schedYield},
  };
  return entries;
}

}  // namespace wasmgate::runtime::wasi
