#include "gateway/log.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <ctime>

#include <unistd.h>

namespace wasmgate::gateway {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};
const char* kNames[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
}  // namespace

LogLevel parseLogLevel(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(LogLevel::Off); ++i) {
    if (name == kNames[i]) return static_cast<LogLevel>(i);
  }
  return LogLevel::Info;
}

void setLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }
bool logEnabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void logf(LogLevel level, const char* format, ...) {
  if (!logEnabled(level) || level == LogLevel::Off) return;
  char line[2048];
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t;
  gmtime_r(&ts.tv_sec, &t);
  int n = std::snprintf(line, sizeof line, "[%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ] [%s] ", t.tm_year + 1900,
                        t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec / 1000000,
                        kNames[static_cast<int>(level)]);
  va_list args;
  va_start(args, format);
  int m = std::vsnprintf(line + n, sizeof line - n - 1, format, args);
  va_end(args);
  size_t len = static_cast<size_t>(n) + (m < 0 ? 0 : std::min<size_t>(m, sizeof line - n - 2));
  line[len++] = '\n';
  ssize_t ignored = ::write(STDERR_FILENO, line, len);
  (void)ignored;
}

}  // namespace wasmgate::gateway
