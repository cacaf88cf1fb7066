// The wrapper's per-stream callbacks (Go: CommonHttpCtx.OnHttp*): config matching, body
// buffering or streaming, binary and websocket bodies, rebuild checks, RouteCall capture.
#include <wasmgate/log.h>
#include <wasmgate/proxywasm/host.h>
#include <wasmgate/proxywasm/http.h>

#include "hostcall.h"
#include "plugin_runtime.h"
#include "unaligned.h"

namespace wasmgate::wrapper::internal {
namespace {

// A request header the context caches, and where its first value goes (Envoy's single-header read
// answers the first of repeated headers).
struct CachedHeader {
  std::string_view name;
  std::string* target;
  bool seen = false;
};

// Which of cacheRequestHeaders' headers `key` names (its index there; kRequestId for
// x-request-id), or -1. By size first, then against literals in word compares (EqualsLiteral): a
// header costs one or two of them, where `key == "..."` would be a memcmp call per candidate.
constexpr int kRequestId = 8;
int cachedIndex(std::string_view key) {
  using wasmgate::internal::EqualsLiteral;
  switch (key.size()) {
    case 5: return EqualsLiteral(key, ":path") ? 1 : -1;
    case 7: return EqualsLiteral(key, ":method") ? 2 : EqualsLiteral(key, ":scheme") ? 3 : EqualsLiteral(key, "upgrade") ? 7 : -1;
    case 10: return EqualsLiteral(key, ":authority") ? 0 : EqualsLiteral(key, "connection") ? 6 : -1;
    case 12: return EqualsLiteral(key, "content-type") ? 4 : EqualsLiteral(key, "x-request-id") ? kRequestId : -1;
    case 16: return EqualsLiteral(key, "content-encoding") ? 5 : -1;
    default: return -1;
  }
}

}  // namespace

HttpStream::HttpStream(uint32_t id, PluginRoot* plugin) : plugin_(plugin), spec_(plugin->vm().spec), ctx_(id) {
  initBodyHandling();
}

void HttpStream::MakeIdle() {
  ctx_.ResetFor(0);
  initBodyHandling();
}

void HttpStream::initBodyHandling() {
  ctx_.needRequestBody_ = spec_.onRequestBody || spec_.onStreamingRequestBody;
  ctx_.needResponseBody_ = spec_.onResponseBody || spec_.onStreamingResponseBody;
  ctx_.streamingRequestBody_ = static_cast<bool>(spec_.onStreamingRequestBody);
  ctx_.streamingResponseBody_ = static_cast<bool>(spec_.onStreamingResponseBody);
}

// One read of the whole map instead of one host call per header (Go's wrapper reads them one by
// one): each host call that returns a value also costs the module an allocation. The map is
// scanned in place, only the cached values are copied, and x-request-id goes to the
// x_request_id property (as in Go) straight from the map.
bool HttpStream::cacheRequestHeaders() {
  // In cachedIndex's order.
  CachedHeader wanted[] = {
      {":authority", &ctx_.host_},         {":path", &ctx_.path_},
      {":method", &ctx_.method_},          {":scheme", &ctx_.scheme_},
      {"content-type", &ctx_.requestContentType_},
      {"content-encoding", &ctx_.requestContentEncoding_},
      {"connection", &ctx_.connection_},   {"upgrade", &ctx_.upgrade_},
  };
  for (CachedHeader& w : wanted) w.target->clear();
  std::string_view requestId;
  bool requestIdSeen = false;
  wasmgate::internal::HostBytes raw;
  proxy_get_header_map_pairs(static_cast<uint32_t>(abi::MapType::RequestHeaders), &raw.data, &raw.size);
  wasmgate::internal::VisitPairs(raw.view(), [&](std::string_view key, std::string_view value) {
    const int index = cachedIndex(key);
    if (index == kRequestId) {
      if (!requestIdSeen) requestId = value;
      requestIdSeen = true;
    } else if (index >= 0 && !wanted[index].seen) {
      wanted[index].target->assign(value);
      wanted[index].seen = true;
    }
  });
  if (!requestId.empty()) proxywasm::SetProperty({"x_request_id"}, requestId);
  return wanted[0].seen;
}

// The paths below run for few requests or only with some options. Out of line, they leave the
// header callbacks' machine code small (OnHttpRequestHeaders: 10 KB of TurboFan code before, 5 KB
// after), which matters where every request starts with cold caches (docs/performance.md,
// session 19; no change in time was measurable there, against ±0.5 µs of noise).
[[gnu::noinline, gnu::cold]] void HttpStream::logNoAuthority() {
  log::Errorf("get match config failed: cannot read :authority (%v)", types::Status::NotFound);
}

const void* HttpStream::matchConfig() {
  const matcher::RuleMatcher& rules = plugin_->matcher();
  const bool byRoute = rules.NeedsRouteName(), byCluster = rules.NeedsClusterName();
  if (!byRoute && !byCluster) return rules.GetMatchConfig(ctx_.host_, {}, {});
  return matchConfigByProperties(rules, byRoute, byCluster);
}

[[gnu::noinline]] const void* HttpStream::matchConfigByProperties(const matcher::RuleMatcher& rules, bool byRoute,
                                                                  bool byCluster) {
  std::string route = byRoute ? proxywasm::GetProperty({"route_name"}).value : std::string();
  std::string cluster = byCluster ? proxywasm::GetProperty({"cluster_name"}).value : std::string();
  return rules.GetMatchConfig(ctx_.host_, route, cluster);
}

[[gnu::noinline]] void HttpStream::checkRebuild() {
  VmState& vm = plugin_->vm();
  if (spec_.rebuildAfterRequests > 0 && ++vm.requestCount >= spec_.rebuildAfterRequests) {
    proxywasm::SetProperty({"wasm_need_rebuild"}, "true");
    vm.requestCount = 0;
  }
  if (spec_.rebuildMaxMemBytes > 0) {
    auto memory = proxywasm::GetProperty({"plugin_vm_memory"});
    if (memory.ok() && memory.value.size() == 8) {
      uint64_t bytes = 0;
      for (int i = 7; i >= 0; --i) bytes = bytes << 8 | static_cast<unsigned char>(memory.value[size_t(i)]);
      if (bytes >= spec_.rebuildMaxMemBytes) proxywasm::SetProperty({"wasm_need_rebuild"}, "true");
    }
  }
}

types::Action HttpStream::OnHttpRequestHeaders(uint32_t numHeaders, bool endOfStream) {
  types::Action action = requestHeaders(numHeaders, endOfStream);
  // OnHttpRequestBody answers Continue at once in this case (and nothing sets the flag again), so
  // the host may answer for it: two entries into the module fewer per body. A plugin with no body
  // handler at all said so once for every stream (PluginRoot::skipUnhandledCallbacks).
  if (!endOfStream && (!ctx_.config_ || !ctx_.needRequestBody_) && !plugin_->hostSkipsRequestBody()) {
    wasmgate::internal::SkipCallbacks("request_body");
  }
  return action;
}

types::Action HttpStream::requestHeaders(uint32_t, bool endOfStream) {
  ctx_.phase_ = ExecutionPhase::DecodeHeader;
  ctx_.hasRequestBody_ = !endOfStream;
  const bool hasAuthority = cacheRequestHeaders();
  if (spec_.rebuildAfterRequests > 0 || spec_.rebuildMaxMemBytes > 0) checkRebuild();

  if (!hasAuthority) {  // as in Go: no :authority, no config
    logNoAuthority();
    return types::ActionContinue;
  }
  ctx_.config_ = const_cast<void*>(matchConfig());
  if (!ctx_.config_) return types::ActionContinue;  // inactive for this stream

  // Both checks only ever switch body handling off: a plugin with no body handler skips them.
  if (ctx_.needRequestBody_ && ctx_.IsBinaryRequestBody()) ctx_.needRequestBody_ = false;
  if ((ctx_.needRequestBody_ || ctx_.needResponseBody_) && ctx_.IsWebsocket()) {
    ctx_.needRequestBody_ = ctx_.needResponseBody_ = false;
  }
  if (!spec_.onRequestHeaders) return types::ActionContinue;
  return spec_.onRequestHeaders(ctx_, ctx_.config_);
}

types::Action HttpStream::OnHttpRequestBody(uint32_t bodySize, bool endOfStream) {
  ctx_.phase_ = ExecutionPhase::DecodeData;
  if (!ctx_.config_ || !ctx_.needRequestBody_) return types::ActionContinue;
  if (spec_.onStreamingRequestBody && ctx_.streamingRequestBody_) {
    auto chunk = proxywasm::GetHttpRequestBody(0, bodySize);
    std::string replaced = spec_.onStreamingRequestBody(ctx_, ctx_.config_, chunk.value, endOfStream);
    if (auto s = proxywasm::ReplaceHttpRequestBody(replaced); s != types::Status::Ok) {
      log::Warnf("replace request body chunk failed: %v", s);
    }
    return types::ActionContinue;
  }
  if (!spec_.onRequestBody) return types::ActionContinue;
  // Sizes are summed as Go does; the host clamps the read to what it holds.
  ctx_.requestBodySize_ += bodySize;
  if (!endOfStream) return types::ActionPause;
  auto body = proxywasm::GetHttpRequestBody(0, ctx_.requestBodySize_);
  if (!body.ok() && body.status != types::Status::NotFound) {
    log::Warnf("get request body failed: %v", body.status);
    return types::ActionContinue;
  }
  return spec_.onRequestBody(ctx_, ctx_.config_, body.value);
}

[[gnu::noinline]] types::Action HttpStream::routeCallHeaders(bool endOfStream) {
  auto headers = proxywasm::GetHttpResponseHeaders();
  ctx_.routeHeaders_ = std::move(headers.value);
  ctx_.routeStatus_ = 500;
  for (const auto& [k, v] : ctx_.routeHeaders_) {
    long long code;
    if (k == ":status" && format::ParseInt(v, &code)) ctx_.routeStatus_ = static_cast<int>(code);
  }
  if (!endOfStream) {
    ctx_.needResponseBody_ = true;  // the body belongs to the route call, whatever the handlers
    return types::HeaderStopIteration;
  }
  auto callback = std::move(ctx_.routeCallback_);
  ctx_.routeCallback_ = nullptr;
  callback(ctx_.routeStatus_, ctx_.routeHeaders_, {});
  return types::HeaderStopAllIterationAndWatermark;
}

[[gnu::noinline]] types::Action HttpStream::routeCallBody(uint32_t bodySize, bool endOfStream) {
  if (!endOfStream) return types::ActionPause;
  auto body = proxywasm::GetHttpResponseBody(0, bodySize);
  proxywasm::RemoveHttpResponseHeader("content-length");
  auto callback = std::move(ctx_.routeCallback_);
  ctx_.routeCallback_ = nullptr;
  callback(ctx_.routeStatus_, ctx_.routeHeaders_, body.value);
  return types::ActionContinue;
}

types::Action HttpStream::OnHttpResponseHeaders(uint32_t numHeaders, bool endOfStream) {
  types::Action action = responseHeaders(numHeaders, endOfStream);
  // OnHttpResponseBody answers Continue at once in this case.
  if (!endOfStream && !ctx_.routeCallback_ && (!ctx_.config_ || !ctx_.needResponseBody_) &&
      !plugin_->hostSkipsResponseBody()) {
    wasmgate::internal::SkipCallbacks("response_body");
  }
  return action;
}

types::Action HttpStream::responseHeaders(uint32_t, bool endOfStream) {
  ctx_.phase_ = ExecutionPhase::EncodeHeader;
  ctx_.hasResponseBody_ = !endOfStream;
  if (ctx_.routeCallback_) return routeCallHeaders(endOfStream);
  if (!ctx_.config_) return types::ActionContinue;
  // Go asks always; only the answer's use (needResponseBody) is kept here, saving two host calls.
  if (ctx_.needResponseBody_ && ctx_.IsBinaryResponseBody()) ctx_.needResponseBody_ = false;
  if (!spec_.onResponseHeaders) return types::ActionContinue;
  return spec_.onResponseHeaders(ctx_, ctx_.config_);
}

types::Action HttpStream::OnHttpResponseBody(uint32_t bodySize, bool endOfStream) {
  ctx_.phase_ = ExecutionPhase::EncodeData;
  if (ctx_.routeCallback_) return routeCallBody(bodySize, endOfStream);
  if (!ctx_.config_ || !ctx_.needResponseBody_) return types::ActionContinue;
  if (spec_.onStreamingResponseBody && ctx_.streamingResponseBody_) {
    auto chunk = proxywasm::GetHttpResponseBody(0, bodySize);
    std::string replaced = spec_.onStreamingResponseBody(ctx_, ctx_.config_, chunk.value, endOfStream);
    if (auto s = proxywasm::ReplaceHttpResponseBody(replaced); s != types::Status::Ok) {
      log::Warnf("replace response body chunk failed: %v", s);
    }
    return ctx_.pauseStreamingResponse_ ? types::DataStopIterationNoBuffer : types::ActionContinue;
  }
  if (!spec_.onResponseBody) return types::ActionContinue;
  if (!endOfStream) return types::ActionPause;
  // The host reports the accumulated size at end of stream (Envoy after PR #36411).
  auto body = proxywasm::GetHttpResponseBody(0, bodySize);
  if (!body.ok() && body.status != types::Status::NotFound) {
    log::Warnf("get response body failed: %v", body.status);
    return types::ActionContinue;
  }
  return spec_.onResponseBody(ctx_, ctx_.config_, body.value);
}

void HttpStream::OnHttpStreamDone() {
  ctx_.phase_ = ExecutionPhase::Done;
  if (ctx_.config_ && spec_.onStreamDone) spec_.onStreamDone(ctx_, ctx_.config_);
}

}  // namespace wasmgate::wrapper::internal
