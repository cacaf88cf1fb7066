// BuiltinHttpCall: a plugin's proxy_http_call to a service that is the built-in httpbin. There
// is no socket: the request goes to an in-process HttpbinExchange, started on the next loop turn
// so the response is never delivered re-entrantly inside the plugin's own proxy_http_call. The
// result reaches `done` exactly once, shaped as OutboundHttpCall's ( ":status" first, lower-case
// names), with the same 504 "upstream request timeout" when the call's timeout passes first
// (httpbin's /delay/N).
//
// Internal header (gateway/wasm/). Thread affinity: the worker thread that created it.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/httpbin.h"
#include "gateway/net/loop.h"
#include "runtime/vm.h"

namespace wasmgate::gateway::wasm {

class BuiltinHttpCall final : public Deletable {
 public:
  // `failed`: the call's timeout passed before httpbin answered.
  using Done = std::function<void(runtime::HttpCallResponse&& response, bool failed)>;

  BuiltinHttpCall(Dispatcher& dispatcher, RequestHead head, std::string body, uint32_t timeout_ms, Done done);
  ~BuiltinHttpCall() override;
  BuiltinHttpCall(const BuiltinHttpCall&) = delete;
  BuiltinHttpCall& operator=(const BuiltinHttpCall&) = delete;

  // Never finishes inside this call.
  void start();

 private:
  void exchange();
  void onHeaders(ResponseHead&& head, bool end_stream);
  void onData(std::string_view data, bool end_stream);
  void onLocalReply(int status, std::string_view body);
  void onTimeout();
  // Last thing any path does: the owner may schedule `this` for deletion in `done`.
  void finish(runtime::HttpCallResponse&& response, bool failed);

  Dispatcher& dispatcher_;
  RequestHead head_;
  std::string body_;
  uint32_t timeout_ms_;
  Done done_;
  std::unique_ptr<Timer> next_turn_;
  std::unique_ptr<Timer> timer_;
  std::unique_ptr<HttpbinExchange> exchange_;
  runtime::HttpCallResponse response_;
  bool finished_ = false;
};

}  // namespace wasmgate::gateway::wasm
