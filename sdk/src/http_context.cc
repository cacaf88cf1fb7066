// wrapper::HttpContext methods and AttrValue; see <wasmgate/http_context.h>.
#include <wasmgate/http_context.h>

#include <wasmgate/json.h>
#include <wasmgate/log.h>
#include <wasmgate/proxywasm/host.h>
#include <wasmgate/proxywasm/http.h>

#include "hostcall.h"
#include "url.h"

namespace wasmgate::wrapper {
namespace {

bool containsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && (haystack[i + k] | 0x20) == (needle[k] | 0x20)) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && containsIgnoreCase(a, b);
}

bool isBinary(std::string_view contentType, std::string_view contentEncoding) {
  return contentType.find("octet-stream") != std::string_view::npos ||
         contentType.find("grpc") != std::string_view::npos || !contentEncoding.empty();
}

}  // namespace

std::string AttrValue::ToString() const {
  switch (kind_) {
    case Kind::String:
    case Kind::RawJson: return text_;
    case Kind::Int: return format::ToString(static_cast<long long>(int_));
    case Kind::Double: return format::ToString(double_);
    case Kind::Bool: return int_ ? "true" : "false";
  }
  return {};
}

std::string AttrValue::ToJson() const {
  if (kind_ == Kind::RawJson) return text_.empty() ? "null" : text_;
  if (kind_ != Kind::String) return ToString();
  std::string out = "\"";
  format::AppendEscaped(out, text_);
  return out + "\"";
}

void HttpContext::ResetFor(uint32_t contextId) {
  // Member by member rather than from a fresh context, which cost more than the allocations
  // reuse saves. The size check below fails when a member is added: reset it here too.
  static_assert(sizeof(void*) != 4 || sizeof(HttpContext) == kSizeOnWasm32,
                "HttpContext has a new member: reset it in ResetFor, then update kSizeOnWasm32");
  contextId_ = contextId;
  config_ = nullptr;
  phase_ = ExecutionPhase::DecodeHeader;
  for (std::string* cached : {&scheme_, &host_, &path_, &method_, &connection_, &upgrade_, &requestContentType_,
                              &requestContentEncoding_}) {
    cached->clear();  // keeps the buffer
  }
  binaryResponseBody_.reset();
  hasRequestBody_ = hasResponseBody_ = false;
  needRequestBody_ = needResponseBody_ = false;
  streamingRequestBody_ = streamingResponseBody_ = false;
  pauseStreamingResponse_ = false;
  requestBodySize_ = 0;
  values_.clear();
  attributes_.clear();
  buffers_.clear();
  routeCallback_ = nullptr;
  routeStatus_ = 0;
  routeHeaders_.clear();
}

