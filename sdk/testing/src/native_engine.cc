// The native engine's module and worker: which exports a plugin library has, which imports the
// runtime serves it, and instantiation (see native_engine.h).
#include "native_engine.h"

#include <utility>
#include <vector>

#include "native_imports.h"
#include "native_instance.h"
#include "runtime/hostcalls/table.h"

namespace wasmgate::testing::native {
namespace {

using runtime::ExternKind;
using runtime::FuncSig;
constexpr runtime::ValType I32 = runtime::ValType::I32;

// (i32 x params) -> (i32 if returns): every export the runtime calls has this shape.
FuncSig u32s(size_t params, bool returns) {
  FuncSig sig{std::vector<runtime::ValType>(params, I32), {}};
  if (returns) sig.results.push_back(I32);
  return sig;
}

struct KnownExport {
  const char* name;
  size_t params;
  bool returns;
};

// The exports the runtime may call, with their wasm signatures. The SDK's own allocators
// (malloc, proxy_on_memory_allocate) are deliberately absent: they return native pointers, and
// the runtime must allocate in the arena instead.
constexpr KnownExport kExports[] = {
    {"proxy_abi_version_0_1_0", 0, false}, {"proxy_abi_version_0_2_0", 0, false},
    {"proxy_abi_version_0_2_1", 0, false}, {"proxy_abi_version_0_2_100", 0, false},
    {"proxy_on_context_create", 2, false}, {"proxy_on_vm_start", 2, true},
    {"proxy_on_configure", 2, true},       {"proxy_on_request_headers", 3, true},
    {"proxy_on_request_body", 3, true},    {"proxy_on_request_trailers", 2, true},
    {"proxy_on_response_headers", 3, true}, {"proxy_on_response_body", 3, true},
    {"proxy_on_response_trailers", 2, true}, {"proxy_on_log", 1, false},
    {"proxy_on_done", 1, true},            {"proxy_on_delete", 1, false},
    {"proxy_on_http_call_response", 5, false}, {"proxy_on_redis_call_response", 4, false},
    {"proxy_on_tick", 1, false},           {"proxy_on_queue_ready", 2, false},
    {"proxy_on_foreign_function", 3, false},
};

std::vector<NativeExport> exportsOf(const Library& library) {
  std::vector<NativeExport> out;
  for (const KnownExport& k : kExports) {
    if (void* fn = library.symbol(k.name)) out.push_back({k.name, u32s(k.params, k.returns), fn});
  }
  out.push_back({"malloc", u32s(1, true), nullptr});  // the arena allocator
  return out;
}

class NativeModule final : public runtime::CompiledModule {
 public:
  NativeModule(std::string name, runtime::ModuleInfo info, std::string path, std::unique_ptr<Library> first)
      : CompiledModule(std::move(name), std::move(info)), path_(std::move(path)), first_(std::move(first)) {}

  // The library opened while loading serves the first instance, so its static initialisers run
  // once per instance, as _initialize does in wasm.
  Result<std::unique_ptr<Library>> openLibrary() const {
    if (first_) return std::move(first_);
    return Library::open(path_);
  }

 private:
  std::string path_;
  mutable std::unique_ptr<Library> first_;
};

class NativeWorker final : public runtime::WorkerEngine {
 public:
  Result<std::unique_ptr<runtime::Instance>> instantiate(
      const runtime::CompiledModule& module, std::span<const runtime::HostFunction* const> imports) override {
    const auto* native = dynamic_cast<const NativeModule*>(&module);
    if (native == nullptr) return makeError("the native engine runs only native plugin libraries (loadNative)");
    auto library = native->openLibrary();
    if (!library.ok()) return library.error();
    // Host functions by import id; the runtime resolved them in module.info().imports order.
    const auto shapes = importShapes();
    std::vector<const runtime::HostFunction*> by_id(shapes.size(), nullptr);
    const auto& declared = module.info().imports;
    for (size_t i = 0; i < declared.size() && i < imports.size(); ++i) {
      for (size_t id = 0; id < shapes.size(); ++id) {
        if (declared[i].name == shapes[id].name) by_id[id] = imports[i];
      }
    }
    std::vector<NativeExport> exports = exportsOf(*library.value());
    return std::unique_ptr<runtime::Instance>(
        new NativeInstance(std::move(library).value(), std::move(exports), std::move(by_id)));
  }

  void terminate() override {}  // native code cannot be interrupted
};

}  // namespace

Result<std::shared_ptr<const runtime::CompiledModule>> loadModule(const std::string& path, std::string name) {
  auto library = Library::open(path);
  if (!library.ok()) return library.error();
  runtime::ModuleInfo info;
  for (const NativeExport& e : exportsOf(*library.value())) {
    info.exports.push_back({e.name, ExternKind::Function, e.sig});
  }
  info.exports.push_back({"memory", ExternKind::Memory, {}});
  info.memory = runtime::MemoryInfo{};
  // The imports the runtime serves for the plugin's ABI; an import it lacks answers Unimplemented.
  const abi::AbiVersion abi = info.abiVersion();
  for (const ImportShape& shape : importShapes()) {
    if (const runtime::HostFunction* fn = runtime::findHostFunction(abi, "env", shape.name)) {
      info.imports.push_back({"env", shape.name, ExternKind::Function, fn->sig});
    }
  }
  return std::shared_ptr<const runtime::CompiledModule>(
      std::make_shared<NativeModule>(std::move(name), std::move(info), path, std::move(library).value()));
}

std::unique_ptr<runtime::WorkerEngine> newWorker() { return std::make_unique<NativeWorker>(); }

}  // namespace wasmgate::testing::native
