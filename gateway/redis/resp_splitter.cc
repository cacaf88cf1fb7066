#include "gateway/redis/resp_splitter.h"

#include <charconv>

namespace wasmgate::gateway::redis {

namespace {
// A reply longer than this is treated as a protocol error (Redis's own proto-max-bulk-len
// default is 512 MB; a gateway has no business buffering more).
constexpr int64_t kMaxBulkLength = 512LL * 1024 * 1024;
constexpr int64_t kMaxAggregateLength = 64LL * 1024 * 1024;

// Out of line: inlined into feed(), GCC 12's link-time optimiser warned of a false overflow in
// the string concatenation.
[[gnu::noinline, gnu::cold]] std::string unknownTypeError(char type) {
  const char* hex = "0123456789abcdef";
  const char digits[] = {hex[(type >> 4) & 0xf], hex[type & 0xf]};
  std::string error = "unknown RESP type byte 0x";
  error.append(digits, sizeof digits);
  return error;
}
}  // namespace

void RespSplitter::reset() {
  current_.clear();
  scan_ = 0;
  pending_.clear();
  bulk_remaining_ = -1;
  error_.clear();
}

bool RespSplitter::feed(std::string_view data, std::vector<std::string>* replies) {
  if (failed()) return false;
  current_.append(data);
  while (advance()) {
    // One whole reply at [0, scan_).
    replies->emplace_back(current_, 0, scan_);
    current_.erase(0, scan_);
    scan_ = 0;
  }
  return !failed();
}

// Finds the CRLF ending the line that starts at scan_.
bool RespSplitter::parseHeaderLine(size_t* line_end) {
  size_t cr = current_.find("\r\n", scan_);
  if (cr == std::string::npos) return false;
  *line_end = cr;
  return true;
}

bool RespSplitter::advance() {
  while (!failed()) {
    if (bulk_remaining_ >= 0) {
      size_t available = current_.size() - scan_;
      if (static_cast<int64_t>(available) < bulk_remaining_) {
        return false;
      }
      scan_ += static_cast<size_t>(bulk_remaining_);
      bulk_remaining_ = -1;
      if (current_.compare(scan_ - 2, 2, "\r\n") != 0) {
        error_ = "bulk string is not terminated by CRLF";
        return false;
      }
    } else {
      size_t line_end;
      if (scan_ >= current_.size() || !parseHeaderLine(&line_end)) return false;
      char type = current_[scan_];
      std::string_view body(current_.data() + scan_ + 1, line_end - scan_ - 1);
      scan_ = line_end + 2;
      int64_t length = 0;
      auto parseLength = [&](int64_t limit) {
        auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), length);
        if (ec != std::errc() || end != body.data() + body.size() || length < -1 || length > limit) {
          error_ = std::string("bad length '") + std::string(body) + "' after '" + type + "'";
          return false;
        }
        return true;
      };
      switch (type) {
        case '+': case '-': case ':': case '_': case '#': case ',': case '(':
          break;  // one-line values
        case '$': case '!': case '=':  // bulk string, bulk error, verbatim string
          if (!parseLength(kMaxBulkLength)) return false;
          if (length >= 0) {
            bulk_remaining_ = length + 2;
            continue;  // the payload ends this element
          }
          break;  // null bulk string
        case '*': case '~': case '>': case '%':  // arrays, sets, pushes, maps
          if (!parseLength(kMaxAggregateLength)) return false;
          if (type == '%') length *= 2;  // a map entry is a key and a value
          if (length > 0) {
            pending_.push_back(length);
            continue;  // its elements follow
          }
          break;  // empty or null aggregate: one complete element
        default:
          error_ = unknownTypeError(type);
          return false;
      }
    }
    // One element complete: close every aggregate it completes.
    while (!pending_.empty() && --pending_.back() == 0) pending_.pop_back();
    if (pending_.empty()) return true;
  }
  return false;
}

}  // namespace wasmgate::gateway::redis