std::any* HttpContext::GetContext(std::string_view key) {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

bool HttpContext::GetBoolContext(std::string_view key, bool def) {
  bool* v = GetContextAs<bool>(key);
  return v ? *v : def;
}

std::string HttpContext::GetStringContext(std::string_view key, std::string_view def) {
  if (auto* s = GetContextAs<std::string>(key)) return *s;
  if (auto* c = GetContextAs<const char*>(key)) return *c;
  return std::string(def);
}

std::string HttpContext::GetByteSliceContext(std::string_view key, std::string_view def) {
  return GetStringContext(key, def);
}

int64_t HttpContext::GetIntContext(std::string_view key, int64_t def) {
  if (auto* i = GetContextAs<int>(key)) return *i;
  if (auto* l = GetContextAs<long>(key)) return *l;
  if (auto* ll = GetContextAs<long long>(key)) return *ll;
  return def;
}

const AttrValue* HttpContext::GetUserAttribute(std::string_view key) const {
  auto it = attributes_.find(key);
  return it == attributes_.end() ? nullptr : &it->second;
}

Error HttpContext::WriteUserAttributeToLogWithKey(std::string_view key) {
  std::map<std::string, std::string, std::less<>> merged;  // key -> JSON text
  auto existing = proxywasm::GetProperty({key});
  if (existing.ok() && !existing.value.empty()) {
    Json::ParseError err;
    Json previous = Json::Parse(UnmarshalStr(existing.value), &err);
    if (!previous.isObject()) {
      log::Warnf("property %s does not hold a JSON object (%s); overwriting it", key, err.message());
    }
    previous.forEach([&](const Json& k, const Json& v) {
      if (previous.isObject()) merged[k.asString()] = std::string(v.raw());
      return true;
    });
  }
  for (const auto& [k, v] : attributes_) merged[k] = v.ToJson();
  std::string json = "{";
  for (const auto& [k, v] : merged) {
    if (json.size() > 1) json.push_back(',');
    json.push_back('"');
    format::AppendEscaped(json, k);
    json.append("\":").append(v);
  }
  json.push_back('}');
  auto status = proxywasm::SetProperty({key}, MarshalStr(json));
  if (status != types::Status::Ok) return Errorf("set property %s: %v", key, status);
  return {};
}

Error HttpContext::WriteUserAttributeToTrace() {
  for (const auto& [k, v] : attributes_) {
    std::string text = v.ToString();
    if (text.empty()) continue;
    std::string path = std::string(TraceSpanTagPrefix) + k;
    auto status = proxywasm::SetProperty({path}, text);
    if (status != types::Status::Ok) return Errorf("set trace span tag %s: %v", k, status);
  }
  return {};
}

std::string HttpContext::PopBuffer() {
  if (buffers_.empty()) return {};
  std::string front = std::move(buffers_.front());
  buffers_.pop_front();
  return front;
}

void HttpContext::DisableReroute() { proxywasm::SetProperty({"clear_route_cache"}, "off"); }

void HttpContext::SetRequestBodyBufferLimit(uint32_t bytes) {
  proxywasm::SetProperty({"set_decoder_buffer_limit"}, format::ToString(bytes));
}

void HttpContext::SetResponseBodyBufferLimit(uint32_t bytes) {
  proxywasm::SetProperty({"set_encoder_buffer_limit"}, format::ToString(bytes));
}

bool HttpContext::IsWebsocket() const {
  return equalsIgnoreCase(connection_, "upgrade") && equalsIgnoreCase(upgrade_, "websocket");
}

bool HttpContext::IsBinaryRequestBody() const { return isBinary(requestContentType_, requestContentEncoding_); }
bool HttpContext::IsBinaryResponseBody() const {
  if (!binaryResponseBody_) {
    binaryResponseBody_ = isBinary(proxywasm::GetHttpResponseHeader("content-type").value,
                                   proxywasm::GetHttpResponseHeader("content-encoding").value);
  }
  return *binaryResponseBody_;
}

Error HttpContext::RouteCall(std::string_view method, std::string_view url, const types::Headers& headers,
                             std::string_view body, RouteResponseCallback callback) {
  wasmgate::internal::SplitUrl target;
  if (!wasmgate::internal::ParseUrl(url, /*keepFragment=*/true, &target)) return Errorf("route call: invalid url %q", url);
  proxywasm::RemoveHttpRequestHeader("accept-encoding");
  proxywasm::RemoveHttpRequestHeader("content-length");
  proxywasm::ReplaceHttpRequestHeader("x-envoy-original-method", method_);
  proxywasm::ReplaceHttpRequestHeader("x-envoy-original-path", path_);
  proxywasm::ReplaceHttpRequestHeader("x-envoy-original-host", host_);
  proxywasm::ReplaceHttpRequestHeader(":method", method);
  proxywasm::ReplaceHttpRequestHeader(":path", target.path);
  if (!target.host.empty()) proxywasm::ReplaceHttpRequestHeader(":authority", target.host);
  for (const auto& [k, v] : headers) proxywasm::ReplaceHttpRequestHeader(k, v);
  auto status = proxywasm::ReplaceHttpRequestBody(body);
  if (status != types::Status::Ok) return Errorf("route call: replace request body: %v", status);
  routeCallback_ = std::move(callback);
  // The response belongs to the route call now, whatever the plugin's handlers: a plugin without
  // response handlers had the host skip its response callbacks (PluginRoot::skipUnhandledCallbacks).
  wasmgate::internal::SkipCallbacks("response", /*skip=*/false);
  return {};
}

}  // namespace wasmgate::wrapper
