// What wrapper::SetCtx collects, with the config type erased: handlers take the matched config as
// void*, configs are made by newConfig. Keeping the wrapper's runtime non-template keeps every
// plugin small: only the thin adapters in <wasmgate/wrapper.h> are instantiated per config type.
//
// Internal header of the plugin SDK. Single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <wasmgate/error.h>
#include <wasmgate/json.h>
#include <wasmgate/log.h>
#include <wasmgate/types.h>

namespace wasmgate::wrapper {
class HttpContext;
class PluginContext;
}  // namespace wasmgate::wrapper

namespace wasmgate::wrapper::internal {

struct PluginSpec {
  std::string name;
  std::function<std::shared_ptr<void>()> newConfig;
  std::function<Error(PluginContext&, const Json&, void* config)> parseGlobal;
  // Optional override parser (rules inherit the parsed global config).
  std::function<Error(PluginContext&, const Json&, const void* global, void* config)> parseRule;
  std::function<Error(PluginContext&)> prePluginStartOrReload;

  std::function<types::Action(HttpContext&, void*)> onRequestHeaders;
  std::function<types::Action(HttpContext&, void*, std::string_view)> onRequestBody;
  std::function<std::string(HttpContext&, void*, std::string_view, bool)> onStreamingRequestBody;
  std::function<types::Action(HttpContext&, void*)> onResponseHeaders;
  std::function<types::Action(HttpContext&, void*, std::string_view)> onResponseBody;
  std::function<std::string(HttpContext&, void*, std::string_view, bool)> onStreamingResponseBody;
  std::function<void(HttpContext&, void*)> onStreamDone;

  uint64_t rebuildAfterRequests = 0;
  uint64_t rebuildMaxMemBytes = 0;
  uint64_t maxRequestsPerIoCycle = 0;
  std::shared_ptr<log::Log> logger;  // nullptr: keep the current global logger
  bool safeLog = false;
};

// Installs the plugin as the VM context (proxywasm::SetVMContext) and its logger.
void InstallPlugin(PluginSpec spec);

// Normalises what user callbacks may return: bool (false = failed), Error, or nothing.
inline Error ToError(Error e) { return e; }
inline Error ToError(bool ok) { return ok ? Error() : Error("the parse function returned false"); }

}  // namespace wasmgate::wrapper::internal
