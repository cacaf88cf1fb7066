// Export dispatch: the proxy_on_* functions the host calls, routed to the installed VMContext and
// its plugin and HTTP contexts by context id; callouts (HTTP and Redis calls) per plugin context,
// answered with the issuing context made effective again. Also the ABI version marker.
//
// ABI 0.2.100 (not 0.2.1): under it Higress keeps a header StopIteration as Envoy's StopIteration
// (body callbacks still run), which Go plugins -- and their C++ ports -- rely on when they return
// HeaderStopIteration to read the body. Build with WASMGATE_SDK_ABI_0_2_1 for other hosts.
#include <cstdlib>
#include <string_view>
#include <map>
#include <utility>

#include <wasmgate/contexts.h>
#include <wasmgate/format.h>
#include <wasmgate/internal/exports.h>
#include <wasmgate/internal/imports.h>

#include "hostcall.h"
#include "stream_table.h"

#if defined(__wasm__)
#define WASMGATE_EXPORT(name) extern "C" __attribute__((export_name(#name)))
#else
#define WASMGATE_EXPORT(name) extern "C"
#endif

#if defined(WASMGATE_SDK_ABI_0_2_1)
WASMGATE_EXPORT(proxy_abi_version_0_2_1) void proxy_abi_version_0_2_1() {}
#else
WASMGATE_EXPORT(proxy_abi_version_0_2_100) void proxy_abi_version_0_2_100() {}
#endif

namespace wasmgate {
namespace {

struct PluginEntry {
  std::unique_ptr<types::PluginContext> context;
  struct HttpCallout {
    std::function<void(uint32_t, uint32_t, uint32_t)> callback;
    uint32_t caller;
  };
  struct RedisCallout {
    std::function<void(int, uint32_t)> callback;
    uint32_t caller;
  };
  std::map<uint32_t, HttpCallout> httpCallouts;
  std::map<uint32_t, RedisCallout> redisCallouts;
};

struct Dispatch {
  std::unique_ptr<types::VMContext> vm;
  std::map<uint32_t, PluginEntry> plugins;
  internal::StreamTable streams;
  uint32_t current = 0;
};

// Plugin contexts in a std::map rather than an unordered_map: a few live ones, and ~3 KB less
// per plugin.
// Made on first use, so plugin static initialisers may install a VM context in any order (the
// pointer itself is constant-initialised). Not a function-local static: its guard check was a
// call on every use, and every export uses it several times.
Dispatch* dispatch_state = nullptr;
[[gnu::noinline]] Dispatch& firstState() { return *(dispatch_state = new Dispatch()); }
inline Dispatch& state() { return dispatch_state != nullptr ? *dispatch_state : firstState(); }

void logError(std::string_view message) {
  proxy_log(static_cast<uint32_t>(abi::LogLevel::Error), message.data(), message.size());
}

[[gnu::noinline, gnu::cold]] void logUnknown(const char* what, uint32_t id) {
  std::string m = "wasmgate sdk: ";
  m.append(what).append(" for unknown context id ");
  format::AppendUint(m, id);
  logError(m);
}

// The ring wasmgate writes ended streams' ids to (foreign function "wasmgate_stream_end_ring",
// docs/abi.md) for streams that skip their end callbacks: the host counts what it wrote, the
// module what it took. The module releases those streams the next time the host calls it, before
// anything else, so no callback of it ever sees a stream the host has ended.
struct EndedStreamRing {
  static constexpr uint32_t kCapacity = 256;  // when full, the host ends streams the usual way
  volatile uint32_t written;  // the host's
  uint32_t taken;
  volatile uint32_t ids[kCapacity];
};
EndedStreamRing ended_ring;
bool ended_ring_active = false;

PluginEntry* plugin(uint32_t id);

// Takes stream `id` out of the table and hands its context back to the plugin that made it.
void endStream(uint32_t id) {
  Dispatch& d = state();
  internal::StreamTable::Entry* entry = d.streams.find(id);
  if (entry == nullptr) return;
  const uint32_t root = entry->plugin;
  // Out of the table first: ending a context may run code that looks the stream up.
  std::unique_ptr<types::HttpContext> context = d.streams.remove(id);
  PluginEntry* owner = plugin(root);
  if (owner != nullptr && owner->context) owner->context->EndHttpContext(std::move(context));
}

void registerEndedStreamRing() {
#if defined(__wasm__)  // the ring's address is a 32-bit offset into the module's memory
  const uint32_t argument[2] = {static_cast<uint32_t>(reinterpret_cast<uintptr_t>(&ended_ring)),
                                EndedStreamRing::kCapacity};
  ended_ring_active = internal::HostExtension(
      "wasmgate_stream_end_ring", std::string_view(reinterpret_cast<const char*>(argument), sizeof argument));
#endif
}

void releaseEndedStreams() {
  while (ended_ring.taken != ended_ring.written) {
    const uint32_t id = ended_ring.ids[ended_ring.taken % EndedStreamRing::kCapacity];
    ++ended_ring.taken;  // first: a destructor below may call back into the module
    endStream(id);
  }
}

// Marks the context the host is calling into for the duration of one export.
class CurrentContext {
 public:
  explicit CurrentContext(uint32_t id) : saved_(state().current) {
    if (ended_ring.taken != ended_ring.written) releaseEndedStreams();
    state().current = id;
  }
  ~CurrentContext() { state().current = saved_; }
  CurrentContext(const CurrentContext&) = delete;
  CurrentContext& operator=(const CurrentContext&) = delete;

