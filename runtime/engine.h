// The wasm engine interface: compile a module once per process, instantiate it per worker thread,
// call its exports, and let it call host functions. The V8 backend (runtime/v8/) is the only code
// that sees V8 headers; everything else uses these classes.
//
// Public header.
// Threading: Engine and CompiledModule are thread-safe. A WorkerEngine and every Instance it creates
// belong to the thread that created the WorkerEngine and must only be used there, except
// WorkerEngine::terminate(), which any thread may call.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "runtime/module_info.h"

namespace wasmgate::runtime {

class Instance;

// Where a host function can leave bytes for the guest instead of allocating guest memory itself
// (see HostCall::deferCopyOut). Implemented by engines that support it.
class CopyOutDeferral {
 public:
  virtual std::span<uint8_t> begin(size_t size, uint32_t ptr_ptr, uint32_t size_ptr, uint32_t failure_result) = 0;

 protected:
  ~CopyOutDeferral() = default;
};

// One call from guest code into a host function, filled in by the engine.
struct HostCall {
  Instance* instance;
  const uint64_t* args;  // one word per parameter; i32 values are zero-extended, f32/f64 as bits
  uint64_t result = 0;   // the return value, if the import has one
  // Set by trap(): the guest call unwinds and the outer Instance::call() fails with this message.
  bool trapped = false;
  std::string trap_message;
  // Set by the engine for an import marked HostFunction::copies_out when it can defer the copy.
  CopyOutDeferral* deferral = nullptr;
  // Set by the engine when the call came through its fast path (HostFunction::fast): the guest
  // cannot be entered from here. A copy that needs the guest's allocator sets `retry` instead,
  // and the engine then makes the call again the usual way.
  bool fast = false;
  bool retry = false;

  uint32_t u32(size_t i) const { return static_cast<uint32_t>(args[i]); }
  uint64_t u64(size_t i) const { return args[i]; }
  void trap(std::string message) {
    trapped = true;
    trap_message = std::move(message);
  }

  // Returning bytes to the guest means memory the guest allocates (proxy-wasm's return_value_data
  // and return_value_size words). Re-entering the guest from a host function to allocate costs an
  // engine entry (~150-300 ns with cold caches); instead, a host function may fill the buffer this
  // returns and return normally. The engine then calls the module's allocator from wasm, copies
  // the buffer there and stores the address and size at the guest words `ptr_ptr` and `size_ptr`;
  // the import returns `result` as the host function set it, or `failure_result` if the guest
  // gave no usable memory. An empty span (no deferral here, one already begun in this call, or
  // `size` too large) means: allocate the old way.
  std::span<uint8_t> deferCopyOut(size_t size, uint32_t ptr_ptr, uint32_t size_ptr, uint32_t failure_result) {
    return deferral != nullptr ? deferral->begin(size, ptr_ptr, size_ptr, failure_result) : std::span<uint8_t>();
  }
};

using HostFn = void (*)(HostCall& call);

// A function the host offers to guest code as an import.
struct HostFunction {
  std::string_view module;  // "env", "wasi_snapshot_preview1", ...
  std::string_view name;
  FuncSig sig;
  HostFn fn;
  // It may return bytes through HostCall::deferCopyOut; its signature is i32 parameters and an
  // i32 result that is never negative (a proxy-wasm status).
  bool copies_out = false;
  // It may be called through the engine's fast path (no JS-API callback; see runtime/v8/
  // v8_fast_call.h): its parameters are i32, its result none or a non-negative i32, it never runs
  // guest code nor uses the engine (nothing that re-enters a plugin: no stream continued or local
  // reply applied synchronously), and until it returns bytes through VmState::copyOut it has no
  // effect, so that a call retried for its copy (HostCall::retry) is the same call.
  bool fast = false;
};

// A module compiled for this process; shared by all workers.
class CompiledModule {
 public:
  virtual ~CompiledModule() = default;
  const std::string& name() const { return name_; }
  const ModuleInfo& info() const { return info_; }

 protected:
  CompiledModule(std::string name, ModuleInfo info) : name_(std::move(name)), info_(std::move(info)) {}

 private:
  std::string name_;
  ModuleInfo info_;
};

// Index of an exported function inside one Instance; cheap to copy, valid for that Instance.
struct FunctionHandle {
  uint32_t index;
};

// One exported function of one instance, as a link of a chain across instances.
struct InstanceFunction {
  Instance* instance;
  FunctionHandle fn;
};

// How the functions of a chain across instances are called.
enum class ChainKind : uint8_t {
  // One after the other, each with its own arguments (as Instance::sequence).
  Sequence,
  // Header callbacks ((id, num_headers[, end_of_stream]) -> action) with a host checkpoint after
  // each (runtime/sequence_module.h headerChainModule): the arguments are num_headers,
  // end_of_stream and each callback's id; the checkpoint decides whether the next one runs.
  HeaderCallbacks,
  // Stream starts (proxy_on_context_create then proxy_on_request_headers of each plugin) with a
  // host checkpoint after each plugin (headers: startChainModule); the checkpoint's answer also
  // carries the next plugin's stream id.
  StreamStarts,
};

// The host's side of a HeaderCallbacks or StreamStarts chain: called after plugin `index`'s
// headers callback returned `result`; answers 0 to stop, or what the next plugin needs (the
// module's "next" in runtime/sequence_module.h). An engine may call `fn` where the guest must
// not be entered (V8's fast calls) only when `needs_guest` is set and answers false for the same
// index; otherwise it calls `fn` where it may.
struct ChainCheckpoint {
  uint64_t (*fn)(void* data, uint32_t index, uint32_t result);
  void* data;
  bool (*needs_guest)(void* data, uint32_t index) = nullptr;
};

// Functions of several instances of one worker, called one after the other in one entry into the
// engine (Instance::sequence, across instances). Owned by the engine and valid until one of its
// instances is destroyed: look it up again (Instance::chainAcross) rather than keep it.
class CrossChain {
 public:
  // Like Instance::call: the parameters are those of every function in turn, the result that of
  // the last one; a failure names its cause and the functions after the failing one do not run.
  // A HeaderCallbacks or StreamStarts chain needs `checkpoint` (without one it stops after the
  // first plugin).
  virtual Result<uint64_t> call(std::span<const uint64_t> args, const ChainCheckpoint* checkpoint = nullptr) = 0;
  // The index of the function called last: after a failed call, the one that failed.
  virtual std::optional<uint32_t> step() = 0;

