// HTTP/1.1 message heads as the gateway passes them between the codec, the filter chain and the
// upstreams: an ordered header list with lower-cased names, plus the request line or status line.
//
// Public header (gateway/ and, later, the wasm filter). Plain values: no thread affinity.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wasmgate::gateway {

// Ordered, multi-valued header list. Names are stored lower-cased (HTTP/1.1 names are
// case-insensitive; Envoy and proxy-wasm present them lower-cased), so lookups compare exactly.
class HeaderMap {
 public:
  using Entry = std::pair<std::string, std::string>;

  // Adds a header; `name` is lower-cased here.
  void add(std::string_view name, std::string_view value);
  // Replaces every header called `name` by one with `value` (adds it if absent).
  void set(std::string_view name, std::string_view value);
  // Removes every header called `name`; returns how many were removed.
  size_t remove(std::string_view name);
  // Removes every header called any of `names`, in one pass; returns how many were removed.
  size_t removeAny(std::initializer_list<std::string_view> names);
  // First value of `name` (lower-case), or nullptr.
  const std::string* get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name) != nullptr; }
  // All values of `name` joined with ", " as RFC 9110 allows for list-valued fields.
  std::string joined(std::string_view name) const;

  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>& mutableEntries() { return entries_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void clear() { entries_.clear(); }
  // Bytes the headers take on the wire ("name: value\r\n" each).
  size_t byteSize() const;

 private:
  std::vector<Entry> entries_;
};

struct RequestHead {
  std::string method;  // upper-case token, e.g. "GET"
  std::string target;  // request-target as sent: "/path?query" (or absolute-form)
  uint8_t version_minor = 1;  // HTTP/1.<minor>
  HeaderMap headers;
  bool keep_alive = true;  // what the client asked for (version + Connection header)
  bool upgrade = false;    // Connection: upgrade + Upgrade header (llhttp's view)
  bool expect_continue = false;
  // Framing as received: chunked, a content-length, or neither (no body).
  bool chunked = false;
  int64_t content_length = -1;

  // Host from the Host header (what Envoy calls :authority).
  std::string authority() const;
  std::string_view path() const;   // target without the query
  std::string_view query() const;  // after '?', without it
  bool hasBody() const { return chunked || content_length > 0; }
};

struct ResponseHead {
  int status = 200;
  std::string reason;  // empty: the standard reason phrase for `status`
  uint8_t version_minor = 1;
  HeaderMap headers;
  bool keep_alive = true;
  bool chunked = false;
  int64_t content_length = -1;
};

// Standard reason phrase ("Not Found"), or "Unknown".
const char* reasonPhrase(int status);

// ASCII lower-case copy.
std::string toLower(std::string_view s);
bool equalsIgnoreCase(std::string_view a, std::string_view b);
// Whether a comma-separated header value lists `token` (case-insensitive), e.g. Connection.
bool listHasToken(std::string_view list, std::string_view token);

}  // namespace wasmgate::gateway
