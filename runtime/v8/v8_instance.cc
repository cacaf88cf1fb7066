// Calls across the wasm/host boundary. Both directions are hot (every proxy-wasm callback and
// every host function goes through here), so values are converted by hand from the signature,
// with no allocation on the success path.
#include "runtime/v8/v8_instance.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <new>

#include <libplatform/libplatform.h>

#include "runtime/guest_memory.h"
#include "runtime/sequence_module.h"
#include "runtime/v8/v8_call.h"
#include "runtime/v8/v8_fast_call.h"
#include "runtime/v8/v8_platform.h"

namespace wasmgate::runtime::v8backend {
namespace {

// The small integer V8 hands over for almost every i32, read the way V8's own inline helpers
// (Value::IsUndefined, ReturnValue::Set) read tagged values; nullopt for anything else.
std::optional<int32_t> smiValue(v8::Local<v8::Value> value) {
  using I = v8::internal::Internals;
  const auto raw = *reinterpret_cast<const v8::internal::Address*>(*value);
  if (I::HasHeapObjectTag(raw)) return std::nullopt;
  return I::SmiValue(raw);
}

}  // namespace

uint64_t toWord(v8::Local<v8::Value> value, ValType type, v8::Isolate* isolate) {
  switch (type) {
    case ValType::I32:
      if (std::optional<int32_t> small = smiValue(value)) return static_cast<uint32_t>(*small);
      return static_cast<uint32_t>(value->Int32Value(isolate->GetCurrentContext()).FromMaybe(0));
    case ValType::I64:
      return value->IsBigInt() ? value.As<v8::BigInt>()->Uint64Value() : 0;
    case ValType::F32:
      return std::bit_cast<uint32_t>(static_cast<float>(value->NumberValue(isolate->GetCurrentContext()).FromMaybe(0)));
    case ValType::F64:
      return std::bit_cast<uint64_t>(value->NumberValue(isolate->GetCurrentContext()).FromMaybe(0));
    default:
      return 0;  // references and v128 never cross as words (rejected at instantiation)
  }
}

namespace {

// Pending foreground tasks (GC finalisation and the like) are run every this many outermost calls.
constexpr uint32_t kCallsPerTaskPump = 1024;

// Deferred copies stop paying above this: the bytes are copied twice (here, then into the guest),
// and for large ones that costs more than the engine entry it saves.
constexpr size_t kMaxDeferredCopy = 4096;

v8::Local<v8::Value> fromWord(v8::Isolate* isolate, uint64_t word, ValType type) {
  switch (type) {
    case ValType::I32: return v8::Integer::New(isolate, static_cast<int32_t>(word));
    case ValType::I64: return v8::BigInt::New(isolate, static_cast<int64_t>(word));
    case ValType::F32: return v8::Number::New(isolate, std::bit_cast<float>(static_cast<uint32_t>(word)));
    case ValType::F64: return v8::Number::New(isolate, std::bit_cast<double>(word));
    default: return v8::Undefined(isolate);
  }
}

bool isWordType(ValType t) { return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64; }

}  // namespace

// A host function asked to trap: throw into the guest so the call unwinds, and remember the
// host's message for the Instance::call() that catches it. Off the hot path on purpose.
[[gnu::noinline, gnu::cold]] void throwHostTrap(v8::Isolate* isolate, V8Instance& instance, HostCall& call) {
  // While terminating, the termination already unwinds the guest; throwing would replace it.
  if (isolate->IsExecutionTerminating()) return;
  WorkerIsolate& worker = instance.worker();
  v8::Local<v8::Value> exception = v8::Exception::Error(v8String(isolate, call.trap_message));
  worker.host_trap_exception.Reset(isolate, exception);
  worker.host_trap_message = std::move(call.trap_message);
  isolate->ThrowException(exception);
}

namespace {

const ImportBinding& bindingOf(const v8::FunctionCallbackInfo<v8::Value>& info) {
  return *static_cast<const ImportBinding*>(info.Data().As<v8::External>()->Value());
}

// The arguments of an import whose parameters are all i32, as words.
void readI32Args(const v8::FunctionCallbackInfo<v8::Value>& info, const ImportBinding& binding, uint64_t* args) {
  v8::Isolate* isolate = info.GetIsolate();
  const int param_count = static_cast<int>(binding.param_count);
  for (int i = 0; i < param_count; ++i) args[i] = toWord(info[i], ValType::I32, isolate);
}

// The callback behind imports whose parameters are all i32 and whose result is none or an i32:
// nearly every proxy-wasm and WASI function, so it is kept as short as possible.
void hostTrampolineI32(const v8::FunctionCallbackInfo<v8::Value>& info) {
  const ImportBinding& binding = bindingOf(info);
  binding.instance->forgetMemoryView();
  v8::Isolate* isolate = info.GetIsolate();
  uint64_t args[kMaxParams];
  readI32Args(info, binding, args);
  HostCall call{binding.instance, args, 0, false, {}};
  binding.fn(call);
  if (call.trapped) return throwHostTrap(isolate, *binding.instance, call);
  if (binding.has_result) info.GetReturnValue().Set(static_cast<int32_t>(call.result));
}

// The callback behind imports marked HostFunction::copies_out (i32 only, with an i32 result):
// like hostTrampolineI32, except that when the host function began a deferred copy it answers
// kCopyOutPending | size, and the import wrapper module in front of it allocates and calls
// "complete".
void hostTrampolineCopyOut(const v8::FunctionCallbackInfo<v8::Value>& info) {
  const ImportBinding& binding = bindingOf(info);
  V8Instance& instance = *binding.instance;
  instance.forgetMemoryView();
  v8::Isolate* isolate = info.GetIsolate();
  uint64_t args[kMaxParams];
  readI32Args(info, binding, args);
  HostCall call{&instance, args, 0, false, {}, instance.copyOutDeferral()};
  const uint32_t answer = answerImport(instance, binding, call);
  if (call.trapped) return throwHostTrap(isolate, instance, call);
  info.GetReturnValue().Set(static_cast<int32_t>(answer));
}

// The import wrapper module's "complete" (V8Instance::completeCopyOut), for wrappers that are
// not fast.
void copyOutComplete(const v8::FunctionCallbackInfo<v8::Value>& info) {
  V8Instance& instance = *static_cast<V8Instance*>(info.Data().As<v8::External>()->Value());
  const auto address = static_cast<uint32_t>(toWord(info[0], ValType::I32, info.GetIsolate()));
  info.GetReturnValue().Set(static_cast<int32_t>(instance.completeCopyOut(address)));
}

// The callback behind every other import: any mix of i32, i64, f32 and f64.
void hostTrampoline(const v8::FunctionCallbackInfo<v8::Value>& info) {
  const ImportBinding& binding = bindingOf(info);
  binding.instance->forgetMemoryView();
  const FuncSig& sig = *binding.sig;
  v8::Isolate* isolate = info.GetIsolate();
  uint64_t args[kMaxParams];
  const int param_count = static_cast<int>(binding.param_count);
  for (int i = 0; i < param_count; ++i) args[i] = toWord(info[i], sig.params[i], isolate);
  HostCall call{binding.instance, args, 0, false, {}};
  binding.fn(call);
  if (call.trapped) return throwHostTrap(isolate, *binding.instance, call);
  if (sig.results.empty()) return;
  switch (sig.results[0]) {
    case ValType::I32: info.GetReturnValue().Set(static_cast<int32_t>(call.result)); break;
    case ValType::I64: info.GetReturnValue().Set(v8::BigInt::New(isolate, static_cast<int64_t>(call.result))); break;
    default: info.GetReturnValue().Set(fromWord(isolate, call.result, sig.results[0]));
  }
}

std::string importName(const ImportInfo& imp) { return imp.module + "." + imp.name; }

}  // namespace

V8Instance::V8Instance(std::shared_ptr<WorkerIsolate> worker, const CompiledModule& module)
    : worker_(std::move(worker)), info_(module.info()) {}

V8Instance::~V8Instance() {
  std::erase_if(worker_->cross_chains, [this](const std::unique_ptr<V8CrossChain>& chain) {
    return std::find(chain->members.begin(), chain->members.end(), this) != chain->members.end();
  });
}

std::span<uint8_t> PendingCopyOut::begin(size_t size, uint32_t to_ptr, uint32_t to_size, uint32_t failure) {
  if (active || size == 0 || size > kMaxDeferredCopy) return {};
  active = true;
  bytes.resize(size);
  ptr_ptr = to_ptr;
  size_ptr = to_size;
  failure_result = failure;
  return bytes;
}

uint32_t V8Instance::completeCopyOut(uint32_t address) {
  forgetMemoryView();  // the allocator ran: memory may have grown
  PendingCopyOut& pending = copy_out_;
  if (!pending.active) return pending.failure_result;
  pending.active = false;
  const auto size = static_cast<uint32_t>(pending.bytes.size());
  GuestMemory memory(*this);
  const std::string_view bytes(reinterpret_cast<const char*>(pending.bytes.data()), size);
  if (address != 0 && memory.write(address, bytes) && memory.store<uint32_t>(pending.ptr_ptr, address) &&
      memory.store<uint32_t>(pending.size_ptr, size)) {
    return pending.result;
  }
  return pending.failure_result;
}

Status V8Instance::instantiate(v8::Local<v8::Context> context, v8::Local<v8::Value> module_object,
                               std::span<const HostFunction* const> imports) {
  v8::Isolate* isolate = worker_->isolate;
  if (imports.size() != info_.imports.size()) {
    return makeError(std::to_string(imports.size()) + " host functions given for " +
                     std::to_string(info_.imports.size()) + " imports");
  }
  // Copying imports go through the import wrapper module only if the guest has an allocator to
  // call; fast ones always do.
  const ExportInfo* allocator = info_.allocator().empty() ? nullptr : info_.findExport(info_.allocator());
  // A named signature, not a temporary in the comparison: with profile-guided inlining GCC 12
  // took the temporary's vectors for dangling (-Wdangling-pointer, a false positive).
  static const FuncSig kAllocatorSig{{ValType::I32}, {ValType::I32}};
  const bool can_wrap = allocator != nullptr && allocator->sig == kAllocatorSig;
  bindings_ = std::make_unique<ImportBinding[]>(imports.size());
  import_count_ = static_cast<uint32_t>(imports.size());
  std::vector<v8::Local<v8::Value>> functions(imports.size());
  std::vector<WrappedImport> wrapped;
  for (size_t i = 0; i < imports.size(); ++i) {
    const ImportInfo& imp = info_.imports[i];
    if (imp.kind != ExternKind::Function) {
      return makeError("import " + importName(imp) + " is a " + externKindName(imp.kind) +
                       "; only function imports can be provided");
    }
    const HostFunction* host = imports[i];
    if (host == nullptr || host->fn == nullptr) return makeError("import " + importName(imp) + " is not provided");
    if (host->sig != imp.sig) {
      return makeError("import " + importName(imp) + " has signature " + toString(imp.sig) +
                       " but the host function has " + toString(host->sig));
    }
    bool words_only = imp.sig.params.size() <= kMaxParams && imp.sig.results.size() <= 1;
    for (ValType t : imp.sig.params) words_only = words_only && isWordType(t);
    for (ValType t : imp.sig.results) words_only = words_only && isWordType(t);
    if (!words_only) return makeError("import " + importName(imp) + ": signature " + toString(imp.sig) + " unsupported");

    bool i32_only = imp.sig.results.empty() || imp.sig.results[0] == ValType::I32;
    for (ValType t : imp.sig.params) i32_only = i32_only && t == ValType::I32;
    const bool copying = can_wrap && host->copies_out && i32_only && imp.sig.results.size() == 1;
    const bool fast = host->fast && i32_only && imp.sig.params.size() <= kFastParams &&
                      !fastImportFunction(*worker_).IsEmpty();
    if (copying || fast) {
      wrapped.push_back(WrappedImport{static_cast<uint32_t>(imp.sig.params.size()), !imp.sig.results.empty(), copying,
                                      fast, static_cast<uint32_t>(i)});
    }
    bindings_[i] = ImportBinding{this, host->fn, &imp.sig, static_cast<uint32_t>(imp.sig.params.size()),
                                 !imp.sig.results.empty(), copying};
    v8::FunctionCallback trampoline = copying ? hostTrampolineCopyOut : i32_only ? hostTrampolineI32 : hostTrampoline;
    v8::Local<v8::Function> fn;
    if (!v8::Function::New(context, trampoline, v8::External::New(isolate, &bindings_[i]),
                           static_cast<int>(imp.sig.params.size()), v8::ConstructorBehavior::kThrow)
             .ToLocal(&fn)) {
      return makeError("import " + importName(imp) + ": cannot create the host function");
    }
    fn->SetName(v8String(isolate, imp.name));
    functions[i] = fn;
  }
  v8::Local<v8::Object> allocator_table;
  if (!wrapped.empty()) allocator_table = wrapImports(context, wrapped, functions);

  v8::Local<v8::Object> import_object = v8::Object::New(isolate);
  for (size_t i = 0; i < imports.size(); ++i) {
    const ImportInfo& imp = info_.imports[i];
    v8::Local<v8::String> module_key = v8String(isolate, imp.module);
    v8::Local<v8::Value> namespace_value;
    if (!import_object->Get(context, module_key).ToLocal(&namespace_value) || !namespace_value->IsObject()) {
      namespace_value = v8::Object::New(isolate);
      import_object->Set(context, module_key, namespace_value).Check();
    }
    namespace_value.As<v8::Object>()->Set(context, v8String(isolate, imp.name), functions[i]).Check();
  }

  v8::TryCatch caught(isolate);
  v8::Local<v8::Value> argv[] = {module_object, import_object};
  v8::Local<v8::Object> instance;
  if (!worker_->instance_constructor.Get(isolate)->NewInstance(context, 2, argv).ToLocal(&instance)) {
    return makeError(exceptionMessage(isolate, context, caught.Exception()));
  }
  v8::Local<v8::Value> exports;
  if (!instance->Get(context, v8String(isolate, "exports")).ToLocal(&exports) || !exports->IsObject()) {
    return makeError("the instance has no exports object");
  }
  exports_.Reset(isolate, exports.As<v8::Object>());
  for (const ExportInfo& e : info_.exports) {
    if (e.kind != ExternKind::Memory) continue;
    v8::Local<v8::Value> memory;
    if (exports.As<v8::Object>()->Get(context, v8String(isolate, e.name)).ToLocal(&memory) &&
        memory->IsWasmMemoryObject()) {
      memory_.Reset(isolate, memory.As<v8::WasmMemoryObject>());
    }
    break;
  }
  if (!allocator_table.IsEmpty()) setAllocator(context, allocator_table, exports.As<v8::Object>());
  return {};
}

v8::Local<v8::Object> V8Instance::wrapImports(v8::Local<v8::Context> context, const std::vector<WrappedImport>& wrapped,
                                              std::vector<v8::Local<v8::Value>>& functions) {
  v8::Isolate* isolate = worker_->isolate;
  std::vector<uint8_t> bytes = importWrapperModule(wrapped);
  const bool any_fast = std::any_of(wrapped.begin(), wrapped.end(), [](const WrappedImport& w) { return w.fast; });

  v8::TryCatch caught(isolate);
  v8::Local<v8::WasmModuleObject> module;
  std::string key(bytes.begin(), bytes.end());
  auto& compiled = worker_->wrapper_modules;
  if (auto it = compiled.find(key); it != compiled.end()) {
    module = it->second.Get(isolate);
  } else {
    if (!v8::WasmModuleObject::Compile(isolate, {bytes.data(), bytes.size()}).ToLocal(&module)) return {};
    compiled[std::move(key)].Reset(isolate, module);
  }
  v8::Local<v8::Object> host = v8::Object::New(isolate);
  v8::Local<v8::Function> complete;
  if (!v8::Function::New(context, copyOutComplete, v8::External::New(isolate, this), 1, v8::ConstructorBehavior::kThrow)
           .ToLocal(&complete) ||
      host->Set(context, v8String(isolate, "complete"), complete).IsNothing()) {
    return {};
  }
  if (any_fast) {
    const auto self = static_cast<int64_t>(reinterpret_cast<uintptr_t>(this));
    if (host->Set(context, v8String(isolate, "instance"), v8::BigInt::New(isolate, self)).IsNothing() ||
        host->Set(context, v8String(isolate, "fast"), fastImportFunction(*worker_)).IsNothing()) {
      return {};
    }
  }
  for (size_t k = 0; k < wrapped.size(); ++k) {
    const WrappedImport& w = wrapped[k];
    if (host->Set(context, v8String(isolate, std::to_string(k)), functions[w.index]).IsNothing()) return {};
  }
  v8::Local<v8::Object> import_object = v8::Object::New(isolate);
  if (import_object->Set(context, v8String(isolate, "host"), host).IsNothing()) return {};
  v8::Local<v8::Value> argv[] = {module, import_object};
  v8::Local<v8::Object> instance;
  v8::Local<v8::Value> exports, table;
  if (!worker_->instance_constructor.Get(isolate)->NewInstance(context, 2, argv).ToLocal(&instance) ||
      !instance->Get(context, v8String(isolate, "exports")).ToLocal(&exports) || !exports->IsObject() ||
      !exports.As<v8::Object>()->Get(context, v8String(isolate, "alloc")).ToLocal(&table) || !table->IsObject()) {
    return {};
  }
  std::vector<v8::Local<v8::Value>> wrappers(wrapped.size());
  for (size_t k = 0; k < wrapped.size(); ++k) {
    if (!exports.As<v8::Object>()->Get(context, v8String(isolate, std::to_string(k))).ToLocal(&wrappers[k]) ||
        !wrappers[k]->IsFunction()) {
      return {};
    }
  }
  for (size_t k = 0; k < wrapped.size(); ++k) functions[wrapped[k].index] = wrappers[k];
  return table.As<v8::Object>();
}

// Table slot 0 of the import wrapper module becomes the guest's allocator; until then (the plugin's
// start function, if any) copying imports allocate the old way.
void V8Instance::setAllocator(v8::Local<v8::Context> context, v8::Local<v8::Object> table,
                              v8::Local<v8::Object> exports) {
  v8::Isolate* isolate = worker_->isolate;
  v8::TryCatch caught(isolate);
  v8::Local<v8::Value> allocator, set;
  if (!exports->Get(context, v8String(isolate, info_.allocator())).ToLocal(&allocator) || !allocator->IsFunction() ||
      !table->Get(context, v8String(isolate, "set")).ToLocal(&set) || !set->IsFunction()) {
    return;
  }
  v8::Local<v8::Value> argv[] = {v8::Integer::New(isolate, 0), allocator};
  copy_out_ready_ = !set.As<v8::Function>()->Call(context, table, 2, argv).IsEmpty();
}

std::span<uint8_t> V8Instance::memory() {
  if (memory_view_valid_) return memory_view_;
  if (memory_.IsEmpty()) return {};
  assert(worker_->onOwnerThread() && "an Instance is used only on its worker's thread");
  // memory.grow detaches the memory's ArrayBuffer. When V8 grows it in place (the usual case: a
  // wasm32 memory reserves its whole address range), the new buffer shares the backing store,
  // whose data pointer stays and whose length V8 updates; the store then has as many owners as
  // when the last view was taken (the old buffer's reference went to the new one). When V8 had to
  // move the memory to a new store, the old one lost the old buffer's reference: fewer owners, and
  // the view is taken afresh through the API. Reading the store skips the handles and the heap
  // objects the API touches for every host call.
  if (memory_store_ && memory_store_.use_count() == memory_store_owners_) {
    memory_view_ = {static_cast<uint8_t*>(memory_store_->Data()), memory_store_->ByteLength()};
    memory_view_valid_ = true;
    return memory_view_;
  }
  // A host function runs inside a call into the guest, where the isolate is entered and the
  // call's HandleScope is open; the view's two handles may go there instead of into a scope of
  // their own (a host call takes a fresh view, as the guest may have grown its memory since the
  // last one). Bounded, so that a guest making many host calls in one call does not pile up
  // handles until it returns.
  constexpr uint32_t kUnscopedViewsPerCall = 256;
  if (worker_->call_depth > 0 && worker_->unscoped_views < kUnscopedViewsPerCall) {
    ++worker_->unscoped_views;
    return takeMemoryView();
  }
  EnteredIsolate entered(*worker_);
  v8::HandleScope handles(worker_->isolate);
  return takeMemoryView();
}

std::span<uint8_t> V8Instance::takeMemoryView() {
  v8::Isolate* isolate = worker_->isolate;
  // memory.grow detaches the ArrayBuffer a view came from: the current one, and its store.
  v8::Local<v8::ArrayBuffer> buffer = memory_.Get(isolate)->Buffer();
  memory_view_ = {static_cast<uint8_t*>(buffer->Data()), buffer->ByteLength()};
  memory_view_valid_ = true;
  memory_store_ = buffer->GetBackingStore();
  memory_store_owners_ = memory_store_.use_count();
  return memory_view_;
}

std::optional<FunctionHandle> V8Instance::function(std::string_view name) {
  for (size_t i = 0; i < functions_.size(); ++i) {
    if (functions_[i].name == name) return FunctionHandle{static_cast<uint32_t>(i)};
  }
  const ExportInfo* e = info_.findExport(name);
  if (e == nullptr || e->kind != ExternKind::Function) return std::nullopt;
  bool words_only = e->sig.params.size() <= kMaxParams;
  for (ValType t : e->sig.params) words_only = words_only && isWordType(t);
  for (ValType t : e->sig.results) words_only = words_only && isWordType(t);
  if (!words_only) return std::nullopt;

  v8::Isolate* isolate = worker_->isolate;
  EnteredIsolate entered(*worker_);
  v8::HandleScope handles(isolate);
  v8::Local<v8::Context> context = worker_->context.Get(isolate);
  v8::Context::Scope context_scope(context);
  v8::Local<v8::Value> value;
  if (!exports_.Get(isolate)->Get(context, v8String(isolate, name)).ToLocal(&value) || !value->IsFunction()) {
    return std::nullopt;
  }
  functions_.push_back(ExportedFunction{std::string(name), e->sig, {}, {}});
  functions_.back().function.Reset(isolate, value.As<v8::Function>());
  return FunctionHandle{static_cast<uint32_t>(functions_.size() - 1)};
}

std::optional<FunctionHandle> V8Instance::sequence(std::span<const FunctionHandle> fns) {
  if (fns.empty()) return std::nullopt;
  std::vector<FuncSig> sigs;
  std::string name = "sequence(";
  for (FunctionHandle f : fns) {
    if (f.index >= functions_.size()) return std::nullopt;
    sigs.push_back(functions_[f.index].sig);
    name += (sigs.size() > 1 ? ", " : "") + functions_[f.index].name;
  }
  name += ")";
  FuncSig run_sig = sequenceSignature(sigs);
  if (run_sig.params.size() > kMaxParams || run_sig.results.size() > 1) return std::nullopt;
  const std::vector<uint8_t> bytes = sequenceModule(sigs);

  JsScope scope(*worker_);
  v8::Isolate* isolate = worker_->isolate;
  v8::Local<v8::Context> context = scope.context;
  v8::Local<v8::WasmModuleObject> module;
  if (!v8::WasmModuleObject::Compile(isolate, {bytes.data(), bytes.size()}).ToLocal(&module)) return std::nullopt;
  v8::Local<v8::Object> imported = v8::Object::New(isolate);
  for (size_t i = 0; i < fns.size(); ++i) {
    v8::Local<v8::Function> fn = functions_[fns[i].index].function.Get(isolate);
    if (imported->Set(context, v8String(isolate, std::to_string(i)), fn).IsNothing()) return std::nullopt;
  }
  v8::Local<v8::Object> import_object = v8::Object::New(isolate);
  if (import_object->Set(context, v8String(isolate, "seq"), imported).IsNothing()) return std::nullopt;
  v8::Local<v8::Value> argv[] = {module, import_object};
  v8::Local<v8::Object> instance;
  if (!worker_->instance_constructor.Get(isolate)->NewInstance(context, 2, argv).ToLocal(&instance)) return std::nullopt;
  v8::Local<v8::Value> exports, run, step;
  if (!instance->Get(context, v8String(isolate, "exports")).ToLocal(&exports) || !exports->IsObject() ||
      !exports.As<v8::Object>()->Get(context, v8String(isolate, "run")).ToLocal(&run) || !run->IsFunction() ||
      !exports.As<v8::Object>()->Get(context, v8String(isolate, "step")).ToLocal(&step) || !step->IsObject()) {
    return std::nullopt;
  }
  functions_.push_back(ExportedFunction{std::move(name), std::move(run_sig), {}, {}});
  functions_.back().function.Reset(isolate, run.As<v8::Function>());
  functions_.back().step.Reset(isolate, step.As<v8::Object>());
  return FunctionHandle{static_cast<uint32_t>(functions_.size() - 1)};
}

namespace {

// Why a call into guest code failed.
Error callFailure(WorkerIsolate& worker, v8::TryCatch& caught, v8::Local<v8::Context> context) {
  v8::Isolate* isolate = worker.isolate;
  if (caught.HasTerminated()) {
    worker.fast_trap_pending = false;
    return makeError("terminated");
  }
  // A trap a fast host function answered: the import wrapper executed `unreachable` for it.
  if (worker.fast_trap_pending) {
    worker.fast_trap_pending = false;
    return makeError(std::move(worker.fast_trap_message));
  }
  // A host trap is reported with the host's own message, as long as the exception that reached
  // us is the one the host threw (a guest with exception handling could have swallowed it).
  if (!worker.host_trap_exception.IsEmpty()) {
    const bool ours = caught.Exception() == worker.host_trap_exception.Get(isolate);
    worker.host_trap_exception.Reset();
    std::string message = std::move(worker.host_trap_message);
    worker.host_trap_message.clear();
    if (ours) return makeError(std::move(message));
  }
  return makeError(exceptionMessage(isolate, context, caught.Exception()));
}

}  // namespace

Result<uint64_t> enterGuest(WorkerIsolate& worker, const v8::Global<v8::Function>& function, const FuncSig& sig,
                            std::span<const uint64_t> args, std::span<V8Instance* const> members) {
  assert(worker.onOwnerThread() && "an Instance is used only on its worker's thread");
  // A host function marked fast that tries anyway (a bug in its marking): V8 forbids running code
  // inside a fast call, so refuse rather than crash.
  if (worker.in_fast_call) return makeError("a fast host function cannot call into the guest");
  v8::Isolate* isolate = worker.isolate;
  EnteredIsolate entered(worker);
  v8::HandleScope handles(isolate);
  // No Context::Scope: Function::Call enters the function's context itself.
  v8::Local<v8::Context> context = worker.context.Get(isolate);

  // Only the handles passed are constructed: value-initialising all kMaxParams of them (a 256-byte
  // memset per call) showed up in profiles.
  alignas(v8::Local<v8::Value>) std::byte argv_storage[kMaxParams * sizeof(v8::Local<v8::Value>)];
  auto* argv = reinterpret_cast<v8::Local<v8::Value>*>(argv_storage);
  for (size_t i = 0; i < args.size(); ++i) new (&argv[i]) v8::Local<v8::Value>(fromWord(isolate, args[i], sig.params[i]));

  const bool outermost = worker.call_depth == 0;
  if (outermost) {
    ++worker.outermost_calls;
    worker.unscoped_views = 0;
    worker.beginOutermostCall();
    for (V8Instance* member : members) member->pendingCopyOut().active = false;  // left by a trapping allocator
  }
  ++worker.call_depth;
  Result<uint64_t> outcome = uint64_t{0};
  {
    v8::TryCatch caught(isolate);
    v8::Local<v8::Value> result;
    if (!function.Get(isolate)->Call(context, v8::Undefined(isolate), static_cast<int>(args.size()), argv)
             .ToLocal(&result)) {
      outcome = callFailure(worker, caught, context);
    } else if (!sig.results.empty()) {
      // Several results arrive as an array; the interface reports the first.
      if (sig.results.size() > 1 && result->IsArray()) {
        result = result.As<v8::Array>()->Get(context, 0).FromMaybe(v8::Local<v8::Value>(v8::Undefined(isolate)));
      }
      outcome = toWord(result, sig.results[0], isolate);
    }
  }
  --worker.call_depth;
  for (V8Instance* member : members) member->forgetMemoryView();
  if (outermost) {
    worker.endOutermostCall();
    if (++worker.calls_since_pump >= kCallsPerTaskPump) {
      worker.calls_since_pump = 0;
      while (v8::platform::PumpMessageLoop(&platform(), isolate)) {
      }
    }
  }
  return outcome;
}

std::optional<uint32_t> stepOf(WorkerIsolate& worker, const v8::Global<v8::Object>& step) {
  if (step.IsEmpty()) return std::nullopt;
  JsScope scope(worker);
  v8::Isolate* isolate = worker.isolate;
  v8::Local<v8::Value> value;
  if (!step.Get(isolate)->Get(scope.context, v8String(isolate, "value")).ToLocal(&value)) return std::nullopt;
  return static_cast<uint32_t>(value->Int32Value(scope.context).FromMaybe(0));
}

std::optional<uint32_t> V8Instance::sequenceStep(FunctionHandle f) {
  if (f.index >= functions_.size()) return std::nullopt;
  return stepOf(*worker_, functions_[f.index].step);
}

Result<uint64_t> V8Instance::call(FunctionHandle f, std::span<const uint64_t> args) {
  if (f.index >= functions_.size()) return makeError("invalid function handle " + std::to_string(f.index));
  const ExportedFunction& target = functions_[f.index];
  if (args.size() != target.sig.params.size()) {
    return makeError(target.name + " takes " + std::to_string(target.sig.params.size()) + " arguments, got " +
                     std::to_string(args.size()));
  }
  V8Instance* self = this;
  return enterGuest(*worker_, target.function, target.sig, args, {&self, 1});
}

const v8::Global<v8::Function>* V8Instance::exportedFunction(FunctionHandle f, const FuncSig** sig) const {
  if (f.index >= functions_.size()) return nullptr;
  *sig = &functions_[f.index].sig;
  return &functions_[f.index].function;
}

}  // namespace wasmgate::runtime::v8backend