 private:
  uint32_t saved_;
};

types::HttpContext* stream(Dispatch& d, uint32_t id) {
  internal::StreamTable::Entry* entry = d.streams.find(id);
  return entry ? entry->context : nullptr;
}

PluginEntry* plugin(uint32_t id) {
  auto it = state().plugins.find(id);
  return it == state().plugins.end() ? nullptr : &it->second;
}

bool alive(uint32_t id) { return state().plugins.count(id) || state().streams.find(id); }

}  // namespace

namespace proxywasm {

void SetVMContext(std::unique_ptr<types::VMContext> vm) { state().vm = std::move(vm); }

uint32_t CurrentContextId() { return state().current; }

uint32_t CurrentPluginContextId() {
  uint32_t id = state().current;
  internal::StreamTable::Entry* entry = state().streams.find(id);
  return entry ? entry->plugin : id;
}

}  // namespace proxywasm

namespace internal {

void RegisterHttpCallout(uint32_t token, std::function<void(uint32_t, uint32_t, uint32_t)> callback) {
  if (PluginEntry* p = plugin(proxywasm::CurrentPluginContextId())) {
    p->httpCallouts[token] = {std::move(callback), state().current};
  }
}

void RegisterRedisCallout(uint32_t token, std::function<void(int, uint32_t)> callback) {
  if (PluginEntry* p = plugin(proxywasm::CurrentPluginContextId())) {
    p->redisCallouts[token] = {std::move(callback), state().current};
  }
}

bool EndedStreamRingActive() { return ended_ring_active; }

void ResetDispatchForTesting() {
  ended_ring.taken = ended_ring.written;
  ended_ring_active = false;
  state().streams.clear();
  state().plugins.clear();
  state().vm.reset();
  state().current = 0;
}

}  // namespace internal
}  // namespace wasmgate

using namespace wasmgate;

WASMGATE_EXPORT(proxy_on_memory_allocate) void* proxy_on_memory_allocate(size_t size) {
  return ::malloc(size ? size : 1);
}

// A plugin context: once per plugin, so out of line of the stream's path.
[[gnu::noinline]] static void createPluginContext(Dispatch& d, uint32_t id) {
  if (!d.vm) return logError("wasmgate sdk: no plugin installed (SetCtx / SetVMContext never ran)");
  d.plugins[id].context = d.vm->NewPluginContext(id);
}

WASMGATE_EXPORT(proxy_on_context_create) void proxy_on_context_create(uint32_t id, uint32_t parent) {
  CurrentContext scope(id);
  Dispatch& d = state();
  if (parent == 0) return createPluginContext(d, id);
  PluginEntry* p = plugin(parent);
  if (!p || !p->context) return logUnknown("proxy_on_context_create: parent", parent);
  if (auto http = p->context->NewHttpContext(id)) d.streams.insert(id, parent, std::move(http));
}

WASMGATE_EXPORT(proxy_on_vm_start) uint32_t proxy_on_vm_start(uint32_t root, uint32_t size) {
  CurrentContext scope(root);
  if (!ended_ring_active) {
    registerEndedStreamRing();
    internal::RegisterCopyScratch();
  }
  if (!state().vm) return 0;
  return state().vm->OnVMStart(size) == types::OnPluginStartStatus::OK;
}

WASMGATE_EXPORT(proxy_on_configure) uint32_t proxy_on_configure(uint32_t root, uint32_t size) {
  CurrentContext scope(root);
  PluginEntry* p = plugin(root);
  if (!p || !p->context) return logUnknown("proxy_on_configure", root), 0;
  return p->context->OnPluginStart(size) == types::OnPluginStartStatus::OK;
}

#define WASMGATE_STREAM_CALL(id, call, fallback) \
  CurrentContext scope(id);                      \
  types::HttpContext* s = stream(state(), id);   \
  return s ? s->call : (fallback)

