// streaming-moderation: check a streamed response with an external service before the client
// sees it, without buffering the whole body (advanced-patterns reference: "call external services
// with NeedPauseStreamingResponse"). Response chunks are held (NeedPauseStreamingResponse makes
// each chunk return DataStopIterationNoBuffer) and queued with PushBuffer; one moderation call at
// a time checks everything queued so far (POST <path>, the text as body). An answer "block"
// replaces that text with `replacement`; any other answer, a failed call or an undeliverable one
// lets it through (fail open). The result is re-injected into the stream in order
// (InjectEncodedDataToFilterChain), the last piece ending the stream.
// Config: {"serviceName": "moderation.static", "servicePort": 80, "path": "/check",
//          "replacement": "[removed]"}
#include <string>

#include <wasmgate/wrapper.h>

struct ModerationConfig {
  wrapper::ClusterClient client{wrapper::FQDNCluster{}};
  std::string path, replacement;
};

wrapper::Error parseConfig(const wrapper::Json& json, ModerationConfig& config) {
  std::string serviceName = json.get("serviceName").asString();
  if (serviceName.empty()) return wrapper::Error("field 'serviceName': required");
  config.client = wrapper::NewClusterClient(
      wrapper::FQDNCluster{.FQDN = serviceName, .Port = json.get("servicePort").asInt(80)});
  config.path = json.get("path").asString("/check");
  config.replacement = json.get("replacement").asString("[removed]");
  return {};
}

// Starts the check of everything queued; called when no check is in flight.
void moderateQueued(wrapper::HttpContext& ctx, const ModerationConfig& config) {
  std::string text;
  while (ctx.BufferQueueSize() > 0) text += ctx.PopBuffer();
  bool last = ctx.GetBoolContext("ended", false);
  if (text.empty()) {
    if (last) proxywasm::InjectEncodedDataToFilterChain("", true);
    return;
  }
  ctx.SetContext("checking", true);
  auto onVerdict = [&ctx, &config, text, last](int status, const types::Headers&, std::string_view verdict) {
    bool blocked = status == 200 && verdict == "block";
    if (status != 200) log::Warnf("moderation answered %d; passing %d bytes unchecked", status, text.size());
    proxywasm::InjectEncodedDataToFilterChain(blocked ? std::string_view(config.replacement) : std::string_view(text),
                                              last);
    ctx.SetContext("checking", false);
    if (!last) moderateQueued(ctx, config);  // what arrived meanwhile, or the end of the stream
  };
  if (auto err = config.client.Post(config.path, {{"content-type", "text/plain"}}, text, onVerdict)) {
    log::Warnf("moderation not sent: %v", err);
    onVerdict(0, {}, {});
  }
}

types::Action onHttpResponseHeaders(wrapper::HttpContext& ctx, const ModerationConfig&) {
  proxywasm::RemoveHttpResponseHeader("content-length");  // blocked text changes the length
  ctx.NeedPauseStreamingResponse();
  return types::HeaderContinue;
}

std::string onStreamingResponseBody(wrapper::HttpContext& ctx, const ModerationConfig& config, std::string_view chunk,
                                    bool isLastChunk) {
  ctx.PushBuffer(std::string(chunk));
  if (isLastChunk) ctx.SetContext("ended", true);
  if (!ctx.GetBoolContext("checking", false)) moderateQueued(ctx, config);
  return "";  // the chunk itself is dropped; its text comes back through injection
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<ModerationConfig>("streaming-moderation",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders),
      wrapper::ProcessStreamingResponseBody(onStreamingResponseBody));
}
