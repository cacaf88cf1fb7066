// Worker isolates: creation, instantiation of compiled modules, and termination from any thread.
#include "runtime/v8/v8_worker.h"

#include <libplatform/libplatform.h>

#include <new>

#include "runtime/v8/v8_compiled_module.h"
#include "runtime/v8/v8_instance.h"
#include "runtime/v8/v8_platform.h"

namespace wasmgate::runtime::v8backend {

namespace {

// The worker isolate left entered on this thread (see WorkerIsolate::isEnteredHere).
thread_local WorkerIsolate* t_entered = nullptr;

// Exits the isolate left entered when the thread ends, so it can be disposed from elsewhere.
struct ExitAtThreadEnd {
  ~ExitAtThreadEnd() {
    if (t_entered != nullptr) t_entered->isolate->Exit();
    t_entered = nullptr;
  }
};

}  // namespace

bool WorkerIsolate::isEnteredHere() const { return t_entered == this; }

void EnteredIsolate::enter(WorkerIsolate& worker) {
  // Switching the entered isolate is only possible when the one entered is idle; inside a call
  // (a host function using another worker) enter just for this scope, keeping V8's entry stack
  // in order.
  if (t_entered != nullptr && t_entered->call_depth > 0) {
    worker.isolate->Enter();
    scoped_ = worker.isolate;
    return;
  }
  static thread_local ExitAtThreadEnd exit_at_thread_end;
  (void)exit_at_thread_end;
  if (t_entered != nullptr) t_entered->isolate->Exit();
  worker.isolate->Enter();
  t_entered = &worker;
}

WorkerIsolate::WorkerIsolate() : isolate(newIsolate()) {
  v8::Isolate::Scope isolate_scope(isolate);
  {
    v8::HandleScope handles(isolate);
    v8::Local<v8::Context> ctx = v8::Context::New(isolate);
    v8::Context::Scope context_scope(ctx);
    context.Reset(isolate, ctx);
    // WebAssembly.Instance is the only way V8 10.2 offers to instantiate a module.
    v8::Local<v8::Value> wasm = ctx->Global()->Get(ctx, v8String(isolate, "WebAssembly")).ToLocalChecked();
    v8::Local<v8::Value> ctor = wasm.As<v8::Object>()->Get(ctx, v8String(isolate, "Instance")).ToLocalChecked();
    instance_constructor.Reset(isolate, ctor.As<v8::Function>());
  }
  // Without an open scope below them, every HandleScope the runtime opens (one per call into the
  // guest, one per fresh memory view) starts with no block of handles: its first handle
  // allocates one and closing it gives the block back, ~200 instructions each time. This scope,
  // holding one handle, keeps a block for the isolate's life. It is the isolate's outermost scope:
  // closed last, in the destructor.
  ::new (base_scope_) v8::HandleScope(isolate);
  (void)context.Get(isolate);
}

WorkerIsolate::~WorkerIsolate() {
  // Handles go before the isolate, and V8 refuses to dispose an isolate that is entered.
  host_trap_exception.Reset();
  wrapper_modules.clear();
  fast_function.Reset();
  cross_chains.clear();
  instance_constructor.Reset();
  context.Reset();
  std::launder(reinterpret_cast<v8::HandleScope*>(base_scope_))->~HandleScope();
  if (t_entered == this) {
    isolate->Exit();
    t_entered = nullptr;
  }
  isolate->Dispose();
}

void WorkerIsolate::endOutermostCall() {
  running.store(false);
  // A terminate() that saw running == true is about to (or did) request termination; wait for
  // it, then cancel what it requested, since the call it aimed at is over.
  while (terminators.load() != 0) std::this_thread::yield();
  // No terminate() can set the flag from here on (running is false and none is in flight).
  if (terminate_requested.load(std::memory_order_relaxed)) {
    terminate_requested.store(false, std::memory_order_relaxed);
    isolate->CancelTerminateExecution();
  }
}

void WorkerIsolate::terminate() {
  terminators.fetch_add(1);
  if (running.load()) {
    terminate_requested.store(true);
    isolate->TerminateExecution();
  }
  terminators.fetch_sub(1);
}

Result<std::unique_ptr<Instance>> V8Worker::instantiate(const CompiledModule& module,
                                                        std::span<const HostFunction* const> imports) {
  auto fail = [&](const std::string& why) {
    return makeError("instantiating " + module.name() + ": " + why);
  };
  if (!isolate_->onOwnerThread()) return fail("called outside the worker's thread");
  const auto* compiled = dynamic_cast<const V8CompiledModule*>(&module);
  if (compiled == nullptr) return fail("the module was not compiled by the V8 engine");

  v8::Isolate* isolate = isolate_->isolate;
  EnteredIsolate entered(*isolate_);
  v8::HandleScope handles(isolate);
  v8::Local<v8::Context> context = isolate_->context.Get(isolate);
  v8::Context::Scope context_scope(context);

  v8::Local<v8::WasmModuleObject> module_object;
  if (!v8::WasmModuleObject::FromCompiledModule(isolate, compiled->compiled()).ToLocal(&module_object)) {
    return fail("V8 cannot load the compiled module");
  }
  auto instance = std::make_unique<V8Instance>(isolate_, module);
  if (Status s = instance->instantiate(context, module_object, imports); !s) return fail(s.message());

  // Instantiation is a natural pause to run V8's deferred foreground work (GC finalisation).
  while (v8::platform::PumpMessageLoop(&platform(), isolate)) {
  }
  return std::unique_ptr<Instance>(std::move(instance));
}

}  // namespace wasmgate::runtime::v8backend
