#include "gateway/http/message.h"

#include <algorithm>
#include <tuple>

#include "common/ascii.h"

namespace wasmgate::gateway {

std::string toLower(std::string_view s) { return asciiLowerCopy(s); }

bool equalsIgnoreCase(std::string_view a, std::string_view b) { return asciiEqualsIgnoreCase(a, b); }

bool listHasToken(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (equalsIgnoreCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// A message head is built header by header: room for a typical head at the first insert saves the
// vector's doubling reallocations (three or four per head) on every request and response. 12
// entries are 768 bytes: glibc serves that from its small bins; 1 KB and up is a "large" request
// that consolidates the fast bins first, which costs more than the reallocations saved.
constexpr size_t kTypicalHeaderCount = 12;

void HeaderMap::add(std::string_view name, std::string_view value) {
  if (entries_.capacity() == 0) entries_.reserve(kTypicalHeaderCount);
  // Built in place and lower-cased there: no temporary strings to move into the entry (a copy of
  // each string's bytes per header, on every header of every message).
  Entry& entry = entries_.emplace_back(std::piecewise_construct, std::forward_as_tuple(name), std::forward_as_tuple(value));
  for (char& c : entry.first) c = asciiLower(c);
}

// Stored names are lower-case, so a caller's name is compared case-insensitively in place: no
// lower-cased copy (a heap allocation for names over 15 bytes) on every set and remove.
void HeaderMap::set(std::string_view name, std::string_view value) {
  bool replaced = false;
  auto it = entries_.begin();
  while (it != entries_.end()) {
    if (!equalsIgnoreCase(it->first, name)) {
      ++it;
    } else if (!replaced) {
      it->second.assign(value);
      replaced = true;
      ++it;
    } else {
      it = entries_.erase(it);
    }
  }
  if (!replaced) add(name, value);
}

size_t HeaderMap::remove(std::string_view name) {
  size_t before = entries_.size();
  std::erase_if(entries_, [&](const Entry& e) { return equalsIgnoreCase(e.first, name); });
  return before - entries_.size();
}

size_t HeaderMap::removeAny(std::initializer_list<std::string_view> names) {
  size_t before = entries_.size();
  std::erase_if(entries_, [&](const Entry& e) {
    for (std::string_view name : names) {
      if (equalsIgnoreCase(e.first, name)) return true;
    }
    return false;
  });
  return before - entries_.size();
}

const std::string* HeaderMap::get(std::string_view name) const {
  for (const auto& e : entries_) {
    if (e.first == name) return &e.second;
  }
  return nullptr;
}

std::string HeaderMap::joined(std::string_view name) const {
  std::string out;
  for (const auto& e : entries_) {
    if (e.first != name) continue;
    if (!out.empty()) out += ", ";
    out += e.second;
  }
  return out;
}

size_t HeaderMap::byteSize() const {
  size_t n = 0;
  for (const auto& e : entries_) n += e.first.size() + e.second.size() + 4;
  return n;
}

std::string RequestHead::authority() const {
  const std::string* host = headers.get("host");
  return host ? *host : std::string();
}

std::string_view RequestHead::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view RequestHead::query() const {
  std::string_view t = target;
  size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

const char* reasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 418: return "I'm a teapot";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

}  // namespace wasmgate::gateway
