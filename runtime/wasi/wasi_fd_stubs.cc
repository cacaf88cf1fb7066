// WASI file operations that have no meaning without a file system. They answer as Higress's host
// does: harmless hints and syncs succeed on stdout/stderr, everything else is EBADF or ENOTSUP,
// and out-parameters the guest expects are zeroed (EFAULT if they lie outside memory).
#include "runtime/wasi/wasi_internal.h"

namespace wasmgate::runtime::wasi {
namespace {

// fd_advise(fd, offset: i64, len: i64, advice): only a hint, so always accepted.
void fdAdvise(HostCall& call) { answer(call, kSuccess); }

// fd_allocate, fd_datasync, fd_sync, fd_filestat_set_size, fd_filestat_set_times: nothing to do
// for a log stream; no other descriptor exists.
void stdioNoop(HostCall& call) { answer(call, isStdio(call.u32(0)) ? kSuccess : kBadFd); }

// fd_readdir(fd, buf, buf_len, cookie: i64, nread_ptr): no directories.
void fdReaddir(HostCall& call) {
  if (!storeOrFault<uint32_t>(call, call.u32(4), 0)) return;
  answer(call, kNotDir);
}

// fd_renumber(fd, to): stdout and stderr stay where they are.
void fdRenumber(HostCall& call) {
  bool both_stdio = isStdio(call.u32(0)) && isStdio(call.u32(1));
  answer(call, both_stdio ? kNotSupported : kBadFd);
}

// fd_tell(fd, offset_ptr): a log stream is always at offset 0.
void fdTell(HostCall& call) {
  if (!isStdio(call.u32(0))) return answer(call, kBadFd);
  if (!storeOrFault<uint64_t>(call, call.u32(1), 0)) return;
  answer(call, kSuccess);
}

}  // namespace

std::span<const Entry> fdStubEntries() {
  static const Entry entries[] = {
      {"fd_advise", errnoSig({I32, I64, I64, I32}), fdAdvise, fdAdvise},
      {"fd_allocate", errnoSig({I32, I64, I64}), stdioNoop, stdioNoop},
      {"fd_datasync", errnoSig({I32}), stdioNoop, stdioNoop},
      {"fd_sync", errnoSig({I32}), stdioNoop, stdioNoop},
      {"fd_filestat_set_size", errnoSig({I32, I64}), stdioNoop, stdioNoop},
      {"fd_filestat_set_times", errnoSig({I32, I64, I64, I32}), stdioNoop, stdioNoop},
      {"fd_readdir", errnoSig({I32, I32, I32, I64, I32}), fdReaddir, fdReaddir},
      {"fd_renumber", errnoSig({I32, I32}), fdRenumber, fdRenumber},
      {"fd_tell", errnoSig({I32, I32}), fdTell, fdTell},
  };
  return entries;
}

}  // namespace wasmgate::runtime::wasi
