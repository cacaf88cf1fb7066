// JSON validation and scanning; see json_scan.h. Also the text helpers declared in json.h.
#include "json_scan.h"

#include <string>

#include <wasmgate/json.h>

namespace wasmgate::internal {
namespace json_scan {
namespace {

constexpr int kMaxDepth = 256;  // deeper documents are refused instead of exhausting the stack

bool isWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

}  // namespace

size_t skipWs(std::string_view s, size_t pos) {
  while (pos < s.size() && isWs(s[pos])) ++pos;
  return pos;
}

size_t skipValue(std::string_view s, size_t pos) {
  if (pos >= s.size()) return pos;
  char c = s[pos];
  if (c == '"') {
    for (++pos; pos < s.size() && s[pos] != '"'; ++pos) {
      if (s[pos] == '\\') ++pos;
    }
    return pos + 1;
  }
  if (c == '{' || c == '[') {
    int depth = 0;
    for (; pos < s.size(); ++pos) {
      char d = s[pos];
      if (d == '"') {
        pos = skipValue(s, pos) - 1;
      } else if (d == '{' || d == '[') {
        ++depth;
      } else if ((d == '}' || d == ']') && --depth == 0) {
        return pos + 1;
      }
    }
    return pos;
  }
  while (pos < s.size() && !isWs(s[pos]) && s[pos] != ',' && s[pos] != '}' && s[pos] != ']') ++pos;
  return pos;
}

bool Validator::validateDocument() {
  pos_ = skipWs(s_, 0);
  if (pos_ == s_.size()) return fail("empty document");
  if (!value(0)) return false;
  pos_ = skipWs(s_, pos_);
  if (pos_ != s_.size()) return fail("unexpected data after the top-level value");
  return true;
}

bool Validator::value(int depth) {
  if (pos_ >= s_.size()) return fail("unexpected end of input, expected a value");
  switch (s_[pos_]) {
    case '{': return object(depth + 1);
    case '[': return array(depth + 1);
    case '"': return string();
    case 't': return literal("true");
    case 'f': return literal("false");
    case 'n': return literal("null");
    default:
      if (s_[pos_] == '-' || isDigit(s_[pos_])) return number();
      return fail("unexpected character, expected a value");
  }
}

bool Validator::object(int depth) {
  if (depth > kMaxDepth) return fail("nesting deeper than 256 levels");
  pos_ = skipWs(s_, pos_ + 1);
  if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
  while (true) {
    if (pos_ >= s_.size()) return fail("unexpected end of input inside an object");
    if (s_[pos_] != '"') return fail("expected a string object key");
    if (!string()) return false;
    pos_ = skipWs(s_, pos_);
    if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':' after an object key");
    pos_ = skipWs(s_, pos_ + 1);
    if (!value(depth)) return false;
    pos_ = skipWs(s_, pos_);
    if (pos_ >= s_.size()) return fail("unexpected end of input inside an object");
    if (s_[pos_] == '}') return ++pos_, true;
    if (s_[pos_] != ',') return fail("expected ',' or '}' in an object");
    pos_ = skipWs(s_, pos_ + 1);
  }
}

bool Validator::array(int depth) {
  if (depth > kMaxDepth) return fail("nesting deeper than 256 levels");
  pos_ = skipWs(s_, pos_ + 1);
  if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
  while (true) {
    if (!value(depth)) return false;
    pos_ = skipWs(s_, pos_);
    if (pos_ >= s_.size()) return fail("unexpected end of input inside an array");
    if (s_[pos_] == ']') return ++pos_, true;
    if (s_[pos_] != ',') return fail("expected ',' or ']' in an array");
    pos_ = skipWs(s_, pos_ + 1);
  }
}

bool Validator::string() {
  for (++pos_; pos_ < s_.size(); ++pos_) {
    unsigned char c = static_cast<unsigned char>(s_[pos_]);
    if (c == '"') return ++pos_, true;
    if (c < 0x20) return fail("control character inside a string");
    if (c != '\\') continue;
    if (++pos_ >= s_.size()) break;
    switch (s_[pos_]) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': break;
      case 'u':
        for (int k = 0; k < 4; ++k) {
          if (++pos_ >= s_.size() || !isHex(s_[pos_])) return fail("invalid \\u escape in a string");
        }
        break;
      default: return fail("invalid escape in a string");
    }
  }
  return fail("unterminated string");
}

bool Validator::number() {
  if (s_[pos_] == '-') ++pos_;
  if (pos_ >= s_.size() || !isDigit(s_[pos_])) return fail("expected a digit in a number");
  if (s_[pos_] == '0') {
    ++pos_;
  } else {
    while (pos_ < s_.size() && isDigit(s_[pos_])) ++pos_;
  }
  if (pos_ < s_.size() && s_[pos_] == '.') {
    ++pos_;
    if (pos_ >= s_.size() || !isDigit(s_[pos_])) return fail("expected a digit after '.' in a number");
    while (pos_ < s_.size() && isDigit(s_[pos_])) ++pos_;
  }
  if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
    if (pos_ >= s_.size() || !isDigit(s_[pos_])) return fail("expected a digit in a number's exponent");
    while (pos_ < s_.size() && isDigit(s_[pos_])) ++pos_;
  }
  return true;
}

