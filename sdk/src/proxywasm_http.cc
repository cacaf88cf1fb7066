// Typed host calls for the current HTTP stream; see <wasmgate/proxywasm/http.h>.
#include <wasmgate/proxywasm/http.h>

#include "hostcall.h"

namespace wasmgate::proxywasm {
namespace {

using internal::readBytes;
using internal::readPairs;
using internal::toStatus;
using internal::u32;

constexpr uint32_t map(abi::MapType t) { return static_cast<uint32_t>(t); }
constexpr uint32_t buf(abi::BufferType t) { return static_cast<uint32_t>(t); }

Result<std::string> getValue(abi::MapType t, std::string_view key) {
  return readBytes([&](char** d, size_t* n) {
    return proxy_get_header_map_value(map(t), key.data(), key.size(), d, n);
  });
}
Result<Headers> getPairs(abi::MapType t) {
  return readPairs([&](char** d, size_t* n) { return proxy_get_header_map_pairs(map(t), d, n); });
}
Status setPairs(abi::MapType t, const Headers& pairs) {
  std::string wire = internal::SerializePairs(pairs);
  return toStatus(proxy_set_header_map_pairs(map(t), wire.data(), wire.size()));
}
Status add(abi::MapType t, std::string_view k, std::string_view v) {
  return toStatus(proxy_add_header_map_value(map(t), k.data(), k.size(), v.data(), v.size()));
}
Status replace(abi::MapType t, std::string_view k, std::string_view v) {
  return toStatus(proxy_replace_header_map_value(map(t), k.data(), k.size(), v.data(), v.size()));
}
Status remove(abi::MapType t, std::string_view k) {
  return toStatus(proxy_remove_header_map_value(map(t), k.data(), k.size()));
}

Result<std::string> getBody(abi::BufferType t, size_t start, size_t maxSize) {
  return readBytes([&](char** d, size_t* n) { return proxy_get_buffer_bytes(buf(t), u32(start), u32(maxSize), d, n); });
}
// start 0 + size INT32_MAX replaces, (0, 0) prepends, (INT32_MAX, 0) appends (host §4.5).
Status setBody(abi::BufferType t, uint32_t start, uint32_t size, std::string_view data) {
  return toStatus(proxy_set_buffer_bytes(buf(t), start, size, data.data(), data.size()));
}
constexpr uint32_t kAll = 0x7fffffff;

}  // namespace

using abi::MapType;
using abi::BufferType;

Result<std::string> GetHttpRequestHeader(std::string_view k) { return getValue(MapType::RequestHeaders, k); }
Result<Headers> GetHttpRequestHeaders() { return getPairs(MapType::RequestHeaders); }
Status ReplaceHttpRequestHeaders(const Headers& h) { return setPairs(MapType::RequestHeaders, h); }
Status AddHttpRequestHeader(std::string_view k, std::string_view v) { return add(MapType::RequestHeaders, k, v); }
Status ReplaceHttpRequestHeader(std::string_view k, std::string_view v) { return replace(MapType::RequestHeaders, k, v); }
Status RemoveHttpRequestHeader(std::string_view k) { return remove(MapType::RequestHeaders, k); }

Result<std::string> GetHttpRequestTrailer(std::string_view k) { return getValue(MapType::RequestTrailers, k); }
Result<Headers> GetHttpRequestTrailers() { return getPairs(MapType::RequestTrailers); }
Status ReplaceHttpRequestTrailers(const Headers& h) { return setPairs(MapType::RequestTrailers, h); }
Status AddHttpRequestTrailer(std::string_view k, std::string_view v) { return add(MapType::RequestTrailers, k, v); }
Status ReplaceHttpRequestTrailer(std::string_view k, std::string_view v) { return replace(MapType::RequestTrailers, k, v); }
Status RemoveHttpRequestTrailer(std::string_view k) { return remove(MapType::RequestTrailers, k); }

Result<std::string> GetHttpResponseHeader(std::string_view k) { return getValue(MapType::ResponseHeaders, k); }
Result<Headers> GetHttpResponseHeaders() { return getPairs(MapType::ResponseHeaders); }
Status ReplaceHttpResponseHeaders(const Headers& h) { return setPairs(MapType::ResponseHeaders, h); }
Status AddHttpResponseHeader(std::string_view k, std::string_view v) { return add(MapType::ResponseHeaders, k, v); }
Status ReplaceHttpResponseHeader(std::string_view k, std::string_view v) { return replace(MapType::ResponseHeaders, k, v); }
Status RemoveHttpResponseHeader(std::string_view k) { return remove(MapType::ResponseHeaders, k); }

Result<std::string> GetHttpResponseTrailer(std::string_view k) { return getValue(MapType::ResponseTrailers, k); }
Result<Headers> GetHttpResponseTrailers() { return getPairs(MapType::ResponseTrailers); }
Status ReplaceHttpResponseTrailers(const Headers& h) { return setPairs(MapType::ResponseTrailers, h); }
Status AddHttpResponseTrailer(std::string_view k, std::string_view v) { return add(MapType::ResponseTrailers, k, v); }
Status ReplaceHttpResponseTrailer(std::string_view k, std::string_view v) { return replace(MapType::ResponseTrailers, k, v); }
Status RemoveHttpResponseTrailer(std::string_view k) { return remove(MapType::ResponseTrailers, k); }

Result<std::string> GetHttpRequestBody(size_t s, size_t n) { return getBody(BufferType::HttpRequestBody, s, n); }
Status ReplaceHttpRequestBody(std::string_view b) { return setBody(BufferType::HttpRequestBody, 0, kAll, b); }
Status AppendHttpRequestBody(std::string_view b) { return setBody(BufferType::HttpRequestBody, kAll, 0, b); }
Status PrependHttpRequestBody(std::string_view b) { return setBody(BufferType::HttpRequestBody, 0, 0, b); }
Result<std::string> GetHttpResponseBody(size_t s, size_t n) { return getBody(BufferType::HttpResponseBody, s, n); }
Status ReplaceHttpResponseBody(std::string_view b) { return setBody(BufferType::HttpResponseBody, 0, kAll, b); }
Status AppendHttpResponseBody(std::string_view b) { return setBody(BufferType::HttpResponseBody, kAll, 0, b); }
Status PrependHttpResponseBody(std::string_view b) { return setBody(BufferType::HttpResponseBody, 0, 0, b); }

Status SendHttpResponse(uint32_t code, const Headers& headers, std::string_view body, int32_t grpcStatus) {
  return SendHttpResponseWithDetail(code, "", headers, body, grpcStatus);
}

Status SendHttpResponseWithDetail(uint32_t code, std::string_view detail, const Headers& headers,
                                  std::string_view body, int32_t grpcStatus) {
  std::string wire = internal::SerializePairs(headers);
  return toStatus(proxy_send_local_response(code, detail.data(), detail.size(), body.data(), body.size(),
                                            wire.data(), wire.size(), grpcStatus));
}

Status ResumeHttpRequest() { return toStatus(proxy_continue_stream(uint32_t(abi::StreamType::Request))); }
Status ResumeHttpResponse() { return toStatus(proxy_continue_stream(uint32_t(abi::StreamType::Response))); }
Status CloseHttpStream() { return toStatus(proxy_close_stream(uint32_t(abi::StreamType::Request))); }

Status InjectEncodedDataToFilterChain(std::string_view body, bool endOfStream) {
  return toStatus(proxy_inject_encoded_data_to_filter_chain(body.data(), body.size(), endOfStream ? 1 : 0));
}

Result<Headers> GetUpstreamHosts() {
  return readPairs([](char** d, size_t* n) { return proxy_get_upstream_hosts(d, n); });
}

Status SetUpstreamOverrideHost(std::string_view address) {
  return toStatus(proxy_set_upstream_override_host(address.data(), address.size()));
}

}  // namespace wasmgate::proxywasm
