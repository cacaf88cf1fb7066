// A module compiled by V8 for the whole process: V8's CompiledWasmModule (shared native code)
// plus the parsed ModuleInfo. Every worker isolate instantiates it without recompiling.
//
// Internal to runtime/v8/. Immutable after construction, so thread-safe.
#pragma once

#include <v8.h>

#include "runtime/engine.h"

namespace wasmgate::runtime::v8backend {

class V8CompiledModule final : public CompiledModule {
 public:
  V8CompiledModule(std::string name, ModuleInfo info, v8::CompiledWasmModule compiled)
      : CompiledModule(std::move(name), std::move(info)), compiled_(std::move(compiled)) {}

  const v8::CompiledWasmModule& compiled() const { return compiled_; }

 private:
  v8::CompiledWasmModule compiled_;
};

}  // namespace wasmgate::runtime::v8backend
