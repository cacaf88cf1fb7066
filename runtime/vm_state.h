// The state of one WasmVm behind its host functions: the instance and its exports, the contexts,
// the effective context, the access windows of the call in progress, actions deferred until the
// guest call returns, and the failure state. Host functions (runtime/hostcalls/) reach it through
// Instance::userData(), which holds it as a GuestHost.
//
// Runtime-internal header (runtime/ and its tests). Thread affinity: the VM's worker thread.
#pragma once

#include <array>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <wasmgate/abi.h>

#include "common/function_ref.h"
#include "common/result.h"
#include "runtime/context.h"
#include "runtime/engine.h"
#include "runtime/guest_host.h"
#include "runtime/vm.h"

namespace wasmgate::runtime {

// The guest exports the runtime calls.
enum class Export : uint8_t {
  Initialize, Start, Main, Malloc, OnMemoryAllocate,
  OnContextCreate, OnVmStart, OnConfigure,
  OnRequestHeaders, OnRequestBody, OnRequestTrailers,
  OnResponseHeaders, OnResponseBody, OnResponseTrailers,
  OnLog, OnDone, OnDelete,
  OnHttpCallResponse, OnRedisCallResponse, OnTick, OnQueueReady, OnForeignFunction,
  Count
};
const char* exportName(Export e);

// What the guest may read during the current call besides its stream's maps and buffers
// (buffers 4-9 and maps 6-7 exist only inside the callback that delivers them).
struct CallWindows {
  std::optional<std::string_view> vm_configuration;      // buffer 6, in proxy_on_vm_start
  std::optional<std::string_view> plugin_configuration;  // buffer 7, in proxy_on_configure
  const HttpCallResponse* http_response = nullptr;       // buffer 4, maps 6/7
  std::optional<std::string_view> redis_reply;           // buffer 9
  std::optional<std::string_view> foreign_arguments;     // buffer 8, in proxy_on_foreign_function
};

class VmState final : public GuestHost {
 public:
  VmState(VmConfig config, std::shared_ptr<const CompiledModule> module, abi::AbiVersion abi);
  ~VmState() override;

  // GuestHost: WASI's view of the VM.
  const std::vector<std::pair<std::string, std::string>>& environment() const override { return config_.env; }
  void writeStdio(int fd, std::string_view text) override;
  ClockHost& clock() override { return config_.clock ? *config_.clock : GuestHost::clock(); }

  const VmConfig& config() const { return config_; }
  const std::string& name() const { return config_.name; }
  abi::AbiVersion abi() const { return abi_; }
  const CompiledModule& module() const { return *module_; }
  Instance& instance() { return *instance_; }

  // Takes the instance and looks up the exports; fails if an export has the wrong signature.
  wasmgate::Status bind(std::unique_ptr<Instance> instance);
  bool hasExport(Export e) const { return exports_[static_cast<size_t>(e)].has_value(); }

  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }
  void fail(std::string message);
  Error failureError() const { return makeError(failure_); }

  // Contexts. Ids come from one counter starting at 1 and are never reused.
  Context* context(uint32_t id);
  Context& addRoot(const PluginConfig& plugin);
  // A new stream starts with its root's skipped callbacks (Context::skipped).
  Context& addStream(uint32_t root_id, const StreamHost& host);
  // Callbacks every new stream of `root` skips; see Context::skipped.
  void setRootSkips(Context& root, const SkippedCallbacks& skipped);
  void removeContext(uint32_t id);
  // proxy_on_delete(id), then forgets the context (and a root's tick).
  void deleteContext(uint32_t id);
  std::vector<uint32_t> contextIds() const;
  // The context host functions act on: the one proxy_set_effective_context chose, else the one
  // the host called. nullptr while the module starts (no context yet).
  Context* effectiveContext();
  // Calls from the host into guest code so far (a chained sequence is one): what the host's
  // shortcuts (sequences, skipped body callbacks) save shows here.
  uint64_t guestEntries() const { return guest_entries_; }
  Context* effectiveRoot();
  bool setEffectiveContext(uint32_t id);

