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

struct RouteConfig;

enum class HeadersStatus {
  // Pass the headers to the next filter.
  Continue,
  // Hold the headers here; later filters see nothing until this filter calls continue*().
  // Body data still reaches this filter's decodeData/encodeData.
  StopIteration,
  // As StopIteration, but on continue*() the body held here is given to this filter's
  // decodeData/encodeData once more, as new, before it moves on (Envoy's StopAllIteration: a
  // pre-0.2.100 plugin sees the body that arrived while it waited).
  StopAllIteration,
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
  // readable by later plugins and written to the access log. Looked up by string_view.
  std::map<std::string, std::string, std::less<>> filter_state;
  // "ip:port" a plugin pinned with proxy_set_upstream_override_host: the router's first attempt
  // uses that endpoint when it is a healthy member of the route's cluster.
  std::string upstream_override_host;
  // Custom trace span tags (plugins' trace_span_tag.<tag> property writes); with no tracer they
  // are shown in the access log line under "trace_tags".
  std::map<std::string, std::string> trace_tags;
};

class StreamFilter;

// Given to each filter; implemented by the stream.
class FilterCallbacks {
 public:
  virtual ~FilterCallbacks() = default;
  // Resume the request (response) iteration after StopIteration / StopIterationAndBuffer.
  virtual void continueDecoding() = 0;
  virtual void continueEncoding() = 0;
  // Whether `filter` holds the request (decoding) or the response iteration at this moment.
  virtual bool holds(const StreamFilter& filter, bool decoding) = 0;
  // Whether the filters' headers calls in progress in that direction follow one another with
  // nothing in between (FilterChain::headersOnlyPass): then a filter may run the next filters'
  // work ahead (the wasm filter chains the plugins' header callbacks into one engine entry).
  virtual bool headersOnlyPass(bool /*decoding*/) { return false; }
  // Answer with a local response that goes through the encoder filters; the request stops.
  // `details` is the response code details ("route_not_found").
  virtual void sendLocalReply(int status, std::string_view body, std::string_view details,
                              const HeaderMap* extra_headers = nullptr) = 0;
  virtual RequestHead& requestHead() = 0;
  virtual StreamInfo& streamInfo() = 0;
  // The request's route, cached as Envoy caches it: matched on the first call, again on the first
  // call after clearRouteCache() (a filter changed the request headers). A filter that changes
  // headers but must keep the route calls route() first. nullptr: no route matches.
  virtual const RouteConfig* route() = 0;
  virtual void clearRouteCache() = 0;
  // The downstream connection: its local "ip:port" (Envoy's destination.address) and its id
  // (connection.id, unique in the process). Computed on demand: most requests never ask.
  virtual std::string downstreamLocalAddress() { return {}; }
  virtual uint64_t connectionId() { return 0; }
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
