// wrapper::Json: a small read-only JSON reader with gjson-style paths, the C++ face of the
// gjson.Result that Higress's Go SDK hands to parseConfig.
//
// Public header. A document is validated once by Json::Parse (errors give the byte offset and the
// cause); lookups then scan the validated text lazily, the way gjson does, without building a
// tree. Values share the document (shared_ptr), so a Json may be kept after parsing.
// nlohmann::json would add ~42 KB to every plugin and needs exceptions; this reader is a few KB.
//
// Paths: "a.b.0.c" walks object keys and array indexes; "\." escapes a dot inside a key;
// "list.#" is the length of an array. Getters never fail: a missing value, a null or a value that
// cannot be converted gives the default. Single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wasmgate::wrapper {

class Json {
 public:
  enum class Type : uint8_t { Missing, Null, False, True, Number, String, Object, Array };

  struct ParseError {
    size_t offset = 0;
    std::string cause;
    std::string message() const;  // "invalid JSON at offset 12: expected ':' after object key"
  };

  // Validates `text` (one JSON value, surrounding whitespace allowed). On failure returns a
  // Missing value and fills `*error` when given.
  static Json Parse(std::string_view text, ParseError* error = nullptr);
  static bool Valid(std::string_view text, ParseError* error = nullptr);

  Json() = default;  // Missing

  Json get(std::string_view path) const;
  Json operator[](std::string_view path) const { return get(path); }

  Type type() const { return type_; }
  bool exists() const { return type_ != Type::Missing; }
  bool isNull() const { return type_ == Type::Null; }
  bool isBool() const { return type_ == Type::True || type_ == Type::False; }
  bool isNumber() const { return type_ == Type::Number; }
  bool isString() const { return type_ == Type::String; }
  bool isObject() const { return type_ == Type::Object; }
  bool isArray() const { return type_ == Type::Array; }

  // true/false; numbers are true when non-zero; strings "1", "t", "true" (any case) are true.
  bool asBool(bool def = false) const;
  // Numbers (truncated towards zero), numeric strings, true=1/false=0.
  int64_t asInt(int64_t def = 0) const;
  uint64_t asUint(uint64_t def = 0) const;
  double asDouble(double def = 0) const;
  // Strings unescaped; numbers, booleans, objects and arrays as their JSON text.
  std::string asString(std::string_view def = {}) const;
  // Elements of an array; a single non-array value gives a one-element list; missing/null: empty.
  std::vector<Json> asArray() const;
  // Calls f(key, value) for each object member (key is a String value) or array element (key is
  // Missing) until f returns false. A scalar calls f once with itself.
  void forEach(const std::function<bool(const Json& key, const Json& value)>& f) const;
  // Number of array elements or object members; 0 otherwise.
  size_t size() const;
  // The value's JSON text exactly as in the document ("" when missing).
  std::string_view raw() const { return raw_; }
  std::string_view FormatText() const { return raw_; }  // for format::Sprintf / log::Infof

 private:
  Json(std::shared_ptr<const std::string> doc, std::string_view raw);
  Json child(std::string_view segment) const;

  std::shared_ptr<const std::string> doc_;
  std::string_view raw_;
  Type type_ = Type::Missing;
};

// JSON-string escaping without the quotes, and back (Go wrapper.MarshalStr / UnmarshalStr).
std::string MarshalStr(std::string_view raw);
std::string UnmarshalStr(std::string_view escaped);

}  // namespace wasmgate::wrapper

namespace wasmgate::internal {
// Removes member `key` from the top-level object `json` (already validated); false if absent.
bool RemoveTopLevelKey(std::string& json, std::string_view key);
// Unescapes the body of a JSON string literal (no quotes); invalid escapes are kept verbatim.
std::string UnescapeJsonString(std::string_view body);
}  // namespace wasmgate::internal
