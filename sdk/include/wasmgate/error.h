// wrapper::Error: Go's `error` for plugin code. A default-constructed Error is nil (success);
// Error("field 'timeout': must be positive") is a failure carrying its message.
//
// Public header. Returned by config parsers, HTTP/Redis clients and PrePluginStartOrReload.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <wasmgate/format.h>

namespace wasmgate::wrapper {

class [[nodiscard]] Error {
 public:
  Error() = default;
  explicit Error(std::string message) : message_(std::move(message)), failed_(true) {}
  explicit Error(const char* message) : message_(message), failed_(true) {}

  // true when this is an error (Go: err != nil).
  explicit operator bool() const { return failed_; }
  bool ok() const { return !failed_; }
  const std::string& message() const { return message_; }
  std::string_view FormatText() const { return failed_ ? std::string_view(message_) : "<nil>"; }

 private:
  std::string message_;
  bool failed_ = false;
};

// Builds an Error with Go-style formatting: return wrapper::Errorf("bad port %d", port);
template <typename... A>
Error Errorf(std::string_view fmt, const A&... a) {
  return Error(format::Sprintf(fmt, a...));
}

}  // namespace wasmgate::wrapper
