// The context interfaces the SDK's export dispatch drives (Go: proxywasm/types VMContext,
// PluginContext, HttpContext), and SetVMContext to install a plugin. wrapper::SetCtx implements
// them for you; implement them directly only for a plugin without the wrapper.
//
// Public header. Single-threaded. The dispatch (sdk/src/dispatch.cc) owns every context: a plugin
// (root) context per proxy_on_context_create(id, 0), an HTTP context per stream; both are deleted
// on proxy_on_delete.
#pragma once

#include <cstdint>
#include <memory>

#include <wasmgate/types.h>

namespace wasmgate::types {

// One HTTP stream. Defaults continue everything.
class HttpContext {
 public:
  virtual ~HttpContext() = default;
  virtual Action OnHttpRequestHeaders(uint32_t /*numHeaders*/, bool /*endOfStream*/) { return HeaderContinue; }
  virtual Action OnHttpRequestBody(uint32_t /*bodySize*/, bool /*endOfStream*/) { return DataContinue; }
  virtual Action OnHttpRequestTrailers(uint32_t /*numTrailers*/) { return TrailerContinue; }
  virtual Action OnHttpResponseHeaders(uint32_t /*numHeaders*/, bool /*endOfStream*/) { return HeaderContinue; }
  virtual Action OnHttpResponseBody(uint32_t /*bodySize*/, bool /*endOfStream*/) { return DataContinue; }
  virtual Action OnHttpResponseTrailers(uint32_t /*numTrailers*/) { return TrailerContinue; }
  // proxy_on_log: the stream is complete (access-log time).
  virtual void OnHttpStreamDone() {}
};

// One plugin configuration (root context).
class PluginContext {
 public:
  virtual ~PluginContext() = default;
  virtual OnPluginStartStatus OnPluginStart(uint32_t /*pluginConfigurationSize*/) {
    return OnPluginStartStatus::OK;
  }
  // false: the plugin will call proxy_done itself later.
  virtual bool OnPluginDone() { return true; }
  virtual void OnTick() {}
  virtual void OnQueueReady(uint32_t /*queueId*/) {}
  // nullptr: this plugin does not handle HTTP streams.
  virtual std::unique_ptr<HttpContext> NewHttpContext(uint32_t /*contextId*/) { return nullptr; }
  // Takes back a stream context of this plugin once its stream has ended (after its last
  // callback). The default destroys it; a plugin may keep it for a later NewHttpContext.
  virtual void EndHttpContext(std::unique_ptr<HttpContext> /*context*/) {}
};

// The VM: creates plugin contexts.
class VMContext {
 public:
  virtual ~VMContext() = default;
  virtual OnPluginStartStatus OnVMStart(uint32_t /*vmConfigurationSize*/) { return OnPluginStartStatus::OK; }
  virtual std::unique_ptr<PluginContext> NewPluginContext(uint32_t contextId) = 0;
};

}  // namespace wasmgate::types

namespace wasmgate::proxywasm {

// Installs the plugin; call once while the module starts (WASMGATE_PLUGIN_INIT / a static
// initialiser). A second call replaces the first.
void SetVMContext(std::unique_ptr<types::VMContext> vm);

// The context the host is currently calling into (0 outside any call).
uint32_t CurrentContextId();
// The plugin (root) context of the current call: itself for a root, the parent for a stream.
uint32_t CurrentPluginContextId();

}  // namespace wasmgate::proxywasm