  // Calls export `e` for `context_id`, which is the current and effective context during the
  // call, with `options.windows` readable. A missing export answers `options.absent`. A trap fails
  // the VM. Deferred actions run when the outermost call returns.
  struct CallOptions {
    CallWindows windows;
    uint64_t absent = 0;
    bool* stop_forced = nullptr;  // receives whether the guest sent a local response
  };
  Result<uint64_t> call(Export e, uint32_t context_id, std::initializer_list<uint64_t> args);
  Result<uint64_t> call(Export e, uint32_t context_id, std::initializer_list<uint64_t> args,
                        const CallOptions& options);
  // A stream's last three callbacks (proxy_on_log, proxy_on_done, proxy_on_delete), in one entry
  // into the guest when the engine can chain them; the context is removed in any case.
  Result<uint64_t> endStream(uint32_t id);
  // proxy_on_context_create and proxy_on_request_headers of stream `id` in one entry (the
  // sequence exists when hasStreamStart()); the context is removed when either traps.
  bool hasStreamStart() const { return stream_start_.has_value(); }
  Result<uint64_t> startStream(uint32_t id, uint32_t root_id, uint32_t num_headers, bool end_of_stream,
                               bool* stop_forced);
  bool inGuestCall() const { return depth_ > 0; }

  // The ended-streams ring (foreign function "wasmgate_stream_end_ring", docs/abi.md): guest
  // memory at `address` holding the count of ids the host wrote (u32), the count the guest took
  // (u32), then `capacity` u32 ids. Checked against the memory's size; replaces an earlier ring.
  abi::Status setEndedStreamRing(uint32_t address, uint32_t capacity);
  bool hasEndedStreamRing() const { return ended_ring_.capacity != 0; }
  // Ends stream `id` without calling the guest, for a stream that skips its end callbacks: its id
  // goes to the ring and its context is removed. False (nothing done) when the stream does not
  // skip them, the VM is inside a call or failed, or the ring is full or unusable: end it the
  // usual way then.
  bool reportEndedStream(uint32_t id);
  // The copy scratch (foreign function "wasmgate_copy_scratch", docs/abi.md): guest memory at
  // `address` that the module lends the host for results of up to `capacity` bytes, which
  // copyOut then writes there instead of into an allocation of the guest's. The module reads
  // (or copies) each result before its next host call. Checked against the memory's size;
  // replaces an earlier scratch.
  abi::Status setCopyScratch(uint32_t address, uint32_t capacity);
  // A call into this VM made by a chain across VMs (WasmVm::finishStreams): enterChained() does
  // what callFunction() does before the engine call, leaveChained() what it does right after
  // (deferred actions and failures are the caller's).
  struct ChainedCall {
    uint32_t saved_current;
    uint32_t saved_effective;
    bool saved_stop;
  };
  ChainedCall enterChained(uint32_t context_id);
  // Whether the guest sent a local response during the chained call in progress.
  bool stopForced() const { return stop_forced_; }
  void leaveChained(const ChainedCall& call);
  // Export `e` failed inside a call: the VM fails with the message callFunction() would give.
  void failIn(Export e, const std::string& why);
  // Export `e`'s handle, where the module has it (for chains built across VMs).
  std::optional<FunctionHandle> exportHandle(Export e) const { return exports_[static_cast<size_t>(e)]; }
  // Runs the actions deferred during the outermost call that just returned.
  void afterOutermostCall() {
    if (depth_ == 0) runDeferred();
  }
  // Whether actions wait for the outermost call to return (they may enter guest code).
  bool hasDeferred() const { return !deferred_.empty(); }
  // Runs `action` after the outermost guest call returns, or now if no call is running.
  void defer(std::function<void()> action);
  void forceStop() { stop_forced_ = true; }

