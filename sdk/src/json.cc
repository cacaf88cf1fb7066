// wrapper::Json: validation, lazy lookup and conversions; see <wasmgate/json.h>.
#include <wasmgate/json.h>

#include <wasmgate/format.h>

#include "json_scan.h"

namespace wasmgate::wrapper {
namespace {

using internal::json_scan::skipValue;
using internal::json_scan::skipWs;

Json::Type typeOf(std::string_view raw) {
  if (raw.empty()) return Json::Type::Missing;
  switch (raw[0]) {
    case '{': return Json::Type::Object;
    case '[': return Json::Type::Array;
    case '"': return Json::Type::String;
    case 't': return Json::Type::True;
    case 'f': return Json::Type::False;
    case 'n': return Json::Type::Null;
    default: return Json::Type::Number;
  }
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? char(a[i] + 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// Calls f(keyRaw, valueRaw) for each member/element of a validated container; stops on false.
template <typename F>
void eachChild(std::string_view raw, F&& f) {
  bool object = raw[0] == '{';
  size_t pos = skipWs(raw, 1);
  if (raw[pos] == '}' || raw[pos] == ']') return;
  while (pos < raw.size()) {
    std::string_view key;
    if (object) {
      size_t keyEnd = skipValue(raw, pos);
      key = raw.substr(pos, keyEnd - pos);
      pos = skipWs(raw, skipWs(raw, keyEnd) + 1);  // past ':'
    }
    size_t end = skipValue(raw, pos);
    if (!f(key, raw.substr(pos, end - pos))) return;
    pos = skipWs(raw, end);
    if (raw[pos] != ',') return;
    pos = skipWs(raw, pos + 1);
  }
}

}  // namespace

std::string Json::ParseError::message() const {
  std::string out = "invalid JSON at offset ";
  format::AppendUint(out, offset);
  out.append(": ").append(cause);
  return out;
}

Json::Json(std::shared_ptr<const std::string> doc, std::string_view raw)
    : doc_(std::move(doc)), raw_(raw), type_(typeOf(raw)) {}

bool Json::Valid(std::string_view text, ParseError* error) {
  internal::json_scan::Validator v(text);
  if (v.validateDocument()) return true;
  if (error) *error = ParseError{v.errorOffset(), v.errorCause()};
  return false;
}

Json Json::Parse(std::string_view text, ParseError* error) {
  if (!Valid(text, error)) return Json();
  auto doc = std::make_shared<const std::string>(text);
  std::string_view all(*doc);
  size_t begin = skipWs(all, 0);
  size_t end = skipValue(all, begin);
  return Json(doc, all.substr(begin, end - begin));
}

Json Json::child(std::string_view segment) const {
  if (type_ == Type::Array) {
    if (segment == "#") {
      std::string count;
      format::AppendUint(count, size());
      auto doc = std::make_shared<const std::string>(std::move(count));
      return Json(doc, std::string_view(*doc));
    }
    unsigned long long index;
    if (!format::ParseUint(segment, &index)) return Json();
    Json found;
    unsigned long long i = 0;
    eachChild(raw_, [&](std::string_view, std::string_view value) {
      if (i++ != index) return true;
      found = Json(doc_, value);
      return false;
    });
    return found;
  }
  if (type_ != Type::Object) return Json();
  Json found;
  eachChild(raw_, [&](std::string_view key, std::string_view value) {
    std::string_view body = key.substr(1, key.size() - 2);
    bool match = body.find('\\') == std::string_view::npos ? body == segment
                                                           : internal::UnescapeJsonString(body) == segment;
    if (match) found = Json(doc_, value);
    return !match;
  });
  return found;
}

Json Json::get(std::string_view path) const {
  Json current = *this;
  std::string segment;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i < path.size() && path[i] == '\\' && i + 1 < path.size()) {
      segment.push_back(path[++i]);
    } else if (i == path.size() || path[i] == '.') {
      current = current.child(segment);
      if (!current.exists()) return current;
      segment.clear();
    } else {
      segment.push_back(path[i]);
    }
  }
  return current;
}

bool Json::asBool(bool def) const {
  switch (type_) {
    case Type::True: return true;
    case Type::False: return false;
    case Type::Number: return asDouble() != 0;
    case Type::String: {
      std::string s = asString();
      if (s == "1" || equalsIgnoreCase(s, "t") || equalsIgnoreCase(s, "true")) return true;
      if (s == "0" || equalsIgnoreCase(s, "f") || equalsIgnoreCase(s, "false")) return false;
      return def;
    }
    default: return def;
  }
}

int64_t Json::asInt(int64_t def) const {
  std::string text;
  std::string_view digits;
  switch (type_) {
    case Type::True: return 1;
    case Type::False: return 0;
    case Type::Number: digits = raw_; break;
    case Type::String: text = asString(); digits = text; break;
    default: return def;
  }
  long long v;
  if (format::ParseInt(digits, &v)) return v;
  double d;
  if (!format::ParseDouble(digits, &d) || d != d) return def;
  if (d >= 9.2233720368547758e18) return INT64_MAX;
  if (d <= -9.2233720368547758e18) return INT64_MIN;
  return static_cast<int64_t>(d);
}

uint64_t Json::asUint(uint64_t def) const {
  std::string text;
  std::string_view digits;
  switch (type_) {
    case Type::True: return 1;
    case Type::False: return 0;
    case Type::Number: digits = raw_; break;
    case Type::String: text = asString(); digits = text; break;
    default: return def;
  }
  unsigned long long v;
  if (format::ParseUint(digits, &v)) return v;
  double d;
  if (!format::ParseDouble(digits, &d) || d != d || d < 0) return d < 0 ? 0 : def;
  if (d >= 1.8446744073709552e19) return UINT64_MAX;
  return static_cast<uint64_t>(d);
}

double Json::asDouble(double def) const {
  double d;
  switch (type_) {
    case Type::True: return 1;
    case Type::False: return 0;
    case Type::Number: return format::ParseDouble(raw_, &d) ? d : def;
    case Type::String: return format::ParseDouble(asString(), &d) ? d : def;
    default: return def;
  }
}

std::string Json::asString(std::string_view def) const {
  switch (type_) {
    case Type::Missing:
    case Type::Null: return std::string(def);
    case Type::String: return internal::UnescapeJsonString(raw_.substr(1, raw_.size() - 2));
    default: return std::string(raw_);
  }
}

std::vector<Json> Json::asArray() const {
  std::vector<Json> out;
  if (type_ == Type::Missing || type_ == Type::Null) return out;
  if (type_ != Type::Array) return {*this};
  eachChild(raw_, [&](std::string_view, std::string_view value) {
    out.push_back(Json(doc_, value));
    return true;
  });
  return out;
}

void Json::forEach(const std::function<bool(const Json&, const Json&)>& f) const {
  if (type_ == Type::Missing) return;
  if (type_ != Type::Object && type_ != Type::Array) {
    f(Json(), *this);
    return;
  }
  eachChild(raw_, [&](std::string_view key, std::string_view value) {
    return f(key.empty() ? Json() : Json(doc_, key), Json(doc_, value));
  });
}

size_t Json::size() const {
  if (type_ != Type::Object && type_ != Type::Array) return 0;
  size_t n = 0;
  eachChild(raw_, [&](std::string_view, std::string_view) { return ++n, true; });
  return n;
}

std::string MarshalStr(std::string_view raw) {
  std::string out;
  format::AppendEscaped(out, raw);
  return out;
}

std::string UnmarshalStr(std::string_view escaped) { return internal::UnescapeJsonString(escaped); }

}  // namespace wasmgate::wrapper
