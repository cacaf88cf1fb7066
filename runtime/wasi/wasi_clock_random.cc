// WASI clocks and randomness. Realtime and monotonic clocks come from the GuestHost's clock (the
// system clocks unless VmConfig::clock replaces them; 1 ns resolution is reported, as Higress
// does); CPU-time clocks are ENOTSUP. random_get reads the kernel's CSPRNG (getrandom) straight
// into guest memory, at most 64 KiB per call (EINVAL beyond, the limit Higress's host applies).
#include <cerrno>
#include <sys/random.h>

#include "runtime/guest_host.h"
#include "runtime/wasi/wasi_internal.h"

namespace wasmgate::runtime::wasi {
namespace {

constexpr uint32_t kClockRealtime = 0;
constexpr uint32_t kClockMonotonic = 1;
constexpr uint32_t kMaxRandomBytes = 64 * 1024;

bool readClock(ClockHost& clock, uint32_t id, uint64_t* nanos) {
  if (id == kClockRealtime) {
    *nanos = clock.realtimeNs();
  } else if (id == kClockMonotonic) {
    *nanos = clock.monotonicNs();
  } else {
    return false;
  }
  return true;
}

// clock_time_get(id, precision: i64, time_ptr) -> errno
void clockTimeGet(HostCall& call) {
  uint64_t now = 0;
  if (!readClock(guestHostOf(call).clock(), call.u32(0), &now)) return answer(call, kNotSupported);
  if (!storeOrFault<uint64_t>(call, call.u32(2), now)) return;
  answer(call, kSuccess);
}

// clock_res_get(id, resolution_ptr) -> errno
void clockResGet(HostCall& call) {
  uint32_t id = call.u32(0);
  if (id != kClockRealtime && id != kClockMonotonic) return answer(call, kNotSupported);
  if (!storeOrFault<uint64_t>(call, call.u32(1), 1)) return;
  answer(call, kSuccess);
}

// random_get(buf, len) -> errno
void randomGet(HostCall& call) {
  uint32_t buf = call.u32(0);
  uint32_t len = call.u32(1);
  if (len > kMaxRandomBytes) return answer(call, kInvalid);
  std::span<uint8_t> memory = call.instance->memory();
  if (!GuestMemory(memory).contains(buf, len)) return answer(call, kFault);
  uint8_t* out = memory.data() + buf;
  for (uint32_t done = 0; done < len;) {
    ssize_t n = getrandom(out + done, len - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return answer(call, kNoSys);  // no kernel CSPRNG: never hand out predictable bytes
    }
    done += static_cast<uint32_t>(n);
  }
  answer(call, kSuccess);
}

}  // namespace

std::span<const Entry> clockRandomEntries() {
  static const Entry entries[] = {
      {"clock_time_get", errnoSig({I32, I64, I32}), clockTimeGet, clockTimeGet},
      {"clock_res_get", errnoSig({I32, I32}), clockResGet, clockResGet},
      {"random_get", errnoSig({I32, I32}), randomGet, randomGet},
  };
  return entries;
}

}  // namespace wasmgate::runtime::wasi
