// RouterFilter: the last filter of every chain. Picks the route (404 when none), rewrites path
// and host, and sends the request to the route's service: the built-in httpbin, or an endpoint
// chosen by the cluster's load balancer over a pooled keep-alive connection. Streams both ways,
// retries idempotent requests whose connection failed before any response, and turns failures
// into Envoy's local replies (503 connect failure / no healthy upstream, 502 bad response, 504
// timeout) with matching response code details.
//
// Internal header (gateway/). Thread affinity: the stream's worker thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "gateway/filter.h"
#include "gateway/generation.h"
#include "gateway/net/deadline.h"
#include "gateway/net/flow_control.h"
#include "gateway/net/loop.h"
#include "gateway/upstream/upstream_connection.h"

namespace wasmgate::gateway {

class HttpbinExchange;

class RouterFilter final : public StreamFilter, public UpstreamConnection::Client {
 public:
  RouterFilter(Dispatcher& dispatcher, WorkerGeneration& generation);
  ~RouterFilter() override;

  HeadersStatus decodeHeaders(RequestHead& head, bool end_stream) override;
  DataStatus decodeData(std::string& data, bool end_stream) override;
  void onStreamComplete() override;

  // Set by the stream: the client side, for flow control and response trailers.
  void setDownstreamSide(DownstreamSide* side) { downstream_ = side; }
  // Flow control from the client side: stop / resume reading the upstream's response.
  void setUpstreamReadPaused(bool paused);
  // Chunked trailers of the request; sent after its last chunk.
  void setRequestTrailers(HeaderMap&& trailers) { request_trailers_ = std::move(trailers); }

  // UpstreamConnection::Client
  void onUpstreamReady(UpstreamConnection& connection) override;
  void onUpstreamHead(ResponseHead&& head) override;
  void onUpstreamData(std::string_view data) override;
  void onUpstreamComplete() override;
  void onUpstreamFailure(UpstreamFailure failure, const std::string& detail) override;
  void onUpstreamRaw(std::string_view data) override;
  void onUpstreamReadDone() override;
  void onUpstreamTrailers(HeaderMap&& trailers) override;
  void onUpstreamWriteWatermark(bool above) override;

 private:
  void buildUpstreamHead(const RequestHead& request);
  void startAttempt();
  // The endpoint a plugin pinned (StreamInfo::upstream_override_host), when usable.
  Endpoint* overrideEndpoint();
  void sendBody(std::string_view data, bool end_stream);
  void flushPendingHead(bool end_stream);
  void onTimeout();
  void finishAttempt(bool success);
  void localReply(int status, std::string_view body, std::string details);
  bool idempotent() const;

  Dispatcher& dispatcher_;
  WorkerGeneration& generation_;
  const RouteConfig* route_ = nullptr;
  Cluster* cluster_ = nullptr;
  RequestHead upstream_head_;
  std::string body_;           // request body so far, kept while a retry is still possible
  bool body_kept_ = true;      // false once body_ had to be dropped (too large): no more retries
  bool request_complete_ = false;
  bool head_sent_ = false;
  Endpoint* endpoint_ = nullptr;
  const Endpoint* failed_endpoint_ = nullptr;
  UpstreamConnection* connection_ = nullptr;
  bool connection_ready_ = false;
  std::optional<ResponseHead> pending_head_;
  bool response_started_ = false;
  bool tunnel_ = false;
  bool done_ = false;
  uint32_t attempts_ = 0;
  Deadline timeout_;  // the route timeout, from the end of the request to the end of the response
  std::unique_ptr<HttpbinExchange> builtin_;
  DownstreamSide* downstream_ = nullptr;
  HeaderMap request_trailers_;
  bool upstream_read_paused_ = false;
};

}  // namespace wasmgate::gateway
