// Chains across the instances of one worker (Instance::chainAcross): built once per list of
// functions and kind, cached by the worker, dropped by ~V8Instance with any of their instances.
#include <algorithm>
#include <vector>

#include "runtime/import_wrapper_module.h"
#include "runtime/sequence_module.h"
#include "runtime/v8/v8_call.h"
#include "runtime/v8/v8_fast_call.h"
#include "runtime/v8/v8_instance.h"
#include "runtime/v8/v8_platform.h"

namespace wasmgate::runtime::v8backend {

namespace {

bool sameLinks(const V8CrossChain& chain, std::span<const InstanceFunction> fns, ChainKind kind) {
  if (chain.kind != kind || chain.links.size() != fns.size()) return false;
  for (size_t i = 0; i < fns.size(); ++i) {
    if (chain.links[i].first != fns[i].instance || chain.links[i].second != fns[i].fn.index) return false;
  }
  return true;
}

}  // namespace

CrossChain* V8Instance::chainAcross(std::span<const InstanceFunction> fns, ChainKind kind) {
  if (fns.empty()) return nullptr;
  for (const auto& chain : worker_->cross_chains) {
    if (sameLinks(*chain, fns, kind)) return chain->run.IsEmpty() ? nullptr : chain.get();
  }
  // Built once per list of functions; one that cannot be built is remembered as such (run left
  // empty) so that it is not tried again on every call.
  auto& chain = *worker_->cross_chains.emplace_back(std::make_unique<V8CrossChain>());
  chain.worker = worker_.get();
  chain.kind = kind;
  for (const InstanceFunction& f : fns) {
    chain.links.emplace_back(f.instance, f.fn.index);
    auto* instance = dynamic_cast<V8Instance*>(f.instance);
    if (instance != nullptr && std::find(chain.members.begin(), chain.members.end(), instance) == chain.members.end()) {
      chain.members.push_back(instance);
    }
  }
  if (!buildChain(chain, fns)) return nullptr;
  return &chain;
}

bool V8Instance::buildChain(V8CrossChain& chain, std::span<const InstanceFunction> fns) {
  JsScope scope(*worker_);
  v8::Isolate* isolate = worker_->isolate;
  v8::Local<v8::Object> imported = v8::Object::New(isolate);
  v8::Local<v8::Object> import_object = v8::Object::New(isolate);
  std::vector<FuncSig> sigs;
  for (size_t i = 0; i < fns.size(); ++i) {
    auto* instance = dynamic_cast<V8Instance*>(fns[i].instance);
    const FuncSig* sig = nullptr;
    // Only instances of this worker: a chain runs in one isolate.
    const v8::Global<v8::Function>* fn =
        instance != nullptr && instance->worker_ == worker_ ? instance->exportedFunction(fns[i].fn, &sig) : nullptr;
    if (fn == nullptr) return false;
    sigs.push_back(*sig);
    if (imported->Set(scope.context, v8String(isolate, std::to_string(i)), fn->Get(isolate)).IsNothing()) return false;
  }
  std::vector<uint8_t> bytes;
  if (chain.kind == ChainKind::Sequence) {
    chain.sig = sequenceSignature(sigs);
    bytes = sequenceModule(sigs);
  } else {
    const bool starts = chain.kind == ChainKind::StreamStarts;
    // The checkpoint through the fast path when there is one (the module falls back to "next").
    const v8::Local<v8::Function> fast = fastImportFunction(*worker_);
    chain.sig = FuncSig{std::vector<ValType>(starts ? sigs.size() / 2 + 3 : sigs.size() + 2, ValType::I32), {}};
    bytes = starts ? startChainModule(sigs, !fast.IsEmpty()) : headerChainModule(sigs, !fast.IsEmpty());
    v8::Local<v8::Function> next;
    if (bytes.empty() ||
        !v8::Function::New(scope.context, chainCheckpoint, v8::External::New(isolate, &chain), 2,
                           v8::ConstructorBehavior::kThrow)
             .ToLocal(&next) ||
        imported->Set(scope.context, v8String(isolate, "next"), next).IsNothing()) {
      return false;
    }
    if (!fast.IsEmpty()) {
      const auto handle = static_cast<int64_t>(reinterpret_cast<uintptr_t>(&chain));
      v8::Local<v8::Object> host = v8::Object::New(isolate);
      if (host->Set(scope.context, v8String(isolate, "fast"), fast).IsNothing() ||
          host->Set(scope.context, v8String(isolate, "chain"), v8::BigInt::New(isolate, handle)).IsNothing() ||
          import_object->Set(scope.context, v8String(isolate, "host"), host).IsNothing()) {
        return false;
      }
    }
  }
  if (sigs.empty() || chain.sig.params.size() > kMaxParams || chain.sig.results.size() > 1) return false;
  v8::Local<v8::WasmModuleObject> module;
  if (!v8::WasmModuleObject::Compile(isolate, {bytes.data(), bytes.size()}).ToLocal(&module)) return false;
  if (import_object->Set(scope.context, v8String(isolate, "seq"), imported).IsNothing()) return false;
  v8::Local<v8::Value> argv[] = {module, import_object};
  v8::Local<v8::Object> instance;
  v8::Local<v8::Value> exports, run, step;
  if (!worker_->instance_constructor.Get(isolate)->NewInstance(scope.context, 2, argv).ToLocal(&instance) ||
      !instance->Get(scope.context, v8String(isolate, "exports")).ToLocal(&exports) || !exports->IsObject() ||
      !exports.As<v8::Object>()->Get(scope.context, v8String(isolate, "run")).ToLocal(&run) || !run->IsFunction() ||
      !exports.As<v8::Object>()->Get(scope.context, v8String(isolate, "step")).ToLocal(&step) || !step->IsObject()) {
    return false;
  }
  chain.run.Reset(isolate, run.As<v8::Function>());
  chain.step_global.Reset(isolate, step.As<v8::Object>());
  return true;
}

uint64_t V8CrossChain::runCheckpoint(uint32_t index, uint32_t result, bool fast) {
  if (checkpoint == nullptr) return last_answer_ = 0;
  if (fast && (checkpoint->needs_guest == nullptr || checkpoint->needs_guest(checkpoint->data, index))) {
    return kFastRetry;
  }
  // The callback that just returned may have grown its memory, and the host may now read any.
  for (V8Instance* member : members) member->forgetMemoryView();
  const bool was_fast = worker->in_fast_call;
  worker->in_fast_call = worker->in_fast_call || fast;
  last_answer_ = checkpoint->fn(checkpoint->data, index, result);
  worker->in_fast_call = was_fast;
  return last_answer_;
}

void V8Instance::chainCheckpoint(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto& chain = *static_cast<V8CrossChain*>(info.Data().As<v8::External>()->Value());
  v8::Isolate* isolate = info.GetIsolate();
  const auto result = static_cast<uint32_t>(toWord(info[0], ValType::I32, isolate));
  const auto index = static_cast<uint32_t>(toWord(info[1], ValType::I32, isolate));
  const uint64_t answer = chain.runCheckpoint(index, result, false);
  if (chain.kind == ChainKind::StreamStarts) {
    info.GetReturnValue().Set(v8::BigInt::NewFromUnsigned(isolate, answer));
  } else {
    info.GetReturnValue().Set(static_cast<int32_t>(answer));
  }
}

Result<uint64_t> V8CrossChain::call(std::span<const uint64_t> args, const ChainCheckpoint* with) {
  if (args.size() != sig.params.size()) {
    return makeError("a chain of " + std::to_string(links.size()) + " functions takes " +
                     std::to_string(sig.params.size()) + " arguments, got " + std::to_string(args.size()));
  }
  const ChainCheckpoint* outer = checkpoint;  // calls may nest (a checkpoint can run guest code)
  checkpoint = with;
  Result<uint64_t> r = enterGuest(*worker, run, sig, args, members);
  checkpoint = outer;
  return r;
}

std::optional<uint32_t> V8CrossChain::step() { return stepOf(*worker, step_global); }

}  // namespace wasmgate::runtime::v8backend
