// The wrapper's VM and plugin contexts: plugin start (config parsing, ticks) and InstallPlugin;
// see plugin_runtime.h. The order of OnPluginStart follows Go's CommonPluginCtx.OnPluginStart.
#include "plugin_runtime.h"

#include "hostcall.h"

#include <wasmgate/json.h>
#include <wasmgate/log.h>
#include <wasmgate/proxywasm/host.h>

namespace wasmgate::wrapper::internal {
namespace {

constexpr uint32_t kTickPeriodMs = 100;
constexpr std::string_view kPluginIdKey = "_plugin_id_";

class VmRoot : public types::VMContext {
 public:
  explicit VmRoot(PluginSpec spec) { state_.spec = std::move(spec); }
  std::unique_ptr<types::PluginContext> NewPluginContext(uint32_t id) override {
    return std::make_unique<PluginRoot>(id, &state_);
  }

 private:
  VmState state_;
};

std::string le64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

}  // namespace

std::vector<TickFunc>& PendingTickFuncs() {
  static auto* ticks = new std::vector<TickFunc>();
  return *ticks;
}

types::OnPluginStartStatus PluginRoot::OnPluginStart(uint32_t) {
  types::OnPluginStartStatus status = start();
  PendingTickFuncs().clear();  // only calls made during this start count
  return status;
}

types::OnPluginStartStatus PluginRoot::start() {
  using types::OnPluginStartStatus;
  const PluginSpec& spec = vm_->spec;
  if (spec.prePluginStartOrReload) {
    if (auto err = spec.prePluginStartOrReload(context_)) {
      log::Errorf("prePluginStartOrReload failed: %v", err);
      return OnPluginStartStatus::Failed;
    }
  }
  if (spec.maxRequestsPerIoCycle > 0) {
    auto r = proxywasm::CallForeignFunction("set_global_max_requests_per_io_cycle", le64(spec.maxRequestsPerIoCycle));
    if (!r.ok()) log::Warnf("set_global_max_requests_per_io_cycle failed: %v", r.status);
  }
  auto config = proxywasm::GetPluginConfiguration();
  if (!config.ok() && config.status != types::Status::NotFound) {
    log::Criticalf("error reading plugin configuration: %v", config.status);
    return OnPluginStartStatus::Failed;
  }
  PendingTickFuncs().clear();
  Json json;
  if (config.value.empty()) {
    log::Warn("config is empty, but has ParseConfigFunc");
  } else {
    Json::ParseError error;
    if (!Json::Valid(config.value, &error)) {
      log::Errorf("the plugin configuration is not valid JSON: %s", error.message());
      return OnPluginStartStatus::Failed;
    }
    json = Json::Parse(config.value);
    if (json.get(kPluginIdKey).isString()) {
      log::ResetID(json.get(kPluginIdKey).asString());
      std::string text = config.value;
      wasmgate::internal::RemoveTopLevelKey(text, kPluginIdKey);
      json = Json::Parse(text);
    }
  }
  matcher::Parsers parsers;
  parsers.newConfig = spec.newConfig;
  parsers.global = [&](const Json& j, void* c) { return spec.parseGlobal(context_, j, c); };
  if (spec.parseRule) {
    parsers.rule = [&](const Json& j, const void* g, void* c) { return spec.parseRule(context_, j, g, c); };
  }
  if (auto err = matcher_.ParseRuleConfig(json, parsers, context_.IsRuleLevelConfigIsolation())) {
    log::Errorf("parse rule config failed: %v", err);
    return OnPluginStartStatus::Failed;
  }
  if (!PendingTickFuncs().empty()) {
    ticks_ = std::move(PendingTickFuncs());
    if (auto s = proxywasm::SetTickPeriodMilliSeconds(kTickPeriodMs); s != types::Status::Ok) {
      log::Errorf("set tick period failed: %v", s);
      return OnPluginStartStatus::Failed;
    }
  }
  skipUnhandledCallbacks();
  log::Info("plugin start successfully");
  return OnPluginStartStatus::OK;
}

// Per stream these would only answer Continue: a body no handler reads, and (when no handler
// looks at the response and none runs at the end of the stream) every response callback. Saying
// so once here spares each stream the calls into the module. A RouteCall takes the response back
// for its stream (HttpContext::RouteCall). Other hosts answer NotFound and call as usual.
void PluginRoot::skipUnhandledCallbacks() {
  const PluginSpec& spec = vm_->spec;
  using wasmgate::internal::SkipCallbacks;
  if (!spec.onRequestBody && !spec.onStreamingRequestBody) hostSkipsRequestBody_ = SkipCallbacks("request_body");
  if (!spec.onResponseBody && !spec.onStreamingResponseBody) {
    const bool responseUnused = !spec.onResponseHeaders && !spec.onStreamDone;
    hostSkipsResponseBody_ = SkipCallbacks(responseUnused ? "response" : "response_body");
  }
  // A stream with no done handler only frees the module's state for it at its end, which the
  // module does itself from the ring the host writes ended streams to: one call into the module
  // fewer per stream.
  if (!spec.onStreamDone && wasmgate::internal::EndedStreamRingActive()) SkipCallbacks("stream_end");
}

void PluginRoot::OnTick() {
  uint64_t nowMs = proxywasm::GetCurrentTimeNanoseconds() / 1000000ull;
  for (auto& tick : ticks_) {
    if (nowMs - tick.lastRunMs >= static_cast<uint64_t>(tick.periodMs)) {
      tick.lastRunMs = nowMs;
      if (tick.f) tick.f();
    }
  }
}

namespace {
// Enough for the streams a VM has open at once under load; a burst beyond it allocates.
constexpr size_t kIdleStreams = 16;
}  // namespace

std::unique_ptr<types::HttpContext> PluginRoot::NewHttpContext(uint32_t id) {
  if (idleStreams_.empty()) return std::make_unique<HttpStream>(id, this);
  std::unique_ptr<HttpStream> stream = std::move(idleStreams_.back());
  idleStreams_.pop_back();
  stream->Reuse(id);
  return stream;
}

void PluginRoot::EndHttpContext(std::unique_ptr<types::HttpContext> context) {
  if (!context || idleStreams_.size() >= kIdleStreams) return;
  // Only this plugin's NewHttpContext made the contexts the dispatcher hands back to it.
  std::unique_ptr<HttpStream> stream(static_cast<HttpStream*>(context.release()));
  stream->MakeIdle();
  idleStreams_.push_back(std::move(stream));
}

void InstallPlugin(PluginSpec spec) {
  if (spec.logger) log::SetPluginLog(spec.logger);
  if (spec.safeLog) log::SetSafeLogEnabled(true);
  proxywasm::SetVMContext(std::make_unique<VmRoot>(std::move(spec)));
}

}  // namespace wasmgate::wrapper::internal

namespace wasmgate::wrapper {

void RegisterTickFunc(int64_t periodMs, std::function<void()> f) {
  internal::PendingTickFuncs().push_back({periodMs, std::move(f), 0});
}

bool IsResponseFromUpstream() {
  return proxywasm::GetProperty({"response", "code_details"}).value == "via_upstream";
}

std::string GetPluginFingerPrint() { return proxywasm::GetProperty({"plugin_name"}).value; }

}  // namespace wasmgate::wrapper
