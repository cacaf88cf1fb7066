// wrapper::AttrValue: a user attribute value (Go: interface{} in SetUserAttribute): a string,
// integer, double, bool, or raw JSON, written into access logs as JSON and into traces as text.
//
// Public header. Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wasmgate::wrapper {

class AttrValue {
 public:
  enum class Kind : uint8_t { String, Int, Double, Bool, RawJson };

  AttrValue(std::string_view s) : kind_(Kind::String), text_(s) {}
  AttrValue(const char* s) : kind_(Kind::String), text_(s ? s : "") {}
  AttrValue(std::string s) : kind_(Kind::String), text_(std::move(s)) {}
  AttrValue(bool b) : kind_(Kind::Bool), int_(b) {}
  AttrValue(int v) : kind_(Kind::Int), int_(v) {}
  AttrValue(long v) : kind_(Kind::Int), int_(v) {}
  AttrValue(long long v) : kind_(Kind::Int), int_(v) {}
  AttrValue(unsigned v) : kind_(Kind::Int), int_(v) {}
  AttrValue(unsigned long v) : kind_(Kind::Int), int_(static_cast<int64_t>(v)) {}
  AttrValue(unsigned long long v) : kind_(Kind::Int), int_(static_cast<int64_t>(v)) {}
  AttrValue(double v) : kind_(Kind::Double), double_(v) {}
  // A JSON value (object, array, ...) embedded as is; `json` must be valid JSON.
  static AttrValue RawJson(std::string json) {
    AttrValue v(std::move(json));
    v.kind_ = Kind::RawJson;
    return v;
  }

  Kind kind() const { return kind_; }
  // Go fmt.Sprint: strings as is, numbers in decimal, true/false, raw JSON as its text.
  std::string ToString() const;
  std::string ToJson() const;
  bool Empty() const { return (kind_ == Kind::String || kind_ == Kind::RawJson) && text_.empty(); }
  bool operator==(const AttrValue& o) const {
    return kind_ == o.kind_ && text_ == o.text_ && int_ == o.int_ && double_ == o.double_;
  }

 private:
  Kind kind_;
  std::string text_;
  int64_t int_ = 0;
  double double_ = 0;
};

}  // namespace wasmgate::wrapper
