// The host interfaces WasmFilter serves for its plugin: header maps with pseudo headers and the
// access windows, body buffers, properties (stream attributes and per-request filter state) and
// stream control. Actions arrive after the plugin call returned (the runtime defers them); while
// the filter is still inside its callback they are applied when it returns.
#include <algorithm>
#include <charconv>
#include <cstring>

#include "gateway/wasm/upstream_hosts.h"
#include "gateway/wasm/wasm_filter.h"
#include "runtime/pairs.h"

namespace wasmgate::gateway::wasm {
namespace {

using abi::Status;

std::string le64(uint64_t v) {
  std::string out(8, '\0');
  std::memcpy(out.data(), &v, 8);  // x86-64 and wasm are both little-endian
  return out;
}

uint64_t portOf(std::string_view address) {
  size_t colon = address.rfind(':');
  uint64_t port = 0;
  if (colon != std::string_view::npos) std::from_chars(address.data() + colon + 1, address.data() + address.size(), port);
  return port;
}

bool isRequestMap(abi::MapType t) { return t == abi::MapType::RequestHeaders; }
bool isResponseMap(abi::MapType t) { return t == abi::MapType::ResponseHeaders; }

}  // namespace

HeaderMap* WasmFilter::mapFor(abi::MapType type) {
  if (isRequestMap(type) && request_ != nullptr && request_headers_open_) return &request_->headers;
  if (isResponseMap(type) && response_ != nullptr && response_headers_open_) return &response_->headers;
  return nullptr;
}

Status WasmFilter::getHeader(abi::MapType type, std::string_view key, std::string* value) {
  HeaderMap* map = mapFor(type);
  if (map == nullptr) return type <= abi::MapType::ResponseTrailers ? Status::NotFound : Status::BadArgument;
  if (isRequestMap(type) && !key.empty() && key[0] == ':') {
    if (key == ":method") *value = request_->method;
    else if (key == ":path") *value = request_->target;
    else if (key == ":authority") *value = request_->authority();
    else if (key == ":scheme") *value = "http";
    else return Status::NotFound;
    return Status::Ok;
  }
  if (isResponseMap(type) && key == ":status") {
    *value = std::to_string(response_->status);
    return Status::Ok;
  }
  const std::string* v = map->get(key);
  if (v == nullptr) return Status::NotFound;
  *value = *v;
  return Status::Ok;
}

Status WasmFilter::addHeader(abi::MapType type, std::string_view key, std::string_view value) {
  HeaderMap* map = mapFor(type);
  if (map == nullptr) return Status::BadArgument;
  if (!key.empty() && key[0] == ':') return replaceHeader(type, key, value);
  if (isRequestMap(type)) beforeRequestHeaderChange();
  map->add(key, value);
  return Status::Ok;
}

Status WasmFilter::replaceHeader(abi::MapType type, std::string_view key, std::string_view value) {
  HeaderMap* map = mapFor(type);
  if (map == nullptr) return Status::BadArgument;
  if (isRequestMap(type)) {
    beforeRequestHeaderChange();
    if (key == ":path") request_->target = std::string(value);
    else if (key == ":method") request_->method = std::string(value);
    else if (key == ":authority" || key == "host") map->set("host", value);
    else if (!key.empty() && key[0] == ':') return Status::Ok;  // :scheme is fixed
    else map->set(key, value);
    return Status::Ok;
  }
  if (isResponseMap(type) && key == ":status") {
    int status = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), status);
    if (ec != std::errc() || p != value.data() + value.size() || status < 100 || status > 999) return Status::BadArgument;
    response_->status = status;
    response_->reason.clear();
    return Status::Ok;
  }
  map->set(key, value);
  return Status::Ok;
}

Status WasmFilter::removeHeader(abi::MapType type, std::string_view key) {
  HeaderMap* map = mapFor(type);
  if (map == nullptr) return Status::BadArgument;
  if (!key.empty() && key[0] == ':') return Status::Ok;
  if (isRequestMap(type)) beforeRequestHeaderChange();
  map->remove(key);
  return Status::Ok;
}

