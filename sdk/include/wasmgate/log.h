// Plugin logging (Go: github.com/higress-group/wasm-go/pkg/log): log::Infof("route %s", name).
//
// Public header. The logger is per VM (one global, as in Go), installed by wrapper::SetCtx as a
// DefaultLog named after the plugin. Before formatting, each message asks the host for its level
// (proxy_get_log_level, trace=0..critical=5; Trace if the host cannot tell), so
// messages below the gateway's level cost one host call and no formatting. A DefaultLog writes
// "[<plugin>] [<plugin id or nil>] [<x_request_id or nil>] <message>" with proxy_log.
// Without any logger installed, messages go to proxy_log unprefixed. Single-threaded.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <wasmgate/abi.h>
#include <wasmgate/format.h>

namespace wasmgate::log {

using Level = abi::LogLevel;

// Where log lines go (Go log.Log). Implement it to capture or redirect a plugin's logs.
class Log {
 public:
  virtual ~Log() = default;
  virtual bool Enabled(Level level) = 0;
  virtual void Write(Level level, std::string_view message) = 0;
  virtual void ResetID(std::string_view /*pluginId*/) {}
};

class DefaultLog : public Log {
 public:
  explicit DefaultLog(std::string pluginName, std::string pluginId = "nil");
  bool Enabled(Level level) override;
  void Write(Level level, std::string_view message) override;
  void ResetID(std::string_view pluginId) override;

 private:
  std::string pluginName_;
  std::string pluginId_;
};

void SetPluginLog(std::shared_ptr<Log> logger);
Log* PluginLog();  // may be nullptr
void SetSafeLogEnabled(bool enabled);
void ResetID(std::string_view pluginId);

bool Enabled(Level level);
void Write(Level level, std::string_view message);
// The host's current level (proxy_get_log_level), Trace when unavailable.
Level HostLogLevel();

inline void Trace(std::string_view m) { if (Enabled(Level::Trace)) Write(Level::Trace, m); }
inline void Debug(std::string_view m) { if (Enabled(Level::Debug)) Write(Level::Debug, m); }
inline void Info(std::string_view m) { if (Enabled(Level::Info)) Write(Level::Info, m); }
inline void Warn(std::string_view m) { if (Enabled(Level::Warn)) Write(Level::Warn, m); }
inline void Error(std::string_view m) { if (Enabled(Level::Error)) Write(Level::Error, m); }
inline void Critical(std::string_view m) { if (Enabled(Level::Critical)) Write(Level::Critical, m); }

template <typename... A> void Tracef(std::string_view f, const A&... a) {
  if (Enabled(Level::Trace)) Write(Level::Trace, format::Sprintf(f, a...));
}
template <typename... A> void Debugf(std::string_view f, const A&... a) {
  if (Enabled(Level::Debug)) Write(Level::Debug, format::Sprintf(f, a...));
}
template <typename... A> void Infof(std::string_view f, const A&... a) {
  if (Enabled(Level::Info)) Write(Level::Info, format::Sprintf(f, a...));
}
template <typename... A> void Warnf(std::string_view f, const A&... a) {
  if (Enabled(Level::Warn)) Write(Level::Warn, format::Sprintf(f, a...));
}
template <typename... A> void Errorf(std::string_view f, const A&... a) {
  if (Enabled(Level::Error)) Write(Level::Error, format::Sprintf(f, a...));
}
template <typename... A> void Criticalf(std::string_view f, const A&... a) {
  if (Enabled(Level::Critical)) Write(Level::Critical, format::Sprintf(f, a...));
}

// Messages that may carry sensitive data: Info normally; with wrapper::EnableSafeLog() they are
// demoted to Debug and start with a newline (Go log.UnsafeInfo).
void UnsafeInfo(std::string_view message);
template <typename... A> void UnsafeInfof(std::string_view f, const A&... a) {
  UnsafeInfo(format::Sprintf(f, a...));
}

}  // namespace wasmgate::log
