// printf-free formatting and number parsing; see <wasmgate/format.h>.
#include <wasmgate/format.h>

namespace wasmgate::format {
namespace {

constexpr char kHex[] = "0123456789abcdef";

bool isDigit(char c) { return c >= '0' && c <= '9'; }

void appendHex(std::string& out, unsigned long long v) {
  char buf[16];
  int n = 0;
  do {
    buf[n++] = kHex[v & 15];
    v >>= 4;
  } while (v);
  while (n) out.push_back(buf[--n]);
}

void appendQuoted(std::string& out, std::string_view s) {
  out.push_back('"');
  AppendEscaped(out, s);
  out.push_back('"');
}

void appendArg(std::string& out, const Arg& a, char verb, int precision) {
  switch (a.kind()) {
    case Arg::Kind::Str:
      if (verb == 'q') return appendQuoted(out, a.str());
      if (verb == 'x') {
        for (unsigned char c : a.str()) out.append({kHex[c >> 4], kHex[c & 15]});
        return;
      }
      out.append(a.str());
      return;
    case Arg::Kind::Null: out.append("<nil>"); return;
    case Arg::Kind::Bool: out.append(a.uinteger() ? "true" : "false"); return;
    case Arg::Kind::Char:
      if (verb == 'd') return AppendUint(out, a.uinteger());
      out.push_back(char(a.uinteger()));
      return;
    case Arg::Kind::Int:
      if (verb == 'x') {
        if (a.integer() < 0) out.push_back('-');
        unsigned long long mag = a.integer() < 0 ? 0ull - (unsigned long long)a.integer() : a.integer();
        return appendHex(out, mag);
      }
      return AppendInt(out, a.integer());
    case Arg::Kind::Uint:
      if (verb == 'x') return appendHex(out, a.uinteger());
      return AppendUint(out, a.uinteger());
    case Arg::Kind::Double:
      if (verb == 'f' || verb == 'F') return AppendFixed(out, a.real(), precision < 0 ? 6 : precision);
      return AppendDouble(out, a.real());
  }
}

}  // namespace

std::string SprintfArgs(std::string_view fmt, std::initializer_list<Arg> args) {
  std::string out;
  out.reserve(fmt.size() + 16 * args.size());
  const Arg* next = args.begin();
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c != '%' || i + 1 == fmt.size()) {
      out.push_back(c);
      continue;
    }
    if (fmt[i + 1] == '%') {
      out.push_back('%');
      ++i;
      continue;
    }
    // Skip flags and width; remember a ".N" precision.
    size_t j = i + 1;
    int precision = -1;
    while (j < fmt.size() && (fmt[j] == '-' || fmt[j] == '+' || fmt[j] == '#' || fmt[j] == ' ' ||
                              fmt[j] == '0' || isDigit(fmt[j]) || fmt[j] == '.')) {
      if (fmt[j] == '.') {
        precision = 0;
        while (j + 1 < fmt.size() && isDigit(fmt[j + 1])) precision = precision * 10 + (fmt[++j] - '0');
      }
      ++j;
    }
    if (j == fmt.size()) {
      out.append(fmt.substr(i));
      break;
    }
    char verb = fmt[j];
    i = j;
    if (next == args.end()) {
      out.append("%!").push_back(verb);
      out.append("(MISSING)");
      continue;
    }
    appendArg(out, *next++, verb, precision);
  }
  return out;
}

std::string ToString(const Arg& arg) {
  std::string out;
  appendArg(out, arg, 'v', -1);
  return out;
}

