// StreamState: the stream's callbacks with Envoy's rules for holding headers, buffering bodies,
// queueing data behind StopAllIteration*, resuming, and failing. See http_stream.h.
#include "stream_state.h"

#include <algorithm>
#include <cctype>

#include "host_state.h"

namespace wasmgate::testing {
namespace {

bool stopsAll(HeaderAction a) {
  return a == HeaderAction::StopAllIterationAndBuffer || a == HeaderAction::StopAllIterationAndWatermark;
}

}  // namespace

Headers lowerCaseKeys(Headers headers) {
  for (auto& [key, value] : headers) {
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  }
  return headers;
}

std::string joinPropertyPath(std::initializer_list<std::string_view> segments) {
  std::string key;
  bool first = true;
  for (std::string_view segment : segments) {
    if (!first) key.push_back('\0');
    key.append(segment);
    first = false;
  }
  return key;
}

StreamState::StreamState(HostState& h) : host(&h) {
  host->streams.insert(this);
  properties["route_name"] = "test-route-default";
  properties["cluster_name"] = "test-cluster-default";
  properties["x_request_id"] = "test-request-id-default";
}

StreamState::~StreamState() {
  if (host != nullptr) host->streams.erase(this);
}

Result<runtime::WasmVm*> StreamState::vm() {
  if (host == nullptr) return makeError("the TestHost of this stream is gone");
  host->assertOwnerThread();
  if (finished) return makeError("the stream is complete; make a new one with newHttp()");
  if (id == 0) {
    VmSlot& current = host->current();
    auto created = current.vm->createStream(current.root_id, {&headers_host_, &buffers_host_, &properties_host_, &control_host_});
    if (!created.ok()) return created.error();
    slot = &current;
    id = created.value();
  }
  return slot->vm.get();
}

bool StreamState::failOpen() const { return host != nullptr && host->options.fail_open; }

// Envoy's answer for a stream whose VM failed: fail-closed replies 503 once.
void StreamState::failStream(std::string why) {
  error = std::move(why);
  if (failOpen() || local_response) return;
  local_response = LocalResponse{.status = 503, .headers = {}, .body = "", .details = "wasm_fail_stream", .grpc_status = -1};
}

HeaderAction StreamState::failHeaders(Direction& d, std::string why) {
  failStream(std::move(why));
  if (failOpen()) {
    d.headers_held = false;
    return HeaderAction::Continue;
  }
  d.headers_held = d.stop_all = true;
  return HeaderAction::StopAllIterationAndWatermark;
}

DataAction StreamState::failData(Direction& d, std::string why) {
  failStream(std::move(why));
  if (failOpen()) {
    d.view_start = d.msg.body.size();
    d.buffering = false;
    d.syncForwarded();
    return DataAction::Continue;
  }
  return DataAction::StopIterationNoBuffer;
}

TrailerAction StreamState::failTrailers(Direction& d, std::string why) {
  failStream(std::move(why));
  if (failOpen()) return TrailerAction::Continue;
  d.trailers_held = true;
  return TrailerAction::StopIteration;
}

HeaderAction StreamState::runHeaders(Direction& d, bool is_request, bool end_of_stream) {
  d.seen = true;
  auto vm = this->vm();
  if (!vm.ok()) return failHeaders(d, vm.message());
  d.in_header_callback = true;
  const auto size = static_cast<uint32_t>(d.msg.headers.size());
  auto result = is_request ? vm.value()->onRequestHeaders(id, size, end_of_stream)
                           : vm.value()->onResponseHeaders(id, size, end_of_stream);
  d.in_header_callback = false;
  if (!result.ok()) return failHeaders(d, result.message());
  const HeaderAction action = result.value();
  d.headers_held = action != HeaderAction::Continue && action != HeaderAction::ContinueAndEndStream;
  d.stop_all = stopsAll(action);
  return action;
}

DataAction StreamState::feedBody(Direction& d, bool is_request, std::string_view chunk, bool end_of_stream) {
  if (d.stop_all) {  // Envoy keeps the data until the plugin resumes
    d.queued_body.append(chunk);
    d.has_queued_body = true;
    d.queued_end_of_stream = d.queued_end_of_stream || end_of_stream;
    return DataAction::StopIterationAndBuffer;
  }
  return deliverBody(d, is_request, chunk, end_of_stream);
}

DataAction StreamState::deliverBody(Direction& d, bool is_request, std::string_view chunk, bool end_of_stream) {
  // Without buffering, the previous view was passed on (or dropped) already: start a new one.
  if (!d.buffering) d.view_start = d.msg.body.size();
  d.msg.body.append(chunk);
  auto vm = this->vm();
  if (!vm.ok()) return failData(d, vm.message());
  // The callback's body_size is the whole view, including this chunk (Envoy since PR #36411).
  const auto size = static_cast<uint32_t>(d.msg.body.size() - d.view_start);
  auto result = is_request ? vm.value()->onRequestBody(id, size, end_of_stream)
                           : vm.value()->onResponseBody(id, size, end_of_stream);
  if (!result.ok()) return failData(d, result.message());
  switch (result.value()) {
    case DataAction::Continue:
      d.view_start = d.msg.body.size();
      d.buffering = false;
      d.headers_held = false;  // headers held with StopIteration go on with the data
      break;
    case DataAction::StopIterationAndBuffer:
    case DataAction::StopIterationAndWatermark:
      d.buffering = true;
      break;
    case DataAction::StopIterationNoBuffer:
      d.msg.body.erase(d.view_start);
      d.buffering = false;
      break;
  }
  d.syncForwarded();
  return result.value();
}

TrailerAction StreamState::feedTrailers(Direction& d, bool is_request, Headers trailers) {
  if (d.stop_all) {
    d.queued_trailers = std::move(trailers);
    return TrailerAction::StopIteration;
  }
  return deliverTrailers(d, is_request, std::move(trailers));
}

TrailerAction StreamState::deliverTrailers(Direction& d, bool is_request, Headers trailers) {
  d.msg.trailers = std::move(trailers);
  auto vm = this->vm();
  if (!vm.ok()) return failTrailers(d, vm.message());
  const auto size = static_cast<uint32_t>(d.msg.trailers.size());
  auto result = is_request ? vm.value()->onRequestTrailers(id, size) : vm.value()->onResponseTrailers(id, size);
  if (!result.ok()) return failTrailers(d, result.message());
  d.trailers_held = result.value() == TrailerAction::StopIteration;
  return result.value();
}

void StreamState::resume(Direction& d, bool is_request) {
  d.resume_requested = false;
  d.continued = true;
  d.headers_held = d.trailers_held = false;
  if (d.buffering) {  // the held body goes on
    d.view_start = d.msg.body.size();
    d.buffering = false;
  }
  d.syncForwarded();
  if (!d.stop_all) return;
  // Data that waited behind StopAllIteration* reaches the plugin now, in one callback.
  d.stop_all = false;
  if (d.has_queued_body) {
    std::string body = std::move(d.queued_body);
    d.queued_body.clear();
    d.has_queued_body = false;
    deliverBody(d, is_request, body, d.queued_end_of_stream);
  }
  if (d.queued_trailers) {
    Headers trailers = std::move(*d.queued_trailers);
    d.queued_trailers.reset();
    deliverTrailers(d, is_request, std::move(trailers));
  }
}

Status StreamState::complete() {
  if (host == nullptr) return makeError("the TestHost of this stream is gone");
  if (finished) return makeError("the stream is complete already");
  finished = true;
  if (id == 0) return {};  // the plugin never saw the stream: no context to finish
  in_log = true;
  Status done = slot->vm->finishStream(id);
  in_log = false;
  if (!done.ok()) error = done.message();
  return done;
}

Headers* StreamState::headerMap(abi::MapType type, bool for_write) {
  if (type > abi::MapType::ResponseTrailers) return nullptr;
  const bool is_request = type == abi::MapType::RequestHeaders || type == abi::MapType::RequestTrailers;
  const bool trailers = type == abi::MapType::RequestTrailers || type == abi::MapType::ResponseTrailers;
  Direction& d = is_request ? request : response;
  // proxy_on_log reads the access-log maps; nothing may change them any more.
  if (in_log) return for_write ? nullptr : trailers ? &d.msg.trailers : &d.msg.headers;
  if (trailers) return &d.msg.trailers;
  return d.in_header_callback || d.headers_held ? &d.msg.headers : nullptr;
}

}  // namespace wasmgate::testing