Status WasmFilter::getHeaders(abi::MapType type, runtime::Pairs* pairs) {
  HeaderMap* map = mapFor(type);
  if (map == nullptr) return type <= abi::MapType::ResponseTrailers ? Status::Ok : Status::BadArgument;
  if (isRequestMap(type)) {
    pairs->emplace_back(":authority", request_->authority());
    pairs->emplace_back(":path", request_->target);
    pairs->emplace_back(":method", request_->method);
    pairs->emplace_back(":scheme", "http");
  } else if (isResponseMap(type)) {
    pairs->emplace_back(":status", std::to_string(response_->status));
  }
  for (const auto& [k, v] : map->entries()) {
    if (isRequestMap(type) && k == "host") continue;  // it is :authority
    pairs->emplace_back(k, v);
  }
  return Status::Ok;
}

// Every entry of `map` as the plugin sees it: the pseudo-headers first (:authority from Host,
// which is not repeated), then the rest in order. A template so that each caller's loop is
// compiled whole, without a call per entry.
namespace {
template <typename Visit>
void forEachHeader(const HeaderMap& map, const RequestHead* request, const ResponseHead* response, Visit&& visit) {
  if (request != nullptr) {
    const std::string* host = map.get("host");
    visit(":authority", host ? std::string_view(*host) : std::string_view());
    visit(":path", request->target);
    visit(":method", request->method);
    visit(":scheme", "http");
  } else if (response != nullptr) {
    char digits[8];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, response->status);
    visit(":status", std::string_view(digits, ec == std::errc() ? static_cast<size_t>(end - digits) : 0));
  }
  for (const auto& [k, v] : map.entries()) {
    if (request != nullptr && k == "host") continue;  // it is :authority
    visit(k, v);
  }
}
}  // namespace

template <typename Visit>
Status WasmFilter::eachHeader(abi::MapType type, Visit&& visit) {
  HeaderMap* map = mapFor(type);
  if (map == nullptr) return type <= abi::MapType::ResponseTrailers ? Status::Ok : Status::BadArgument;
  forEachHeader(*map, isRequestMap(type) ? request_ : nullptr, isResponseMap(type) ? response_ : nullptr, visit);
  return Status::Ok;
}

// getHeaders() without the copies: the map is serialised into the plugin's memory from these.
Status WasmFilter::visitHeaders(abi::MapType type, HeaderVisitor visit) {
  return eachHeader(type, [&](std::string_view k, std::string_view v) { visit(k, v); });
}

Status WasmFilter::measureHeaders(abi::MapType type, size_t* count, size_t* bytes) {
  *count = *bytes = 0;
  return eachHeader(type, [&](std::string_view k, std::string_view v) {
    ++*count;
    *bytes += k.size() + v.size();
  });
}

Status WasmFilter::writeHeaders(abi::MapType type, runtime::PairsWriter& out) {
  return eachHeader(type, [&](std::string_view k, std::string_view v) { out.put(k, v); });
}

Status WasmFilter::setHeaders(abi::MapType type, const runtime::Pairs& pairs) {
  HeaderMap* map = mapFor(type);
  if (map == nullptr) return Status::BadArgument;
  if (isRequestMap(type)) beforeRequestHeaderChange();
  std::string authority = isRequestMap(type) ? request_->authority() : "";
  map->clear();
  if (isRequestMap(type)) map->set("host", authority);
  for (const auto& [k, v] : pairs) {
    if (!k.empty() && k[0] == ':') {
      replaceHeader(type, k, v);
    } else {
      map->add(k, v);
    }
  }
  return Status::Ok;
}

Status WasmFilter::getHeaderMapSize(abi::MapType type, uint32_t* size) {
  runtime::Pairs pairs;
  Status s = getHeaders(type, &pairs);
  if (s != Status::Ok) return s;
  size_t bytes = 0;
  for (const auto& [k, v] : pairs) bytes += k.size() + v.size();
  *size = static_cast<uint32_t>(bytes);
  return Status::Ok;
}

Status WasmFilter::getBuffer(abi::BufferType type, uint64_t start, uint64_t max_size, std::string* data) {
  bool request = type == abi::BufferType::HttpRequestBody;
  if ((!request && type != abi::BufferType::HttpResponseBody) || body_ == nullptr || body_is_request_ != request) {
    return Status::NotFound;
  }
  if (start > body_->size()) return Status::Ok;
  *data = body_->substr(start, max_size);
  return Status::Ok;
}

