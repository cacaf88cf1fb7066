// A module with proxy-wasm callbacks but no proxy_abi_version_* export: not loadable.
#include "proxy_imports.h"

PROXY_EXPORT(proxy_on_context_create) void on_context_create(u32, u32) {}
PROXY_EXPORT(proxy_on_configure) u32 on_configure(u32, u32) { return proxy_log(2, "x", 1) == 0; }
