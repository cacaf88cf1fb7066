// RespSplitter: finds the exact boundaries of RESP2/RESP3 replies in a byte stream that arrives in
// arbitrary pieces (a bulk string or a nested array may be split across any number of reads).
// Pure: no I/O; it only copies the bytes of the reply in progress.
//
// Internal header (gateway/redis/). Thread affinity: none (one instance per connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wasmgate::gateway::redis {

class RespSplitter {
 public:
  // Consumes `data` and appends every reply it completes, as raw RESP bytes, to `replies`.
  // Returns false (and stays failed) on bytes that are not RESP; `error()` then says why.
  bool feed(std::string_view data, std::vector<std::string>* replies);
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  // Bytes of an incomplete reply held so far.
  size_t partialSize() const { return current_.size(); }
  void reset();

 private:
  // Parses as much of current_ from scan_ as possible; true when one whole reply is there.
  bool advance();
  bool parseHeaderLine(size_t* line_end);

  std::string current_;  // bytes of the reply in progress
  size_t scan_ = 0;      // first byte of current_ not yet parsed
  // Elements still expected at each open aggregate level (arrays, maps, sets, pushes).
  std::vector<int64_t> pending_;
  int64_t bulk_remaining_ = -1;  // >= 0 while inside a bulk payload (+2 for its CRLF)
  std::string error_;
};

}  // namespace wasmgate::gateway::redis
