// The wrapper's runtime: the types::VMContext / PluginContext / HttpContext implementations that
// turn proxy-wasm callbacks into calls of the handlers a plugin gave to SetCtx (Go:
// CommonVmCtx, CommonPluginCtx, CommonHttpCtx). Private to sdk/src. Single-threaded.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <wasmgate/contexts.h>
#include <wasmgate/http_context.h>
#include <wasmgate/internal/plugin_spec.h>
#include <wasmgate/plugin_context.h>
#include <wasmgate/rule_matcher.h>

namespace wasmgate::wrapper::internal {

struct TickFunc {
  int64_t periodMs;
  std::function<void()> f;
  uint64_t lastRunMs = 0;
};

// Per VM: the spec and the request counter of WithRebuildAfterRequests.
struct VmState {
  PluginSpec spec;
  uint64_t requestCount = 0;
};

class HttpStream;

class PluginRoot : public types::PluginContext {
 public:
  PluginRoot(uint32_t id, VmState* vm) : vm_(vm), context_(id) {}
  types::OnPluginStartStatus OnPluginStart(uint32_t configSize) override;
  void OnTick() override;
  std::unique_ptr<types::HttpContext> NewHttpContext(uint32_t id) override;
  void EndHttpContext(std::unique_ptr<types::HttpContext> context) override;

  VmState& vm() { return *vm_; }
  const matcher::RuleMatcher& matcher() const { return matcher_; }
  // The host answers these callbacks for every stream of this plugin (see skipUnhandledCallbacks).
  bool hostSkipsRequestBody() const { return hostSkipsRequestBody_; }
  bool hostSkipsResponseBody() const { return hostSkipsResponseBody_; }

 private:
  types::OnPluginStartStatus start();
  // Tells a wasmgate host which stream callbacks no handler of this plugin needs, once for all
  // its streams: bodies nobody reads, and the whole response when no handler looks at it.
  void skipUnhandledCallbacks();

  VmState* vm_;
  wrapper::PluginContext context_;
  matcher::RuleMatcher matcher_;
  std::vector<TickFunc> ticks_;
  // Ended streams kept for the next ones: a new stream then costs no allocation, and its cached
  // request values reuse the buffers of an earlier stream's. At most kIdleStreams.
  std::vector<std::unique_ptr<HttpStream>> idleStreams_;
  bool hostSkipsRequestBody_ = false;
  bool hostSkipsResponseBody_ = false;
};

class HttpStream : public types::HttpContext {
 public:
  HttpStream(uint32_t id, PluginRoot* plugin);
  // An ended stream kept for reuse: everything of the old stream goes now (what the plugin stored
  // in its context is destroyed when the stream ends, as without reuse), then Reuse gives it its
  // new stream's id.
  void MakeIdle();
  void Reuse(uint32_t id) { ctx_.contextId_ = id; }
  types::Action OnHttpRequestHeaders(uint32_t numHeaders, bool endOfStream) override;
  types::Action OnHttpRequestBody(uint32_t bodySize, bool endOfStream) override;
  types::Action OnHttpResponseHeaders(uint32_t numHeaders, bool endOfStream) override;
  types::Action OnHttpResponseBody(uint32_t bodySize, bool endOfStream) override;
  void OnHttpStreamDone() override;

 private:
  // The header callbacks without the decision to skip this stream's body callbacks.
  types::Action requestHeaders(uint32_t numHeaders, bool endOfStream);
  types::Action responseHeaders(uint32_t numHeaders, bool endOfStream);
  // Fills the context's cached request values; false when the request has no :authority.
  bool cacheRequestHeaders();
  void checkRebuild();
  void logNoAuthority();
  // The config matched for this request (nullptr: the plugin is inactive for it).
  const void* matchConfig();
  // The same when some rule matches by route or cluster name: those properties are read first.
  const void* matchConfigByProperties(const matcher::RuleMatcher& rules, bool byRoute, bool byCluster);
  types::Action routeCallHeaders(bool endOfStream);
  types::Action routeCallBody(uint32_t bodySize, bool endOfStream);
  // The body switches every stream of the plugin starts with.
  void initBodyHandling();

  PluginRoot* plugin_;
  const PluginSpec& spec_;
  wrapper::HttpContext ctx_;
};

// RegisterTickFunc's list, filled while a plugin starts.
std::vector<TickFunc>& PendingTickFuncs();

}  // namespace wasmgate::wrapper::internal
