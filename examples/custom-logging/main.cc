// custom-logging: user attributes in the access log and the trace (advanced-patterns reference).
// The plugin collects attributes over the request and writes them once the response headers are
// known: to the filter state Higress's access log reads (key custom_log, or ai_log for AI
// gateways' log format), and optionally as trace span tags.
//   consumer (x-mse-consumer request header), api (request path without query), method,
//   request_bytes (buffered request body), status (response :status)
// Config: {"log_key": "custom_log" | "ai_log", "trace": false}
#include <charconv>
#include <string>

#include <wasmgate/wrapper.h>

struct LogConfig {
  std::string logKey;
  bool trace = false;
};

wrapper::Error parseConfig(const wrapper::Json& json, LogConfig& config) {
  config.logKey = json.get("log_key").asString(wrapper::CustomLogKey);
  if (config.logKey != wrapper::CustomLogKey && config.logKey != wrapper::AILogKey) {
    return wrapper::Errorf("field 'log_key': %q is neither custom_log nor ai_log", config.logKey);
  }
  config.trace = json.get("trace").asBool();
  return {};
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, const LogConfig&) {
  auto consumer = proxywasm::GetHttpRequestHeader("x-mse-consumer");
  ctx.SetUserAttribute("consumer", consumer.ok() ? consumer.value : std::string("anonymous"));
  ctx.SetUserAttribute("api", ctx.Path().substr(0, ctx.Path().find('?')));
  ctx.SetUserAttribute("method", ctx.Method());
  if (!ctx.HasRequestBody()) ctx.DontReadRequestBody();
  return types::HeaderContinue;
}

types::Action onHttpRequestBody(wrapper::HttpContext& ctx, const LogConfig&, std::string_view body) {
  ctx.SetUserAttribute("request_bytes", body.size());
  return types::ActionContinue;
}

types::Action onHttpResponseHeaders(wrapper::HttpContext& ctx, const LogConfig& config) {
  auto status = proxywasm::GetHttpResponseHeader(":status");
  int64_t code = 0;
  std::from_chars(status.value.data(), status.value.data() + status.value.size(), code);
  ctx.SetUserAttribute("status", code);
  if (auto err = ctx.WriteUserAttributeToLogWithKey(config.logKey)) log::Warnf("access log attributes: %v", err);
  if (config.trace) {
    if (auto err = ctx.WriteUserAttributeToTrace()) log::Warnf("trace attributes: %v", err);
  }
  return types::HeaderContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<LogConfig>("custom-logging",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders),
      wrapper::ProcessRequestBody(onHttpRequestBody),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders));
}
