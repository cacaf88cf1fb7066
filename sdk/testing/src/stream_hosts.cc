// The per-stream host interfaces the runtime calls while the plugin runs: header maps (with
// Envoy's access windows), body buffers (the plugin's view of the body), properties and stream
// control. Control actions are recorded; resumes are applied by HostState::pump() afterwards.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "host_state.h"
#include "runtime/pairs.h"
#include "stream_state.h"

namespace wasmgate::testing {
namespace {

using namespace std::string_view_literals;

bool sameKey(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

Direction* bodyDirection(StreamState& s, abi::BufferType type) {
  if (type == abi::BufferType::HttpRequestBody) return &s.request;
  if (type == abi::BufferType::HttpResponseBody) return &s.response;
  return nullptr;  // no L4 streams in an HTTP test
}

std::string littleEndian64(uint64_t v) {
  std::string bytes(8, '\0');
  std::memcpy(bytes.data(), &v, 8);  // wasm and x86-64 are little-endian
  return bytes;
}

// Envoy attributes the harness derives from the simulated request and response.
std::optional<std::string> derivedProperty(const StreamState& s, std::string_view path) {
  const Message& req = s.request.msg;
  auto header = [&](const Message& m, std::string_view name) { return m.header(name); };
  if (path == "request\0path"sv) return header(req, ":path");
  if (path == "request\0url_path"sv) {
    auto p = header(req, ":path");
    if (p) p = p->substr(0, p->find('?'));
    return p;
  }
  if (path == "request\0host"sv) return header(req, ":authority");
  if (path == "request\0method"sv) return header(req, ":method");
  if (path == "request\0scheme"sv) return header(req, ":scheme");
  if (path == "request\0id"sv) return header(req, "x-request-id");
  if (path == "request\0protocol"sv) return std::string("HTTP/1.1");
  // Map-valued, as Envoy's request.headers / response.headers (GetPropertyMap reads them).
  if (path == "request\0headers"sv) return runtime::serializePairs(req.headers);
  if (path == "response\0headers"sv && s.response.seen) return runtime::serializePairs(s.response.msg.headers);
  if (path == "response\0code"sv) {
    auto status = header(s.response.msg, ":status");
    if (!status && s.local_response) status = std::to_string(s.local_response->status);
    if (!status) return std::nullopt;
    return littleEndian64(std::strtoull(status->c_str(), nullptr, 10));
  }
  if (path == "response\0code_details"sv) {
    if (s.local_response) return s.local_response->details;
    if (s.response.seen) return std::string("via_upstream");
  }
  return std::nullopt;
}

}  // namespace

abi::Status StreamHeaders::getHeader(abi::MapType type, std::string_view key, std::string* value) {
  Headers* map = s_.headerMap(type, false);
  if (map == nullptr) return abi::Status::BadArgument;
  auto it = std::find_if(map->begin(), map->end(), [&](const auto& p) { return sameKey(p.first, key); });
  if (it == map->end()) return abi::Status::NotFound;
  *value = it->second;
  return abi::Status::Ok;
}

abi::Status StreamHeaders::addHeader(abi::MapType type, std::string_view key, std::string_view value) {
  Headers* map = s_.headerMap(type, true);
  if (map == nullptr) return abi::Status::BadArgument;
  map->emplace_back(std::string(key), std::string(value));
  return abi::Status::Ok;
}

// Envoy's setCopy: the first value is replaced, later ones stay; a missing key is added.
abi::Status StreamHeaders::replaceHeader(abi::MapType type, std::string_view key, std::string_view value) {
  Headers* map = s_.headerMap(type, true);
  if (map == nullptr) return abi::Status::BadArgument;
  auto it = std::find_if(map->begin(), map->end(), [&](const auto& p) { return sameKey(p.first, key); });
  if (it == map->end()) {
    map->emplace_back(std::string(key), std::string(value));
  } else {
    it->second.assign(value);
  }
  return abi::Status::Ok;
}

abi::Status StreamHeaders::removeHeader(abi::MapType type, std::string_view key) {
  Headers* map = s_.headerMap(type, true);
  if (map == nullptr) return abi::Status::BadArgument;
  std::erase_if(*map, [&](const auto& p) { return sameKey(p.first, key); });
  return abi::Status::Ok;
}

abi::Status StreamHeaders::getHeaders(abi::MapType type, runtime::Pairs* pairs) {
  Headers* map = s_.headerMap(type, false);
  if (map == nullptr) return abi::Status::BadArgument;
  *pairs = *map;
  return abi::Status::Ok;
}

abi::Status StreamHeaders::setHeaders(abi::MapType type, const runtime::Pairs& pairs) {
  Headers* map = s_.headerMap(type, true);
  if (map == nullptr) return abi::Status::BadArgument;
  *map = pairs;
  return abi::Status::Ok;
}

abi::Status StreamHeaders::getHeaderMapSize(abi::MapType type, uint32_t* size) {
  Headers* map = s_.headerMap(type, false);
  if (map == nullptr) return abi::Status::BadArgument;
  *size = 0;
  for (const auto& [k, v] : *map) *size += static_cast<uint32_t>(k.size() + v.size());
  return abi::Status::Ok;
}

abi::Status StreamBuffers::getBuffer(abi::BufferType type, uint64_t start, uint64_t max_size, std::string* data) {
  Direction* d = bodyDirection(s_, type);
  if (d == nullptr) return abi::Status::NotFound;
  const std::string_view view = std::string_view(d->msg.body).substr(d->view_start);
  if (start > view.size()) return abi::Status::Ok;  // nothing there: an empty answer
  data->assign(view.substr(start, max_size));
  return abi::Status::Ok;
}

// start 0: drop `size` bytes and put `data` in front; start at or past the end: append.
abi::Status StreamBuffers::setBuffer(abi::BufferType type, uint64_t start, uint64_t size, std::string_view data) {
  Direction* d = bodyDirection(s_, type);
  if (d == nullptr) return abi::Status::NotFound;
  std::string& body = d->msg.body;
  const uint64_t view_size = body.size() - d->view_start;
  if (start == 0) {
    body.replace(d->view_start, std::min(size, view_size), data);
  } else if (start >= view_size) {
    body.append(data);
  } else {
    return abi::Status::BadArgument;
  }
  d->syncForwarded();
  return abi::Status::Ok;
}

abi::Status StreamBuffers::getBufferStatus(abi::BufferType type, uint64_t* length, uint32_t* flags) {
  Direction* d = bodyDirection(s_, type);
  if (d == nullptr) return abi::Status::NotFound;
  *length = d->msg.body.size() - d->view_start;
  *flags = 0;
  return abi::Status::Ok;
}

abi::Status StreamProperties::getProperty(std::string_view path, std::string* value) {
  if (auto it = s_.properties.find(path); it != s_.properties.end()) {
    *value = it->second;
    return abi::Status::Ok;
  }
  if (auto derived = derivedProperty(s_, path)) {
    *value = std::move(*derived);
    return abi::Status::Ok;
  }
  return abi::Status::NotFound;  // the runtime then asks the VM-wide properties
}

// Every write is kept as filter state (readable back), except Higress's span tags.
abi::Status StreamProperties::setProperty(std::string_view path, std::string_view value) {
  PropertyWrite write;
  for (size_t start = 0;;) {
    const size_t end = path.find('\0', start);
    write.path.emplace_back(path.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  write.value.assign(value);
  s_.writes.push_back(write);
  constexpr std::string_view kSpanTag = "trace_span_tag.";
  if (write.path.size() == 1 && write.path[0].starts_with(kSpanTag)) {
    s_.span_tags[write.path[0].substr(kSpanTag.size())] = write.value;
    return abi::Status::Ok;
  }
  if (path == "wasm_need_rebuild" && value == "true" && s_.host != nullptr) s_.host->rebuild_requested = true;
  s_.properties[std::string(path)] = write.value;
  return abi::Status::Ok;
}

abi::Status StreamControl::continueStream(abi::StreamType type) {
  (type == abi::StreamType::Request ? s_.request : s_.response).resume_requested = true;
  return abi::Status::Ok;
}

abi::Status StreamControl::closeStream(abi::StreamType) {
  s_.closed = true;
  return abi::Status::Ok;
}

abi::Status StreamControl::sendLocalResponse(const runtime::LocalResponse& response) {
  if (!s_.local_response) {
    s_.local_response = LocalResponse{.status = response.status_code, .headers = lowerCaseKeys(response.headers),
                                      .body = response.body, .details = response.details,
                                      .grpc_status = response.grpc_status};
  }
  return abi::Status::Ok;
}

// Response bytes for the filters after this one: they are passed on at once.
abi::Status StreamControl::injectEncodedData(std::string_view data, bool) {
  Direction& d = s_.response;
  d.msg.body.insert(d.view_start, data);
  d.view_start += data.size();
  d.syncForwarded();
  s_.injected.append(data);
  return abi::Status::Ok;
}

abi::Status StreamControl::setUpstreamOverrideHost(std::string_view address) {
  s_.override_host = std::string(address);
  return abi::Status::Ok;
}

abi::Status StreamControl::getUpstreamHosts(runtime::Pairs* hosts) {
  *hosts = s_.upstream_hosts;
  return abi::Status::Ok;
}

}  // namespace wasmgate::testing
