// Which host function wasmgate binds to each import of a plugin module: the proxy-wasm host
// functions (module "env") of the module's ABI version, and WASI preview1 (modules
// "wasi_snapshot_preview1" and "wasi_unstable"). Used by WasmVm::create and `wasmgate inspect`.
//
// Public header. Thread-safe (immutable tables built on first use).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <wasmgate/abi.h>

#include "common/result.h"
#include "runtime/engine.h"
#include "runtime/module_info.h"

namespace wasmgate::runtime {

// The host function for import (module, name) of an `abi` module, or nullptr.
const HostFunction* findHostFunction(abi::AbiVersion abi, std::string_view module, std::string_view name);

// The host function for `import`, or an error naming the plugin, the import and the cause:
// "plugin 'x': import env.foo is not provided by wasmgate (ABI 0.2.0)", or a signature mismatch
// naming both signatures.
Result<const HostFunction*> resolveImport(abi::AbiVersion abi, const ImportInfo& import, std::string_view plugin);

// Every proxy-wasm host function offered to `abi` modules, in table order.
std::vector<const HostFunction*> proxyWasmFunctions(abi::AbiVersion abi);

// "0.1.0, 0.2.0, 0.2.1, 0.2.100"
std::string supportedAbiVersions();

}  // namespace wasmgate::runtime
