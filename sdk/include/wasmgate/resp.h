// RESP (Redis serialization protocol) values: what a Redis reply callback receives, how the
// Redis client encodes commands, and a parser for raw replies (Go: github.com/tidwall/resp Value).
//
// Public header. Pure code, no host calls. Single-threaded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wasmgate::resp {

enum class Type : char { SimpleString = '+', Error = '-', Integer = ':', BulkString = '$', Array = '*' };

class Value {
 public:
  Value() = default;  // a null bulk string

  resp::Type Type() const { return type_; }
  bool IsNull() const { return null_; }
  // Strings as is, integers in decimal, null as "", arrays space-separated.
  std::string String() const;
  std::string Bytes() const { return String(); }
  // Integers as is; strings parsed (integer or float, truncated); otherwise 0.
  int64_t Integer() const;
  double Float() const;
  bool Bool() const { return Integer() != 0; }
  // Elements of a non-null array, else empty.
  const std::vector<Value>& Array() const;
  // The message of an error reply ('-'), else empty.
  std::string_view Error() const { return type_ == resp::Type::Error ? std::string_view(str_) : std::string_view(); }
  bool IsError() const { return type_ == resp::Type::Error; }
  bool Equals(const Value& other) const;
  std::string MarshalRESP() const;

  friend Value StringValue(std::string_view s);
  friend Value SimpleStringValue(std::string_view s);
  friend Value ErrorValue(std::string_view message);
  friend Value IntegerValue(int64_t i);
  friend Value NullValue();
  friend Value ArrayValue(std::vector<Value> values);
  friend Value NullArrayValue();
  friend class Parser;

 private:
  resp::Type type_ = resp::Type::BulkString;
  bool null_ = true;
  std::string str_;
  int64_t int_ = 0;
  std::vector<Value> array_;
};

Value StringValue(std::string_view s);
inline Value BytesValue(std::string_view b) { return StringValue(b); }
Value SimpleStringValue(std::string_view s);
Value ErrorValue(std::string_view message);
Value IntegerValue(int64_t i);
Value FloatValue(double f);  // a bulk string, as tidwall/resp encodes it
inline Value BoolValue(bool b) { return IntegerValue(b ? 1 : 0); }
Value NullValue();
Value ArrayValue(std::vector<Value> values);
Value NullArrayValue();
// A command as an array of bulk strings: MultiBulkValue({"SET", "k", "v"}).
Value MultiBulkValue(const std::vector<std::string>& args);

// The RESP bytes of a command: *<n>\r\n then $<len>\r\n<arg>\r\n per argument.
std::string EncodeCommand(const std::vector<std::string>& args);

// Parses one reply from the front of `data`. Returns "" and sets *out / *consumed on success,
// else a message ("incomplete reply", "bad integer in ':' reply at offset 3", ...).
std::string Parse(std::string_view data, Value* out, size_t* consumed = nullptr);

}  // namespace wasmgate::resp