 protected:
  ~CrossChain() = default;
};

// One instantiation of a CompiledModule. Owned by its worker thread.
class Instance {
 public:
  virtual ~Instance() = default;

  // The guest's linear memory. Any call into guest code may grow (and so move or detach) it:
  // never keep the span across Instance::call(), take it again.
  virtual std::span<uint8_t> memory() = 0;

  // The exported function `name`, if it exists and is a function.
  virtual std::optional<FunctionHandle> function(std::string_view name) = 0;
  virtual const FuncSig& signature(FunctionHandle f) const = 0;

  // Calls an export. Arguments are raw words (i32 truncated, i64 whole). Returns the first result
  // (zero-extended for i32), or 0 for a function without results. A trap, a termination or a
  // HostCall::trap() fails the call with a message naming the cause ("unreachable",
  // "memory access out of bounds", "terminated", the host's message).
  virtual Result<uint64_t> call(FunctionHandle f, std::span<const uint64_t> args) = 0;
  Result<uint64_t> call(FunctionHandle f, std::initializer_list<uint64_t> args) {
    return call(f, std::span<const uint64_t>(args.begin(), args.size()));
  }

  // An export-like function that calls `fns` one after the other inside the guest, so the host
  // enters the engine once instead of once per function (an entry costs ~100-200 ns, a call
  // between wasm functions a few). Its parameters are those of each function in turn, its result
  // that of the last one; a trap in any of them fails the call and the rest do not run. Used for
  // callbacks the host always makes back to back. nullopt when the engine cannot chain them:
  // call them one by one then.
  virtual std::optional<FunctionHandle> sequence(std::span<const FunctionHandle> fns) {
    (void)fns;
    return std::nullopt;
  }

  // Which function of the sequence `f` was called last: after a failed call, the one that failed.
  virtual std::optional<uint32_t> sequenceStep(FunctionHandle f) {
    (void)f;
    return std::nullopt;
  }

  // The chain of `fns` (functions of instances of this instance's worker), built on first use and
  // cached by the engine; nullptr when the engine cannot chain them (call
  // them one by one then).
  virtual CrossChain* chainAcross(std::span<const InstanceFunction> fns, ChainKind kind = ChainKind::Sequence) {
    (void)fns;
    (void)kind;
    return nullptr;
  }

  // Host data for HostFn callbacks (the runtime stores its per-VM state here).
  void* userData() const { return user_data_; }
  void setUserData(void* data) { user_data_ = data; }

 private:
  void* user_data_ = nullptr;
};

// A per-thread engine (one V8 isolate). Create one per worker thread.
class WorkerEngine {
 public:
  virtual ~WorkerEngine() = default;

  // Instantiates without recompiling. `imports` lines up with module.info().imports; each entry
  // is the host function to bind (the caller checks names and signatures first and reports any
  // missing import by name). Runs no start function: the runtime calls _initialize/_start itself.
  virtual Result<std::unique_ptr<Instance>> instantiate(const CompiledModule& module,
                                                        std::span<const HostFunction* const> imports) = 0;

  // Outermost calls into guest code on this worker so far (a sequence or chain is one): what the
  // host's shortcuts save shows here.
  virtual uint64_t guestEntries() const { return 0; }
  // Host function calls made through the engine's fast path so far (HostFunction::fast).
  virtual uint64_t fastHostCalls() const { return 0; }
  // Chain checkpoints (ChainCheckpoint) answered through the fast path so far; the others took
  // the engine's usual path.
  virtual uint64_t fastCheckpoints() const { return 0; }

  // Stops guest code running on this worker, if any (any thread may call it). The interrupted
  // call fails with "terminated"; a later call is not affected.
  virtual void terminate() = 0;
};

struct EngineOptions {
  // Upper bound of each instance's linear memory, in 64 KiB pages (default 1 GiB, as Envoy).
  uint32_t max_memory_pages = 16384;
};

// The process-wide engine.
class Engine {
 public:
  virtual ~Engine() = default;
  // Validates and compiles `bytes`. `name` (usually the plugin name or file) appears in errors.
  virtual Result<std::shared_ptr<const CompiledModule>> compile(std::span<const uint8_t> bytes,
                                                               std::string name) = 0;
  virtual std::unique_ptr<WorkerEngine> newWorker() = 0;
};

// The V8 engine of this process. The first call initialises V8 with `options`; later calls return
// the same engine and ignore `options` (V8 cannot be initialised twice in a process).
Engine& v8Engine(const EngineOptions& options = {});

}  // namespace wasmgate::runtime
