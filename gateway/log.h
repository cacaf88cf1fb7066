// The gateway's own diagnostic log (not the access log): leveled lines on stderr.
//
// Public header (gateway/). Thread-safe: each line is written with one call.
#pragma once

#include <string_view>

namespace wasmgate::gateway {

enum class LogLevel { Trace, Debug, Info, Warn, Error, Critical, Off };

// "info" -> LogLevel::Info (unknown names: Info).
LogLevel parseLogLevel(std::string_view name);
void setLogLevel(LogLevel level);
bool logEnabled(LogLevel level);
// printf-style; one line, newline added.
void logf(LogLevel level, const char* format, ...) __attribute__((format(printf, 2, 3)));

}  // namespace wasmgate::gateway
