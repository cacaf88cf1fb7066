// Plugin logging; see <wasmgate/log.h>.
#include <wasmgate/log.h>

#include <wasmgate/internal/imports.h>
#include <wasmgate/proxywasm/host.h>

namespace wasmgate::log {
namespace {

struct LogState {
  std::shared_ptr<Log> logger;
  bool safe = false;
};

LogState& state() {
  static LogState* s = new LogState();
  return *s;
}

}  // namespace

// proxy_get_log_level rather than the foreign function get_log_level (which wasm-go calls):
// both answer the same level on Higress's Envoy and in wasmgate, but the ABI function writes a
// word where the foreign one returns allocated bytes, and hosts make it one of their cheapest
// calls. A plugin checks the level before every message, most of which the level drops.
Level HostLogLevel() {
  uint32_t level = 0;
  if (proxy_get_log_level(&level) != static_cast<uint32_t>(types::Status::Ok)) return Level::Trace;
  return level > abi::kMaxLogLevel ? Level::Critical : static_cast<Level>(level);
}

DefaultLog::DefaultLog(std::string pluginName, std::string pluginId)
    : pluginName_(std::move(pluginName)), pluginId_(std::move(pluginId)) {}

bool DefaultLog::Enabled(Level level) { return level >= HostLogLevel(); }

void DefaultLog::Write(Level level, std::string_view message) {
  auto requestId = proxywasm::GetProperty({"x_request_id"});
  std::string line;
  line.reserve(message.size() + pluginName_.size() + 48);
  line.append("[").append(pluginName_).append("] [").append(pluginId_).append("] [");
  line.append(requestId.ok() ? std::string_view(requestId.value) : std::string_view("nil")).append("] ");
  line.append(message);
  switch (level) {
    case Level::Trace: proxywasm::LogTrace(line); break;
    case Level::Debug: proxywasm::LogDebug(line); break;
    case Level::Info: proxywasm::LogInfo(line); break;
    case Level::Warn: proxywasm::LogWarn(line); break;
    case Level::Error: proxywasm::LogError(line); break;
    case Level::Critical: proxywasm::LogCritical(line); break;
  }
}

void DefaultLog::ResetID(std::string_view pluginId) { pluginId_ = pluginId.empty() ? "nil" : std::string(pluginId); }

void SetPluginLog(std::shared_ptr<Log> logger) { state().logger = std::move(logger); }
Log* PluginLog() { return state().logger.get(); }
void SetSafeLogEnabled(bool enabled) { state().safe = enabled; }

void ResetID(std::string_view pluginId) {
  if (Log* l = PluginLog()) l->ResetID(pluginId);
}

bool Enabled(Level level) {
  Log* l = PluginLog();
  return l ? l->Enabled(level) : level >= HostLogLevel();
}

void Write(Level level, std::string_view message) {
  if (Log* l = PluginLog()) return l->Write(level, message);
  proxy_log(static_cast<uint32_t>(level), message.data(), message.size());
}

void UnsafeInfo(std::string_view message) {
  if (!state().safe) return Info(message);
  if (!Enabled(Level::Debug)) return;
  std::string line = "\n";
  line.append(message);
  Write(Level::Debug, line);
}

}  // namespace wasmgate::log
