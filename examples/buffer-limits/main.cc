// buffer-limits: raise the gateway's body buffer limits for a plugin that needs whole bodies
// (advanced-patterns reference). Envoy answers 413 (request) or 500 (response) when a buffering
// filter holds more than the listener's buffer limit; a plugin reading large bodies (an AI prompt,
// an upload it inspects) sets its own limits per request, in the header phase.
// The plugin checksums whole request bodies into the request headers (x-body-bytes, x-body-fnv1a)
// before they go upstream. It sets the response limit too, as a plugin that also buffers the
// answer would. Config: {"request_limit_bytes": 33554432, "response_limit_bytes": 33554432}
#include <string>

#include <wasmgate/wrapper.h>

struct LimitConfig {
  uint32_t requestLimit = 0, responseLimit = 0;
};

wrapper::Error parseConfig(const wrapper::Json& json, LimitConfig& config) {
  int64_t request = json.get("request_limit_bytes").asInt(32 << 20);
  int64_t response = json.get("response_limit_bytes").asInt(32 << 20);
  if (request <= 0 || request > UINT32_MAX) return wrapper::Errorf("field 'request_limit_bytes': %d is out of range", request);
  if (response <= 0 || response > UINT32_MAX) return wrapper::Errorf("field 'response_limit_bytes': %d is out of range", response);
  config.requestLimit = static_cast<uint32_t>(request);
  config.responseLimit = static_cast<uint32_t>(response);
  return {};
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, const LimitConfig& config) {
  if (!ctx.HasRequestBody()) return types::HeaderContinue;
  ctx.SetRequestBodyBufferLimit(config.requestLimit);
  ctx.SetResponseBodyBufferLimit(config.responseLimit);
  return types::HeaderStopIteration;  // keep the headers writable until the body is in
}

std::string fnv1a(std::string_view data) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : data) hash = (hash ^ c) * 16777619u;
  std::string hex(8, '0');
  for (int i = 7; i >= 0; --i, hash >>= 4) hex[size_t(i)] = "0123456789abcdef"[hash & 0xf];
  return hex;
}

types::Action onHttpRequestBody(wrapper::HttpContext&, const LimitConfig&, std::string_view body) {
  proxywasm::ReplaceHttpRequestHeader("x-body-bytes", std::to_string(body.size()));
  proxywasm::ReplaceHttpRequestHeader("x-body-fnv1a", fnv1a(body));
  return types::ActionContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<LimitConfig>("buffer-limits",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders),
      wrapper::ProcessRequestBody(onHttpRequestBody));
}
