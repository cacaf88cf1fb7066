// What every host function reaches through Instance::userData(): the host side of the guest
// that is calling. The runtime's VM state derives from GuestHost; WASI functions need only this.
//
// Public header. Thread affinity: the instance's worker thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/engine.h"
#include "runtime/host.h"

namespace wasmgate::runtime {

class GuestHost {
 public:
  virtual ~GuestHost() = default;
  // NAME=VALUE pairs the guest sees through environ_get (the plugin's vm env).
  virtual const std::vector<std::pair<std::string, std::string>>& environment() const = 0;
  // Text written by the guest to fd 1 (logged at info) or fd 2 (logged at error).
  virtual void writeStdio(int fd, std::string_view text) = 0;
  // The clocks the guest reads (WASI clock_time_get); the default is the system clocks.
  virtual ClockHost& clock();
};

// Instance::userData() of every instance the runtime creates holds a GuestHost*.
inline GuestHost& guestHostOf(const HostCall& call) {
  return *static_cast<GuestHost*>(call.instance->userData());
}

}  // namespace wasmgate::runtime
