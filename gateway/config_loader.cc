#include "gateway/config_loader.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "gateway/config_yaml.h"
#include "gateway/http/message.h"

namespace wasmgate::gateway {

namespace {

const char kDemoConfig[] =
#include "demo_config.inc"
    ;

}  // namespace

std::string_view builtinDemoConfig() { return kDemoConfig; }

Result<uint64_t> parseDuration(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return makeError("invalid duration '" + std::string(text) + "'");
  std::string_view unit(end, text.data() + text.size() - end);
  if (unit == "ms") return value;
  if (unit == "s") return value * 1000;
  if (unit == "m") return value * 60 * 1000;
  if (unit == "h") return value * 3600 * 1000;
  return makeError("invalid duration '" + std::string(text) + "': use ms, s, m or h");
}

Result<SocketAddress> parseSocketAddress(std::string_view text, uint16_t default_port) {
  SocketAddress a;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return makeError("unterminated '[' in '" + std::string(text) + "'");
    a.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return makeError("expected ':' after ']' in '" + std::string(text) + "'");
      port_text = rest.substr(1);
    }
  } else {
    size_t colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') == colon) {
      a.host = std::string(text.substr(0, colon));
      port_text = text.substr(colon + 1);
    } else {
      a.host = std::string(text);  // no port, or a bare IPv6 address
    }
  }
  if (a.host.empty()) return makeError("missing host in '" + std::string(text) + "'");
  if (port_text.empty()) {
    if (default_port == 0) return makeError("missing port in '" + std::string(text) + "'");
    a.port = default_port;
    return a;
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return makeError("invalid port in '" + std::string(text) + "'");
  }
  a.port = static_cast<uint16_t>(port);
  return a;
}

Result<std::string> resolveWithSystem(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0) return makeError(std::string(gai_strerror(rc)));
  // IPv4 first: "localhost" usually lists ::1 too, and clients such as curl try both, while a
  // v4-only peer would never reach a listener bound to ::1 alone.
  std::string v4, v6;
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    if (ai->ai_family == AF_INET && v4.empty()) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, text, sizeof text);
      v4 = text;
    } else if (ai->ai_family == AF_INET6 && v6.empty()) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, text, sizeof text);
      v6 = text;
    }
  }
  freeaddrinfo(found);
  if (!v4.empty()) return v4;
  if (!v6.empty()) return v6;
  return makeError("no IPv4 or IPv6 address");
}

Result<GatewayConfig> parseConfig(std::string_view text, std::string source) {
  return parseConfig(text, std::move(source), resolveWithSystem);
}

Result<GatewayConfig> parseConfig(std::string_view text, std::string source, const HostResolver& resolve) {
  Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports syntax errors by exception; they stop here and become a value.
    return makeError(source + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                     ": invalid YAML: " + e.msg);
  }
  std::vector<std::string> errors;
  GatewayConfig config;
  config.source = source;
  try {
    readGatewayConfig(root, config, resolve, errors);
  } catch (const YAML::Exception& e) {
    errors.push_back(std::string("invalid YAML structure: ") + e.msg);
  } catch (const std::exception& e) {
    // Library code (yaml-cpp, nlohmann) reports some failures by exception; none escapes.
    errors.push_back(std::string("invalid configuration: ") + e.what());
  }
  if (!errors.empty()) {
    std::string message;
    for (const auto& e : errors) {
      if (!message.empty()) message += "\n";
      message += source + ": " + e;
    }
    return makeError(message);
  }
  return config;
}

Result<GatewayConfig> loadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(path + ": cannot open the configuration file");
  std::stringstream text;
  text << in.rdbuf();
  std::string name = path.substr(path.find_last_of('/') + 1);
  auto config = parseConfig(text.str(), name);
  if (config) config->path = path;
  return config;
}

std::string SocketAddress::str() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

