// context-api: the seed guide's "HttpContext Methods" and "Header/Body Operations" samples that
// the other examples do not need, in one plugin. Request phase: Scheme and IsWebsocket kept in the
// context (Set/GetStringContext, GetBoolContext), the whole header map read and written back
// (GetHttpRequestHeaders, ReplaceHttpRequestHeaders), websockets left alone (DontRead*Body),
// bodies streamed by default and buffered on request (BufferRequestBody, GetHttpRequestBody).
// Response phase: the whole map rewritten (GetHttpResponseHeaders, ReplaceHttpResponseHeaders)
// with what the request phase learnt, text bodies buffered (HasResponseBody, BufferResponseBody)
// and wrapped (GetHttpResponseBody, PrependHttpResponseBody, AppendHttpResponseBody), and an
// optional annotation fetched while the response waits (ResumeHttpResponse).
// Config: {"annotateService": "annotate.static", "annotatePort": 80}  (both optional)
#include <optional>
#include <string>

#include <wasmgate/wrapper.h>

struct ApiConfig {
  std::optional<wrapper::ClusterClient> annotator;
};

wrapper::Error parseConfig(const wrapper::Json& json, ApiConfig& config) {
  std::string service = json.get("annotateService").asString();
  if (!service.empty()) {
    config.annotator = wrapper::NewClusterClient(
        wrapper::FQDNCluster{.FQDN = service, .Port = json.get("annotatePort").asInt(80)});
  }
  return {};
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, ApiConfig&) {
  ctx.SetContext("scheme", ctx.Scheme());
  ctx.SetContext("websocket", ctx.IsWebsocket());
  auto headers = proxywasm::GetHttpRequestHeaders();
  headers.value.emplace_back("x-header-count", std::to_string(headers.value.size()));
  proxywasm::ReplaceHttpRequestHeaders(headers.value);
  if (ctx.IsWebsocket()) {  // frames are not HTTP bodies: never read them
    ctx.DontReadRequestBody();
    ctx.DontReadResponseBody();
    return types::HeaderContinue;
  }
  if (!ctx.HasRequestBody()) return types::HeaderContinue;
  if (proxywasm::GetHttpRequestHeader("x-buffer-body").value != "true") return types::HeaderContinue;
  ctx.BufferRequestBody();  // the whole body at once instead of chunks
  return types::HeaderStopIteration;
}

std::string onStreamingRequestBody(wrapper::HttpContext& ctx, ApiConfig&, std::string_view chunk, bool) {
  ctx.SetContext("body-mode", std::string("streamed"));
  return std::string(chunk);
}

types::Action onHttpRequestBody(wrapper::HttpContext& ctx, ApiConfig&, std::string_view body) {
  auto head = proxywasm::GetHttpRequestBody(0, 4);  // the host clamps to what it holds
  ctx.SetContext("body-mode", "buffered " + std::to_string(body.size()) + " bytes, starting '" + head.value + "'");
  return types::ActionContinue;
}

types::Action onHttpResponseHeaders(wrapper::HttpContext& ctx, ApiConfig& config) {
  auto headers = proxywasm::GetHttpResponseHeaders();
  headers.value.emplace_back("x-scheme", ctx.GetStringContext("scheme", "unknown"));
  headers.value.emplace_back("x-websocket", ctx.GetBoolContext("websocket", false) ? "true" : "false");
  headers.value.emplace_back("x-request-body", ctx.GetStringContext("body-mode", "none"));
  proxywasm::ReplaceHttpResponseHeaders(headers.value);
  if (ctx.HasResponseBody() && proxywasm::GetHttpResponseHeader("content-type").value.rfind("text/", 0) == 0) {
    ctx.BufferResponseBody();
    proxywasm::RemoveHttpResponseHeader("content-length");  // the body grows
  }
  if (!config.annotator || !proxywasm::GetHttpResponseHeader("x-annotate").ok()) return types::HeaderContinue;
  auto err = config.annotator->Get("/annotate?path=" + ctx.Path(), {},
      [](int status, const types::Headers&, std::string_view body) {
        proxywasm::AddHttpResponseHeader("x-annotation", status == 200 ? std::string(body) : "unavailable");
        proxywasm::ResumeHttpResponse();
      });
  if (err) return types::HeaderContinue;
  return types::HeaderStopAllIterationAndWatermark;
}

std::string onStreamingResponseBody(wrapper::HttpContext&, ApiConfig&, std::string_view chunk, bool) {
  return std::string(chunk);  // non-text bodies pass through chunk by chunk
}

types::Action onHttpResponseBody(wrapper::HttpContext&, ApiConfig&, std::string_view body) {
  auto head = proxywasm::GetHttpResponseBody(0, 5);
  proxywasm::PrependHttpResponseBody("[" + std::to_string(body.size()) + " bytes, '" + head.value + "'...] ");
  proxywasm::AppendHttpResponseBody(" [end]");
  return types::ActionContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<ApiConfig>("context-api",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders),
      wrapper::ProcessStreamingRequestBody(onStreamingRequestBody),
      wrapper::ProcessRequestBody(onHttpRequestBody),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders),
      wrapper::ProcessStreamingResponseBody(onStreamingResponseBody),
      wrapper::ProcessResponseBody(onHttpResponseBody));
}
