// wrapper::HttpContext: the per-request object every Process* handler receives (Go: wasm-go
// pkg/iface HttpContext). Request basics cached from the request-header phase, per-request
// storage, user attributes for access logs and traces, body-handling switches, RouteCall.
//
// Public header. Single-threaded; valid for the lifetime of its HTTP stream only: never keep a
// reference in a callback that may outlive the stream (the SDK drops callbacks of dead streams).
#pragma once

#include <any>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <wasmgate/attr_value.h>
#include <wasmgate/error.h>
#include <wasmgate/types.h>

namespace wasmgate::wrapper {

namespace internal {
class HttpStream;
}

enum class ExecutionPhase : int { DecodeHeader = 0, DecodeData = 1, EncodeHeader = 2, EncodeData = 3, Done = 4 };

inline constexpr std::string_view CustomLogKey = "custom_log";
inline constexpr std::string_view AILogKey = "ai_log";
inline constexpr std::string_view TraceSpanTagPrefix = "trace_span_tag.";

// The captured response of RouteCall: status (500 if unparseable), all headers, whole body.
using RouteResponseCallback = std::function<void(int statusCode, const types::Headers& headers, std::string_view body)>;

class HttpContext {
 public:
  explicit HttpContext(uint32_t contextId) : contextId_(contextId) {}

  // Cached in the request-header phase, so usable in any phase.
  const std::string& Scheme() const { return scheme_; }
  const std::string& Host() const { return host_; }
  const std::string& Path() const { return path_; }
  const std::string& Method() const { return method_; }

  // Per-request storage.
  void SetContext(std::string key, std::any value) { values_[std::move(key)] = std::move(value); }
  std::any* GetContext(std::string_view key);  // nullptr when absent
  template <typename T>
  T* GetContextAs(std::string_view key) {
    std::any* v = GetContext(key);
    return v ? std::any_cast<T>(v) : nullptr;
  }
  // The typed getters return `def` when the key is absent or holds another type.
  bool GetBoolContext(std::string_view key, bool def);
  std::string GetStringContext(std::string_view key, std::string_view def);
  std::string GetByteSliceContext(std::string_view key, std::string_view def);
  int64_t GetIntContext(std::string_view key, int64_t def);

  // User attributes, written to the access log (filter state) or the trace span.
  void SetUserAttribute(std::string key, AttrValue value) { attributes_.insert_or_assign(std::move(key), std::move(value)); }
  const AttrValue* GetUserAttribute(std::string_view key) const;
  void SetUserAttributeMap(std::map<std::string, AttrValue, std::less<>> m) { attributes_ = std::move(m); }
  const std::map<std::string, AttrValue, std::less<>>& GetUserAttributeMap() const { return attributes_; }
  Error WriteUserAttributeToLog() { return WriteUserAttributeToLogWithKey(CustomLogKey); }
  // Merges the attributes into the JSON object already in property `key` and stores it back
  // JSON-string-escaped (the access log embeds it inside a JSON string).
  Error WriteUserAttributeToLogWithKey(std::string_view key);
  Error WriteUserAttributeToTrace();  // one trace_span_tag.<k> property per non-empty attribute

  // Body handling; call in the header phase.
  void DontReadRequestBody() { needRequestBody_ = false; }
  void DontReadResponseBody() { needResponseBody_ = false; }
  void BufferRequestBody() { streamingRequestBody_ = false; }
  void BufferResponseBody() { streamingResponseBody_ = false; }
  // Streaming response chunks then return DataStopIterationNoBuffer: re-inject data yourself.
  void NeedPauseStreamingResponse() { pauseStreamingResponse_ = true; }

  // FIFO of byte strings for the pause-and-reinject pattern.
  void PushBuffer(std::string data) { buffers_.push_back(std::move(data)); }
  std::string PopBuffer();
  size_t BufferQueueSize() const { return buffers_.size(); }

  // Keep the route when request headers change (call before changing them).
  void DisableReroute();
  void SetRequestBodyBufferLimit(uint32_t bytes);
  void SetResponseBodyBufferLimit(uint32_t bytes);

  // Re-sends this request to the current route's upstream with a new method, URL, headers and
  // body, and hands that response to `callback` instead of the client. Only from the request
  // body phase after returning HeaderStopIteration from the header phase.
  Error RouteCall(std::string_view method, std::string_view url, const types::Headers& headers,
                  std::string_view body, RouteResponseCallback callback);

  ExecutionPhase GetExecutionPhase() const { return phase_; }
  bool HasRequestBody() const { return hasRequestBody_; }
  bool HasResponseBody() const { return hasResponseBody_; }
  bool IsWebsocket() const;
  bool IsBinaryRequestBody() const;
  // Reads the response's content-type and content-encoding on first use, which must be in the
  // response header phase (the host's window; later the answer is false, as in Go).
  bool IsBinaryResponseBody() const;

  uint32_t ContextID() const { return contextId_; }
  // The config matched for this request (nullptr when the plugin is inactive for it).
  template <typename C>
  C* GetMatchConfig() const { return static_cast<C*>(config_); }

 private:
  friend class internal::HttpStream;

  // Makes this context as a new one for stream `contextId`, keeping only the capacity of its
  // cached strings (a stream's host and path rarely fit in a short string).
  void ResetFor(uint32_t contextId);
  static constexpr size_t kSizeOnWasm32 = 208;

  uint32_t contextId_;
  void* config_ = nullptr;
  ExecutionPhase phase_ = ExecutionPhase::DecodeHeader;
  std::string scheme_, host_, path_, method_, connection_, upgrade_;
  std::string requestContentType_, requestContentEncoding_;
  // Read on demand: most plugins never need them, and each is a host call.
  mutable std::optional<bool> binaryResponseBody_;
  bool hasRequestBody_ = false, hasResponseBody_ = false;
  bool needRequestBody_ = false, needResponseBody_ = false;
  bool streamingRequestBody_ = false, streamingResponseBody_ = false;
  bool pauseStreamingResponse_ = false;
  uint64_t requestBodySize_ = 0;
  std::map<std::string, std::any, std::less<>> values_;
  std::map<std::string, AttrValue, std::less<>> attributes_;
  std::deque<std::string> buffers_;
  RouteResponseCallback routeCallback_;
  int routeStatus_ = 0;
  types::Headers routeHeaders_;
};

}  // namespace wasmgate::wrapper
