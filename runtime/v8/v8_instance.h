// One instantiated module inside a worker isolate: cached exported functions, the linear memory,
// and the bindings that route the module's imports to HostFunctions.
//
// Internal to runtime/v8/. Thread affinity: the thread of the WorkerEngine that created it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <v8.h>

#include "runtime/engine.h"
#include "runtime/import_wrapper_module.h"
#include "runtime/v8/v8_worker.h"

namespace wasmgate::runtime::v8backend {

// Most proxy-wasm/WASI functions take under 12 parameters; words live on the stack up to this.
inline constexpr size_t kMaxParams = 32;

class V8Instance;
class V8CrossChain;

// What a V8 import function needs to reach its HostFunction; its address is the function's data.
struct ImportBinding {
  V8Instance* instance;
  HostFn fn;
  const FuncSig* sig;  // the import's signature, from the module's ModuleInfo
  // Precomputed from `sig` so the i32-only trampoline never reads it.
  uint32_t param_count;
  bool has_result;
  bool copying = false;  // behind the import wrapper module's copy-out (HostFunction::copies_out)
};

// A copy begun with HostCall::deferCopyOut, finished by the import wrapper module's "complete" once the
// guest allocated memory for it.
struct PendingCopyOut final : CopyOutDeferral {
  std::span<uint8_t> begin(size_t size, uint32_t ptr_ptr, uint32_t size_ptr, uint32_t failure_result) override;

  bool active = false;
  std::vector<uint8_t> bytes;  // its capacity is kept from one copy to the next
  uint32_t ptr_ptr = 0;
  uint32_t size_ptr = 0;
  uint32_t failure_result = 0;
  uint32_t result = 0;  // what the host function returned
};

class V8Instance final : public Instance {
 public:
  V8Instance(std::shared_ptr<WorkerIsolate> worker, const CompiledModule& module);
  ~V8Instance() override;

  // Builds the imports object, instantiates `module_object` and caches exports and memory.
  Status instantiate(v8::Local<v8::Context> context, v8::Local<v8::Value> module_object,
                     std::span<const HostFunction* const> imports);

  std::span<uint8_t> memory() override;
  // Guest code may have grown the memory (memory.grow detaches the old buffer): forget the view.
  // Called on entry to every host function and after every call into the guest, the only
  // moments guest code can have run since the view was taken.
  void forgetMemoryView() { memory_view_valid_ = false; }
  std::optional<FunctionHandle> function(std::string_view name) override;
  const FuncSig& signature(FunctionHandle f) const override { return functions_[f.index].sig; }
  Result<uint64_t> call(FunctionHandle f, std::span<const uint64_t> args) override;
  std::optional<FunctionHandle> sequence(std::span<const FunctionHandle> fns) override;
  std::optional<uint32_t> sequenceStep(FunctionHandle f) override;
  CrossChain* chainAcross(std::span<const InstanceFunction> fns, ChainKind kind) override;

  WorkerIsolate& worker() { return *worker_; }

  // For the trampolines: the deferral a copying import may use (null until the import wrapper module's
  // table holds the allocator), and the copy it may have begun.
  PendingCopyOut* copyOutDeferral() { return copy_out_ready_ ? &copy_out_ : nullptr; }
  PendingCopyOut& pendingCopyOut() { return copy_out_; }
  // The import wrapper's "complete": the guest allocated `address` for the pending copy. Copies
  // it there and stores its address and size; answers the host function's result, or the
  // failure result if that cannot be done.
  uint32_t completeCopyOut(uint32_t address);

  // Import `index`'s binding, or nullptr.
  const ImportBinding* binding(uint32_t index) const {
    return index < import_count_ ? &bindings_[index] : nullptr;
  }

  // The exported function behind `f` and its signature (nullptr for an invalid handle).
  const v8::Global<v8::Function>* exportedFunction(FunctionHandle f, const FuncSig** sig) const;

 private:
  struct ExportedFunction {
    std::string name;
    FuncSig sig;
    v8::Global<v8::Function> function;
    v8::Global<v8::Object> step;  // a sequence's "step" global (WebAssembly.Global); empty otherwise
  };

  // Puts the import wrapper module in front of the imports `wrapped` (their indices into
  // `functions` are WrappedImport::index) and returns its allocator table; empty if the module
  // cannot be set up (they stay direct then).
  v8::Local<v8::Object> wrapImports(v8::Local<v8::Context> context, const std::vector<WrappedImport>& wrapped,
                                    std::vector<v8::Local<v8::Value>>& functions);
  void setAllocator(v8::Local<v8::Context> context, v8::Local<v8::Object> table, v8::Local<v8::Object> exports);

  // Compiles and instantiates the sequence module of `chain` (V8CrossChain); false if it cannot.
  bool buildChain(V8CrossChain& chain, std::span<const InstanceFunction> fns);
  // The "next" import of a HeaderCallbacks chain, bound to `chain`.
  static void chainCheckpoint(const v8::FunctionCallbackInfo<v8::Value>& info);
  // memory() once the caller made sure the isolate is entered and a HandleScope is open.
  std::span<uint8_t> takeMemoryView();

  std::shared_ptr<WorkerIsolate> worker_;  // first member: the isolate outlives the handles below
  // A copy, so an instance never depends on the lifetime of the CompiledModule it came from.
  const ModuleInfo info_;
  std::unique_ptr<ImportBinding[]> bindings_;
  uint32_t import_count_ = 0;
  v8::Global<v8::Object> exports_;
  v8::Global<v8::WasmMemoryObject> memory_;
  // The last view of memory_, valid until guest code runs again (see forgetMemoryView).
  std::span<uint8_t> memory_view_;
  bool memory_view_valid_ = false;
  // The backing store of the last view taken through V8's API, and how many owners it had then
  // (see memory()).
  std::shared_ptr<v8::BackingStore> memory_store_;
  long memory_store_owners_ = 0;
  PendingCopyOut copy_out_;
  bool copy_out_ready_ = false;
  // A deque: a host function may look up a new export in the middle of a call() that holds a
  // reference to another entry.
  std::deque<ExportedFunction> functions_;
};

// Functions of several instances of one worker chained in one entry (Instance::chainAcross): an
// instance of the sequence module (runtime/sequence_module.h) importing them.
class V8CrossChain final : public CrossChain {
 public:
  Result<uint64_t> call(std::span<const uint64_t> args, const ChainCheckpoint* checkpoint) override;
  std::optional<uint32_t> step() override;

  // The checkpoint after link `index` returned `result` (the module's "next"); 0 without one.
  // Where the guest must not be entered (`fast`), answers kFastRetry instead when the checkpoint
  // says it needs the guest. Keeps the answer for answerHigh().
  uint64_t runCheckpoint(uint32_t index, uint32_t result, bool fast);
  uint32_t answerHigh() const { return static_cast<uint32_t>(last_answer_ >> 32); }

  // What the chain was built from, in order: it is looked up by these.
  ChainKind kind = ChainKind::Sequence;
  std::vector<std::pair<const Instance*, uint32_t>> links;
  const ChainCheckpoint* checkpoint = nullptr;  // during a call of a HeaderCallbacks chain
  // The instances whose code a call runs, each once.
  std::vector<V8Instance*> members;
  // Not owning: the worker owns its chains (WorkerIsolate::cross_chains).
  WorkerIsolate* worker = nullptr;
  FuncSig sig;
  v8::Global<v8::Function> run;
  v8::Global<v8::Object> step_global;

 private:
  uint64_t last_answer_ = 0;
};

}  // namespace wasmgate::runtime::v8backend
