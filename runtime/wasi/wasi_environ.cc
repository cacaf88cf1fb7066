// WASI environ_* and args_*: the environment is the plugin's configured env (GuestHost), as
// NAME=VALUE\0 strings; the argument list is always empty.
#include <string>

#include "runtime/guest_host.h"
#include "runtime/wasi/wasi_internal.h"

namespace wasmgate::runtime::wasi {
namespace {

uint64_t entrySize(const std::pair<std::string, std::string>& var) {
  return var.first.size() + 1 + var.second.size() + 1;  // NAME '=' VALUE '\0'
}

// environ_sizes_get(count_ptr, buf_size_ptr)
void environSizesGet(HostCall& call) {
  const auto& env = guestHostOf(call).environment();
  uint64_t bytes = 0;
  for (const auto& var : env) bytes += entrySize(var);
  GuestMemory memory(*call.instance);
  if (!memory.contains(call.u32(0), 4) || !memory.contains(call.u32(1), 4)) return answer(call, kFault);
  memory.store<uint32_t>(call.u32(0), static_cast<uint32_t>(env.size()));
  memory.store<uint32_t>(call.u32(1), static_cast<uint32_t>(bytes));
  answer(call, kSuccess);
}

// environ_get(pointers_ptr, buf_ptr): the guest sized both areas with environ_sizes_get. Both are
// checked whole before anything is written, so a bad pointer leaves guest memory untouched.
void environGet(HostCall& call) {
  const auto& env = guestHostOf(call).environment();
  if (env.empty()) return answer(call, kSuccess);  // nothing to write, whatever the pointers
  uint64_t bytes = 0;
  for (const auto& var : env) bytes += entrySize(var);
  uint64_t pointers = call.u32(0);
  uint64_t buf = call.u32(1);
  GuestMemory memory(*call.instance);
  if (!memory.contains(pointers, env.size() * 4) || !memory.contains(buf, bytes)) return answer(call, kFault);
  for (const auto& var : env) {
    memory.store<uint32_t>(pointers, static_cast<uint32_t>(buf));
    std::string text = var.first + "=" + var.second;
    text.push_back('\0');
    memory.write(buf, text);
    pointers += 4;
    buf += text.size();
  }
  answer(call, kSuccess);
}

// args_sizes_get(argc_ptr, buf_size_ptr): no arguments.
void argsSizesGet(HostCall& call) {
  GuestMemory memory(*call.instance);
  if (!memory.contains(call.u32(0), 4) || !memory.contains(call.u32(1), 4)) return answer(call, kFault);
  memory.store<uint32_t>(call.u32(0), 0);
  memory.store<uint32_t>(call.u32(1), 0);
  answer(call, kSuccess);
}

// args_get(argv_ptr, buf_ptr): nothing to write.
void argsGet(HostCall& call) { answer(call, kSuccess); }

}  // namespace

std::span<const Entry> environEntries() {
  static const Entry entries[] = {
      {"environ_get", errnoSig({I32, I32}), environGet, environGet},
      {"environ_sizes_get", errnoSig({I32, I32}), environSizesGet, environSizesGet},
      {"args_get", errnoSig({I32, I32}), argsGet, argsGet},
      {"args_sizes_get", errnoSig({I32, I32}), argsSizesGet, argsSizesGet},
  };
  return entries;
}

}  // namespace wasmgate::runtime::wasi
