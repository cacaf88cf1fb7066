#include "gateway/router_filter.h"

#include "gateway/http/encoder.h"
#include "gateway/httpbin.h"
#include "gateway/log.h"
#include "gateway/stats.h"
#include "gateway/upstream/cluster.h"

namespace wasmgate::gateway {

namespace {
constexpr size_t kMaxRetryBody = 64 * 1024;  // beyond this a request body is not kept for retries
// Request bytes held while the upstream connection is being set up before the client is paused.
constexpr size_t kMaxBodyBeforeConnect = 1024 * 1024;
}

RouterFilter::RouterFilter(Dispatcher& dispatcher, WorkerGeneration& generation)
    : dispatcher_(dispatcher), generation_(generation), timeout_(dispatcher.deadlines(), [this] { onTimeout(); }) {}

RouterFilter::~RouterFilter() {
  if (connection_) connection_->close();
  if (endpoint_) --endpoint_->active_requests;
}

bool RouterFilter::idempotent() const {
  const std::string& m = upstream_head_.method;
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PUT" || m == "DELETE" || m == "TRACE";
}

void RouterFilter::buildUpstreamHead(const RequestHead& request) {
  upstream_head_ = request;
  upstream_head_.target = RouteTable::rewritePath(*route_, request.target);
  HeaderMap& h = upstream_head_.headers;
  if (!route_->host_rewrite.empty()) h.set("host", route_->host_rewrite);
  // Hop-by-hop headers stay on this hop (one pass over the map).
  if (request.upgrade) {
    h.removeAny({"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te"});
    h.set("connection", "upgrade");
  } else {
    h.removeAny({"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"});
  }
  if (request.chunked) h.set("transfer-encoding", "chunked");
  // A filter dropped the content-length of a request with a body (a plugin replacing the body,
  // e.g. the SDK's RouteCall): the length is unknown here, so frame it chunked, as Envoy's
  // HTTP/1 codec does. Sending it unframed would let the body bytes read as a next request.
  if (request.hasBody() && !request.chunked && !request.upgrade && !h.has("content-length")) {
    upstream_head_.chunked = true;
    h.set("transfer-encoding", "chunked");
  }
}

HeadersStatus RouterFilter::decodeHeaders(RequestHead& head, bool end_stream) {
  StreamInfo& info = callbacks_->streamInfo();
  route_ = callbacks_->route();
  if (!route_) {
    localReply(404, "", "route_not_found");
    return HeadersStatus::StopIteration;
  }
  info.route_name = route_->name;
  info.service_name = route_->service;
  cluster_ = generation_.clusters->find(route_->service);
  if (!cluster_) {  // validated at load; kept as a guard
    localReply(503, "no cluster", "cluster_not_found");
    return HeadersStatus::StopIteration;
  }
  request_complete_ = end_stream;
  buildUpstreamHead(head);
  if (route_->timeout_ms > 0 && end_stream) timeout_.start(route_->timeout_ms);
  if (cluster_->builtin()) {
    info.upstream_host = "builtin:httpbin";
    builtin_ = std::make_unique<HttpbinExchange>(dispatcher_, *callbacks_, upstream_head_);
    if (end_stream) builtin_->onRequestData("", true);
    return HeadersStatus::StopIteration;
  }
  if (cluster_->resolving()) {
    cluster_->whenResolved([this] { if (!done_) startAttempt(); });
  } else {
    startAttempt();
  }
  return HeadersStatus::StopIteration;
}

DataStatus RouterFilter::decodeData(std::string& data, bool end_stream) {
  if (done_) return DataStatus::StopIterationNoBuffer;
  if (end_stream) {
    request_complete_ = true;
    if (route_ && route_->timeout_ms > 0 && !timeout_.active()) timeout_.start(route_->timeout_ms);
  }
  if (builtin_) {
    builtin_->onRequestData(data, end_stream);
    return DataStatus::StopIterationNoBuffer;
  }
  sendBody(data, end_stream);
  return DataStatus::StopIterationNoBuffer;
}

void RouterFilter::sendBody(std::string_view data, bool end_stream) {
  if (body_kept_) {
    if (!tunnel_ && body_.size() + data.size() <= kMaxRetryBody) {
      body_.append(data);
    } else if (connection_ready_) {
      body_kept_ = false;  // too large to keep: no retry after this point
    } else {
      body_.append(data);  // not connected yet: must hold it anyway
    }
  }
  if (!connection_ready_ || !head_sent_) {
    // Sent from body_ once connected; meanwhile don't let a large body pile up here.
    if (body_.size() > kMaxBodyBeforeConnect && downstream_) downstream_->setRequestReadPaused(true);
    return;
  }
  if (tunnel_ || !upstream_head_.chunked) {
    connection_->send(data);
  } else {
    std::string framed;
    appendChunk(framed, data);
    if (end_stream) appendLastChunk(framed, request_trailers_);
    connection_->send(framed);
  }
}

void RouterFilter::setUpstreamReadPaused(bool paused) {
  upstream_read_paused_ = paused;
  if (connection_ && connection_ready_) connection_->setReadPaused(paused);
}

void RouterFilter::onUpstreamWriteWatermark(bool above) {
  if (downstream_) downstream_->setRequestReadPaused(above);
}

void RouterFilter::onUpstreamTrailers(HeaderMap&& trailers) {
  if (downstream_ && !done_) downstream_->setResponseTrailers(std::move(trailers));
}

void RouterFilter::startAttempt() {
  if (done_) return;
  ++attempts_;
  callbacks_->streamInfo().upstream_attempts = attempts_;
  endpoint_ = attempts_ == 1 ? overrideEndpoint() : nullptr;
  if (!endpoint_) endpoint_ = cluster_->pick(failed_endpoint_);
  if (!endpoint_) {
    Stats::global().upstreamError(UpstreamError::NoHealthyUpstream);
    std::string details = cluster_->lastDnsError().empty() ? "no_healthy_upstream" : "no_healthy_upstream{dns_failure}";
    localReply(503, "no healthy upstream", details);
    return;
  }
  ++endpoint_->active_requests;
  callbacks_->streamInfo().upstream_host = endpoint_->address;
  Stats::global().upstreamRequest();
  connection_ready_ = false;
  head_sent_ = false;
  connection_ = endpoint_->pool->newStream(*this);
}

Endpoint* RouterFilter::overrideEndpoint() {
  const std::string& pinned = callbacks_->streamInfo().upstream_override_host;
  if (pinned.empty()) return nullptr;
  for (const auto& endpoint : cluster_->endpoints()) {
    if (endpoint->address == pinned && !endpoint->ejected(dispatcher_.nowMs())) return endpoint.get();
  }
  return nullptr;  // not (or no longer) a healthy member: the load balancer decides, as Envoy does
}

void RouterFilter::onUpstreamReady(UpstreamConnection& connection) {
  connection_ = &connection;
  connection_ready_ = true;
  connection.expectNoBody(upstream_head_.method == "HEAD");
  std::string out;
  appendRequestHead(out, upstream_head_);
  head_sent_ = true;
  if (!body_.empty() || (request_complete_ && upstream_head_.chunked)) {
    if (upstream_head_.chunked) {
      appendChunk(out, body_);
      if (request_complete_) appendLastChunk(out, request_trailers_);
    } else {
      out.append(body_);
    }
  }
  if (!body_kept_) body_.clear();
  if (upstream_read_paused_) connection.setReadPaused(true);
  // Reading the client resumes; the connection's own watermark pauses it again if need be.
  if (downstream_) downstream_->setRequestReadPaused(false);
  connection.send(out);
}

void RouterFilter::flushPendingHead(bool end_stream) {
  if (!pending_head_) return;
  ResponseHead head = std::move(*pending_head_);
  pending_head_.reset();
  callbacks_->encodeHeaders(std::move(head), end_stream);
}

void RouterFilter::onUpstreamHead(ResponseHead&& head) {
  response_started_ = true;
  body_.clear();
  body_kept_ = false;
  if (head.status == 101 && upstream_head_.upgrade) {
    tunnel_ = true;
    connection_->switchToTunnel();
    timeout_.stop();  // a tunnel lives as long as its peers want
    callbacks_->encodeHeaders(std::move(head), false);
    return;
  }
  pending_head_ = std::move(head);  // sent at the end of this read, with end_stream if known
}

void RouterFilter::onUpstreamData(std::string_view data) {
  flushPendingHead(false);
  if (!done_ && !data.empty()) callbacks_->encodeData(data, false);
}

void RouterFilter::onUpstreamRaw(std::string_view data) {
  if (!done_) callbacks_->encodeData(data, false);
}

void RouterFilter::onUpstreamReadDone() { flushPendingHead(false); }

void RouterFilter::finishAttempt(bool success) {
  if (endpoint_) {
    --endpoint_->active_requests;
    if (success) cluster_->reportSuccess(*endpoint_); else cluster_->reportFailure(*endpoint_);
    endpoint_ = nullptr;
  }
}

void RouterFilter::onUpstreamComplete() {
  if (done_) return;
  done_ = true;
  timeout_.stop();
  int status = pending_head_ ? pending_head_->status : 200;
  bool keep_alive = !tunnel_ && request_complete_ && (!pending_head_ || pending_head_->keep_alive);
  finishAttempt(status < 500);
  UpstreamConnection* c = connection_;
  connection_ = nullptr;
  if (c) c->release(keep_alive);
  if (pending_head_) {
    flushPendingHead(true);
  } else {
    callbacks_->encodeData("", true);
  }
}

void RouterFilter::onUpstreamFailure(UpstreamFailure failure, const std::string& detail) {
  bool reused_reset = failure == UpstreamFailure::ResetBeforeResponse && connection_ && connection_->reused();
  connection_ = nullptr;
  failed_endpoint_ = endpoint_;
  finishAttempt(false);
  if (done_) return;
  const char* reason = "connection_failure";
  switch (failure) {
    case UpstreamFailure::ConnectFailure:
      Stats::global().upstreamError(UpstreamError::ConnectFailure);
      break;
    case UpstreamFailure::ResetBeforeResponse:
      Stats::global().upstreamError(UpstreamError::ResetBeforeResponse);
      reason = "connection_termination";
      break;
    case UpstreamFailure::ResetDuringResponse:
      Stats::global().upstreamError(UpstreamError::ResetDuringResponse);
      reason = "connection_termination";
      break;
    case UpstreamFailure::ProtocolError:
      Stats::global().upstreamError(UpstreamError::ProtocolError);
      reason = "protocol_error";
      break;
  }
  if (response_started_ && !pending_head_) {
    done_ = true;
    callbacks_->resetStream(std::string("upstream_reset_after_response_started{") + reason + "}");
    return;
  }
  pending_head_.reset();
  // Nothing reached the client yet: retry if safe (connect failures, or a pooled connection the
  // upstream had closed), else answer.
  bool retriable = failure == UpstreamFailure::ConnectFailure || (reused_reset && !response_started_);
  if (retriable && idempotent() && body_kept_ && attempts_ <= route_->retries) {
    Stats::global().upstreamError(UpstreamError::Retry);
    logf(LogLevel::Debug, "retrying %s %s after %s: %s", upstream_head_.method.c_str(), upstream_head_.target.c_str(),
         reason, detail.c_str());
    startAttempt();
    return;
  }
  if (failure == UpstreamFailure::ProtocolError) {
    localReply(502, "upstream sent an invalid response", std::string("upstream_reset_before_response_started{") + reason + "}");
  } else {
    localReply(503, "upstream connect error or disconnect/reset before headers. reset reason: " + std::string(reason),
               std::string("upstream_reset_before_response_started{") + reason + "}");
  }
}

void RouterFilter::onTimeout() {
  if (done_) return;
  Stats::global().upstreamError(UpstreamError::Timeout);
  if (connection_) {
    connection_->close();
    connection_ = nullptr;
  }
  finishAttempt(false);
  if (response_started_ && !pending_head_) {
    done_ = true;
    callbacks_->resetStream("upstream_response_timeout");
    return;
  }
  pending_head_.reset();
  localReply(504, "upstream request timeout", "upstream_response_timeout");
}

void RouterFilter::localReply(int status, std::string_view body, std::string details) {
  done_ = true;
  timeout_.stop();
  callbacks_->sendLocalReply(status, body, details);
}

void RouterFilter::onStreamComplete() {
  done_ = true;
  timeout_.stop();
  // builtin_ may be on the call stack (its response ended the stream): it dies with the filter.
  if (connection_) {
    connection_->close();  // the stream ended before the upstream exchange did
    connection_ = nullptr;
  }
  if (endpoint_) {
    --endpoint_->active_requests;
    endpoint_ = nullptr;
  }
}

}  // namespace wasmgate::gateway
