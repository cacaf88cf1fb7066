// sdk_http_context: a test plugin for wrapper::HttpContext's per-request state (tests/harness/
// harness_sdk_http_context_test.cc), one handler per phase:
//  - every handler logs "phase <handler>: <GetExecutionPhase() as a number>";
//  - request headers: SetUserAttribute("dropped"), then SetUserAttributeMap({a, n}) (which
//    replaces it), then SetUserAttribute("b"); GetUserAttribute answers in x-attr-a and
//    x-attr-missing, the map's size in x-attr-count. The x-bytes header is kept with SetContext;
//  - response headers: GetByteSliceContext of that value, of a missing key and of a key holding
//    an int, in x-bytes, x-bytes-missing, x-bytes-int (the default is "def");
//  - stream done: WriteUserAttributeToLog() with no key (property custom_log).
#include <map>
#include <string>

#include <wasmgate/wrapper.h>

namespace {

struct Empty {};

void logPhase(const char* handler, const wrapper::HttpContext& ctx) {
  log::Infof("phase %s: %d", handler, static_cast<int>(ctx.GetExecutionPhase()));
}

types::Action onRequestHeaders(wrapper::HttpContext& ctx, Empty&) {
  logPhase("request_headers", ctx);
  ctx.SetUserAttribute("dropped", "replaced by the map");
  ctx.SetUserAttributeMap({{"a", wrapper::AttrValue("from-map")}, {"n", wrapper::AttrValue(7)}});
  ctx.SetUserAttribute("b", "set-one");
  const wrapper::AttrValue* a = ctx.GetUserAttribute("a");
  proxywasm::AddHttpRequestHeader("x-attr-a", a ? a->ToString() : "absent");
  proxywasm::AddHttpRequestHeader("x-attr-missing", ctx.GetUserAttribute("missing") ? "present" : "absent");
  proxywasm::AddHttpRequestHeader("x-attr-count", std::to_string(ctx.GetUserAttributeMap().size()));

  auto bytes = proxywasm::GetHttpRequestHeader("x-bytes");
  if (bytes.ok()) ctx.SetContext("bytes", bytes.value);
  ctx.SetContext("an-int", 3);
  return types::HeaderContinue;
}

types::Action onRequestBody(wrapper::HttpContext& ctx, Empty&, std::string_view) {
  logPhase("request_body", ctx);
  return types::DataContinue;
}

types::Action onResponseHeaders(wrapper::HttpContext& ctx, Empty&) {
  logPhase("response_headers", ctx);
  proxywasm::AddHttpResponseHeader("x-bytes", ctx.GetByteSliceContext("bytes", "def"));
  proxywasm::AddHttpResponseHeader("x-bytes-missing", ctx.GetByteSliceContext("nothing-here", "def"));
  proxywasm::AddHttpResponseHeader("x-bytes-int", ctx.GetByteSliceContext("an-int", "def"));
  return types::HeaderContinue;
}

types::Action onResponseBody(wrapper::HttpContext& ctx, Empty&, std::string_view) {
  logPhase("response_body", ctx);
  return types::DataContinue;
}

void onStreamDone(wrapper::HttpContext& ctx, Empty&) {
  logPhase("stream_done", ctx);
  if (auto err = ctx.WriteUserAttributeToLog()) log::Warnf("write user attributes: %v", err);
}

}  // namespace

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<Empty>("sdk-http-context",
      wrapper::ProcessRequestHeaders(onRequestHeaders),
      wrapper::ProcessRequestBody(onRequestBody),
      wrapper::ProcessResponseHeaders(onResponseHeaders),
      wrapper::ProcessResponseBody(onResponseBody),
      wrapper::ProcessStreamDone(onStreamDone));
}
