// VmState: contexts, guest calls with their effective context and deferred actions, guest
// allocation. See vm_state.h.
#include "runtime/vm_state.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <utility>

#include "runtime/guest_memory.h"

namespace wasmgate::runtime {
namespace {

constexpr ValType I32 = ValType::I32;

struct ExportSpec {
  const char* name;
  FuncSig sig;
};

// Signatures of the exports the runtime calls (the 0.2.x forms; see expectedSignature()).
const ExportSpec& spec(Export e) {
  static const ExportSpec specs[] = {
      {"_initialize", {{}, {}}},
      {"_start", {{}, {}}},
      {"main", {{I32, I32}, {I32}}},
      {"malloc", {{I32}, {I32}}},
      {"proxy_on_memory_allocate", {{I32}, {I32}}},
      {"proxy_on_context_create", {{I32, I32}, {}}},
      {"proxy_on_vm_start", {{I32, I32}, {I32}}},
      {"proxy_on_configure", {{I32, I32}, {I32}}},
      {"proxy_on_request_headers", {{I32, I32, I32}, {I32}}},
      {"proxy_on_request_body", {{I32, I32, I32}, {I32}}},
      {"proxy_on_request_trailers", {{I32, I32}, {I32}}},
      {"proxy_on_response_headers", {{I32, I32, I32}, {I32}}},
      {"proxy_on_response_body", {{I32, I32, I32}, {I32}}},
      {"proxy_on_response_trailers", {{I32, I32}, {I32}}},
      {"proxy_on_log", {{I32}, {}}},
      {"proxy_on_done", {{I32}, {I32}}},
      {"proxy_on_delete", {{I32}, {}}},
      {"proxy_on_http_call_response", {{I32, I32, I32, I32, I32}, {}}},
      {"proxy_on_redis_call_response", {{I32, I32, I32, I32}, {}}},
      {"proxy_on_tick", {{I32}, {}}},
      {"proxy_on_queue_ready", {{I32, I32}, {}}},
      {"proxy_on_foreign_function", {{I32, I32, I32}, {}}},
  };
  static_assert(std::size(specs) == static_cast<size_t>(Export::Count));
  return specs[static_cast<size_t>(e)];
}

FuncSig expectedSignature(Export e, abi::AbiVersion abi) {
  // ABI 0.1.0's header callbacks have no end_of_stream argument.
  if (abi == abi::AbiVersion::V0_1_0 && (e == Export::OnRequestHeaders || e == Export::OnResponseHeaders)) {
    return FuncSig{{I32, I32}, {I32}};
  }
  return spec(e).sig;
}

// Host-interface defaults: stateless, so one shared instance serves every VM.
LogHost default_log;
HttpCallHost default_http;
RedisHost default_redis;
TimerHost default_timers;
SharedDataHost default_shared_data;
MetricsHost default_metrics;
ForeignFunctionHost default_foreign;
HeaderMapHost default_headers;
BufferHost default_buffers;
StreamControlHost default_control;

}  // namespace

const char* exportName(Export e) { return spec(e).name; }

// The callbacks the gateway always makes back to back, chained into one guest entry each.
constexpr Export kStreamStart[] = {Export::OnContextCreate, Export::OnRequestHeaders};
constexpr Export kStreamEnd[] = {Export::OnLog, Export::OnDone, Export::OnDelete};

VmState::VmState(VmConfig config, std::shared_ptr<const CompiledModule> module, abi::AbiVersion abi)
    : config_(std::move(config)), module_(std::move(module)), abi_(abi) {}

VmState::~VmState() = default;

wasmgate::Status VmState::bind(std::unique_ptr<Instance> instance) {
  instance_ = std::move(instance);
  instance_->setUserData(static_cast<GuestHost*>(this));
  for (size_t i = 0; i < exports_.size(); ++i) {
    const auto e = static_cast<Export>(i);
    exports_[i] = instance_->function(exportName(e));
    if (!exports_[i] || e == Export::Main) continue;  // main may be () -> i32 or (i32, i32) -> i32
    const FuncSig expected = expectedSignature(e, abi_);
    const FuncSig& actual = instance_->signature(*exports_[i]);
    if (!(actual == expected)) {
      return makeError("plugin '" + name() + "': export " + exportName(e) + " has signature " + toString(actual) +
                       ", but ABI " + abi::abiVersionName(abi_) + " calls it as " + toString(expected));
    }
  }
  if (!hasExport(Export::Malloc) && !hasExport(Export::OnMemoryAllocate)) {
    return makeError("plugin '" + name() +
                     "': exports neither malloc nor proxy_on_memory_allocate, so the host cannot pass it data");
  }
  end_stream_ = chain(kStreamEnd);
  stream_start_ = chain(kStreamStart);
  return {};
}

std::optional<FunctionHandle> VmState::chain(std::span<const Export> exports) {
  std::vector<FunctionHandle> fns;
  for (Export e : exports) {
    if (!hasExport(e)) return std::nullopt;
    fns.push_back(*exports_[static_cast<size_t>(e)]);
  }
  return instance_->sequence(fns);
}

void VmState::fail(std::string message) {
  if (failure_.empty()) failure_ = std::move(message);
  deferred_.clear();  // a failed VM does nothing more, as in Envoy
}

Context* VmState::context(uint32_t id) {
  if (last_context_ != nullptr && last_context_->id == id) return last_context_;
  auto it = contexts_.find(id);
  if (it == contexts_.end()) return nullptr;
  last_context_ = it->second.get();
  return last_context_;
}

Context& VmState::addRoot(const PluginConfig& plugin) {
  auto ctx = std::make_unique<Context>();
  ctx->id = next_context_id_++;
  ctx->plugin = plugin;
  return *contexts_.emplace(ctx->id, std::move(ctx)).first->second;
}

Context& VmState::addStream(uint32_t root_id, const StreamHost& host) {
  const uint32_t id = next_context_id_++;
  SkippedCallbacks skipped;
  if (root_skips_) {
    if (const Context* root = context(root_id)) skipped = root->skipped;
  }
  if (spare_streams_.empty()) {
    auto ctx = std::make_unique<Context>();
    ctx->id = id;
    ctx->root_id = root_id;
    ctx->host = host;
    ctx->skipped = skipped;
    return *contexts_.emplace(id, std::move(ctx)).first->second;
  }
  // An ended stream's map node and Context, reused: a stream costs no allocation here.
  auto node = std::move(spare_streams_.back());
  spare_streams_.pop_back();
  Context& ctx = *node.mapped();
  ctx.resetForStream();
  ctx.id = id;
  ctx.root_id = root_id;
  ctx.host = host;
  ctx.skipped = skipped;
  node.key() = id;
  contexts_.insert(std::move(node));
  return ctx;
}

void VmState::setRootSkips(Context& root, const SkippedCallbacks& skipped) {
  root.skipped = skipped;
  root_skips_ = root_skips_ || skipped.any();
}

void VmState::removeContext(uint32_t id) {
  if (last_context_ != nullptr && last_context_->id == id) last_context_ = nullptr;
  auto node = contexts_.extract(id);
  if (node && !node.mapped()->isRoot() && spare_streams_.size() < kSpareStreams) {
    if (spare_streams_.capacity() == 0) spare_streams_.reserve(kSpareStreams);
    spare_streams_.push_back(std::move(node));
  }
}

std::vector<uint32_t> VmState::contextIds() const {
  std::vector<uint32_t> ids;
  ids.reserve(contexts_.size());
  for (const auto& [id, ctx] : contexts_) ids.push_back(id);
  return ids;
}

abi::Status VmState::setEndedStreamRing(uint32_t address, uint32_t capacity) {
  constexpr uint32_t kMaxCapacity = 1u << 16;
  if (capacity == 0 || capacity > kMaxCapacity || address % 4 != 0) return abi::Status::BadArgument;
  if (!GuestMemory(*instance_).contains(address, 8 + uint64_t{capacity} * 4)) return abi::Status::InvalidMemoryAccess;
  ended_ring_ = {address, capacity, 0};
  return abi::Status::Ok;
}

abi::Status VmState::setCopyScratch(uint32_t address, uint32_t capacity) {
  constexpr uint32_t kMaxCapacity = 1u << 20;
  if (capacity == 0 || capacity > kMaxCapacity) return abi::Status::BadArgument;
  if (!GuestMemory(*instance_).contains(address, capacity)) return abi::Status::InvalidMemoryAccess;
  copy_scratch_ = {address, capacity};
  return abi::Status::Ok;
}

bool VmState::reportEndedStream(uint32_t id) {
  const Context* ctx = context(id);
  if (ctx == nullptr || ctx->isRoot() || !ctx->skipped.stream_end || ended_ring_.capacity == 0) return false;
  if (failed() || inGuestCall()) return false;
  GuestMemory memory(*instance_);
  const uint32_t at = ended_ring_.address;
  // The guest owns the second count; whatever it holds, the host writes only inside the ring.
  const std::optional<uint32_t> taken = memory.load<uint32_t>(at + 4);
  if (!taken || ended_ring_.written - *taken >= ended_ring_.capacity) return false;
  const uint64_t slot = at + 8 + uint64_t{ended_ring_.written % ended_ring_.capacity} * 4;
  if (!memory.store<uint32_t>(slot, id) || !memory.store<uint32_t>(at, ended_ring_.written + 1)) return false;
  ++ended_ring_.written;
  removeContext(id);
  return true;
}

Result<uint64_t> VmState::endStream(uint32_t id) {
  if (failed()) return failureError();
  if (!end_stream_) {
    auto logged = call(Export::OnLog, id, {id});
    auto done = logged.ok() ? call(Export::OnDone, id, {id}) : logged;
    if (!done.ok()) {
      removeContext(id);
      return done;
    }
    deleteContext(id);
    if (failed()) return failureError();
    return done;
  }
  const uint64_t args[] = {id, id, id};
  auto r = callFunction(*end_stream_, kStreamEnd, id, args, CallOptions{});
  removeContext(id);
  return r;
}

Result<uint64_t> VmState::startStream(uint32_t id, uint32_t root_id, uint32_t num_headers, bool end_of_stream,
                                      bool* stop_forced) {
  // ABI 0.1.0's header callbacks take no end_of_stream.
  const uint64_t with_end[] = {id, root_id, id, num_headers, end_of_stream};
  const std::span<const uint64_t> args(with_end, abi_ == abi::AbiVersion::V0_1_0 ? 4 : 5);
  auto r = callFunction(*stream_start_, kStreamStart, id, args, {.windows = {}, .absent = 0, .stop_forced = stop_forced});
  if (!r.ok()) removeContext(id);  // the stream never started, so nothing ends it
  return r;
}

void VmState::deleteContext(uint32_t id) {
  Context* ctx = context(id);
  if (ctx == nullptr) return;
  if (ctx->tick_armed) timerHost().setTickPeriod(id, 0);
  (void)call(Export::OnDelete, id, {id});  // a trap fails the VM; the context is gone either way
  removeContext(id);
}

Context* VmState::effectiveContext() {
  if (Context* c = context(effective_id_)) return c;
  return context(current_id_);  // the chosen context went away: fall back to the called one
}

Context* VmState::effectiveRoot() {
  Context* c = effectiveContext();
  if (c == nullptr || c->isRoot()) return c;
  return context(c->root_id);
}

bool VmState::setEffectiveContext(uint32_t id) {
  if (context(id) == nullptr) return false;
  effective_id_ = id;
  return true;
}

Result<uint64_t> VmState::call(Export e, uint32_t context_id, std::initializer_list<uint64_t> args) {
  return call(e, context_id, args, CallOptions{});
}

Result<uint64_t> VmState::call(Export e, uint32_t context_id, std::initializer_list<uint64_t> args,
                               const CallOptions& options) {
  if (failed()) return failureError();
  const auto& fn = exports_[static_cast<size_t>(e)];
  if (!fn) return options.absent;
  const Export names[] = {e};
  return callFunction(*fn, names, context_id, std::span<const uint64_t>(args.begin(), args.size()), options);
}

Result<uint64_t> VmState::callFunction(FunctionHandle fn, std::span<const Export> names, uint32_t context_id,
                                       std::span<const uint64_t> args, const CallOptions& options) {
  // Calls nest (a deferred action may call in again): save what this call changes.
  const uint32_t saved_current = current_id_, saved_effective = effective_id_;
  const bool saved_stop = stop_forced_;
  CallWindows saved_windows = windows_;
  current_id_ = effective_id_ = context_id;
  stop_forced_ = false;
  windows_ = options.windows;
  ++depth_;
  ++guest_entries_;
  Result<uint64_t> result = instance_->call(fn, args);
  --depth_;
  const bool stopped = stop_forced_;
  current_id_ = saved_current;
  effective_id_ = saved_effective;
  stop_forced_ = saved_stop;
  windows_ = saved_windows;
  if (!result.ok()) {
    // A sequence names the export that was running when it failed.
    size_t step = names.size() > 1 ? instance_->sequenceStep(fn).value_or(0) : 0;
    failIn(names[std::min(step, names.size() - 1)], result.message());
    return failureError();
  }
  if (options.stop_forced != nullptr) *options.stop_forced = stopped;
  if (depth_ == 0) runDeferred();
  return result;
}

void VmState::failIn(Export e, const std::string& why) {
  fail("plugin '" + name() + "': trap in " + exportName(e) + ": " + why);
}

VmState::ChainedCall VmState::enterChained(uint32_t context_id) {
  const ChainedCall saved{current_id_, effective_id_, stop_forced_};
  current_id_ = effective_id_ = context_id;
  stop_forced_ = false;
  ++depth_;
  ++guest_entries_;
  return saved;
}

void VmState::leaveChained(const ChainedCall& call) {
  --depth_;
  current_id_ = call.saved_current;
  effective_id_ = call.saved_effective;
  stop_forced_ = call.saved_stop;
}

void VmState::defer(std::function<void()> action) {
  if (depth_ > 0) {
    deferred_.push_back(std::move(action));
  } else {
    action();
  }
}

void VmState::runDeferred() {
  // An action may call into the guest again and queue more; run until none are left.
  while (!deferred_.empty() && !failed()) {
    auto actions = std::move(deferred_);
    deferred_.clear();
    for (auto& action : actions) {
      if (failed()) break;
      action();
    }
  }
}

abi::Status VmState::copyOut(HostCall& call, std::string_view data, uint64_t ptr_ptr, uint64_t size_ptr) {
  return copyOutWith(
      call, data.size(), [&](std::span<uint8_t> out) { std::memcpy(out.data(), data.data(), data.size()); }, ptr_ptr,
      size_ptr);
}

abi::Status VmState::copyOutWith(HostCall& call, size_t size, FunctionRef<void(std::span<uint8_t>)> fill,
                                 uint64_t ptr_ptr, uint64_t size_ptr) {
  uint32_t address = 0;
  if (size > UINT32_MAX) return abi::Status::InvalidMemoryAccess;
  if (size != 0 && size <= copy_scratch_.capacity &&
      GuestMemory(*instance_).contains(copy_scratch_.address, size)) {
    // A result that fits the module's scratch goes there: no allocation in the guest, and on the
    // engine's fast path no second call to complete the copy.
    address = copy_scratch_.address;
  } else {
    // Usually the engine allocates once this host function returned, without a second entry.
    if (std::span<uint8_t> later = call.deferCopyOut(size, static_cast<uint32_t>(ptr_ptr),
                                                     static_cast<uint32_t>(size_ptr),
                                                     static_cast<uint32_t>(abi::Status::InvalidMemoryAccess));
        !later.empty()) {
      fill(later);
      return abi::Status::Ok;
    }
    // On the engine's fast path the guest cannot be entered: the engine makes the call again the
    // usual way (HostFunction::fast promises nothing happened before this copy).
    if (call.fast && size != 0) {
      call.retry = true;
      return abi::Status::InternalFailure;
    }
    if (size != 0) {
      const Export allocator = hasExport(Export::Malloc) ? Export::Malloc : Export::OnMemoryAllocate;
      // Re-entrant call into the guest; its memory may grow, so take a new view afterwards.
      auto allocated = instance_->call(*exports_[static_cast<size_t>(allocator)], {uint64_t{size}});
      if (!allocated.ok()) {
        call.trap(std::string(exportName(allocator)) + " trapped: " + allocated.message());
        return abi::Status::InternalFailure;
      }
      address = static_cast<uint32_t>(allocated.value());
      if (address == 0 || !GuestMemory(*instance_).contains(address, size)) return abi::Status::InvalidMemoryAccess;
    }
  }
  std::span<uint8_t> bytes = instance_->memory();
  if (size != 0) fill(bytes.subspan(address, size));
  GuestMemory memory(bytes);
  if (!memory.store<uint32_t>(ptr_ptr, address) || !memory.store<uint32_t>(size_ptr, static_cast<uint32_t>(size))) {
    return abi::Status::InvalidMemoryAccess;
  }
  return abi::Status::Ok;
}

void VmState::writeStdio(int fd, std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  log(fd == 2 ? abi::LogLevel::Error : abi::LogLevel::Info, text);
}

void VmState::log(abi::LogLevel level, std::string_view message) {
  const Context* root = effectiveRoot();
  const std::string& plugin = root != nullptr && !root->plugin.name.empty() ? root->plugin.name : name();
  logHost().log(level, plugin, message);
}

LogHost& VmState::logHost() { return config_.services.log ? *config_.services.log : default_log; }
HttpCallHost& VmState::httpHost() { return config_.services.http ? *config_.services.http : default_http; }
RedisHost& VmState::redisHost() { return config_.services.redis ? *config_.services.redis : default_redis; }
TimerHost& VmState::timerHost() { return config_.services.timers ? *config_.services.timers : default_timers; }
SharedDataHost& VmState::sharedDataHost() {
  return config_.services.shared_data ? *config_.services.shared_data : default_shared_data;
}
MetricsHost& VmState::metricsHost() { return config_.services.metrics ? *config_.services.metrics : default_metrics; }
ForeignFunctionHost& VmState::foreignHost() {
  return config_.services.foreign ? *config_.services.foreign : default_foreign;
}
HeaderMapHost& VmState::headers(const Context& s) { return s.host.headers ? *s.host.headers : default_headers; }
BufferHost& VmState::buffers(const Context& s) { return s.host.buffers ? *s.host.buffers : default_buffers; }
StreamControlHost& VmState::control(const Context& s) { return s.host.control ? *s.host.control : default_control; }

}  // namespace wasmgate::runtime
