#include "gateway/http/encoder.h"

#include <charconv>
#include <cstring>
#include <string_view>

namespace wasmgate::gateway {

// The head's bytes are sized first and written in place: four append() calls a header (each a
// capacity check and a call) cost more than the copying itself on every request and response.
static void appendHeaders(std::string& out, const HeaderMap& headers) {
  const size_t start = out.size();
  out.resize(start + headers.byteSize() + 2);
  char* at = out.data() + start;
  auto put = [&at](std::string_view bytes) {
    std::memcpy(at, bytes.data(), bytes.size());
    at += bytes.size();
  };
  for (const auto& [name, value] : headers.entries()) {
    put(name);
    *at++ = ':';
    *at++ = ' ';
    put(value);
    *at++ = '\r';
    *at++ = '\n';
  }
  *at++ = '\r';
  *at++ = '\n';
}

void appendRequestHead(std::string& out, const RequestHead& head) {
  out.reserve(out.size() + head.method.size() + head.target.size() + head.headers.byteSize() + 16);
  out.append(head.method);
  out.push_back(' ');
  out.append(head.target);
  out.append(" HTTP/1.1\r\n", 11);
  appendHeaders(out, head.headers);
}

void appendResponseHead(std::string& out, const ResponseHead& head) {
  char status[8];
  auto [end, ec] = std::to_chars(status, status + sizeof status, head.status);
  (void)ec;
  out.reserve(out.size() + head.headers.byteSize() + 40);
  out.append("HTTP/1.1 ", 9);
  out.append(status, end);
  out.push_back(' ');
  if (head.reason.empty()) {
    out.append(reasonPhrase(head.status));
  } else {
    out.append(head.reason);
  }
  out.append("\r\n", 2);
  appendHeaders(out, head.headers);
}

void appendChunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  char size[20];
  auto [end, ec] = std::to_chars(size, size + sizeof size, data.size(), 16);
  (void)ec;
  out.append(size, end);
  out.append("\r\n", 2);
  out.append(data);
  out.append("\r\n", 2);
}

void appendLastChunk(std::string& out) { out.append("0\r\n\r\n", 5); }

void appendLastChunk(std::string& out, const HeaderMap& trailers) {
  out.append("0\r\n", 3);
  appendHeaders(out, trailers);  // ends with the blank line
}

}  // namespace wasmgate::gateway
