// `wasmgate inspect PLUGIN.wasm`: what a module declares and whether wasmgate can load it (the
// module is compiled and started, as the gateway would, once its imports check out). Every
// import is checked against the host functions of the module's ABI version, so a plugin built for
// another host shows exactly which functions are missing or declared differently.
#include <iostream>
#include <string>
#include <vector>

#include "runtime/engine.h"
#include "runtime/hostcalls/table.h"
#include "runtime/module_info.h"
#include "runtime/vm.h"
#include "tools/cli.h"
#include "tools/watchdog.h"

namespace wasmgate::tools {
namespace {

using runtime::ExternKind;
using runtime::ModuleInfo;

std::string describeStart(const ModuleInfo& info) {
  std::string_view start = info.startFunction();
  if (start == "_initialize") return "_initialize (WASI reactor)";
  if (start == "_start") return "_start (WASI command)";
  return "none";
}

std::string describeAllocator(const ModuleInfo& info) {
  std::string_view alloc = info.allocator();
  if (alloc.empty()) return "none (the host cannot pass data into this plugin)";
  return std::string(alloc);
}

std::string describeMemory(const ModuleInfo& info) {
  if (!info.memory) return "none";
  const auto& m = *info.memory;
  std::string text = std::to_string(m.min_pages) + " pages (" + std::to_string(m.min_pages * 64) + " KiB) initial, ";
  text += m.max_pages ? "max " + std::to_string(*m.max_pages) + " pages" : "no maximum";
  if (m.imported) text += ", imported";
  return text;
}

// "(i32) -> i32" for functions, the kind name otherwise.
std::string describeType(ExternKind kind, const runtime::FuncSig& sig) {
  if (kind == ExternKind::Function) return runtime::toString(sig);
  return std::string("(") + runtime::externKindName(kind) + ")";
}

// Inspection does not show what the plugin logs while it starts.
class SilentLog : public runtime::LogHost {
 public:
  void log(abi::LogLevel, std::string_view, std::string_view) override {}
};

// Compiles and starts the module as the gateway would (engine validation, import binding,
// export signatures, _initialize/_start); the error says what stopped it.
Status tryLoad(const std::vector<uint8_t>& bytes, const std::string& name) {
  auto compiled = runtime::v8Engine().compile(bytes, name);
  if (!compiled.ok()) return compiled.error();
  auto worker = runtime::v8Engine().newWorker();
  SilentLog silent;
  runtime::VmConfig config;
  config.name = name;
  config.services.log = &silent;
  Watchdog watchdog(*worker, std::chrono::seconds(10));
  auto vm = runtime::WasmVm::create(*worker, *compiled, std::move(config));
  if (!vm.ok()) return watchdog.fired() ? makeError(vm.message() + " (stopped after 10 s)") : vm.error();
  return {};
}

// Why the host cannot bind this import, or "" if it can.
std::string importProblem(abi::AbiVersion abi, const runtime::ImportInfo& imp) {
  if (imp.kind != ExternKind::Function) return "wasmgate provides only functions";
  const runtime::HostFunction* fn = runtime::findHostFunction(abi, imp.module, imp.name);
  if (fn == nullptr) return std::string("not provided by wasmgate (ABI ") + abi::abiVersionName(abi) + ")";
  if (!(fn->sig == imp.sig)) return "wasmgate provides " + runtime::toString(fn->sig);
  return "";
}

}  // namespace

int runInspect(Args args) {
  if (args.empty()) return usageError("inspect", "missing PLUGIN.wasm");
  if (args.size() > 1) return usageError("inspect", "unexpected argument '" + std::string(args[1]) + "'");
  const std::string path = args[0];
  auto bytes = readBinaryFile(path);
  if (!bytes.ok()) {
    std::cout << "error: " << bytes.message() << "\n";
    return kExitFailed;
  }
  auto parsed = runtime::parseModule(*bytes);
  if (!parsed.ok()) {
    std::cout << "file:    " << path << " (" << bytes->size() << " bytes)\n"
              << "cannot load in wasmgate: " << parsed.message() << "\n";
    if (auto hint = explainFailure(parsed.message()); !hint.empty()) std::cout << "hint: " << hint << "\n";
    return kExitFailed;
  }
  const ModuleInfo& info = *parsed;
  std::vector<std::string> problems;

  abi::AbiVersion abi = info.abiVersion();
  std::cout << "file:       " << path << " (" << info.size_bytes << " bytes)\n";
  if (abi == abi::AbiVersion::Unknown) {
    std::cout << "abi:        none (no proxy_abi_version_* export)\n";
    problems.push_back("no proxy_abi_version_* export; wasmgate supports " + runtime::supportedAbiVersions());
    abi = abi::AbiVersion::V0_2_100;  // judge the imports against the newest ABI
  } else {
    std::cout << "abi:        " << abi::abiVersionName(abi) << "\n";
  }
  std::cout << "start:      " << describeStart(info) << "\n"
            << "allocator:  " << describeAllocator(info) << "\n"
            << "memory:     " << describeMemory(info) << "\n";

  std::cout << "imports (" << info.imports.size() << "):\n";
  for (const auto& imp : info.imports) {
    std::cout << "  " << imp.module << "." << imp.name << " " << describeType(imp.kind, imp.sig);
    std::string problem = importProblem(abi, imp);
    if (!problem.empty()) {
      std::cout << "  <-- " << problem;
      problems.push_back("import " + imp.module + "." + imp.name + ": " + problem);
    }
    std::cout << "\n";
  }
  std::cout << "exports (" << info.exports.size() << "):\n";
  for (const auto& exp : info.exports) std::cout << "  " << exp.name << " " << describeType(exp.kind, exp.sig) << "\n";
  if (!info.custom_sections.empty()) {
    std::cout << "custom sections:";
    for (const auto& name : info.custom_sections) std::cout << " " << name;
    std::cout << "\n";
  }

  // The parser checks structure and imports only; loading validates the code and the exports
  // and runs the start function.
  if (problems.empty()) {
    if (Status loaded = tryLoad(*bytes, pluginNameFromPath(path)); !loaded.ok()) problems.push_back(loaded.message());
  }
  if (problems.empty()) {
    std::cout << "verdict:    loads in wasmgate\n";
    return kExitOk;
  }
  std::cout << "verdict:    cannot load in wasmgate:\n";
  for (const auto& p : problems) std::cout << "  - " << p << "\n";
  if (auto hint = explainFailure(problems.front()); !hint.empty()) std::cout << "hint: " << hint << "\n";
  return kExitFailed;
}

}  // namespace wasmgate::tools
