// The process-wide V8 engine: compiles modules once (per call of compile(), on the calling
// thread) and creates worker isolates that instantiate them without recompiling.
#include <memory>

#include "runtime/engine.h"
#include "runtime/v8/v8_compiled_module.h"
#include "runtime/v8/v8_platform.h"
#include "runtime/v8/v8_worker.h"

namespace wasmgate::runtime {
namespace v8backend {
namespace {

// Compilation needs an isolate. Each thread that compiles gets its own, so compiles never wait
// for each other and V8 always sees the stack of the thread it runs on. Compiled code belongs to
// the process (V8's NativeModule), not to this isolate.
class CompilerIsolate {
 public:
  CompilerIsolate() : isolate_(newIsolate()) {
    v8::Isolate::Scope isolate_scope(isolate_);
    v8::HandleScope handles(isolate_);
    context_.Reset(isolate_, v8::Context::New(isolate_));
  }
  ~CompilerIsolate() {
    context_.Reset();
    isolate_->Dispose();
  }

  Result<v8::CompiledWasmModule> compile(std::span<const uint8_t> bytes) {
    v8::Isolate::Scope isolate_scope(isolate_);
    v8::HandleScope handles(isolate_);
    v8::Local<v8::Context> context = context_.Get(isolate_);
    v8::Context::Scope context_scope(context);
    v8::TryCatch caught(isolate_);
    v8::Local<v8::WasmModuleObject> module;
    if (!v8::WasmModuleObject::Compile(isolate_, {bytes.data(), bytes.size()}).ToLocal(&module)) {
      return makeError(exceptionMessage(isolate_, context, caught.Exception()));
    }
    return module->GetCompiledModule();
  }

 private:
  v8::Isolate* isolate_;
  v8::Global<v8::Context> context_;
};

class V8Engine final : public Engine {
 public:
  explicit V8Engine(const EngineOptions& options) { initializeV8(options); }

  Result<std::shared_ptr<const CompiledModule>> compile(std::span<const uint8_t> bytes, std::string name) override {
    // The parser gives clear errors for files that are not wasm at all, and the ModuleInfo.
    Result<ModuleInfo> info = parseModule(bytes);
    if (!info) return makeError(name + ": " + info.message());
    thread_local CompilerIsolate compiler;
    Result<v8::CompiledWasmModule> compiled = compiler.compile(bytes);
    if (!compiled) return makeError(name + ": " + compiled.message());
    return std::shared_ptr<const CompiledModule>(
        std::make_shared<V8CompiledModule>(std::move(name), std::move(info).value(), std::move(compiled).value()));
  }

  std::unique_ptr<WorkerEngine> newWorker() override { return std::make_unique<V8Worker>(); }
};

}  // namespace
}  // namespace v8backend

Engine& v8Engine(const EngineOptions& options) {
  // Never destroyed: V8 cannot be torn down and set up again, and static destruction order
  // would otherwise race worker threads still finishing at exit.
  static Engine* engine = new v8backend::V8Engine(options);
  return *engine;
}

}  // namespace wasmgate::runtime
