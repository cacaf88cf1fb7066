// Go-style formatting without printf: format::Sprintf("user %s has %d items", name, n).
//
// Public header (used by log::Infof & co., the Redis client and plugins). Pulling in snprintf would
// bring musl's stdio and three WASI imports into every plugin, so the SDK formats by itself.
// Every verb (%s %v %d %q %x %f ...) takes the next argument and prints it by its C++ type; %q
// quotes a string, %x prints hex, %.Nf fixes N decimals, %% is a percent sign; flags and widths
// are accepted and ignored. A missing argument prints "%!v(MISSING)", as Go does.
// Doubles print with at most 15 significant digits (like %.15g). Thread-compatible (no state).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <wasmgate/abi.h>

namespace wasmgate::format {

// One argument, viewed (not owned) for the duration of a Sprintf call.
class Arg {
 public:
  enum class Kind : uint8_t { Str, Int, Uint, Double, Bool, Char, Null };

  Arg(std::string_view s) : kind_(Kind::Str), s_(s) {}
  Arg(const char* s) : kind_(s ? Kind::Str : Kind::Null), s_(s ? s : "") {}
  Arg(const std::string& s) : kind_(Kind::Str), s_(s) {}
  Arg(std::nullptr_t) : kind_(Kind::Null) {}
  Arg(bool b) : kind_(Kind::Bool) { u_ = b; }
  Arg(char c) : kind_(Kind::Char) { u_ = static_cast<unsigned char>(c); }
  Arg(signed char v) : Arg(static_cast<long long>(v)) {}
  Arg(short v) : Arg(static_cast<long long>(v)) {}
  Arg(int v) : Arg(static_cast<long long>(v)) {}
  Arg(long v) : Arg(static_cast<long long>(v)) {}
  Arg(long long v) : kind_(Kind::Int) { i_ = v; }
  Arg(unsigned char v) : Arg(static_cast<unsigned long long>(v)) {}
  Arg(unsigned short v) : Arg(static_cast<unsigned long long>(v)) {}
  Arg(unsigned v) : Arg(static_cast<unsigned long long>(v)) {}
  Arg(unsigned long v) : Arg(static_cast<unsigned long long>(v)) {}
  Arg(unsigned long long v) : kind_(Kind::Uint) { u_ = v; }
  Arg(float v) : Arg(static_cast<double>(v)) {}
  Arg(double v) : kind_(Kind::Double) { d_ = v; }
  Arg(abi::Status s) : kind_(Kind::Str), s_(abi::statusName(s)) {}
  // Any SDK type that can show itself as text (wrapper::Error, wrapper::Json, resp::Value ...).
  template <typename T>
    requires requires(const T& t) {
      { t.FormatText() } -> std::convertible_to<std::string_view>;
    }
  Arg(const T& t) : kind_(Kind::Str), s_(t.FormatText()) {}

  Kind kind() const { return kind_; }
  std::string_view str() const { return s_; }
  long long integer() const { return i_; }
  unsigned long long uinteger() const { return u_; }
  double real() const { return d_; }

 private:
  Kind kind_;
  std::string_view s_;
  union {
    long long i_;
    unsigned long long u_ = 0;
    double d_;
  };
};

std::string SprintfArgs(std::string_view fmt, std::initializer_list<Arg> args);

template <typename... Args>
std::string Sprintf(std::string_view fmt, const Args&... args) {
  return SprintfArgs(fmt, {Arg(args)...});
}

// Go's fmt.Sprint of one value: strings verbatim, numbers in decimal, bools as true/false.
std::string ToString(const Arg& arg);

void AppendInt(std::string& out, long long v);
void AppendUint(std::string& out, unsigned long long v);
void AppendDouble(std::string& out, double v);  // shortest of %.15g
void AppendFixed(std::string& out, double v, int decimals);
// JSON string escaping of `s` (no surrounding quotes).
void AppendEscaped(std::string& out, std::string_view s);

// Whole-string parsers; false on any stray character, empty input or overflow.
bool ParseInt(std::string_view s, long long* out);
bool ParseUint(std::string_view s, unsigned long long* out);
bool ParseDouble(std::string_view s, double* out);

}  // namespace wasmgate::format