bool Validator::literal(std::string_view word) {
  if (s_.substr(pos_, word.size()) != word) return fail("invalid literal (expected true, false or null)");
  pos_ += word.size();
  return true;
}

}  // namespace json_scan

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool readHex4(std::string_view s, size_t pos, unsigned* out) {
  if (pos + 4 > s.size()) return false;
  unsigned v = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = hexValue(s[pos + k]);
    if (h < 0) return false;
    v = v * 16 + unsigned(h);
  }
  *out = v;
  return true;
}

void appendUtf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(char(cp));
  } else if (cp < 0x800) {
    out.push_back(char(0xC0 | (cp >> 6)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(char(0xE0 | (cp >> 12)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(char(0xF0 | (cp >> 18)));
    out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::string UnescapeJsonString(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char e = s[++i];
    switch (e) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        unsigned cp;
        if (!readHex4(s, i + 1, &cp)) {
          out.append("\\u");
          break;
        }
        i += 4;
        unsigned low;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 2 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u' &&
            readHex4(s, i + 3, &low) && low >= 0xDC00 && low < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        appendUtf8(out, cp);
        break;
      }
      default: out.push_back(e);  // \" \\ \/ and anything unknown
    }
  }
  return out;
}

bool RemoveTopLevelKey(std::string& json, std::string_view key) {
  using json_scan::skipValue;
  using json_scan::skipWs;
  std::string_view s(json);
  size_t pos = skipWs(s, 0);
  if (pos >= s.size() || s[pos] != '{') return false;
  size_t prevValueEnd = std::string::npos;
  pos = skipWs(s, pos + 1);
  while (pos < s.size() && s[pos] == '"') {
    size_t memberStart = pos;
    size_t keyEnd = skipValue(s, pos);
    std::string name = UnescapeJsonString(s.substr(pos + 1, keyEnd - pos - 2));
    size_t valueStart = skipWs(s, skipWs(s, keyEnd) + 1);
    size_t valueEnd = skipValue(s, valueStart);
    size_t after = skipWs(s, valueEnd);
    bool more = after < s.size() && s[after] == ',';
    size_t nextMember = more ? skipWs(s, after + 1) : after;
    if (name == key) {
      if (more) json.erase(memberStart, nextMember - memberStart);
      else if (prevValueEnd != std::string::npos) json.erase(prevValueEnd, valueEnd - prevValueEnd);
      else json.erase(memberStart, valueEnd - memberStart);
      return true;
    }
    if (!more) return false;
    prevValueEnd = valueEnd;
    pos = nextMember;
  }
  return false;
}

}  // namespace wasmgate::internal
