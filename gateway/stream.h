// Stream: one request/response exchange on a downstream connection. It decorates the request
// as Envoy's connection manager does (X-Request-Id, X-Forwarded-For/-Proto, 100-continue), runs
// the filter chain (ending in the router), and frames the response for the client
// (content-length, chunked with trailers, or close-delimited; keep-alive or close). It relays flow
// control between the client connection and the router's upstream connection.
//
// Internal header (gateway/). Thread affinity: the worker thread of its connection.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "gateway/filter.h"
#include "gateway/filter_chain.h"
#include "gateway/generation.h"
#include "gateway/net/flow_control.h"
#include "gateway/net/loop.h"

namespace wasmgate::gateway {

// The downstream connection as the stream sees it.
class StreamOwner {
 public:
  virtual ~StreamOwner() = default;
  virtual std::string& output() = 0;  // response bytes are appended here
  virtual void flushOutput() = 0;
  // The response has been fully framed into output(); close the connection after it if asked.
  virtual void onResponseComplete(bool close_connection) = 0;
  // Abort: the response cannot be completed, the connection must close now.
  virtual void onStreamReset() = 0;
  // The connection's local "ip:port" and its process-unique id (plugin properties
  // destination.address and connection.id); asked for on demand only.
  virtual std::string localAddress() { return {}; }
  virtual uint64_t connectionId() { return 0; }
  // A 101 response was sent: further client bytes are raw tunnel data.
  virtual void onUpgraded() = 0;
  virtual bool draining() const = 0;
  // Flow control: stop (resume) reading the client, because the upstream reads slower than the
  // client sends.
  virtual void setReadPaused(bool paused) = 0;
};

class RouterFilter;

class Stream final : public FilterCallbacks, public FilterChain::EncodeSink, public DownstreamSide, public Deletable {
 public:
  Stream(Dispatcher& dispatcher, std::shared_ptr<WorkerGeneration> generation, StreamOwner& owner,
         RequestHead&& head, std::string peer_address);
  ~Stream() override;

  // Runs the request headers through the chain; `end_stream`: the request has no body.
  void start(bool end_stream);
  void onRequestData(std::string_view data, bool end_stream);
  // Chunked trailers of the request (before its final onRequestData).
  void onRequestTrailers(HeaderMap&& trailers);
  // Flow control from the connection: its output queue went above the high watermark (the
  // client reads slowly) or back under the low one.
  void onDownstreamWatermark(bool above);
  // The client connection went away: stop everything, log the request.
  void onDownstreamReset();
  bool requestComplete() const { return request_complete_; }
  bool responseComplete() const { return response_complete_; }
  bool responseStarted() const { return response_started_; }

  // FilterCallbacks
  void continueDecoding() override { chain_->continueDecoding(); }
  void continueEncoding() override { chain_->continueEncoding(); }
  bool holds(const StreamFilter& filter, bool decoding) override { return chain_->holds(filter, decoding); }
  bool headersOnlyPass(bool decoding) override { return chain_->headersOnlyPass(decoding); }
  void sendLocalReply(int status, std::string_view body, std::string_view details,
                      const HeaderMap* extra_headers) override;
  RequestHead& requestHead() override { return request_; }
  StreamInfo& streamInfo() override { return info_; }
  const RouteConfig* route() override;
  void clearRouteCache() override { route_cached_ = false; }
  std::string downstreamLocalAddress() override { return owner_.localAddress(); }
  uint64_t connectionId() override { return owner_.connectionId(); }
  void encodeHeaders(ResponseHead&& head, bool end_stream) override;
  void encodeData(std::string_view data, bool end_stream) override;
  void resetStream(std::string_view details) override;
  void* eventLoop() override { return dispatcher_.loop(); }

  // FilterChain::EncodeSink
  void sinkHeaders(ResponseHead& head, bool end_stream) override;
  void sinkData(std::string_view data, bool end_stream) override;

  // DownstreamSide (used by the router)
  void setRequestReadPaused(bool paused) override { owner_.setReadPaused(paused); }
  void setResponseTrailers(HeaderMap&& trailers) override { response_trailers_ = std::move(trailers); }

 private:
  void decorateRequest();
  // Logs the request; `completed`: the whole response was framed (else the stream was reset).
  void finish(bool completed);

  Dispatcher& dispatcher_;
  std::shared_ptr<WorkerGeneration> generation_;
  StreamOwner& owner_;
  RequestHead request_;
  StreamInfo info_;
  std::unique_ptr<FilterChain> chain_;
  RouterFilter* router_ = nullptr;  // the chain's last filter, owned by chain_
  const RouteConfig* route_ = nullptr;
  bool route_cached_ = false;
  HeaderMap response_trailers_;
  bool request_complete_ = false;
  bool response_started_ = false;
  bool response_complete_ = false;
  bool chunked_response_ = false;
  bool body_allowed_ = true;
  bool close_after_ = false;
  bool tunnel_ = false;
  bool finished_ = false;
};

}  // namespace wasmgate::gateway
