#include "gateway/wasm/builtin_http_call.h"

#include "gateway/http/encoder.h"
#include "gateway/wasm/outbound_http_call.h"

namespace wasmgate::gateway::wasm {

BuiltinHttpCall::BuiltinHttpCall(Dispatcher& dispatcher, RequestHead head, std::string body, uint32_t timeout_ms,
                                 Done done)
    : dispatcher_(dispatcher), head_(std::move(head)), body_(std::move(body)), timeout_ms_(timeout_ms),
      done_(std::move(done)) {}

BuiltinHttpCall::~BuiltinHttpCall() = default;

void BuiltinHttpCall::start() {
  if (timeout_ms_ > 0) {
    timer_ = std::make_unique<Timer>(dispatcher_.loop(), [this] { onTimeout(); });
    timer_->start(timeout_ms_);
  }
  // A zero timer runs in the next loop iteration's timer phase: after the plugin call returned.
  next_turn_ = std::make_unique<Timer>(dispatcher_.loop(), [this] { exchange(); });
  next_turn_->start(0);
}

void BuiltinHttpCall::exchange() {
  if (finished_) return;
  HttpbinResponder responder{
      [this](ResponseHead&& head, bool end_stream) { onHeaders(std::move(head), end_stream); },
      [this](std::string_view data, bool end_stream) { onData(data, end_stream); },
      [this](int status, std::string_view body, std::string_view /*details*/) { onLocalReply(status, body); }};
  exchange_ = std::make_unique<HttpbinExchange>(dispatcher_, std::move(responder), head_);
  exchange_->onRequestData(body_, true);
}

void BuiltinHttpCall::onHeaders(ResponseHead&& head, bool end_stream) {
  if (finished_) return;
  response_.headers.emplace_back(":status", std::to_string(head.status));
  for (const auto& [key, value] : head.headers.entries()) response_.headers.emplace_back(toLower(key), value);
  if (end_stream) finish(std::move(response_), false);
}

void BuiltinHttpCall::onData(std::string_view data, bool end_stream) {
  if (finished_) return;
  if (head_.method != "HEAD") response_.body.append(data);  // a HEAD answer has no body on the wire
  if (end_stream) finish(std::move(response_), false);
}

// The router answers httpbin's errors (405, 404, 413) as local replies; a call gets the same
// status and body, framed as a response.
void BuiltinHttpCall::onLocalReply(int status, std::string_view body) {
  if (finished_) return;
  runtime::HttpCallResponse reply;
  reply.headers = {{":status", std::to_string(status)}, {"content-length", std::to_string(body.size())}};
  if (!body.empty()) reply.headers.emplace_back("content-type", "text/plain");
  reply.body = body;
  finish(std::move(reply), false);
}

void BuiltinHttpCall::onTimeout() { finish(OutboundHttpCall::timeoutResponse(), true); }

void BuiltinHttpCall::finish(runtime::HttpCallResponse&& response, bool failed) {
  if (finished_) return;
  finished_ = true;
  if (timer_) timer_->stop();
  Done done = std::move(done_);
  done(std::move(response), failed);
}

}  // namespace wasmgate::gateway::wasm
