// RESP values, encoding and parsing; see <wasmgate/resp.h>.
#include <wasmgate/resp.h>

#include <wasmgate/format.h>

namespace wasmgate::resp {

Value StringValue(std::string_view s) {
  Value v;
  v.null_ = false;
  v.str_ = std::string(s);
  return v;
}
Value SimpleStringValue(std::string_view s) {
  Value v = StringValue(s);
  v.type_ = Type::SimpleString;
  return v;
}
Value ErrorValue(std::string_view message) {
  Value v = StringValue(message);
  v.type_ = Type::Error;
  return v;
}
Value IntegerValue(int64_t i) {
  Value v;
  v.type_ = Type::Integer;
  v.null_ = false;
  v.int_ = i;
  return v;
}
Value FloatValue(double f) {
  std::string s;
  format::AppendDouble(s, f);
  return StringValue(s);
}
Value NullValue() { return Value(); }
Value ArrayValue(std::vector<Value> values) {
  Value v;
  v.type_ = Type::Array;
  v.null_ = false;
  v.array_ = std::move(values);
  return v;
}
Value NullArrayValue() {
  Value v;
  v.type_ = Type::Array;
  return v;
}
Value MultiBulkValue(const std::vector<std::string>& args) {
  std::vector<Value> values;
  values.reserve(args.size());
  for (const auto& a : args) values.push_back(StringValue(a));
  return ArrayValue(std::move(values));
}

std::string Value::String() const {
  if (null_) return {};
  if (type_ == Type::Integer) {
    std::string s;
    format::AppendInt(s, int_);
    return s;
  }
  if (type_ != Type::Array) return str_;
  std::string s;
  for (size_t i = 0; i < array_.size(); ++i) {
    if (i) s.push_back(' ');
    s.append(array_[i].String());
  }
  return s;
}

int64_t Value::Integer() const {
  if (type_ == Type::Integer) return int_;
  if (null_ || type_ == Type::Array) return 0;
  long long i;
  if (format::ParseInt(str_, &i)) return i;
  double d;
  if (format::ParseDouble(str_, &d) && d == d && d < 9.2e18 && d > -9.2e18) return static_cast<int64_t>(d);
  return 0;
}

double Value::Float() const {
  if (type_ == Type::Integer) return static_cast<double>(int_);
  double d;
  return !null_ && type_ != Type::Array && format::ParseDouble(str_, &d) ? d : 0;
}

const std::vector<Value>& Value::Array() const {
  static const std::vector<Value>* empty = new std::vector<Value>();
  return type_ == Type::Array && !null_ ? array_ : *empty;
}

bool Value::Equals(const Value& o) const {
  if (type_ != o.type_ || null_ != o.null_ || int_ != o.int_ || str_ != o.str_) return false;
  if (array_.size() != o.array_.size()) return false;
  for (size_t i = 0; i < array_.size(); ++i) {
    if (!array_[i].Equals(o.array_[i])) return false;
  }
  return true;
}

std::string Value::MarshalRESP() const {
  std::string out(1, static_cast<char>(type_));
  switch (type_) {
    case Type::SimpleString:
    case Type::Error: out.append(str_); break;
    case Type::Integer: format::AppendInt(out, int_); break;
    case Type::BulkString:
      if (null_) return "$-1\r\n";
      format::AppendUint(out, str_.size());
      out.append("\r\n").append(str_);
      break;
    case Type::Array:
      if (null_) return "*-1\r\n";
      format::AppendUint(out, array_.size());
      out.append("\r\n");
      for (const auto& v : array_) out.append(v.MarshalRESP());
      return out;
  }
  return out.append("\r\n");
}

std::string EncodeCommand(const std::vector<std::string>& args) {
  std::string out = "*";
  format::AppendUint(out, args.size());
  out.append("\r\n");
  for (const auto& a : args) {
    out.push_back('$');
    format::AppendUint(out, a.size());
    out.append("\r\n").append(a).append("\r\n");
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view d) : d_(d) {}

  std::string parse(Value* out, int depth) {
    if (depth > 64) return at("reply nested deeper than 64 arrays");
    if (pos_ >= d_.size()) return "incomplete reply";
    if (std::string_view("+-:$*").find(d_[pos_]) == std::string_view::npos) return at("unknown reply type");
    char kind = d_[pos_++];
    std::string_view line;
    if (!readLine(&line)) return "incomplete reply";
    switch (kind) {
      case '+': *out = SimpleStringValue(line); return {};
      case '-': *out = ErrorValue(line); return {};
      case ':': {
        long long i;
        if (!format::ParseInt(line, &i)) return at("bad integer in ':' reply");
        *out = IntegerValue(i);
        return {};
      }
      case '$': {
        long long n;
        if (!format::ParseInt(line, &n) || n < -1) return at("bad length in '$' reply");
        if (n == -1) return *out = NullValue(), std::string();
        if (d_.size() - pos_ < static_cast<unsigned long long>(n) + 2) return "incomplete reply";
        if (d_.substr(pos_ + size_t(n), 2) != "\r\n") return at("bulk string not terminated by CRLF");
        *out = StringValue(d_.substr(pos_, size_t(n)));
        pos_ += size_t(n) + 2;
        return {};
      }
      case '*': {
        long long n;
        if (!format::ParseInt(line, &n) || n < -1) return at("bad length in '*' reply");
        if (n == -1) return *out = NullArrayValue(), std::string();
        if (static_cast<unsigned long long>(n) > d_.size()) return "incomplete reply";
        std::vector<Value> values(static_cast<size_t>(n));
        for (auto& v : values) {
          std::string err = parse(&v, depth + 1);
          if (!err.empty()) return err;
        }
        *out = ArrayValue(std::move(values));
        return {};
      }
      default: return at("unknown reply type");
    }
  }
  size_t consumed() const { return pos_; }

 private:
  bool readLine(std::string_view* line) {
    size_t end = d_.find("\r\n", pos_);
    if (end == std::string_view::npos) return false;
    *line = d_.substr(pos_, end - pos_);
    pos_ = end + 2;
    return true;
  }
  std::string at(const char* what) const { return format::Sprintf("%s at offset %d", what, pos_); }

  std::string_view d_;
  size_t pos_ = 0;
};

std::string Parse(std::string_view data, Value* out, size_t* consumed) {
  Parser p(data);
  Value v;
  std::string err = p.parse(&v, 0);
  if (!err.empty()) return err;
  *out = std::move(v);
  if (consumed) *consumed = p.consumed();
  return {};
}

}  // namespace wasmgate::resp
