// The built-in httpbin service (service `builtin: httpbin`): answers in-process, so local tests
// need no other server. Endpoints: /get, /post, /put, /patch, /delete, /anything[/...],
// /headers, /ip, /user-agent, /status/N, /delay/N, /bytes/N, /stream/N, with httpbin's JSON
// (method, url, args, headers, origin, data, json, form).
//
// The exchange answers through an HttpbinResponder: the router's stream callbacks, or a plugin's
// proxy_http_call (gateway/wasm/builtin_http_call.h), which has no stream of its own.
//
// Internal header (gateway/). Thread affinity: the worker thread of its stream or call.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/filter.h"
#include "gateway/net/loop.h"

namespace wasmgate::gateway {

// Where an exchange's response goes. `local_reply` is an error answered the way the router's
// local replies are (status, plain body, response code details).
struct HttpbinResponder {
  std::function<void(ResponseHead&& head, bool end_stream)> headers;
  std::function<void(std::string_view data, bool end_stream)> data;
  std::function<void(int status, std::string_view body, std::string_view details)> local_reply;
};

class HttpbinExchange {
 public:
  // `request` is the request as the router would send it upstream (rewritten path and host).
  HttpbinExchange(Dispatcher& dispatcher, FilterCallbacks& callbacks, const RequestHead& request);
  HttpbinExchange(Dispatcher& dispatcher, HttpbinResponder responder, const RequestHead& request);
  // Body bytes; at end_stream the response is produced (now, or after /delay/N).
  void onRequestData(std::string_view data, bool end_stream);

 private:
  void respond();
  void sendJson(int status, const std::string& json);

  Dispatcher& dispatcher_;
  HttpbinResponder responder_;
  RequestHead request_;
  std::string body_;
  std::unique_ptr<Timer> delay_;
  bool truncated_ = false;
};

}  // namespace wasmgate::gateway
