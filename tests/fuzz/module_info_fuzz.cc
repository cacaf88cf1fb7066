// libFuzzer target for the wasm binary parser (runtime/module_info.cc): any byte string must
// yield a ModuleInfo or an Error, never a crash, a hang or undefined behaviour (run under ASan
// and UBSan). On success the helpers that read the result are exercised too.
#include <cstddef>
#include <cstdint>
#include <span>

#include "runtime/module_info.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wasmgate;
  using namespace wasmgate::runtime;
  Result<ModuleInfo> parsed = parseModule(std::span(data, size));
  if (!parsed.ok()) {
    if (parsed.message().empty()) __builtin_trap();  // every error must say something
    return 0;
  }
  const ModuleInfo& info = parsed.value();
  if (info.size_bytes != size) __builtin_trap();
  (void)info.abiVersion();
  (void)info.startFunction();
  (void)info.allocator();
  for (const ImportInfo& imp : info.imports) {
    (void)toString(imp.sig);
    if (info.findImport(imp.module, imp.name) == nullptr) __builtin_trap();
  }
  for (const ExportInfo& exp : info.exports) {
    (void)toString(exp.sig);
    (void)externKindName(exp.kind);
    if (info.findExport(exp.name) == nullptr) __builtin_trap();
  }
  return 0;
}