Status WasmFilter::setBuffer(abi::BufferType type, uint64_t start, uint64_t size, std::string_view data) {
  bool request = type == abi::BufferType::HttpRequestBody;
  if ((!request && type != abi::BufferType::HttpResponseBody) || body_ == nullptr || body_is_request_ != request) {
    return Status::NotFound;
  }
  if (start == 0) {
    body_->erase(0, std::min<uint64_t>(size, body_->size()));
    body_->insert(0, data);
  } else if (start >= body_->size()) {
    body_->append(data);
  } else {
    return Status::BadArgument;
  }
  return Status::Ok;
}

Status WasmFilter::getBufferStatus(abi::BufferType type, uint64_t* length, uint32_t* flags) {
  bool request = type == abi::BufferType::HttpRequestBody;
  if (body_ == nullptr || body_is_request_ != request) return Status::NotFound;
  *length = body_->size();
  *flags = 0;
  return Status::Ok;
}

Status WasmFilter::getProperty(std::string_view path, std::string* value) {
  std::string key(path);
  for (char& c : key) if (c == '\0') c = '.';
  const RequestHead& req = callbacks_->requestHead();
  const StreamInfo& info = callbacks_->streamInfo();
  if (auto it = info.filter_state.find(key); it != info.filter_state.end()) {
    *value = it->second;
    return Status::Ok;
  }
  auto header = [&](const char* name) {
    const std::string* v = req.headers.get(name);
    return v ? *v : std::string();
  };
  if (key == "route_name" || key == "cluster_name") {
    const RouteConfig* r = callbacks_->route();
    if (r == nullptr) return Status::NotFound;
    *value = key == "route_name" ? r->name : (info.service_name.empty() ? r->service : info.service_name);
  } else if (key == "x_request_id" || key == "request.id") {
    *value = info.request_id;
  } else if (key == "request.path") {
    *value = req.target;
  } else if (key == "request.url_path") {
    *value = std::string(req.path());
  } else if (key == "request.query") {
    *value = std::string(req.query());
  } else if (key == "request.host") {
    *value = req.authority();
  } else if (key == "request.method") {
    *value = req.method;
  } else if (key == "request.scheme") {
    *value = "http";
  } else if (key == "request.protocol") {
    *value = "HTTP/1." + std::to_string(req.version_minor);
  } else if (key == "request.useragent") {
    *value = header("user-agent");
  } else if (key == "request.referer") {
    *value = header("referer");
  } else if (key.rfind("request.headers.", 0) == 0) {
    const std::string* v = req.headers.get(key.substr(16));
    if (v == nullptr) return Status::NotFound;
    *value = *v;
  } else if (key == "request.size") {
    *value = le64(info.bytes_received);
  } else if (key == "response.code") {
    *value = le64(response_ ? response_->status : info.response_code);
  } else if (key == "response.code_details") {
    *value = info.response_code_details.empty() && response_ ? "via_upstream" : info.response_code_details;
  } else if (key == "response.size") {
    *value = le64(info.bytes_sent);
  } else if (key == "source.address") {
    *value = info.downstream_address;
  } else if (key == "source.port") {
    *value = le64(portOf(info.downstream_address));
  } else if (key == "destination.address" || key == "destination.port") {
    std::string local = callbacks_->downstreamLocalAddress();
    if (local.empty()) return Status::NotFound;
    *value = key == "destination.address" ? local : le64(portOf(local));
  } else if (key == "upstream.address" || key == "upstream.port") {
    if (info.upstream_host.empty() || info.upstream_host.rfind("builtin:", 0) == 0) return Status::NotFound;
    *value = key == "upstream.address" ? info.upstream_host : le64(portOf(info.upstream_host));
  } else if (key == "connection.id") {
    *value = le64(callbacks_->connectionId());
  } else if (key == "connection.mtls") {
    *value = std::string(1, '\0');  // no TLS: no peer certificate (Envoy: bool false, 1 byte)
  } else if (key == "connection.requested_server_name") {
    value->clear();  // no TLS, so no SNI: Envoy gives the empty string
  } else {
    // The other connection.* attributes (tls_version, certificates, termination_details...)
    // exist only on TLS connections or after a failure: absent, as in Envoy.
    return Status::NotFound;
  }
  return Status::Ok;
}

