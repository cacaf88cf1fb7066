// The typed proxy-wasm host API of the plugin SDK (Go: github.com/higress-group/proxy-wasm-go-sdk
// proxywasm): stream calls in proxywasm/http.h, VM-wide calls in proxywasm/host.h, and the
// context interfaces + SetVMContext for plugins that do not use the wrapper.
//
// Public header. Single-threaded.
#pragma once

#include <wasmgate/contexts.h>
#include <wasmgate/proxywasm/host.h>
#include <wasmgate/proxywasm/http.h>
