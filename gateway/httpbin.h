// The built-in httpbin service (service `builtin: httpbin`): answers in-process, so local tests
// need no other server. Endpoints: /get, /post, /put, /patch, /delete, /anything[/...],
// /headers, /ip, /user-agent, /status/N, /delay/N, /bytes/N, /stream/N, with httpbin's JSON
// (method, url, args, headers, origin, data, json, form).
//
// Internal header (gateway/). Thread affinity: the stream's worker thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "gateway/filter.h"
#include "gateway/net/loop.h"

namespace wasmgate::gateway {

class HttpbinExchange {
 public:
  // `request` is the request as the router would send it upstream (rewritten path and host).
  HttpbinExchange(Dispatcher& dispatcher, FilterCallbacks& callbacks, const RequestHead& request);
  // Body bytes; at end_stream the response is produced (now, or after /delay/N).
  void onRequestData(std::string_view data, bool end_stream);

 private:
  void respond();
  void sendJson(int status, const std::string& json);

  Dispatcher& dispatcher_;
  FilterCallbacks& callbacks_;
  RequestHead request_;
  std::string body_;
  std::unique_ptr<Timer> delay_;
  bool truncated_ = false;
};

}  // namespace wasmgate::gateway
