// The HTTP filter interface. A stream's request travels through the filters in order
// (decodeHeaders, decodeData...), the response comes back in reverse order (encodeHeaders,
// encodeData...). The last filter is the router, which sends the request to a service. Any
// filter may stop iteration and resume it later (continueDecoding/continueEncoding), or answer
// the request itself (sendLocalReply). This is where the wasm plugins will slot in.
//
// Public header (gateway/, the future wasm filter). Thread affinity: a filter lives on the worker
// thread of its stream; every call, including resumption, must happen on that thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "gateway/http/message.h"

namespace wasmgate::gateway {

enum class HeadersStatus {
  // Pass the headers to the next filter.
  Continue,
  // Hold the headers here; later filters see nothing until this filter calls continue*().
  // Body data still reaches this filter's decodeData/encodeData.
  StopIteration,
};

enum class DataStatus {
  // Pass the data (and any buffered before it) to the next filter.
  Continue,
  // Keep the data buffered here; the next call gets the whole buffer so far (as proxy-wasm's
  // body buffer). Resumes on Continue or continue*().
  StopIterationAndBuffer,
  // Drop the data from the chain: the filter has taken it and may inject data later.
  StopIterationNoBuffer,
};

// What is known about a stream, for logs, stats and (later) plugin properties.
struct StreamInfo {
  uint64_t start_ns = 0;  // steady clock
  std::string request_id;
  std::string route_name;
  std::string service_name;
  std::string upstream_host;  // "ip:port" of the endpoint that answered
  int response_code = 0;
  std::string response_code_details;  // Envoy's %RESPONSE_CODE_DETAILS%, e.g. "via_upstream"
  uint64_t bytes_received = 0;  // request body
  uint64_t bytes_sent = 0;      // response body
  std::string downstream_address;  // client "ip:port"
  uint32_t upstream_attempts = 0;
  // Per-request filter state written by plugins (proxy_set_property), e.g. custom_log, ai_log:
  // readable by later plugins and written to the access log.
  std::map<std::string, std::string> filter_state;
};

// Given to each filter; implemented by the stream.
class FilterCallbacks {
 public:
  virtual ~FilterCallbacks() = default;
  // Resume the request (response) iteration after StopIteration / StopIterationAndBuffer.
  virtual void continueDecoding() = 0;
  virtual void continueEncoding() = 0;
  // Answer with a local response that goes through the encoder filters; the request stops.
  // `details` is the response code details ("route_not_found").
  virtual void sendLocalReply(int status, std::string_view body, std::string_view details,
                              const HeaderMap* extra_headers = nullptr) = 0;
  virtual RequestHead& requestHead() = 0;
  virtual StreamInfo& streamInfo() = 0;
  // Response from the router filter (the last filter) back into the encoder chain.
  virtual void encodeHeaders(ResponseHead&& head, bool end_stream) = 0;
  virtual void encodeData(std::string_view data, bool end_stream) = 0;
  // Abort the stream (upstream reset after the response started): the client connection closes.
  virtual void resetStream(std::string_view details) = 0;
  // The worker's event loop, as an opaque pointer (uv_loop_t*) for filters that need timers.
  virtual void* eventLoop() = 0;
};

class StreamFilter {
 public:
  virtual ~StreamFilter() = default;
  void setCallbacks(FilterCallbacks& callbacks) { callbacks_ = &callbacks; }

  virtual HeadersStatus decodeHeaders(RequestHead& /*head*/, bool /*end_stream*/) { return HeadersStatus::Continue; }
  virtual DataStatus decodeData(std::string& /*data*/, bool /*end_stream*/) { return DataStatus::Continue; }
  virtual HeadersStatus encodeHeaders(ResponseHead& /*head*/, bool /*end_stream*/) { return HeadersStatus::Continue; }
  virtual DataStatus encodeData(std::string& /*data*/, bool /*end_stream*/) { return DataStatus::Continue; }
  // The stream ended (response sent, or reset); last call before destruction (proxy_on_log).
  virtual void onStreamComplete() {}

 protected:
  FilterCallbacks* callbacks_ = nullptr;
};

}  // namespace wasmgate::gateway