Status WasmFilter::setProperty(std::string_view path, std::string_view value) {
  // Paths arrive with '\0' between segments and are kept dotted. Most are one segment
  // (x_request_id on every request): those are used as they are, with no copy.
  std::string dotted;
  std::string_view key = path;
  if (path.find('\0') != std::string_view::npos) {
    dotted.assign(path);
    std::replace(dotted.begin(), dotted.end(), '\0', '.');
    key = dotted;
  }
  if (key == "clear_route_cache") {
    shared_->clear_route_cache = value != "off";
  } else if (key == "set_decoder_buffer_limit" || key == "set_encoder_buffer_limit") {
    uint64_t limit = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
    if (ec != std::errc() || p != value.data() + value.size()) return Status::BadArgument;
    (key == "set_decoder_buffer_limit" ? shared_->decoder_buffer_limit : shared_->encoder_buffer_limit) = limit;
  } else if (key == "wasm_need_rebuild") {
    if (value == "true" && vm_) plugin_.markForRebuild(vm_.get());
  }
  constexpr std::string_view kTraceTag = "trace_span_tag.";
  if (key.starts_with(kTraceTag)) {
    // A span tag, not filter state (Higress); with no tracer, the access log shows it.
    callbacks_->streamInfo().trace_tags[std::string(key.substr(kTraceTag.size()))] = std::string(value);
    return Status::Ok;
  }
  // Plugins of one stream often write the same key (x_request_id): an existing value keeps its
  // buffer.
  StreamInfo& info = callbacks_->streamInfo();
  auto& state = info.filter_state;
  if (auto it = state.find(key); it != state.end()) {
    it->second.assign(value);
  } else if (key == "x_request_id" && value == info.request_id) {
    // What every SDK plugin writes on every request (the request's x-request-id, as Go's wrapper
    // does). Unset, the property already reads as the request's id (getProperty), so storing it
    // would change nothing a plugin or the access log can see.
  } else {
    state.emplace(std::string(key), std::string(value));
  }
  return Status::Ok;
}

Status WasmFilter::continueStream(abi::StreamType type) {
  if (type == abi::StreamType::Request) {
    request_headers_open_ = false;
    request_stop_all_ = false;
    if (in_call_) pending_continue_request_ = true;
    else callbacks_->continueDecoding();
    return Status::Ok;
  }
  if (type == abi::StreamType::Response) {
    response_headers_open_ = false;
    response_stop_all_ = false;
    if (in_call_) pending_continue_response_ = true;
    else callbacks_->continueEncoding();
    return Status::Ok;
  }
  return Status::BadArgument;
}

Status WasmFilter::closeStream(abi::StreamType type) {
  if (type != abi::StreamType::Request && type != abi::StreamType::Response) return Status::BadArgument;
  if (in_call_) {
    pending_close_ = true;
  } else {
    skipped_ = true;
    callbacks_->resetStream("wasm_close_stream");
  }
  return Status::Ok;
}

Status WasmFilter::sendLocalResponse(const runtime::LocalResponse& response) {
  if (local_reply_sent_) return Status::BadArgument;  // once per plugin per stream
  local_reply_sent_ = true;
  if (in_call_) {
    pending_reply_ = response;
    return Status::Ok;
  }
  // From an async callback: the stream is waiting, apply now.
  pending_reply_ = response;
  applyDeferred(response_ == nullptr);
  return Status::Ok;
}

Status WasmFilter::getUpstreamHosts(runtime::Pairs* hosts) {
  const WorkerServices* worker = plugin_.worker();
  const uint64_t now_ms = uv_now(static_cast<uv_loop_t*>(callbacks_->eventLoop()));
  return listUpstreamHosts(worker ? worker->clusters : nullptr, callbacks_->route(), now_ms, hosts);
}

Status WasmFilter::setUpstreamOverrideHost(std::string_view address) {
  return normalizeOverrideHost(address, &callbacks_->streamInfo().upstream_override_host);
}

}  // namespace wasmgate::gateway::wasm
