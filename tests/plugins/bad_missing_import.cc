// Imports a host function no proxy-wasm host provides: loading must name it.
#include "proxy_imports.h"

PROXY_IMPORT(proxy_does_not_exist) u32 proxy_does_not_exist(u32);

PROXY_EXPORT(proxy_abi_version_0_2_0) void abi_marker() {}
PROXY_EXPORT(proxy_on_context_create) void on_context_create(u32 ctx, u32) { proxy_does_not_exist(ctx); }