WASMGATE_EXPORT(proxy_on_request_headers)
uint32_t proxy_on_request_headers(uint32_t id, uint32_t headers, uint32_t eos) {
  WASMGATE_STREAM_CALL(id, OnHttpRequestHeaders(headers, eos != 0), types::HeaderContinue);
}
WASMGATE_EXPORT(proxy_on_request_body)
uint32_t proxy_on_request_body(uint32_t id, uint32_t size, uint32_t eos) {
  WASMGATE_STREAM_CALL(id, OnHttpRequestBody(size, eos != 0), types::DataContinue);
}
WASMGATE_EXPORT(proxy_on_request_trailers)
uint32_t proxy_on_request_trailers(uint32_t id, uint32_t trailers) {
  WASMGATE_STREAM_CALL(id, OnHttpRequestTrailers(trailers), types::TrailerContinue);
}
WASMGATE_EXPORT(proxy_on_response_headers)
uint32_t proxy_on_response_headers(uint32_t id, uint32_t headers, uint32_t eos) {
  WASMGATE_STREAM_CALL(id, OnHttpResponseHeaders(headers, eos != 0), types::HeaderContinue);
}
WASMGATE_EXPORT(proxy_on_response_body)
uint32_t proxy_on_response_body(uint32_t id, uint32_t size, uint32_t eos) {
  WASMGATE_STREAM_CALL(id, OnHttpResponseBody(size, eos != 0), types::DataContinue);
}
WASMGATE_EXPORT(proxy_on_response_trailers)
uint32_t proxy_on_response_trailers(uint32_t id, uint32_t trailers) {
  WASMGATE_STREAM_CALL(id, OnHttpResponseTrailers(trailers), types::TrailerContinue);
}
#undef WASMGATE_STREAM_CALL

WASMGATE_EXPORT(proxy_on_log) void proxy_on_log(uint32_t id) {
  CurrentContext scope(id);
  if (types::HttpContext* s = stream(state(), id)) s->OnHttpStreamDone();
}

WASMGATE_EXPORT(proxy_on_done) uint32_t proxy_on_done(uint32_t id) {
  CurrentContext scope(id);
  PluginEntry* p = plugin(id);
  return p && p->context ? p->context->OnPluginDone() : 1;
}

WASMGATE_EXPORT(proxy_on_delete) void proxy_on_delete(uint32_t id) {
  CurrentContext scope(id);
  endStream(id);
  // Moved out first: a plugin context's destructor may look itself up.
  auto p = state().plugins.extract(id);
}

WASMGATE_EXPORT(proxy_on_tick) void proxy_on_tick(uint32_t root) {
  CurrentContext scope(root);
  PluginEntry* p = plugin(root);
  if (!p || !p->context) return logUnknown("proxy_on_tick", root);
  p->context->OnTick();
}

WASMGATE_EXPORT(proxy_on_queue_ready) void proxy_on_queue_ready(uint32_t root, uint32_t queue) {
  CurrentContext scope(root);
  PluginEntry* p = plugin(root);
  if (!p || !p->context) return logUnknown("proxy_on_queue_ready", root);
  p->context->OnQueueReady(queue);
}

// Runs `callback` as the context that issued the call, unless that context is gone (the Go SDK
// skips the callback then too).
template <typename Map, typename Invoke>
static void answerCallout(uint32_t root, uint32_t token, Map PluginEntry::*callouts, const char* what,
                          Invoke&& invoke) {
  PluginEntry* p = plugin(root);
  if (!p) return logUnknown(what, root);
  auto it = (p->*callouts).find(token);
  if (it == (p->*callouts).end()) {
    return logError(format::Sprintf("wasmgate sdk: %s for unknown token %d", what, token));
  }
  auto callout = std::move(it->second);
  (p->*callouts).erase(it);
  if (!alive(callout.caller)) return;
  proxy_set_effective_context(callout.caller);
  CurrentContext scope(callout.caller);
  invoke(callout.callback);
}

WASMGATE_EXPORT(proxy_on_http_call_response)
void proxy_on_http_call_response(uint32_t root, uint32_t token, uint32_t headers, uint32_t body,
                                 uint32_t trailers) {
  CurrentContext scope(root);
  answerCallout(root, token, &PluginEntry::httpCallouts, "proxy_on_http_call_response",
                [&](auto& cb) { if (cb) cb(headers, body, trailers); });
}

WASMGATE_EXPORT(proxy_on_redis_call_response)
void proxy_on_redis_call_response(uint32_t root, uint32_t token, uint32_t status, uint32_t size) {
  CurrentContext scope(root);
  answerCallout(root, token, &PluginEntry::redisCallouts, "proxy_on_redis_call_response",
                [&](auto& cb) { if (cb) cb(static_cast<int>(status), size); });
}
