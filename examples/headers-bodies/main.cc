// headers-bodies: every header and buffered-body operation of the seed guide's API reference in
// one plugin. Config:
//   {"tag": "edge-1", "strip_request_header": "x-internal-token",
//    "body_prefix": "[", "body_suffix": "]", "replace": {"from": "secret", "to": "******"}}
// Request: tags it (x-gateway), drops an internal header, and wraps a text body with the prefix
// and suffix. Response: records the request path and method (cached by the SDK, so readable
// after the request headers are gone), hides the server header, and masks `from` in text bodies.
#include <string>

#include <wasmgate/wrapper.h>

struct RewriteConfig {
  std::string tag;
  std::string stripRequestHeader;
  std::string bodyPrefix, bodySuffix;
  std::string maskFrom, maskTo;
};

wrapper::Error parseConfig(const wrapper::Json& json, RewriteConfig& config) {
  config.tag = json.get("tag").asString("wasmgate");
  config.stripRequestHeader = json.get("strip_request_header").asString();
  config.bodyPrefix = json.get("body_prefix").asString();
  config.bodySuffix = json.get("body_suffix").asString();
  config.maskFrom = json.get("replace.from").asString();
  config.maskTo = json.get("replace.to").asString();
  if (json.get("replace").exists() && config.maskFrom.empty()) {
    return wrapper::Error("field 'replace.from': must be a non-empty string");
  }
  return {};
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, const RewriteConfig& config) {
  proxywasm::ReplaceHttpRequestHeader("x-gateway", config.tag);
  if (!config.stripRequestHeader.empty()) proxywasm::RemoveHttpRequestHeader(config.stripRequestHeader);
  // Holding the headers only makes sense when a body follows (best practice 2 of the guide);
  // the body changes its length, so the old content-length must go.
  if (!ctx.HasRequestBody() || ctx.IsBinaryRequestBody()) return types::HeaderContinue;
  proxywasm::RemoveHttpRequestHeader("content-length");
  return types::HeaderStopIteration;
}

types::Action onHttpRequestBody(wrapper::HttpContext&, const RewriteConfig& config, std::string_view body) {
  if (!config.bodyPrefix.empty()) proxywasm::PrependHttpRequestBody(config.bodyPrefix);
  if (!config.bodySuffix.empty()) proxywasm::AppendHttpRequestBody(config.bodySuffix);
  log::Debugf("request body of %d bytes wrapped", body.size());
  return types::ActionContinue;
}

types::Action onHttpResponseHeaders(wrapper::HttpContext& ctx, const RewriteConfig& config) {
  proxywasm::AddHttpResponseHeader("x-request-line", ctx.Method() + " " + ctx.Path());
  proxywasm::RemoveHttpResponseHeader("server");
  if (config.maskFrom.empty() || ctx.IsBinaryResponseBody()) {
    ctx.DontReadResponseBody();
    return types::HeaderContinue;
  }
  proxywasm::RemoveHttpResponseHeader("content-length");
  return types::HeaderContinue;
}

types::Action onHttpResponseBody(wrapper::HttpContext&, const RewriteConfig& config, std::string_view body) {
  std::string masked(body);
  for (size_t at = masked.find(config.maskFrom); at != std::string::npos;
       at = masked.find(config.maskFrom, at + config.maskTo.size())) {
    masked.replace(at, config.maskFrom.size(), config.maskTo);
  }
  if (masked != body) proxywasm::ReplaceHttpResponseBody(masked);
  return types::ActionContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<RewriteConfig>("headers-bodies",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders),
      wrapper::ProcessRequestBody(onHttpRequestBody),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders),
      wrapper::ProcessResponseBody(onHttpResponseBody));
}
