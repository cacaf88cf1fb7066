// WASI path and socket functions. Plugins have no file system and no sockets of their own (they
// reach the network through proxy_http_call and friends), so these answer as Higress's host does:
// path_open ENOENT, everything else ENOTSUP, with out-parameters zeroed first (EFAULT if they lie
// outside memory).
#include "runtime/wasi/wasi_internal.h"

namespace wasmgate::runtime::wasi {
namespace {

void notSupported(HostCall& call) { answer(call, kNotSupported); }

// path_open(fd, dirflags, path, path_len, oflags, rights_base: i64, rights_inheriting: i64,
// fdflags, fd_ptr): there is nothing to open.
void pathOpen(HostCall& call) { answer(call, kNoEntry); }

// path_readlink(fd, path, path_len, buf, buf_len, nread_ptr)
void pathReadlink(HostCall& call) {
  if (!storeOrFault<uint32_t>(call, call.u32(5), 0)) return;
  answer(call, kNotSupported);
}

// sock_accept(fd, flags, fd_ptr)
void sockAccept(HostCall& call) {
  if (!storeOrFault<uint32_t>(call, call.u32(2), 0)) return;
  answer(call, kNotSupported);
}

// sock_recv(fd, iovs, iovs_len, flags, nread_ptr, roflags_ptr)
void sockRecv(HostCall& call) {
  if (!storeOrFault<uint32_t>(call, call.u32(4), 0)) return;
  if (!storeOrFault<uint16_t>(call, call.u32(5), 0)) return;
  answer(call, kNotSupported);
}

// sock_send(fd, iovs, iovs_len, flags, nwritten_ptr)
void sockSend(HostCall& call) {
  if (!storeOrFault<uint32_t>(call, call.u32(4), 0)) return;
  answer(call, kNotSupported);
}

}  // namespace

std::span<const Entry> pathSockEntries() {
  static const Entry entries[] = {
      {"path_open", errnoSig({I32, I32, I32, I32, I32, I64, I64, I32, I32}), pathOpen, pathOpen},
      {"path_filestat_get", errnoSig({I32, I32, I32, I32, I32}), notSupported, notSupported},
      {"path_filestat_set_times", errnoSig({I32, I32, I32, I32, I64, I64, I32}), notSupported, notSupported},
      {"path_create_directory", errnoSig({I32, I32, I32}), notSupported, notSupported},
      {"path_remove_directory", errnoSig({I32, I32, I32}), notSupported, notSupported},
      {"path_unlink_file", errnoSig({I32, I32, I32}), notSupported, notSupported},
      {"path_link", errnoSig({I32, I32, I32, I32, I32, I32, I32}), notSupported, notSupported},
      {"path_rename", errnoSig({I32, I32, I32, I32, I32, I32}), notSupported, notSupported},
      {"path_symlink", errnoSig({I32, I32, I32, I32, I32}), notSupported, notSupported},
      {"path_readlink", errnoSig({I32, I32, I32, I32, I32, I32}), pathReadlink, pathReadlink},
      {"sock_accept", errnoSig({I32, I32, I32}), sockAccept, sockAccept},
      {"sock_recv", errnoSig({I32, I32, I32, I32, I32, I32}), sockRecv, sockRecv},
      {"sock_send", errnoSig({I32, I32, I32, I32, I32}), sockSend, sockSend},
      {"sock_shutdown", errnoSig({I32, I32}), notSupported, notSupported},
  };
  return entries;
}

}  // namespace wasmgate::runtime::wasi
