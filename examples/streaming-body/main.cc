// streaming-body: rewrites request and response bodies chunk by chunk as they stream through,
// without buffering them (ProcessStreamingRequestBody, ProcessStreamingResponseBody).
// Config: {"from": "http://", "to": "https://"}.
// A replacement never spans two chunks: the limit of streaming, which is why the Go guide
// suggests BufferResponseBody for edits that need the whole body. The last chunk gets a
// footer line with the number of chunks seen.
#include <string>

#include <wasmgate/wrapper.h>

struct StreamConfig {
  std::string from, to;
};

wrapper::Error parseConfig(const wrapper::Json& json, StreamConfig& config) {
  config.from = json.get("from").asString();
  config.to = json.get("to").asString();
  if (config.from.empty()) return wrapper::Error("field 'from': required");
  return {};
}

types::Action onHttpResponseHeaders(wrapper::HttpContext& ctx, const StreamConfig&) {
  proxywasm::RemoveHttpResponseHeader("content-length");  // chunks change size
  ctx.SetContext("chunks", int64_t{0});
  return types::HeaderContinue;
}

std::string replaceAll(std::string_view chunk, const StreamConfig& config) {
  std::string out(chunk);
  for (size_t at = out.find(config.from); at != std::string::npos; at = out.find(config.from, at + config.to.size())) {
    out.replace(at, config.from.size(), config.to);
  }
  return out;
}

std::string onStreamingRequestBody(wrapper::HttpContext& ctx, const StreamConfig& config, std::string_view chunk,
                                   bool isLastChunk) {
  int64_t seen = ctx.GetIntContext("request_bytes", 0) + static_cast<int64_t>(chunk.size());
  ctx.SetContext("request_bytes", seen);
  if (isLastChunk) log::Infof("request body streamed: %d bytes", seen);
  return replaceAll(chunk, config);
}

std::string onStreamingResponseBody(wrapper::HttpContext& ctx, const StreamConfig& config, std::string_view chunk,
                                    bool isLastChunk) {
  int64_t chunks = ctx.GetIntContext("chunks", 0) + (chunk.empty() ? 0 : 1);
  ctx.SetContext("chunks", chunks);
  std::string out = replaceAll(chunk, config);
  if (isLastChunk) out += "\n<!-- rewritten in " + std::to_string(chunks) + " chunks -->";
  return out;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<StreamConfig>("streaming-body",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders),
      wrapper::ProcessStreamingRequestBody(onStreamingRequestBody),
      wrapper::ProcessStreamingResponseBody(onStreamingResponseBody));
}
