// The fast host function: its C entry, its V8 signature, the JS-API callback V8 uses when it
// does not take the fast path, and the answer both give the wrapper.
#include "runtime/v8/v8_fast_call.h"

#include <algorithm>
#include <string>
#include <utility>

#include "runtime/import_wrapper_module.h"
#include "runtime/v8/v8_call.h"
#include "runtime/v8/v8_fast_api.h"
#include "runtime/v8/v8_instance.h"
#include "runtime/v8/v8_platform.h"

namespace wasmgate::runtime::v8backend {

uint32_t answerImport(V8Instance& instance, const ImportBinding& binding, HostCall& call) {
  PendingCopyOut& pending = instance.pendingCopyOut();
  // Called from inside the allocator of another copy (never seen, but possible on the JS-API
  // path): that copy stays pending, and this one allocates the old way (begin() refuses).
  const bool nested = pending.active;
  binding.fn(call);
  if (call.trapped || call.retry) {
    if (!nested) pending.active = false;
    return call.trapped ? kFastTrap : kFastRetry;
  }
  if (pending.active && !nested) {
    pending.result = static_cast<uint32_t>(call.result);
    return kCopyOutPending | static_cast<uint32_t>(pending.bytes.size());
  }
  return static_cast<uint32_t>(call.result);
}

namespace {

// The wrapper's (instance, index): the instance is the V8Instance itself, whose address its
// wrapper instance holds in an immutable global the plugin cannot reach; the wrapper lives no
// longer than the plugin instance, which only the V8Instance calls.
V8Instance* instanceOf(uint64_t handle) { return reinterpret_cast<V8Instance*>(static_cast<uintptr_t>(handle)); }

// A chain module's checkpoint calls pass the chain's address instead (V8CrossChain, which lives
// as long as its module instance can be called).
V8CrossChain* chainOf(uint64_t handle) { return reinterpret_cast<V8CrossChain*>(static_cast<uintptr_t>(handle)); }
bool isChainIndex(uint32_t index) { return index == kFastChainNext || index == kFastChainHigh; }

// kFastChainNext (args: the callback's index, its result) or kFastChainHigh.
uint32_t runChainCheckpoint(uint64_t handle, uint32_t index, const uint64_t* args, bool fast) {
  V8CrossChain& chain = *chainOf(handle);
  if (index == kFastChainHigh) return chain.answerHigh();
  const uint64_t answer = chain.runCheckpoint(static_cast<uint32_t>(args[0]), static_cast<uint32_t>(args[1]), fast);
  if (fast && answer != kFastRetry) ++chain.worker->fast_checkpoints;
  return static_cast<uint32_t>(answer);
}

uint32_t runFast(uint64_t handle, uint32_t index, const uint64_t* args) {
  if (isChainIndex(index)) return runChainCheckpoint(handle, index, args, true);
  V8Instance& instance = *instanceOf(handle);
  WorkerIsolate& worker = instance.worker();
  instance.forgetMemoryView();
  ++worker.fast_calls;
  if (index == kFastComplete) return instance.completeCopyOut(static_cast<uint32_t>(args[0]));
  const ImportBinding* binding = instance.binding(index);
  if (binding == nullptr) {
    worker.noteFastTrap("fast call of unknown import " + std::to_string(index));
    return kFastTrap;
  }
  HostCall call{&instance, args, 0, false, {}, binding->copying ? instance.copyOutDeferral() : nullptr};
  call.fast = true;
  worker.in_fast_call = true;
  const uint32_t answer = answerImport(instance, *binding, call);
  worker.in_fast_call = false;
  if (call.trapped) worker.noteFastTrap(std::move(call.trap_message));
  return answer;
}

// The C entry: (receiver, instance, index, p0 .. p[kFastParams-1]) -> answer. The receiver (the
// global proxy) is not used.
template <typename Indices>
struct FastEntry;
template <size_t... I>
struct FastEntry<std::index_sequence<I...>> {
  template <size_t>
  using Word = int32_t;
  static int32_t call(v8::Local<v8::Value>, int64_t instance, int32_t index, Word<I>... params) {
    const uint64_t args[sizeof...(I) + 1] = {static_cast<uint32_t>(params)..., 0};
    return static_cast<int32_t>(runFast(static_cast<uint64_t>(instance), static_cast<uint32_t>(index), args));
  }
};

// When V8 calls the JS-API callback instead (no fast path): the same, able to re-enter the guest
// (so never kFastRetry) and to throw a trap.
void fastImportSlowPath(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  if (info.Length() < 2) return;
  const uint64_t handle = toWord(info[0], ValType::I64, isolate);
  const auto index = static_cast<uint32_t>(toWord(info[1], ValType::I32, isolate));
  uint64_t args[kFastParams] = {};
  const int count = std::min(info.Length() - 2, static_cast<int>(kFastParams));
  for (int i = 0; i < count; ++i) args[i] = toWord(info[i + 2], ValType::I32, isolate);
  if (isChainIndex(index)) {
    return info.GetReturnValue().Set(static_cast<int32_t>(runChainCheckpoint(handle, index, args, false)));
  }
  V8Instance& instance = *instanceOf(handle);
  instance.forgetMemoryView();
  if (index == kFastComplete) return info.GetReturnValue().Set(static_cast<int32_t>(instance.completeCopyOut(args[0])));
  const ImportBinding* binding = instance.binding(index);
  if (binding == nullptr) {
    isolate->ThrowException(v8::Exception::Error(v8String(isolate, "fast call of unknown import")));
    return;
  }
  HostCall call{&instance, args, 0, false, {}, binding->copying ? instance.copyOutDeferral() : nullptr};
  const uint32_t answer = answerImport(instance, *binding, call);
  if (call.trapped) return throwHostTrap(isolate, instance, call);
  info.GetReturnValue().Set(static_cast<int32_t>(answer));
}

#if WASMGATE_V8_FAST_API
// The V8 signature of FastEntry<N>: the receiver, an int64, then 1 + N int32, returning an int32.
template <size_t... A>
const v8::CFunction& cFunction(std::index_sequence<A...>) {
  using T = v8::CTypeInfo::Type;
  static const v8::CTypeInfo args[] = {v8::CTypeInfo(A == 0 ? T::kV8Value : A == 1 ? T::kInt64 : T::kInt32)...};
  static const v8::CFunctionInfo info(v8::CTypeInfo(T::kInt32), sizeof...(A), args);
  using Entry = FastEntry<std::make_index_sequence<sizeof...(A) - 3>>;
  static const v8::CFunction function(reinterpret_cast<const void*>(&Entry::call), &info);
  return function;
}

#endif

}  // namespace

const char* fastCallFlag() { return WASMGATE_V8_FAST_API ? "--turbo-fast-api-calls" : ""; }

namespace {

// The fast host function itself: a JS function whose template has the C entry.
v8::MaybeLocal<v8::Function> newFastFunction(WorkerIsolate& worker, v8::Local<v8::Context> context) {
  v8::Isolate* isolate = worker.isolate;
  const v8::CFunction* c_function = nullptr;
#if WASMGATE_V8_FAST_API
  c_function = &cFunction(std::make_index_sequence<kFastParams + 3>());
#endif
  // No signature and any receiver: V8 10.2 takes the fast path only for such templates.
  v8::Local<v8::FunctionTemplate> templ = v8::FunctionTemplate::New(
      isolate, fastImportSlowPath, v8::Local<v8::Value>(), v8::Local<v8::Signature>(),
      static_cast<int>(kFastParams + 2), v8::ConstructorBehavior::kThrow, v8::SideEffectType::kHasSideEffect,
      c_function);
  return templ->GetFunction(context);
}

}  // namespace

v8::Local<v8::Function> fastImportFunction(WorkerIsolate& worker) {
  v8::Isolate* isolate = worker.isolate;
  if (!WASMGATE_V8_FAST_API) return {};
  if (!worker.fast_function.IsEmpty()) return worker.fast_function.Get(isolate);
  // The worker's one instance of the trampoline module holds the only import V8 compiles a
  // fast-call wrapper for; plugin instances import its wasm export.
  v8::Local<v8::Context> context = worker.context.Get(isolate);
  v8::TryCatch caught(isolate);
  const std::vector<uint8_t> bytes = fastTrampolineModule();
  v8::Local<v8::Function> host_function;
  v8::Local<v8::WasmModuleObject> module;
  if (!newFastFunction(worker, context).ToLocal(&host_function) ||
      !v8::WasmModuleObject::Compile(isolate, {bytes.data(), bytes.size()}).ToLocal(&module)) {
    return {};
  }
  v8::Local<v8::Object> host = v8::Object::New(isolate);
  v8::Local<v8::Object> imports = v8::Object::New(isolate);
  if (host->Set(context, v8String(isolate, "fast"), host_function).IsNothing() ||
      imports->Set(context, v8String(isolate, "host"), host).IsNothing()) {
    return {};
  }
  v8::Local<v8::Value> argv[] = {module, imports};
  v8::Local<v8::Object> instance;
  v8::Local<v8::Value> exports, trampoline;
  if (!worker.instance_constructor.Get(isolate)->NewInstance(context, 2, argv).ToLocal(&instance) ||
      !instance->Get(context, v8String(isolate, "exports")).ToLocal(&exports) || !exports->IsObject() ||
      !exports.As<v8::Object>()->Get(context, v8String(isolate, "fast")).ToLocal(&trampoline) ||
      !trampoline->IsFunction()) {
    return {};
  }
  worker.fast_function.Reset(isolate, trampoline.As<v8::Function>());
  return trampoline.As<v8::Function>();
}

}  // namespace wasmgate::runtime::v8backend
