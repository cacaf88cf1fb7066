// Traps while the module starts (a static constructor, run by the reactor's _initialize).
#include "proxy_imports.h"

namespace {
struct TrapsAtStartup {
  TrapsAtStartup() {
    proxy_log(2, "starting", 8);
    __builtin_trap();
  }
} traps_at_startup;
}  // namespace

PROXY_EXPORT(proxy_abi_version_0_2_100) void abi_marker() {}
PROXY_EXPORT(proxy_on_context_create) void on_context_create(u32, u32) {}
