// The JSON scanner behind wrapper::Json: a validator with offset-and-cause errors, and skipping
// helpers that assume already-validated text. Private to sdk/src. No allocation while scanning.
#pragma once

#include <cstddef>
#include <string_view>

namespace wasmgate::internal::json_scan {

size_t skipWs(std::string_view s, size_t pos);
// End (one past) of the value starting at `pos`; the text must have been validated.
size_t skipValue(std::string_view s, size_t pos);

class Validator {
 public:
  explicit Validator(std::string_view text) : s_(text) {}
  bool validateDocument();
  size_t errorOffset() const { return errorAt_; }
  const char* errorCause() const { return cause_; }

 private:
  bool value(int depth);
  bool object(int depth);
  bool array(int depth);
  bool string();
  bool number();
  bool literal(std::string_view word);
  bool fail(const char* cause) {
    cause_ = cause;
    errorAt_ = pos_;
    return false;
  }

  std::string_view s_;
  size_t pos_ = 0;
  size_t errorAt_ = 0;
  const char* cause_ = "";
};

}  // namespace wasmgate::internal::json_scan
