// OutboundHttpCall: one proxy_http_call of a plugin, sent to a configured service over the
// worker's pooled HTTP/1.1 connections (the endpoint picked by the cluster's load balancer, as the
// router does). Ends exactly once through `done`: the response (":status" first, then headers,
// body, trailers), an empty header list when the connection failed (the SDK reports 502), or the
// 504 "upstream request timeout" response Envoy's async client generates on timeout.
//
// Internal header (gateway/wasm/). Thread affinity: the worker thread of the cluster.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "gateway/net/loop.h"
#include "gateway/upstream/cluster.h"
#include "gateway/upstream/upstream_connection.h"
#include "runtime/host.h"
#include "runtime/vm.h"

namespace wasmgate::gateway::wasm {

class OutboundHttpCall final : public UpstreamConnection::Client, public Deletable {
 public:
  // `failed`: the service never answered (connection failure, reset, no endpoint, timeout).
  using Done = std::function<void(runtime::HttpCallResponse&& response, bool failed)>;

  // The request head from the plugin's pairs; an Error names the missing pseudo-header.
  static Result<RequestHead> requestHead(const runtime::HttpCallRequest& request);
  // What Envoy's async client answers when a call times out: 504 "upstream request timeout".
  static runtime::HttpCallResponse timeoutResponse();

  OutboundHttpCall(Dispatcher& dispatcher, Cluster& cluster, RequestHead head, std::string body,
                   uint32_t timeout_ms, Done done);
  ~OutboundHttpCall() override;
  OutboundHttpCall(const OutboundHttpCall&) = delete;
  OutboundHttpCall& operator=(const OutboundHttpCall&) = delete;

  // May finish at once (no healthy endpoint); `done` must tolerate that.
  void start();

  void onUpstreamReady(UpstreamConnection& connection) override;
  void onUpstreamHead(ResponseHead&& head) override;
  void onUpstreamData(std::string_view data) override;
  void onUpstreamTrailers(HeaderMap&& trailers) override;
  void onUpstreamComplete() override;
  void onUpstreamFailure(UpstreamFailure failure, const std::string& detail) override;

 private:
  void connect();
  void onTimeout();
  void endpointDone(bool success);
  // Last thing any path does: `this` may be destroyed by the callback.
  void finish(runtime::HttpCallResponse&& response, bool failed);

  Dispatcher& dispatcher_;
  Cluster& cluster_;
  RequestHead head_;
  std::string body_;
  uint32_t timeout_ms_;
  Done done_;
  Endpoint* endpoint_ = nullptr;
  UpstreamConnection* connection_ = nullptr;
  std::unique_ptr<Timer> timer_;
  runtime::HttpCallResponse response_;
  bool keep_alive_ = true;
  bool finished_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for a pending DNS resolution
};

}  // namespace wasmgate::gateway::wasm
