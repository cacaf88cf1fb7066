// HttpStream: one simulated HTTP request through the plugin, as Higress's Envoy would run it.
// The test feeds headers, body chunks and trailers in each direction and reads back what the
// plugin left: headers and body as forwarded, the action it returned, its local response, the
// properties it wrote, whether it resumed or closed the stream.
//
// Host behaviour reproduced (see docs/testing.md):
//  - the proxy-wasm context is created lazily at the first callback; complete() (or the
//    destructor) runs proxy_on_log, proxy_on_done and proxy_on_delete;
//  - headers are readable and writable while their callback runs and for as long as the plugin
//    holds them (a non-Continue action, until it resumes); outside, the plugin gets BadArgument;
//  - body: after StopIterationAndBuffer the host keeps the data and the next body callback sees
//    the whole buffer (its body_size includes the new chunk); Continue forwards the buffer;
//    StopIterationNoBuffer drops the chunk;
//  - while headers are held with StopAllIteration*, body and trailers wait in the host and reach
//    the plugin when it resumes (continue_stream), all at once;
//  - a failed VM answers 503 (details "wasm_fail_stream") and stops, or lets everything through
//    when the TestHost was loaded with fail_open.
//
// Public header (plugin authors' tests). Belongs to the test's thread and must not outlive the
// TestHost that made it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <wasmgate/testing/types.h>

namespace wasmgate::testing {

// One direction of the stream as the plugin left it.
struct Message {
  Headers headers = {};
  std::string body = {};  // what the plugin has seen so far, as it left it; the first
                          // forwarded_body_bytes of it were passed on
  Headers trailers = {};
  size_t forwarded_body_bytes = 0;

  std::optional<std::string> header(std::string_view name) const { return findHeader(headers, name); }
};

class StreamState;  // harness-internal

class HttpStream {
 public:
  HttpStream(HttpStream&&) noexcept;
  HttpStream& operator=(HttpStream&&) noexcept;
  ~HttpStream();  // complete()s the stream if the plugin saw it and the test did not

  // Properties of the simulated request; read by the plugin with proxy_get_property. Defaults:
  // route_name=test-route-default, cluster_name=test-cluster-default,
  // x_request_id=test-request-id-default, and ":authority: default.test.com" is added to request
  // headers that have none.
  HttpStream& setRouteName(std::string route);
  HttpStream& setClusterName(std::string cluster);
  HttpStream& setRequestId(std::string id);
  HttpStream& setAuthority(std::string authority);
  HttpStream& setProperty(std::string_view path, std::string value);  // one segment, e.g. "route_name"
  HttpStream& setProperty(std::initializer_list<std::string_view> path, std::string value);
  // Answer of proxy_get_upstream_hosts: (address, info JSON) pairs.
  HttpStream& setUpstreamHosts(Headers hosts);

  // The callbacks. end_of_stream defaults follow Higress's Go test host: headers false, body true.
  HeaderAction requestHeaders(Headers headers, bool end_of_stream = false);
  DataAction requestBody(std::string_view chunk, bool end_of_stream = true);
  TrailerAction requestTrailers(Headers trailers);
  HeaderAction responseHeaders(Headers headers, bool end_of_stream = false);
  DataAction responseBody(std::string_view chunk, bool end_of_stream = true);
  TrailerAction responseTrailers(Headers trailers);
  // proxy_on_log, proxy_on_done, proxy_on_delete. Later callbacks fail.
  Status complete();

  const Message& request() const;
  const Message& response() const;
  std::optional<std::string> requestHeader(std::string_view name) const { return request().header(name); }
  std::optional<std::string> responseHeader(std::string_view name) const { return response().header(name); }

  // The local response the plugin sent (the first one; Envoy allows one per stream), if any.
  const std::optional<LocalResponse>& localResponse() const;
  // The plugin holds headers, body or trailers of this direction and has not resumed yet.
  bool requestHeld() const;
  bool responseHeld() const;
  // The plugin called continue_stream for this direction at least once.
  bool requestContinued() const;
  bool responseContinued() const;
  // The plugin called close_stream (Envoy resets the stream with details "wasm_close_stream").
  bool closed() const;
  // Why the last callback failed (trap, failed VM), or "".
  const std::string& error() const;

  // Properties as the plugin sees them now (test-set values and the plugin's own writes).
  std::optional<std::string> property(std::string_view path) const;
  std::optional<std::string> property(std::initializer_list<std::string_view> path) const;
  // Every proxy_set_property of this stream, in order.
  const std::vector<PropertyWrite>& propertyWrites() const;
  // Writes to "trace_span_tag.<tag>": tag -> value (Higress sets span tags; no filter state).
  const std::map<std::string, std::string>& traceSpanTags() const;
  // Higress's extensions: proxy_set_upstream_override_host and inject_encoded_data_to_filter_chain.
  const std::optional<std::string>& upstreamOverrideHost() const;
  const std::string& injectedData() const;

  // The proxy-wasm context id, 0 before the first callback.
  uint32_t contextId() const;

 private:
  friend class TestHost;
  explicit HttpStream(std::unique_ptr<StreamState> state);
  std::unique_ptr<StreamState> state_;
};

}  // namespace wasmgate::testing
