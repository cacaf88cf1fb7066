// A minimal URL splitter for the HTTP clients: "[scheme://host]/path?query#fragment".
// Private to sdk/src.
#pragma once

#include <string>
#include <string_view>

namespace wasmgate::internal {

struct SplitUrl {
  std::string host;  // "" when the URL is only a path
  std::string path;  // starts with '/', includes "?query"; "#fragment" only when kept
};

// False for URLs with whitespace or control characters.
inline bool ParseUrl(std::string_view url, bool keepFragment, SplitUrl* out) {
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return false;
  }
  std::string_view rest = url;
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos && url.find_first_of("/?#") > scheme) {
    rest = url.substr(scheme + 3);
    size_t end = rest.find_first_of("/?#");
    out->host = std::string(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    if (out->host.empty()) return false;
  } else {
    out->host.clear();
  }
  if (!keepFragment) rest = rest.substr(0, rest.find('#'));
  out->path.clear();
  if (rest.empty() || rest[0] != '/') out->path.push_back('/');
  out->path.append(rest);
  return true;
}

}  // namespace wasmgate::internal
