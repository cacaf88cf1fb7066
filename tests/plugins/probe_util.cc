// Script parsing, reporting and pairs encoding for the probe plugin.
#include "probe_util.h"

#include <cstdlib>

namespace probe {
namespace {

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decodeArg(std::string_view raw) {
  if (raw == "\"\"") return {};
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() + 0 && hexDigit(raw[i + 1]) >= 0 && hexDigit(raw[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexDigit(raw[i + 1]) * 16 + hexDigit(raw[i + 2])));
      i += 2;
    } else {
      out.push_back(raw[i]);
    }
  }
  return out;
}

void putU32(std::string& out, u32 v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

u32 getU32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return b[0] | b[1] << 8 | b[2] << 16 | static_cast<u32>(b[3]) << 24;
}

}  // namespace

std::vector<Command> parseScript(std::string_view text) {
  std::vector<Command> script;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    std::vector<std::string_view> words;
    while (!line.empty()) {
      const size_t start = line.find_first_not_of(' ');
      if (start == std::string_view::npos) break;
      line.remove_prefix(start);
      const size_t end = line.find(' ');
      words.push_back(line.substr(0, end));
      line = end == std::string_view::npos ? std::string_view() : line.substr(end);
    }
    if (words.size() < 2 || words[0][0] == '#') continue;
    Command c;
    c.callback = std::string(words[0]);
    for (size_t i = 1; i < words.size(); ++i) {
      c.args.push_back(decodeArg(words[i]));
      if (i > 1) c.text += ' ';
      c.text += words[i];
    }
    script.push_back(std::move(c));
  }
  return script;
}

std::string take(char* p, u32 n) {
  std::string s = p ? std::string(p, n) : std::string();
  std::free(p);
  return s;
}

std::string escape(std::string_view bytes) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string number(uint64_t v) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  std::string out;
  while (n > 0) out.push_back(digits[--n]);
  return out;
}

void trace(const char* event, std::initializer_list<u32> args) {
  std::string line = event;
  for (u32 a : args) line += " " + number(a);
  proxy_log(1, line.data(), line.size());
}

std::string encodePairs(std::string_view spec) {
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    const size_t eq = item.find('=');
    pairs.emplace_back(item.substr(0, eq), eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1));
  }
  if (pairs.empty()) return {};
  std::string out;
  putU32(out, pairs.size());
  for (auto& [k, v] : pairs) {
    putU32(out, k.size());
    putU32(out, v.size());
  }
  for (auto& [k, v] : pairs) {
    out.append(k);
    out.push_back('\0');
    out.append(v);
    out.push_back('\0');
  }
  return out;
}

std::string decodePairs(const char* p, u32 n) {
  if (p == nullptr || n < 4) return "<null>";
  const u32 count = getU32(p);
  std::string out;
  const char* data = p + 4 + 8 * count;
  for (u32 i = 0; i < count; ++i) {
    const u32 ks = getU32(p + 4 + 8 * i), vs = getU32(p + 8 + 8 * i);
    if (i > 0) out += ',';
    out += escape(std::string_view(data, ks)) + "=" + escape(std::string_view(data + ks + 1, vs));
    data += ks + vs + 2;
  }
  return out;
}

}  // namespace probe
