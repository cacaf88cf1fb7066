#include "gateway/wasm/outbound_http_call.h"

#include "gateway/http/encoder.h"
#include "gateway/upstream/endpoint.h"

namespace wasmgate::gateway::wasm {

Result<RequestHead> OutboundHttpCall::requestHead(const runtime::HttpCallRequest& request) {
  RequestHead head;
  std::string authority;
  for (const auto& [key, value] : request.headers) {
    if (key == ":method") head.method = value;
    else if (key == ":path") head.target = value;
    else if (key == ":authority" || key == ":host") authority = value;
    else if (!key.empty() && key[0] != ':' && key != "host" && key != "content-length" && key != "transfer-encoding")
      head.headers.add(key, value);
  }
  if (head.method.empty()) return makeError("http call to '" + request.cluster + "': no :method header");
  if (head.target.empty()) return makeError("http call to '" + request.cluster + "': no :path header");
  if (authority.empty()) return makeError("http call to '" + request.cluster + "': no :authority header");
  head.headers.set("host", authority);
  // HTTP/1.1 needs a length to frame the body; trailers would need chunked framing, which a
  // proxy_http_call body (sent whole) never requires, so they are not forwarded.
  if (!request.body.empty()) head.headers.set("content-length", std::to_string(request.body.size()));
  head.content_length = static_cast<int64_t>(request.body.size());
  return head;
}

OutboundHttpCall::OutboundHttpCall(Dispatcher& dispatcher, Cluster& cluster, RequestHead head, std::string body,
                                   uint32_t timeout_ms, Done done)
    : dispatcher_(dispatcher), cluster_(cluster), head_(std::move(head)), body_(std::move(body)),
      timeout_ms_(timeout_ms), done_(std::move(done)) {}

OutboundHttpCall::~OutboundHttpCall() {
  *alive_ = false;
  if (connection_) connection_->close();  // abandoned mid-flight: the connection cannot be reused
  if (endpoint_) --endpoint_->active_requests;
}

void OutboundHttpCall::start() {
  if (timeout_ms_ > 0) {
    timer_ = std::make_unique<Timer>(dispatcher_.loop(), [this] { onTimeout(); });
    timer_->start(timeout_ms_);
  }
  if (cluster_.resolving()) {
    cluster_.whenResolved([this, alive = alive_] { if (*alive && !finished_) connect(); });
    return;
  }
  connect();
}

void OutboundHttpCall::connect() {
  endpoint_ = cluster_.pick(nullptr);
  if (endpoint_ == nullptr) {
    finish({}, true);  // no healthy endpoint: a failed call
    return;
  }
  ++endpoint_->active_requests;
  connection_ = endpoint_->pool->newStream(*this);
}

void OutboundHttpCall::onUpstreamReady(UpstreamConnection& connection) {
  connection_ = &connection;
  connection.expectNoBody(head_.method == "HEAD");
  std::string out;
  appendRequestHead(out, head_);
  out.append(body_);
  connection.send(out);
}

void OutboundHttpCall::onUpstreamHead(ResponseHead&& head) {
  keep_alive_ = head.keep_alive;
  response_.headers.emplace_back(":status", std::to_string(head.status));
  for (const auto& [key, value] : head.headers.entries()) response_.headers.emplace_back(toLower(key), value);
}

void OutboundHttpCall::onUpstreamData(std::string_view data) { response_.body.append(data); }

void OutboundHttpCall::onUpstreamTrailers(HeaderMap&& trailers) {
  for (const auto& [key, value] : trailers.entries()) response_.trailers.emplace_back(toLower(key), value);
}

void OutboundHttpCall::endpointDone(bool success) {
  if (!endpoint_) return;
  --endpoint_->active_requests;
  if (success) cluster_.reportSuccess(*endpoint_); else cluster_.reportFailure(*endpoint_);
  endpoint_ = nullptr;
}

void OutboundHttpCall::onUpstreamComplete() {
  UpstreamConnection* connection = connection_;
  connection_ = nullptr;
  const bool server_error = !response_.headers.empty() && response_.headers.front().second[0] == '5';
  endpointDone(!server_error);
  if (connection) connection->release(keep_alive_);
  finish(std::move(response_), false);
}

void OutboundHttpCall::onUpstreamFailure(UpstreamFailure /*failure*/, const std::string& /*detail*/) {
  connection_ = nullptr;  // the connection is gone; no more callbacks
  endpointDone(false);
  finish({}, true);  // zero headers: the plugin sees a reset
}

void OutboundHttpCall::onTimeout() {
  if (connection_) {
    connection_->close();
    connection_ = nullptr;
  }
  endpointDone(false);
  finish(timeoutResponse(), true);
}

runtime::HttpCallResponse OutboundHttpCall::timeoutResponse() {
  static constexpr std::string_view kBody = "upstream request timeout";
  runtime::HttpCallResponse timeout;
  timeout.headers = {{":status", "504"}, {"content-length", std::to_string(kBody.size())},
                     {"content-type", "text/plain"}};
  timeout.body = kBody;
  return timeout;
}

void OutboundHttpCall::finish(runtime::HttpCallResponse&& response, bool failed) {
  if (finished_) return;
  finished_ = true;
  if (timer_) timer_->stop();
  Done done = std::move(done_);
  done(std::move(response), failed);
}

}  // namespace wasmgate::gateway::wasm
