// The stream flow of WasmFilter: callbacks into the plugin, action mapping, deferred actions and
// the fail strategy. The host interfaces it serves are in wasm_filter_hosts.cc.
#include "gateway/wasm/wasm_filter.h"

#include "gateway/log.h"
#include "gateway/wasm/stream_registry.h"

namespace wasmgate::gateway::wasm {

WasmFilter::WasmFilter(PluginRuntime& plugin, std::shared_ptr<StreamShared> shared)
    : plugin_(plugin), shared_(std::move(shared)) {}

WasmFilter::~WasmFilter() {
  onStreamComplete();
  if (previous_plugin_ != nullptr) previous_plugin_->next_plugin_ = next_plugin_;
  if (next_plugin_ != nullptr) next_plugin_->previous_plugin_ = previous_plugin_;
}

bool WasmFilter::ensureStream() {
  if (skipped_) return false;
  if (started_) return true;
  uint32_t root_id = 0;
  if (!pickVm(&root_id)) return false;
  auto id = vm_->createStream(root_id, streamHost());
  if (!id) {
    onFailure(id.message(), true);
    return false;
  }
  onStarted(*id);
  return true;
}

bool WasmFilter::pickVm(uint32_t* root_id) {
  auto vm = plugin_.vmForStream(root_id);
  if (!vm) {
    onFailure(vm.message(), true);
    return false;
  }
  vm_ = *vm;
  return true;
}

void WasmFilter::onStarted(uint32_t stream_id) {
  stream_id_ = stream_id;
  started_ = true;
  StreamRegistry::local().add(*this);
}


void WasmFilter::onFailure(const std::string& why, bool decoding) {
  PluginCounters& c = plugin_.counters();
  c.failures++;
  if (vm_) plugin_.markForRebuild(vm_.get());
  skipped_ = true;
  logf(LogLevel::Error, "wasm %s: %s (%s)", plugin_.spec().name.c_str(), why.c_str(),
       plugin_.spec().fail_open ? "FAIL_OPEN: skipped" : "FAIL_CLOSE: 503");
  if (plugin_.spec().fail_open) {
    c.fail_open_skips++;
    failOtherHeldStreams();
    return;
  }
  c.fail_closed_requests++;
  runtime::LocalResponse reply;
  reply.status_code = 503;
  reply.details = "wasm_fail_stream";
  if (decoding) {
    callbacks_->sendLocalReply(503, "", "wasm_fail_stream");
  } else {
    replaceResponse(reply);
  }
  failOtherHeldStreams();
}

// The VM failed in this stream's call: the other streams it holds would wait for a continue
// that cannot come.
void WasmFilter::failOtherHeldStreams() {
  if (!vm_ || !vm_->failed()) return;
  std::shared_ptr<runtime::WasmVm> vm = vm_;  // this stream may end meanwhile
  StreamRegistry::local().vmFailed(*vm);
}

void WasmFilter::onVmFailed() {
  if (skipped_ || in_call_) return;
  const bool request_held = callbacks_->holds(*this, true);
  const bool response_held = callbacks_->holds(*this, false);
  // A stream this plugin is not holding meets the failure at its next callback, which fails at
  // once and applies the strategy there.
  if (!request_held && !response_held) return;
  request_headers_open_ = response_headers_open_ = false;
  request_stop_all_ = response_stop_all_ = false;
  if (request_held) {
    onFailure(vm_->failure(), /*decoding=*/true);  // FAIL_CLOSE: the 503 local reply
    if (plugin_.spec().fail_open) callbacks_->continueDecoding();
    return;
  }
  // The response is held: its upstream headers (and any body) wait here. FAIL_OPEN lets them
  // go; FAIL_CLOSE resets the stream, as the held bytes must not reach the client.
  PluginCounters& c = plugin_.counters();
  c.failures++;
  plugin_.markForRebuild(vm_.get());
  skipped_ = true;
  logf(LogLevel::Error, "wasm %s: %s (%s)", plugin_.spec().name.c_str(), vm_->failure().c_str(),
       plugin_.spec().fail_open ? "FAIL_OPEN: skipped" : "FAIL_CLOSE: stream reset");
  if (plugin_.spec().fail_open) {
    c.fail_open_skips++;
    callbacks_->continueEncoding();
  } else {
    c.fail_closed_requests++;
    callbacks_->resetStream("wasm_fail_stream");
  }
}

void WasmFilter::replaceResponse(const runtime::LocalResponse& reply) {
  if (response_ == nullptr) {
    callbacks_->resetStream(reply.details);
    return;
  }
  response_->status = static_cast<int>(reply.status_code);
  response_->reason.clear();
  response_->headers.clear();
  for (const auto& [k, v] : reply.headers) response_->headers.add(k, v);
  response_->headers.set("content-length", std::to_string(response_end_ ? 0 : reply.body.size()));
  callbacks_->streamInfo().response_code_details = reply.details.empty() ? "wasm_local_reply" : reply.details;
  replacing_response_ = true;
  replacement_body_ = reply.body;
}

bool WasmFilter::applyDeferred(bool decoding) {
  if (pending_close_) {
    pending_close_ = false;
    skipped_ = true;
    callbacks_->resetStream("wasm_close_stream");
    return false;
  }
  if (pending_reply_) {
    runtime::LocalResponse reply = std::move(*pending_reply_);
    pending_reply_.reset();
    plugin_.counters().local_replies++;
    if (!decoding) {
      replaceResponse(reply);
      return false;
    }
    HeaderMap extra;
    for (const auto& [k, v] : reply.headers) extra.add(k, v);
    callbacks_->sendLocalReply(static_cast<int>(reply.status_code), reply.body,
                               reply.details.empty() ? "wasm_local_reply" : reply.details, &extra);
    return false;
  }
  return true;
}

uint32_t WasmFilter::requestHeaderCount(const RequestHead& head) {
  // Envoy's request map has :method, :path, :scheme and :authority (the Host header's stand-in).
  return static_cast<uint32_t>(head.headers.size() + (head.headers.has("host") ? 3 : 4));
}

uint32_t WasmFilter::responseHeaderCount(const ResponseHead& head) {
  return static_cast<uint32_t>(head.headers.size() + 1);  // and :status
}

HeadersStatus WasmFilter::decodeHeaders(RequestHead& head, bool end_stream) {
  request_ = &head;
  request_end_ = end_stream;
  if (chained_request_) {
    const Result<abi::HeaderAction> r = std::move(*chained_request_);
    chained_request_.reset();
    return afterRequestHeaders(r, end_stream);
  }
  const HeadersStatus failed = plugin_.spec().fail_open ? HeadersStatus::Continue : HeadersStatus::StopIteration;
  if (skipped_) return failed;
  uint32_t root_id = 0;
  if (!started_ && !pickVm(&root_id)) return failed;
  const uint32_t num_headers = requestHeaderCount(head);
  beginRequestHeaders(head, end_stream);
  Result<abi::HeaderAction> r = abi::HeaderAction::Continue;
  if (started_) {
    r = vm_->onRequestHeaders(stream_id_, num_headers, end_stream);
    in_call_ = false;
  } else {
    r = startRequestHeaders(head, end_stream, root_id, num_headers);
  }
  return afterRequestHeaders(r, end_stream);
}

void WasmFilter::beginRequestHeaders(RequestHead& head, bool end_stream) {
  request_ = &head;
  request_end_ = end_stream;
  request_headers_open_ = true;
  in_call_ = true;
  plugin_.counters().calls++;
}

HeadersStatus WasmFilter::afterRequestHeaders(const Result<abi::HeaderAction>& r, bool end_stream) {
  const HeadersStatus failed = plugin_.spec().fail_open ? HeadersStatus::Continue : HeadersStatus::StopIteration;
  if (!r) {
    onFailure(r.message(), true);
    return failed;
  }
  if (!applyDeferred(true)) return HeadersStatus::StopIteration;
  abi::HeaderAction action = r.value();
  if (pending_continue_request_) {
    pending_continue_request_ = false;
    action = abi::HeaderAction::Continue;
  }
  switch (action) {
    case abi::HeaderAction::Continue:
    case abi::HeaderAction::ContinueAndEndStream:
      request_headers_open_ = false;
      return HeadersStatus::Continue;
    case abi::HeaderAction::StopIteration:
      return HeadersStatus::StopIteration;
    default:
      // StopAll: the body is held without calling the plugin, then shown to it on continue.
      request_stop_all_ = !end_stream;
      return end_stream ? HeadersStatus::StopIteration : HeadersStatus::StopAllIteration;
  }
}

bool WasmFilter::overLimit(const std::string& data, bool decoding) {
  uint64_t limit = decoding ? shared_->decoder_buffer_limit : shared_->encoder_buffer_limit;
  if (limit == 0 || data.size() <= limit) return false;
  skipped_ = true;
  if (decoding) {
    callbacks_->sendLocalReply(413, "Payload Too Large", "request_payload_too_large");
  } else {
    runtime::LocalResponse reply;
    reply.status_code = 500;
    reply.details = "response_payload_too_large";
    replaceResponse(reply);
  }
  return true;
}

DataStatus WasmFilter::decodeData(std::string& data, bool end_stream) {
  request_end_ = end_stream;
  if (skipped_ || !started_) return plugin_.spec().fail_open || !skipped_ ? DataStatus::Continue : DataStatus::StopIterationNoBuffer;
  if (request_stop_all_) {
    // Envoy holds the body for a filter that stopped all iteration; the chain shows it to the
    // plugin when it continues (HeadersStatus::StopAllIteration).
    if (overLimit(data, true)) return DataStatus::StopIterationNoBuffer;
    return DataStatus::StopIterationAndBuffer;
  }
  if (buffering_request_ && overLimit(data, true)) return DataStatus::StopIterationNoBuffer;
  body_ = &data;
  body_is_request_ = true;
  in_call_ = true;
  plugin_.counters().calls++;
  // A callback the plugin skips answers Continue: asked cheaply first (most plugins skip bodies).
  auto r = vm_->bodyCallbackIsIdle(stream_id_, false)
               ? Result<abi::DataAction>(abi::DataAction::Continue)
               : vm_->onRequestBody(stream_id_, static_cast<uint32_t>(data.size()), end_stream);
  in_call_ = false;
  body_ = nullptr;
  if (!r) {
    onFailure(r.message(), true);
    return plugin_.spec().fail_open ? DataStatus::Continue : DataStatus::StopIterationNoBuffer;
  }
  if (!applyDeferred(true)) return DataStatus::StopIterationNoBuffer;
  abi::DataAction action = *r;
  if (pending_continue_request_) {
    pending_continue_request_ = false;
    action = abi::DataAction::Continue;
  }
  buffering_request_ = false;
  switch (action) {
    case abi::DataAction::Continue:
      request_headers_open_ = false;
      return DataStatus::Continue;
    case abi::DataAction::StopIterationNoBuffer:
      return DataStatus::StopIterationNoBuffer;
    default:
      if (overLimit(data, true)) return DataStatus::StopIterationNoBuffer;
      buffering_request_ = true;
      return DataStatus::StopIterationAndBuffer;
  }
}

HeadersStatus WasmFilter::encodeHeaders(ResponseHead& head, bool end_stream) {
  response_ = &head;
  response_end_ = end_stream;
  if (chained_response_) {
    const Result<abi::HeaderAction> r = std::move(*chained_response_);
    chained_response_.reset();
    return afterResponseHeaders(r, end_stream);
  }
  if (!ensureStream()) return HeadersStatus::Continue;
  beginResponseHeaders(head, end_stream);
  return afterResponseHeaders(callResponseHeaders(head, end_stream), end_stream);
}

void WasmFilter::beginResponseHeaders(ResponseHead& head, bool end_stream) {
  response_ = &head;
  response_end_ = end_stream;
  response_headers_open_ = true;
  in_call_ = true;
  plugin_.counters().calls++;
}

HeadersStatus WasmFilter::afterResponseHeaders(const Result<abi::HeaderAction>& r, bool end_stream) {
  if (!r) {
    onFailure(r.message(), false);
    return replacing_response_ && !end_stream ? HeadersStatus::StopIteration : HeadersStatus::Continue;
  }
  if (!applyDeferred(false)) return replacing_response_ && !end_stream ? HeadersStatus::StopIteration : HeadersStatus::Continue;
  abi::HeaderAction action = r.value();
  if (pending_continue_response_) {
    pending_continue_response_ = false;
    action = abi::HeaderAction::Continue;
  }
  switch (action) {
    case abi::HeaderAction::Continue:
    case abi::HeaderAction::ContinueAndEndStream:
      response_headers_open_ = false;
      return HeadersStatus::Continue;
    case abi::HeaderAction::StopIteration:
      return HeadersStatus::StopIteration;
    default:
      response_stop_all_ = !end_stream;
      return end_stream ? HeadersStatus::StopIteration : HeadersStatus::StopAllIteration;
  }
}

DataStatus WasmFilter::encodeData(std::string& data, bool end_stream) {
  response_end_ = end_stream;
  if (replacing_response_) {
    // The upstream body is dropped; the local reply's body goes out at the end.
    if (!end_stream) return DataStatus::StopIterationNoBuffer;
    data = replacement_body_;
    return DataStatus::Continue;
  }
  if (skipped_ || !started_) return DataStatus::Continue;
  if (response_stop_all_) {
    if (overLimit(data, false)) return end_stream ? encodeData(data, end_stream) : DataStatus::StopIterationNoBuffer;
    return DataStatus::StopIterationAndBuffer;
  }
  if (buffering_response_ && overLimit(data, false)) return encodeData(data, end_stream);
  body_ = &data;
  body_is_request_ = false;
  in_call_ = true;
  plugin_.counters().calls++;
  auto r = vm_->bodyCallbackIsIdle(stream_id_, true)
               ? Result<abi::DataAction>(abi::DataAction::Continue)
               : vm_->onResponseBody(stream_id_, static_cast<uint32_t>(data.size()), end_stream);
  in_call_ = false;
  body_ = nullptr;
  if (!r) {
    onFailure(r.message(), false);
    return replacing_response_ ? encodeData(data, end_stream) : DataStatus::Continue;
  }
  if (!applyDeferred(false)) return replacing_response_ ? encodeData(data, end_stream) : DataStatus::StopIterationNoBuffer;
  abi::DataAction action = *r;
  if (pending_continue_response_) {
    pending_continue_response_ = false;
    action = abi::DataAction::Continue;
  }
  buffering_response_ = false;
  switch (action) {
    case abi::DataAction::Continue:
      response_headers_open_ = false;
      return DataStatus::Continue;
    case abi::DataAction::StopIterationNoBuffer:
      return DataStatus::StopIterationNoBuffer;
    default:
      buffering_response_ = true;
      if (end_stream) return DataStatus::Continue;  // nothing more will come: do not hang the response
      return DataStatus::StopIterationAndBuffer;
  }
}

}  // namespace wasmgate::gateway::wasm
