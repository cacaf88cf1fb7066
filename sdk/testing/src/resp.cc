// RESP encoding and command decoding (resp.h).
#include <wasmgate/testing/resp.h>

#include <charconv>

namespace wasmgate::testing::resp {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// Reads "<prefix><integer>\r\n" at `pos`; advances `pos`.
std::optional<int64_t> readHeader(std::string_view s, size_t& pos, char prefix) {
  if (pos >= s.size() || s[pos] != prefix) return std::nullopt;
  const size_t end = s.find(kCrlf, pos);
  if (end == std::string_view::npos) return std::nullopt;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data() + pos + 1, s.data() + end, value);
  if (ec != std::errc() || ptr != s.data() + end) return std::nullopt;
  pos = end + kCrlf.size();
  return value;
}

// Type byte, payload, CRLF. (Built by appending: GCC 12 warns falsely on chained operator+.)
std::string line(char type, std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 3);
  out.push_back(type);
  out.append(payload);
  out.append(kCrlf);
  return out;
}

}  // namespace

std::string simple(std::string_view text) { return line('+', text); }
std::string error(std::string_view text) { return line('-', text); }
std::string integer(int64_t value) { return line(':', std::to_string(value)); }
std::string bulk(std::string_view bytes) {
  std::string out = line('$', std::to_string(bytes.size()));
  out.append(bytes);
  out.append(kCrlf);
  return out;
}
std::string null() { return "$-1\r\n"; }

std::string array(const std::vector<std::string>& encoded_elements) {
  std::string out = line('*', std::to_string(encoded_elements.size()));
  for (const std::string& e : encoded_elements) out += e;
  return out;
}

std::string command(const std::vector<std::string>& arguments) {
  std::vector<std::string> encoded;
  for (const std::string& a : arguments) encoded.push_back(bulk(a));
  return array(encoded);
}

std::optional<std::vector<std::string>> parseCommand(std::string_view query) {
  size_t pos = 0;
  const auto count = readHeader(query, pos, '*');
  if (!count || *count < 0) return std::nullopt;
  std::vector<std::string> args;
  for (int64_t i = 0; i < *count; ++i) {
    const auto length = readHeader(query, pos, '$');
    if (!length || *length < 0 || query.size() - pos < static_cast<size_t>(*length) + kCrlf.size()) return std::nullopt;
    args.emplace_back(query.substr(pos, static_cast<size_t>(*length)));
    pos += static_cast<size_t>(*length);
    if (query.substr(pos, kCrlf.size()) != kCrlf) return std::nullopt;
    pos += kCrlf.size();
  }
  if (pos != query.size()) return std::nullopt;
  return args;
}

}  // namespace wasmgate::testing::resp
