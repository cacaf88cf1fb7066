// WASI descriptor functions a plugin really uses: writing to stdout/stderr (delivered to the
// GuestHost, which logs it), and the descriptor queries language runtimes make at start-up.
// There is no file system: every other descriptor is EBADF, reads are ENOSYS.
#include <algorithm>
#include <string>

#include "runtime/guest_host.h"
#include "runtime/wasi/wasi_internal.h"

namespace wasmgate::runtime::wasi {
namespace {

// One fd_write may deliver at most this much; the rest is a short write the guest retries, as
// POSIX allows. Keeps a guest that repeats one huge iovec from making the host allocate unboundedly.
constexpr uint64_t kMaxWriteBytes = 1 << 20;
constexpr uint64_t kIovecSize = 8;  // { u32 buf, u32 buf_len }

// Gathers the iovecs at `iovs` into `out`. Returns an errno (EFAULT if any iovec or buffer lies
// outside memory, checked before anything is delivered).
uint32_t gather(const GuestMemory& memory, uint32_t iovs, uint32_t iovs_len, std::string& out) {
  if (!memory.contains(iovs, uint64_t{iovs_len} * kIovecSize)) return kFault;
  for (uint32_t i = 0; i < iovs_len; ++i) {
    uint64_t at = iovs + uint64_t{i} * kIovecSize;
    uint32_t buf = *memory.load<uint32_t>(at);
    uint32_t len = *memory.load<uint32_t>(at + 4);
    if (!memory.contains(buf, len)) return kFault;
  }
  for (uint32_t i = 0; i < iovs_len && out.size() < kMaxWriteBytes; ++i) {
    uint64_t at = iovs + uint64_t{i} * kIovecSize;
    uint32_t buf = *memory.load<uint32_t>(at);
    uint64_t len = std::min<uint64_t>(*memory.load<uint32_t>(at + 4), kMaxWriteBytes - out.size());
    out.append(*memory.read(buf, len));
  }
  return kSuccess;
}

// Shared by fd_write and fd_pwrite (the offset of the latter means nothing for a log stream).
void writeStdio(HostCall& call, uint32_t fd, uint32_t iovs, uint32_t iovs_len, uint32_t nwritten_ptr) {
  if (!isStdio(fd)) return answer(call, kBadFd);
  std::string text;
  GuestMemory memory(*call.instance);
  if (uint32_t err = gather(memory, iovs, iovs_len, text); err != kSuccess) return answer(call, err);
  if (!memory.contains(nwritten_ptr, 4)) return answer(call, kFault);
  if (!text.empty()) guestHostOf(call).writeStdio(static_cast<int>(fd), text);
  // The host never runs guest code while writing, so the snapshot is still valid.
  memory.store<uint32_t>(nwritten_ptr, static_cast<uint32_t>(text.size()));
  answer(call, kSuccess);
}

// fd_write(fd, iovs, iovs_len, nwritten_ptr) -> errno
void fdWrite(HostCall& call) { writeStdio(call, call.u32(0), call.u32(1), call.u32(2), call.u32(3)); }

// fd_pwrite(fd, iovs, iovs_len, offset: i64, nwritten_ptr) -> errno
void fdPwrite(HostCall& call) { writeStdio(call, call.u32(0), call.u32(1), call.u32(2), call.u32(4)); }

// fd_read / fd_pread: nothing is readable.
void noRead(HostCall& call) { answer(call, kNoSys); }

// fd_seek / fd_close succeed without effect (Higress answers 0 so that libc teardown is quiet).
void succeedQuietly(HostCall& call) { answer(call, kSuccess); }

// fd_fdstat_get(fd, stat_ptr): stdout/stderr as write-only descriptors of unspecified type,
// which is what Higress reports (filetype 0, rights = FD_WRITE).
void fdFdstatGet(HostCall& call) {
  if (!isStdio(call.u32(0))) return answer(call, kBadFd);
  constexpr uint64_t kRightFdWrite = 1 << 6;
  GuestMemory memory(*call.instance);
  uint32_t stat = call.u32(1);
  if (!memory.contains(stat, 24)) return answer(call, kFault);
  memory.store<uint8_t>(stat, 0);        // fs_filetype: unknown
  memory.store<uint8_t>(stat + 1, 0);    // padding
  memory.store<uint16_t>(stat + 2, 0);   // fs_flags
  memory.store<uint32_t>(stat + 4, 0);   // padding
  memory.store<uint64_t>(stat + 8, kRightFdWrite);
  memory.store<uint64_t>(stat + 16, 0);  // fs_rights_inheriting
  answer(call, kSuccess);
}

// Go's os package sets O_NONBLOCK on 0..2 at start-up and ignores the answer.
void fdFdstatSetFlags(HostCall& call) { answer(call, kNoSys); }

// fd_fdstat_set_rights(fd, base: i64, inheriting: i64): accepted for stdio, no effect.
void fdFdstatSetRights(HostCall& call) { answer(call, isStdio(call.u32(0)) ? kSuccess : kBadFd); }

// No preopened directories. Go's wasip1 runtime scans fd 3, 4, ... until it gets exactly EBADF;
// any other errno makes it panic during _initialize.
void fdPrestatGet(HostCall& call) { answer(call, kBadFd); }
void fdPrestatDirName(HostCall& call) { answer(call, kNoSys); }
void fdFilestatGet(HostCall& call) { answer(call, kBadFd); }

}  // namespace

std::span<const Entry> fdEntries() {
  static const Entry entries[] = {
      {"fd_write", errnoSig({I32, I32, I32, I32}), fdWrite, fdWrite},
      {"fd_pwrite", errnoSig({I32, I32, I32, I64, I32}), fdPwrite, fdPwrite},
      {"fd_read", errnoSig({I32, I32, I32, I32}), noRead, noRead},
      {"fd_pread", errnoSig({I32, I32, I32, I64, I32}), noRead, noRead},
      {"fd_seek", errnoSig({I32, I64, I32, I32}), succeedQuietly, succeedQuietly},
      {"fd_close", errnoSig({I32}), succeedQuietly, succeedQuietly},
      {"fd_fdstat_get", errnoSig({I32, I32}), fdFdstatGet, fdFdstatGet},
      {"fd_fdstat_set_flags", errnoSig({I32, I32}), fdFdstatSetFlags, fdFdstatSetFlags},
      {"fd_fdstat_set_rights", errnoSig({I32, I64, I64}), fdFdstatSetRights, fdFdstatSetRights},
      {"fd_prestat_get", errnoSig({I32, I32}), fdPrestatGet, fdPrestatGet},
      {"fd_prestat_dir_name", errnoSig({I32, I32, I32}), fdPrestatDirName, fdPrestatDirName},
      {"fd_filestat_get", errnoSig({I32, I32}), fdFilestatGet, fdFilestatGet},
  };
  return entries;
}

}  // namespace wasmgate::runtime::wasi