  // Copies `data` into memory the guest allocates and writes its address and size to the two
  // out-pointers (0 and 0, without allocating, for empty data). A failed allocation traps the call.
  abi::Status copyOut(HostCall& call, std::string_view data, uint64_t ptr_ptr, uint64_t size_ptr);
  // The same for `size` bytes that `fill` writes into the guest's allocation itself (no
  // intermediate copy); `fill` gets exactly `size` writable bytes.
  abi::Status copyOutWith(HostCall& call, size_t size, FunctionRef<void(std::span<uint8_t>)> fill,
                          uint64_t ptr_ptr, uint64_t size_ptr);

  const CallWindows& windows() const { return windows_; }
  uint32_t nextToken() { return next_token_++; }
  std::unordered_map<uint32_t, uint32_t>& httpCalls() { return http_calls_; }   // token -> root
  std::unordered_map<uint32_t, uint32_t>& redisCalls() { return redis_calls_; }

  // Host interfaces; a missing one answers with the interface's defaults.
  LogHost& logHost();
  HttpCallHost& httpHost();
  RedisHost& redisHost();
  TimerHost& timerHost();
  SharedDataHost& sharedDataHost();
  MetricsHost& metricsHost();
  ForeignFunctionHost& foreignHost();
  PropertyHost* vmProperties() { return config_.services.properties; }
  static HeaderMapHost& headers(const Context& stream);
  static BufferHost& buffers(const Context& stream);
  static StreamControlHost& control(const Context& stream);

  // Logs in the name of the effective context's plugin.
  void log(abi::LogLevel level, std::string_view message);

 private:
  // call() once the function is known: an export, or a sequence of the exports `names` (which
  // name the one that traps in the failure message).
  Result<uint64_t> callFunction(FunctionHandle fn, std::span<const Export> names, uint32_t context_id,
                                std::span<const uint64_t> args, const CallOptions& options);
  void runDeferred();
  // Instance::sequence of `exports`, when the module has them all and the engine can chain them.
  std::optional<FunctionHandle> chain(std::span<const Export> exports);

  VmConfig config_;
  std::shared_ptr<const CompiledModule> module_;
  abi::AbiVersion abi_;
  std::unique_ptr<Instance> instance_;
  std::array<std::optional<FunctionHandle>, static_cast<size_t>(Export::Count)> exports_;
  std::optional<FunctionHandle> end_stream_;  // log, done and delete chained (Instance::sequence)
  std::optional<FunctionHandle> stream_start_;  // context_create and request_headers chained
  std::string failure_;

  std::unordered_map<uint32_t, std::unique_ptr<Context>> contexts_;
  // The context context() found last: every host call looks up the effective one, usually the
  // same as the call before (a Context never moves while it is in contexts_).
  Context* last_context_ = nullptr;
  // Map nodes (with their Context) of ended streams, reused by the next streams: up to
  // kSpareStreams, about as many as a worker's connections keep streams open on one VM at once.
  static constexpr size_t kSpareStreams = 16;
  std::vector<std::unordered_map<uint32_t, std::unique_ptr<Context>>::node_type> spare_streams_;
  // Some root context has skipped callbacks for its streams: addStream looks the root up.
  bool root_skips_ = false;
  uint32_t next_context_id_ = 1;
  uint32_t current_id_ = 0;
  uint32_t effective_id_ = 0;
  int depth_ = 0;
  uint64_t guest_entries_ = 0;
  bool stop_forced_ = false;
  std::vector<std::function<void()>> deferred_;
  CallWindows windows_;

  struct EndedStreamRing {
    uint32_t address = 0;
    uint32_t capacity = 0;  // 0: no ring
    uint32_t written = 0;   // the host's count, never read back from the guest
  };
  EndedStreamRing ended_ring_;
  struct CopyScratch {
    uint32_t address = 0;
    uint32_t capacity = 0;  // 0: none
  };
  CopyScratch copy_scratch_;

  uint32_t next_token_ = 1;  // http and redis calls share it, so a token names one call
  std::unordered_map<uint32_t, uint32_t> http_calls_;
  std::unordered_map<uint32_t, uint32_t> redis_calls_;
};

inline VmState& vmStateOf(const HostCall& call) {
  return static_cast<VmState&>(guestHostOf(call));
}

}  // namespace wasmgate::runtime
