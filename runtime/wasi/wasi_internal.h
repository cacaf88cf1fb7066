// Internals of wasmgate's WASI preview1 layer: errno values, the per-group function lists the
// table (wasi_table.cc) assembles, and small helpers shared by the group files.
//
// Runtime-internal header (runtime/wasi/ only). Every function runs on the calling instance's
// worker thread and touches only that instance's memory and GuestHost.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "runtime/engine.h"
#include "runtime/guest_memory.h"

namespace wasmgate::runtime::wasi {

// WASI errno values (preview1 `errno`; preview0 uses the same numbers for these).
enum Errno : uint32_t {
  kSuccess = 0,
  kBadFd = 8,          // EBADF
  kNotDir = 20,        // ENOTDIR
  kFault = 21,         // EFAULT: a guest pointer outside linear memory
  kInvalid = 28,       // EINVAL
  kNoEntry = 44,       // ENOENT
  kNoSys = 52,         // ENOSYS
  kNotSupported = 58,  // ENOTSUP
};

// Which flavour of WASI a module imports. The wasm-level signatures are the same; only
// poll_oneoff's subscription record differs (preview0 clocks carry an extra identifier word).
enum class Flavour { Preview1, Unstable };

// One WASI function before it is bound to a module name.
struct Entry {
  std::string_view name;
  FuncSig sig;
  HostFn preview1;
  HostFn unstable;  // the same function unless the record layouts differ
};

// The groups, each defined in its own file.
std::span<const Entry> fdEntries();          // wasi_fd.cc: stdio and descriptor queries
std::span<const Entry> fdStubEntries();      // wasi_fd_stubs.cc: file operations no plugin gets
std::span<const Entry> environEntries();     // wasi_environ.cc: environ_* and args_*
std::span<const Entry> clockRandomEntries(); // wasi_clock_random.cc
std::span<const Entry> pollEntries();        // wasi_poll.cc
std::span<const Entry> procEntries();        // wasi_proc.cc: proc_exit, proc_raise, sched_yield
std::span<const Entry> pathSockEntries();    // wasi_path_sock.cc

// Sets the function's errno result.
inline void answer(HostCall& call, uint32_t errno_value) { call.result = errno_value; }

// The descriptors a plugin may write to: its stdout and stderr.
inline bool isStdio(uint32_t fd) { return fd == 1 || fd == 2; }

// Stores `value` at `ptr` in guest memory; answers EFAULT and returns false if it does not fit.
template <typename T>
bool storeOrFault(HostCall& call, uint32_t ptr, T value) {
  GuestMemory memory(*call.instance);
  if (memory.store<T>(ptr, value)) return true;
  answer(call, kFault);
  return false;
}

// Signature shorthands for the tables.
constexpr ValType I32 = ValType::I32;
constexpr ValType I64 = ValType::I64;
inline FuncSig errnoSig(std::initializer_list<ValType> params) { return FuncSig{params, {I32}}; }

}  // namespace wasmgate::runtime::wasi
