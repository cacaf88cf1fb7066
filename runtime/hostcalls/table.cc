// The import table: proxy-wasm host functions per ABI version, plus WASI.
#include "runtime/hostcalls/table.h"

#include <map>
#include <utility>

#include "runtime/hostcalls/hostcalls.h"
#include "runtime/wasi.h"

namespace wasmgate::runtime {
namespace hostcalls {

uint8_t abiBit(abi::AbiVersion v) {
  switch (v) {
    case abi::AbiVersion::V0_1_0: return kAbi010;
    case abi::AbiVersion::V0_2_0: return kAbi020;
    case abi::AbiVersion::V0_2_1: return kAbi021;
    case abi::AbiVersion::V0_2_100: return kAbi02100;
    case abi::AbiVersion::Unknown: break;
  }
  return 0;
}

FuncSig i32Sig(size_t params) { return FuncSig{std::vector<ValType>(params, ValType::I32), {ValType::I32}}; }

}  // namespace hostcalls

namespace {

using Key = std::pair<std::string_view, std::string_view>;  // (module, name)

struct Table {
  std::vector<hostcalls::Entry> proxy;  // every "env" function, in group order
  std::map<Key, const hostcalls::Entry*> env;
  std::map<Key, const HostFunction*> wasi;
};

const Table& table() {
  static const Table t = [] {
    Table t;
    using Group = std::span<const hostcalls::Entry> (*)();
    for (Group group : {hostcalls::logTimeStatusFunctions, hostcalls::headerMapFunctions,
                        hostcalls::bufferFunctions, hostcalls::propertyFunctions,
                        hostcalls::streamControlFunctions, hostcalls::httpCallFunctions,
                        hostcalls::redisFunctions, hostcalls::sharedDataFunctions, hostcalls::metricFunctions,
                        hostcalls::contextFunctions, hostcalls::foreignFunctions,
                        hostcalls::extensionFunctions}) {
      for (const auto& e : group()) t.proxy.push_back(e);
    }
    for (const auto& e : t.proxy) t.env.emplace(Key{e.fn.module, e.fn.name}, &e);
    for (const auto& f : wasiFunctions()) t.wasi.emplace(Key{f.module, f.name}, &f);
    return t;
  }();
  return t;
}

}  // namespace

const HostFunction* findHostFunction(abi::AbiVersion abi, std::string_view module, std::string_view name) {
  const Table& t = table();
  if (auto it = t.env.find(Key{module, name}); it != t.env.end()) {
    return (it->second->abis & hostcalls::abiBit(abi)) != 0 ? &it->second->fn : nullptr;
  }
  if (auto it = t.wasi.find(Key{module, name}); it != t.wasi.end()) return it->second;
  return nullptr;
}

Result<const HostFunction*> resolveImport(abi::AbiVersion abi, const ImportInfo& import, std::string_view plugin) {
  const std::string prefix = "plugin '" + std::string(plugin) + "': import " + import.module + "." + import.name;
  if (import.kind != ExternKind::Function) {
    return makeError(prefix + " is a " + externKindName(import.kind) +
                     "; wasmgate provides only functions (the module must define its own memory and tables)");
  }
  const HostFunction* fn = findHostFunction(abi, import.module, import.name);
  if (fn == nullptr) {
    return makeError(prefix + " is not provided by wasmgate (ABI " + abi::abiVersionName(abi) + ")");
  }
  if (!(fn->sig == import.sig)) {
    return makeError(prefix + " has signature " + toString(import.sig) + ", but wasmgate provides " +
                     toString(fn->sig));
  }
  return fn;
}

std::vector<const HostFunction*> proxyWasmFunctions(abi::AbiVersion abi) {
  std::vector<const HostFunction*> out;
  for (const auto& e : table().proxy) {
    if ((e.abis & hostcalls::abiBit(abi)) != 0) out.push_back(&e.fn);
  }
  return out;
}

std::string supportedAbiVersions() { return "0.1.0, 0.2.0, 0.2.1, 0.2.100"; }

}  // namespace wasmgate::runtime
