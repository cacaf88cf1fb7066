// Helpers of the harness vocabulary (types.h).
#include <wasmgate/testing/types.h>

#include <algorithm>
#include <cctype>

#include <wasmgate/testing/resp.h>

namespace wasmgate::testing {

std::optional<std::string> findHeader(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](unsigned char a, unsigned char b) {
          return std::tolower(a) == std::tolower(b);
        })) {
      return value;
    }
  }
  return std::nullopt;
}

std::vector<std::string> RedisCall::command() const { return resp::parseCommand(query).value_or(std::vector<std::string>{}); }

const char* actionName(HeaderAction action) {
  switch (action) {
    case HeaderAction::Continue: return "Continue";
    case HeaderAction::StopIteration: return "StopIteration";
    case HeaderAction::ContinueAndEndStream: return "ContinueAndEndStream";
    case HeaderAction::StopAllIterationAndBuffer: return "StopAllIterationAndBuffer";
    case HeaderAction::StopAllIterationAndWatermark: return "StopAllIterationAndWatermark";
  }
  return "unknown";
}

const char* actionName(DataAction action) {
  switch (action) {
    case DataAction::Continue: return "Continue";
    case DataAction::StopIterationAndBuffer: return "StopIterationAndBuffer";
    case DataAction::StopIterationAndWatermark: return "StopIterationAndWatermark";
    case DataAction::StopIterationNoBuffer: return "StopIterationNoBuffer";
  }
  return "unknown";
}

const char* actionName(TrailerAction action) {
  return action == TrailerAction::Continue ? "Continue" : action == TrailerAction::StopIteration ? "StopIteration" : "unknown";
}

const char* levelName(LogLevel level) {
  switch (level) {
    case LogLevel::Trace: return "trace";
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
    case LogLevel::Critical: return "critical";
  }
  return "unknown";
}

}  // namespace wasmgate::testing
