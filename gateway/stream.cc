#include "gateway/stream.h"

#include <chrono>

#include "gateway/http/encoder.h"
#include "gateway/router_filter.h"
#include "gateway/stats.h"
#include "gateway/uuid.h"

namespace wasmgate::gateway {

static uint64_t steadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Plugins plus the router in a typical chain.
constexpr size_t kTypicalFilterCount = 8;

Stream::Stream(Dispatcher& dispatcher, std::shared_ptr<WorkerGeneration> generation, StreamOwner& owner,
               RequestHead&& head, std::string peer_address)
    : dispatcher_(dispatcher), generation_(std::move(generation)), owner_(owner), request_(std::move(head)) {
  info_.start_ns = steadyNowNs();
  info_.downstream_address = std::move(peer_address);
  std::vector<std::unique_ptr<StreamFilter>> filters;
  filters.reserve(kTypicalFilterCount);  // one allocation for the chain, not one per doubling
  if (generation_->plugin_filters) generation_->plugin_filters->addFilters(filters);
  auto router = std::make_unique<RouterFilter>(dispatcher_, *generation_);
  router_ = router.get();
  router_->setDownstreamSide(this);
  filters.push_back(std::move(router));
  for (auto& f : filters) f->setCallbacks(*this);
  chain_ = std::make_unique<FilterChain>(std::move(filters), *this);
}

Stream::~Stream() = default;

void Stream::decorateRequest() {
  HeaderMap& h = request_.headers;
  if (const std::string* id = h.get("x-request-id"); id && !id->empty()) {
    info_.request_id = *id;
  } else {
    info_.request_id = uuid4();
    h.set("x-request-id", info_.request_id);
  }
  // As Envoy with use_remote_address: append the client's address, and state the scheme we saw.
  std::string_view peer = info_.downstream_address;
  std::string ip(peer.substr(0, peer.rfind(':')));
  if (ip.size() > 2 && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
  std::string xff = h.joined("x-forwarded-for");
  h.set("x-forwarded-for", xff.empty() ? ip : xff + ", " + ip);
  h.set("x-forwarded-proto", "http");
  if (request_.expect_continue) {
    // Envoy answers 100-continue itself and does not forward the expectation upstream.
    h.remove("expect");
    if (request_.version_minor >= 1) {
      owner_.output().append("HTTP/1.1 100 Continue\r\n\r\n");
      owner_.flushOutput();
    }
  }
}

// Envoy picks the route before the filters run and a filter that changes the request headers
// clears it. Matching lazily gives the same answers (a filter that must keep the route pins it
// before changing headers, see WasmFilter) without a second match when a plugin changed headers.
const RouteConfig* Stream::route() {
  if (!route_cached_) {
    route_ = generation_->snapshot->routes->match(request_);
    route_cached_ = true;
  }
  return route_;
}

void Stream::start(bool end_stream) {
  request_complete_ = end_stream;
  decorateRequest();
  chain_->decodeHeaders(request_, end_stream);
}

void Stream::onRequestData(std::string_view data, bool end_stream) {
  if (end_stream) request_complete_ = true;
  info_.bytes_received += data.size();
  chain_->decodeData(data, end_stream);
}

void Stream::onRequestTrailers(HeaderMap&& trailers) { router_->setRequestTrailers(std::move(trailers)); }

void Stream::onDownstreamWatermark(bool above) {
  if (!finished_) router_->setUpstreamReadPaused(above);
}

void Stream::sendLocalReply(int status, std::string_view body, std::string_view details,
                            const HeaderMap* extra_headers) {
  if (response_complete_ || finished_) return;
  chain_->stopDecoding();
  if (chain_->encodeStarted()) {
    resetStream(details);
    return;
  }
  info_.response_code_details = std::string(details);
  ResponseHead head;
  head.status = status;
  if (extra_headers) head.headers = *extra_headers;
  if (!body.empty() && !head.headers.has("content-type")) head.headers.set("content-type", "text/plain");
  head.headers.set("content-length", std::to_string(body.size()));
  chain_->encodeHeaders(std::move(head), body.empty());
  if (!body.empty()) chain_->encodeData(body, true);
}

void Stream::encodeHeaders(ResponseHead&& head, bool end_stream) { chain_->encodeHeaders(std::move(head), end_stream); }
void Stream::encodeData(std::string_view data, bool end_stream) { chain_->encodeData(data, end_stream); }

void Stream::resetStream(std::string_view details) {
  if (finished_) return;
  if (info_.response_code_details.empty() || info_.response_code_details == "via_upstream") {
    info_.response_code_details = std::string(details);
  }
  chain_->stopDecoding();
  chain_->stopEncoding();
  finish(false);
  owner_.onStreamReset();
}

void Stream::onDownstreamReset() {
  if (finished_) return;
  if (!response_complete_ && info_.response_code_details.empty()) info_.response_code_details = "downstream_remote_disconnect";
  chain_->stopDecoding();
  chain_->stopEncoding();
  finish(false);
}

void Stream::sinkHeaders(ResponseHead& head, bool end_stream) {
  response_started_ = true;
  info_.response_code = head.status;
  if (info_.response_code_details.empty()) info_.response_code_details = "via_upstream";
  HeaderMap& h = head.headers;
  const bool upgrade = head.status == 101 && request_.upgrade;
  // Hop-by-hop headers describe the upstream connection, not this one.
  h.remove("connection");
  h.remove("keep-alive");
  h.remove("proxy-connection");
  h.remove("transfer-encoding");
  if (!upgrade) h.remove("upgrade");
  body_allowed_ = !(request_.method == "HEAD" || head.status == 204 || head.status == 304 ||
                    (head.status >= 100 && head.status < 200));
  close_after_ = !request_.keep_alive || owner_.draining() || (!request_complete_ && !end_stream);
  if (upgrade) {
    tunnel_ = true;
    h.set("connection", "upgrade");
  } else if (body_allowed_ && !h.has("content-length")) {
    if (end_stream) {
      h.set("content-length", "0");
    } else if (request_.version_minor >= 1) {
      chunked_response_ = true;
      h.set("transfer-encoding", "chunked");
    } else {
      close_after_ = true;  // HTTP/1.0 client: the body ends when the connection does
    }
  }
  if (!upgrade) {
    if (close_after_) {
      h.set("connection", "close");
    } else if (request_.version_minor == 0) {
      h.set("connection", "keep-alive");
    }
  }
  appendResponseHead(owner_.output(), head);
  if (upgrade) owner_.onUpgraded();
  if (end_stream) {
    finish(true);
    return;
  }
  owner_.flushOutput();
}

void Stream::sinkData(std::string_view data, bool end_stream) {
  if (finished_) return;
  info_.bytes_sent += data.size();
  if (body_allowed_ || tunnel_) {
    if (chunked_response_) {
      appendChunk(owner_.output(), data);
      if (end_stream) appendLastChunk(owner_.output(), response_trailers_);
    } else {
      owner_.output().append(data);
    }
  }
  if (end_stream) {
    finish(true);
    return;
  }
  owner_.flushOutput();
}

void Stream::finish(bool completed) {
  if (finished_) return;
  finished_ = true;
  response_complete_ = completed;
  uint64_t duration_us = (steadyNowNs() - info_.start_ns) / 1000;
  Stats::global().requestDone(info_.response_code, duration_us);
  if (const auto& log = generation_->snapshot->access_log) log->log(request_, info_, duration_us);
  chain_->onStreamComplete();
  if (response_complete_) owner_.onResponseComplete(close_after_ || tunnel_);
}

}  // namespace wasmgate::gateway
