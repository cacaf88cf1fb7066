// WASI poll_oneoff without blocking. Language runtimes poll only to sleep (Go's usleep, TinyGo's
// scheduler) and treat any failure as fatal, and a plugin must never block its worker thread. So
// every subscription is reported at once: clocks as expired, writes to stdout/stderr as ready,
// anything else as an event carrying EBADF. Higress answers 0 events, which Go accepts; reporting
// the clocks as fired also satisfies runtimes that wait for their event.
#include "runtime/wasi/wasi_internal.h"

namespace wasmgate::runtime::wasi {
namespace {

constexpr uint8_t kEventClock = 0;
constexpr uint8_t kEventFdRead = 1;
constexpr uint8_t kEventFdWrite = 2;
constexpr uint64_t kEventSize = 32;

// Record layout of one subscription. Only the size differs: preview0's clock variant carries an
// extra 8-byte identifier, so its records are 56 bytes instead of 48.
template <Flavour F>
constexpr uint64_t subscriptionSize() {
  return F == Flavour::Preview1 ? 48 : 56;
}

// What the event for one subscription says: errno and, for descriptor events, nbytes.
uint16_t eventErrno(uint8_t tag, uint32_t fd) {
  switch (tag) {
    case kEventClock: return kSuccess;
    case kEventFdWrite: return isStdio(fd) ? kSuccess : kBadFd;
    case kEventFdRead: return kBadFd;
    default: return kInvalid;
  }
}

// poll_oneoff(in, out, nsubscriptions, nevents_ptr) -> errno
template <Flavour F>
void pollOneoff(HostCall& call) {
  uint64_t in = call.u32(0);
  uint64_t out = call.u32(1);
  uint64_t count = call.u32(2);
  uint32_t nevents_ptr = call.u32(3);
  GuestMemory memory(*call.instance);
  if (!memory.contains(in, count * subscriptionSize<F>()) || !memory.contains(out, count * kEventSize) ||
      !memory.contains(nevents_ptr, 4)) {
    return answer(call, kFault);
  }
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t sub = in + i * subscriptionSize<F>();
    uint64_t event = out + i * kEventSize;
    uint64_t userdata = *memory.load<uint64_t>(sub);
    uint8_t tag = *memory.load<uint8_t>(sub + 8);
    uint32_t fd = *memory.load<uint32_t>(sub + 16);  // meaningful for descriptor subscriptions only
    uint16_t err = eventErrno(tag, fd);
    // Read the whole subscription before writing: `in` and `out` may overlap.
    memory.store<uint64_t>(event, userdata);
    memory.store<uint16_t>(event + 8, err);
    memory.store<uint8_t>(event + 10, tag);
    memory.store<uint8_t>(event + 11, 0);
    memory.store<uint32_t>(event + 12, 0);
    memory.store<uint64_t>(event + 16, 0);  // fd_readwrite.nbytes
    memory.store<uint64_t>(event + 24, 0);  // fd_readwrite.flags + padding
  }
  memory.store<uint32_t>(nevents_ptr, static_cast<uint32_t>(count));
  answer(call, kSuccess);
}

}  // namespace

std::span<const Entry> pollEntries() {
  static const Entry entries[] = {
      {"poll_oneoff", errnoSig({I32, I32, I32, I32}), pollOneoff<Flavour::Preview1>,
       pollOneoff<Flavour::Unstable>},
  };
  return entries;
}

}  // namespace wasmgate::runtime::wasi
