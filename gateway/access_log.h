// Access log: one JSON object per line per request (Envoy-like field names), to stdout, stderr
// or a file.
//
// Public header (gateway/). Thread-safe: workers append lines under a mutex.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "common/result.h"
#include "gateway/filter.h"

namespace wasmgate::gateway {

class AccessLog {
 public:
  // `path`: "stdout", "stderr" or a file (appended to).
  static Result<std::shared_ptr<AccessLog>> open(const std::string& path);
  ~AccessLog();
  void log(const RequestHead& request, const StreamInfo& info, uint64_t duration_us);

 private:
  AccessLog(FILE* file, bool owned) : file_(file), owned_(owned) {}
  std::mutex mutex_;
  FILE* file_;
  bool owned_;
};

}  // namespace wasmgate::gateway
