// Exports proxy_on_tick with the wrong signature: the host would call it with the wrong
// arguments, so loading must fail and say so.
#include "proxy_imports.h"

PROXY_EXPORT(proxy_abi_version_0_2_1) void abi_marker() {}
PROXY_EXPORT(proxy_on_context_create) void on_context_create(u32, u32) {}
PROXY_EXPORT(proxy_on_tick) u32 on_tick(u32 root, u32 extra) { return proxy_log(2, "tick", 4) + root + extra; }