void AppendUint(std::string& out, unsigned long long v) {
  char buf[20];
  int n = 0;
  do {
    buf[n++] = char('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) out.push_back(buf[--n]);
}

void AppendInt(std::string& out, long long v) {
  if (v < 0) {
    out.push_back('-');
    AppendUint(out, 0ull - static_cast<unsigned long long>(v));
  } else {
    AppendUint(out, static_cast<unsigned long long>(v));
  }
}

void AppendDouble(std::string& out, double v) {
  if (v != v) return void(out.append("NaN"));
  if (v < 0 || (v == 0 && 1 / v < 0)) {
    out.push_back('-');
    v = -v;
  }
  if (v > 1.7976931348623157e308) return void(out.append("+Inf"));
  if (v == 0) return void(out.push_back('0'));
  if (v < 1e15 && v == static_cast<double>(static_cast<long long>(v))) {
    return AppendUint(out, static_cast<unsigned long long>(v));
  }
  // Normalise to [1, 10) and take 15 digits; the scaling error stays below the 15th digit.
  int exp10 = 0;
  while (v >= 1e16) v /= 1e16, exp10 += 16;
  while (v >= 10) v /= 10, ++exp10;
  while (v < 1e-15) v *= 1e16, exp10 -= 16;
  while (v < 1) v *= 10, --exp10;
  int digits[16];
  for (int k = 0; k < 16; ++k) {
    int d = static_cast<int>(v);
    if (d > 9) d = 9;
    digits[k] = d;
    v = (v - d) * 10;
  }
  if (digits[15] >= 5) {  // round to 15 digits
    int k = 14;
    while (k >= 0 && ++digits[k] == 10) digits[k--] = 0;
    if (k < 0) {
      digits[0] = 1;
      ++exp10;
    }
  }
  int n = 15;
  while (n > 1 && digits[n - 1] == 0) --n;
  if (exp10 >= -4 && exp10 < 21) {
    if (exp10 < 0) {
      out.append("0.");
      out.append(size_t(-exp10 - 1), '0');
      for (int k = 0; k < n; ++k) out.push_back(char('0' + digits[k]));
      return;
    }
    for (int k = 0; k <= exp10 || k < n; ++k) {
      if (k == exp10 + 1) out.push_back('.');
      out.push_back(char('0' + (k < n ? digits[k] : 0)));
    }
    return;
  }
  out.push_back(char('0' + digits[0]));
  if (n > 1) out.push_back('.');
  for (int k = 1; k < n; ++k) out.push_back(char('0' + digits[k]));
  out.append(exp10 < 0 ? "e-" : "e+");
  int e = exp10 < 0 ? -exp10 : exp10;
  if (e < 10) out.push_back('0');
  AppendUint(out, static_cast<unsigned long long>(e));
}

void AppendFixed(std::string& out, double v, int decimals) {
  if (decimals > 17) decimals = 17;
  double scale = 1;
  for (int k = 0; k < decimals; ++k) scale *= 10;
  double mag = v < 0 ? -v : v;
  if (v != v || mag * scale >= 9.2e18) return AppendDouble(out, v);
  auto scaled = static_cast<unsigned long long>(mag * scale + 0.5);
  if (v < 0 && scaled != 0) out.push_back('-');
  AppendUint(out, scaled / static_cast<unsigned long long>(scale));
  if (decimals == 0) return;
  out.push_back('.');
  std::string frac;
  AppendUint(frac, scaled % static_cast<unsigned long long>(scale));
  out.append(size_t(decimals) - frac.size(), '0');
  out.append(frac);
}

void AppendEscaped(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(char(c));
        }
    }
  }
}

bool ParseUint(std::string_view s, unsigned long long* out) {
  if (s.empty()) return false;
  unsigned long long v = 0;
  for (char c : s) {
    if (!isDigit(c)) return false;
    unsigned d = unsigned(c - '0');
    if (v > (~0ull - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool ParseInt(std::string_view s, long long* out) {
  bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  unsigned long long mag;
  if (!ParseUint(s, &mag)) return false;
  if (negative ? mag > (1ull << 63) : mag > (1ull << 63) - 1) return false;
  *out = negative ? static_cast<long long>(0ull - mag) : static_cast<long long>(mag);
  return true;
}

bool ParseDouble(std::string_view s, double* out) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  unsigned long long mantissa = 0;
  int digits = 0, exp10 = 0;
  bool any = false;
  for (; i < s.size() && isDigit(s[i]); ++i, any = true) {
    if (digits < 19) mantissa = mantissa * 10 + unsigned(s[i] - '0'), digits += mantissa != 0;
    else ++exp10;
  }
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && isDigit(s[i]); ++i, any = true) {
      if (digits < 19) mantissa = mantissa * 10 + unsigned(s[i] - '0'), digits += mantissa != 0, --exp10;
    }
  }
  if (!any) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    long long e;
    std::string_view rest = s.substr(i + 1);
    if (!ParseInt(rest, &e)) return false;
    if (e > 100000) e = 100000;
    if (e < -100000) e = -100000;
    exp10 += static_cast<int>(e);
    i = s.size();
  }
  if (i != s.size()) return false;
  // Exact when the mantissa fits 53 bits and |exp10| <= 22 (Clinger's fast path); otherwise close.
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  double v = static_cast<double>(mantissa);
  int e = exp10 < 0 ? -exp10 : exp10;
  while (e > 0 && v != 0) {
    int step = e > 22 ? 22 : e;
    if (exp10 < 0) v /= kPow10[step];
    else v *= kPow10[step];
    e -= step;
  }
  *out = negative ? -v : v;
  return true;
}

}  // namespace wasmgate::format