const ServiceConfig* GatewayConfig::findService(const std::string& name) const {
  for (const auto& s : services) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string toLowerAscii(std::string_view s) { return toLower(s); }

namespace {

// std::regex (libstdc++) compiles recursively, its depth growing with the pattern; reads the
// number of a back-reference (\N) or repetition ({m,n}) into an int without an overflow check;
// and copies a repeated part {m,n} m or n times, so nested counts multiply. A pattern over these
// limits is refused before it gets there (RE2, which Envoy uses, also caps a count at 1000).
constexpr size_t kMaxRegexBytes = 4096;
constexpr size_t kMaxRegexDigits = 6;
constexpr uint64_t kMaxRegexCount = 1000;
constexpr uint64_t kMaxRegexCopies = 100000;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// At `at`, a run of digits: its value (capped) and how many digits it has; `at` moves past it.
std::pair<uint64_t, size_t> readNumber(std::string_view p, size_t& at) {
  uint64_t value = 0;
  size_t digits = 0;
  for (; at < p.size() && isDigit(p[at]); ++at, ++digits) value = std::min<uint64_t>(value * 10 + (p[at] - '0'), 1u << 30);
  return {value, digits};
}

std::optional<std::string> regexLimitProblem(std::string_view p) {
  if (p.size() > kMaxRegexBytes) return "longer than " + std::to_string(kMaxRegexBytes) + " bytes";
  const std::string too_many_digits =
      "a back-reference or repetition count of more than " + std::to_string(kMaxRegexDigits) + " digits";
  // Per open group, the most copies any part inside it makes so far; [0] is the whole pattern.
  std::vector<uint64_t> copies = {1};
  uint64_t last_atom = 1;  // copies the part just read (an atom, or a group just closed) makes
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      size_t at = i + 1;
      if (readNumber(p, at).second > kMaxRegexDigits) return too_many_digits;
      i = at > i + 1 ? at - 1 : i + 1;  // past the number, or the escaped character
      last_atom = 1;
    } else if (c == '[') {
      size_t at = i + 1;
      if (at < p.size() && p[at] == '^') ++at;
      // No leading ']' is a member: in ECMAScript "[]" and "[^]" are whole (empty) classes. Ending a
      // class here no later than std::regex does keeps every count it reads in view.
      while (at < p.size() && p[at] != ']') at += p[at] == '\\' ? 2 : 1;
      i = std::min(at, p.size());
      last_atom = 1;
    } else if (c == '(') {
      copies.push_back(1);
      last_atom = 1;
      continue;
    } else if (c == ')') {
      if (copies.size() > 1) {
        last_atom = copies.back();
        copies.pop_back();
      }
    } else if (c == '{') {
      size_t at = i + 1;
      auto [low, low_digits] = readNumber(p, at);
      uint64_t high = low;
      if (at < p.size() && p[at] == ',') {
        ++at;
        auto [upper, upper_digits] = readNumber(p, at);
        if (upper_digits > kMaxRegexDigits) return too_many_digits;
        if (upper_digits > 0) high = upper;
      }
      if (low_digits > kMaxRegexDigits) return too_many_digits;
      if (low > kMaxRegexCount || high > kMaxRegexCount) {
        return "a repetition count over " + std::to_string(kMaxRegexCount);
      }
      const uint64_t made = last_atom * std::max<uint64_t>(high, 1);
      if (made > kMaxRegexCopies) {
        return "nested repetitions that copy a part more than " + std::to_string(kMaxRegexCopies) + " times";
      }
      copies.back() = std::max(copies.back(), made);
      i = at > i ? at - 1 : i;
      last_atom = 1;
      continue;
    } else {
      last_atom = 1;
    }
    copies.back() = std::max(copies.back(), last_atom);
  }
  return std::nullopt;
}

}  // namespace

Result<std::shared_ptr<const std::regex>> compileRegex(const std::string& pattern) {
  if (std::optional<std::string> problem = regexLimitProblem(pattern)) {
    return makeError("invalid regular expression '" + pattern.substr(0, 64) + (pattern.size() > 64 ? "...'" : "'") +
                     ": " + *problem);
  }
  try {
    return std::shared_ptr<const std::regex>(std::make_shared<std::regex>(pattern, std::regex::ECMAScript));
  } catch (const std::regex_error& e) {
    // std::regex reports bad patterns only by exception; it ends here as a value.
    return makeError("invalid regular expression '" + pattern + "': " + e.what());
  }
}

ServiceName parseServiceName(const std::string& name) {
  // Higress/Istio cluster names: outbound|PORT|SUBSET|HOST, HOST ending in .static or .dns.
  ServiceName out;
  if (name.rfind("outbound|", 0) != 0) return out;
  size_t p1 = name.find('|');
  size_t p2 = name.find('|', p1 + 1);
  size_t p3 = p2 == std::string::npos ? p2 : name.find('|', p2 + 1);
  if (p3 == std::string::npos) return out;
  unsigned port = 0;
  auto [end, ec] = std::from_chars(name.data() + p1 + 1, name.data() + p2, port);
  if (ec != std::errc() || end != name.data() + p2 || port > 65535) return out;
  out.port = static_cast<uint16_t>(port);
  std::string host = name.substr(p3 + 1);
  auto endsWith = [&](std::string_view suffix) {
    return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (endsWith(".dns")) {
    out.is_dns = true;
    host.resize(host.size() - 4);
  } else if (endsWith(".static")) {
    host.resize(host.size() - 7);
  }
  out.host = host;
  return out;
}

bool isNumericAddress(const std::string& host) {
  in6_addr buf;
  return inet_pton(AF_INET, host.c_str(), &buf) == 1 || inet_pton(AF_INET6, host.c_str(), &buf) == 1;
}

static nlohmann::json yamlToJsonValue(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& item : n) a.push_back(yamlToJsonValue(item));
      return a;
    }
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : n) o[kv.first.Scalar()] = yamlToJsonValue(kv.second);
      return o;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "!") return s;  // quoted: always a string
      if (s == "true" || s == "True") return true;
      if (s == "false" || s == "False") return false;
      if (s == "null" || s == "~") return nullptr;
      int64_t i = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return i;
      double d = 0;
      auto [dend, dec] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (dec == std::errc() && dend == s.data() + s.size() && !s.empty()) return d;
      return s;
    }
    default:
      return nullptr;
  }
}

std::string yamlToJson(const YAML::Node& node) {
  // Invalid UTF-8 in a plugin's config is replaced, never thrown.
  return yamlToJsonValue(node).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace wasmgate::gateway
