// The plugin author's entry point (Go: github.com/higress-group/wasm-go pkg/wrapper):
//
//   struct MyConfig { bool enabled = false; };
//   bool parseConfig(const wrapper::Json& json, MyConfig& config) { ...; return true; }
//   types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, MyConfig& config) { ... }
//   WASMGATE_PLUGIN_INIT() {
//     wrapper::SetCtx<MyConfig>("my-plugin", wrapper::ParseConfig(parseConfig),
//                               wrapper::ProcessRequestHeaders(onHttpRequestHeaders));
//   }
//
// Public header. Brings the namespaces wrapper::, proxywasm::, types::, log:: and resp:: into the
// global namespace (define WASMGATE_NO_GLOBAL_NAMESPACES to keep them under wasmgate::).
// Handlers may take the config as C&, const C& or C. Parse functions may return bool or
// wrapper::Error (an Error's message appears in the configure-failure log line, so name the field).
// Options are applied in order; a later parse option replaces an earlier one. Single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>

#include <wasmgate/check.h>
#include <wasmgate/cluster.h>
#include <wasmgate/error.h>
#include <wasmgate/http_client.h>
#include <wasmgate/http_context.h>
#include <wasmgate/internal/plugin_spec.h>
#include <wasmgate/json.h>
#include <wasmgate/log.h>
#include <wasmgate/plugin_context.h>
#include <wasmgate/proxywasm.h>
#include <wasmgate/redis.h>
#include <wasmgate/resp.h>
#include <wasmgate/types.h>

namespace wasmgate::wrapper {

// Option values (built by the functions below; SetCtx applies them).
template <typename F> struct ParseConfigOption { F f; };             // f(const Json&, C&)
template <typename F> struct ParseConfigWithContextOption { F f; };  // f(PluginContext&, const Json&, C&)
template <typename F> struct ParseRawConfigOption { F f; };          // f(std::string_view raw, C&)
template <typename F, typename G> struct ParseOverrideConfigOption { F global; G rule; };
template <typename F, typename G> struct ParseOverrideRawConfigOption { F global; G rule; };
template <typename F> struct PrePluginStartOrReloadOption { F f; };
template <typename F> struct RequestHeadersOption { F f; };
template <typename F> struct RequestBodyOption { F f; };
template <typename F> struct StreamingRequestBodyOption { F f; };
template <typename F> struct ResponseHeadersOption { F f; };
template <typename F> struct ResponseBodyOption { F f; };
template <typename F> struct StreamingResponseBodyOption { F f; };
template <typename F> struct StreamDoneOption { F f; };
struct RebuildAfterRequestsOption { uint64_t requests; };
struct RebuildMaxMemBytesOption { uint64_t bytes; };
struct MaxRequestsPerIoCycleOption { uint64_t requests; };
struct LoggerOption { std::shared_ptr<log::Log> logger; };
struct SafeLogOption {};

// Config parsers. The global parser also parses every rule unless an override parser is given.
template <typename F> auto ParseConfig(F f) { return ParseConfigOption<F>{std::move(f)}; }
template <typename F> auto ParseConfigWithContext(F f) { return ParseConfigWithContextOption<F>{std::move(f)}; }
// Raw JSON text: the whole config (with _rules_) for the global one, the rule object for a rule.
template <typename F> auto ParseRawConfig(F f) { return ParseRawConfigOption<F>{std::move(f)}; }
// `rule(const Json&, const C& global, C& config)` starts from the parsed global config.
template <typename F, typename G> auto ParseOverrideConfig(F global, G rule) {
  return ParseOverrideConfigOption<F, G>{std::move(global), std::move(rule)};
}
template <typename F, typename G> auto ParseOverrideRawConfig(F global, G rule) {
  return ParseOverrideRawConfigOption<F, G>{std::move(global), std::move(rule)};
}
// f(PluginContext&) -> Error/bool/void, first thing of every plugin start; an error fails it.
template <typename F> auto PrePluginStartOrReload(F f) { return PrePluginStartOrReloadOption<F>{std::move(f)}; }

// f(HttpContext&, C&) -> types::Action
template <typename F> auto ProcessRequestHeaders(F f) { return RequestHeadersOption<F>{std::move(f)}; }
// f(HttpContext&, C&, std::string_view body) -> types::Action, once with the whole body.
template <typename F> auto ProcessRequestBody(F f) { return RequestBodyOption<F>{std::move(f)}; }
// f(HttpContext&, C&, std::string_view chunk, bool isLastChunk) -> std::string replacing the chunk.
template <typename F> auto ProcessStreamingRequestBody(F f) { return StreamingRequestBodyOption<F>{std::move(f)}; }
template <typename F> auto ProcessResponseHeaders(F f) { return ResponseHeadersOption<F>{std::move(f)}; }
template <typename F> auto ProcessResponseBody(F f) { return ResponseBodyOption<F>{std::move(f)}; }
template <typename F> auto ProcessStreamingResponseBody(F f) { return StreamingResponseBodyOption<F>{std::move(f)}; }
// f(HttpContext&, C&), at access-log time (proxy_on_log).
template <typename F> auto ProcessStreamDone(F f) { return StreamDoneOption<F>{std::move(f)}; }

// Ask the host to rebuild this VM after n requests (property wasm_need_rebuild).
inline RebuildAfterRequestsOption WithRebuildAfterRequests(uint64_t n) { return {n}; }
// ... or once its memory (property plugin_vm_memory) reaches `bytes`.
inline RebuildMaxMemBytesOption WithRebuildMaxMemBytes(uint64_t bytes) { return {bytes}; }
// Host-wide cap on requests per I/O cycle (foreign set_global_max_requests_per_io_cycle).
inline MaxRequestsPerIoCycleOption WithMaxRequestsPerIoCycle(uint64_t n) { return {n}; }
inline LoggerOption WithLogger(std::shared_ptr<log::Log> logger) { return {std::move(logger)}; }
inline SafeLogOption EnableSafeLog() { return {}; }

// Runs f every `periodMs` (checked on 100 ms host ticks). Only calls made while the plugin
// starts (i.e. from a parse function) count; they belong to that plugin configuration.
void RegisterTickFunc(int64_t periodMs, std::function<void()> f);

namespace internal {

template <typename C> C& cfg(void* p) { return *static_cast<C*>(p); }
template <typename C> const C& cfg(const void* p) { return *static_cast<const C*>(p); }

template <typename C, typename F> void Apply(PluginSpec& s, ParseConfigOption<F> o) {
  s.parseGlobal = [f = std::move(o.f)](PluginContext&, const Json& j, void* c) { return ToError(f(j, cfg<C>(c))); };
  s.parseRule = nullptr;
}
template <typename C, typename F> void Apply(PluginSpec& s, ParseConfigWithContextOption<F> o) {
  s.parseGlobal = [f = std::move(o.f)](PluginContext& p, const Json& j, void* c) {
    return ToError(f(p, j, cfg<C>(c)));
  };
  s.parseRule = nullptr;
}
template <typename C, typename F> void Apply(PluginSpec& s, ParseRawConfigOption<F> o) {
  s.parseGlobal = [f = std::move(o.f)](PluginContext&, const Json& j, void* c) {
    return ToError(f(j.raw(), cfg<C>(c)));
  };
  s.parseRule = nullptr;
}
template <typename C, typename F, typename G> void Apply(PluginSpec& s, ParseOverrideConfigOption<F, G> o) {
  s.parseGlobal = [f = std::move(o.global)](PluginContext&, const Json& j, void* c) {
    return ToError(f(j, cfg<C>(c)));
  };
  s.parseRule = [g = std::move(o.rule)](PluginContext&, const Json& j, const void* global, void* c) {
    return ToError(g(j, cfg<C>(global), cfg<C>(c)));
  };
}
template <typename C, typename F, typename G> void Apply(PluginSpec& s, ParseOverrideRawConfigOption<F, G> o) {
  s.parseGlobal = [f = std::move(o.global)](PluginContext&, const Json& j, void* c) {
    return ToError(f(j.raw(), cfg<C>(c)));
  };
  s.parseRule = [g = std::move(o.rule)](PluginContext&, const Json& j, const void* global, void* c) {
    return ToError(g(j.raw(), cfg<C>(global), cfg<C>(c)));
  };
}
template <typename C, typename F> void Apply(PluginSpec& s, PrePluginStartOrReloadOption<F> o) {
  s.prePluginStartOrReload = [f = std::move(o.f)](PluginContext& p) -> Error {
    if constexpr (std::is_void_v<decltype(f(p))>) {
      f(p);
      return {};
    } else {
      return ToError(f(p));
    }
  };
}
template <typename C, typename F> void Apply(PluginSpec& s, RequestHeadersOption<F> o) {
  s.onRequestHeaders = [f = std::move(o.f)](HttpContext& h, void* c) -> types::Action { return f(h, cfg<C>(c)); };
}
template <typename C, typename F> void Apply(PluginSpec& s, RequestBodyOption<F> o) {
  s.onRequestBody = [f = std::move(o.f)](HttpContext& h, void* c, std::string_view b) -> types::Action {
    return f(h, cfg<C>(c), b);
  };
}
template <typename C, typename F> void Apply(PluginSpec& s, StreamingRequestBodyOption<F> o) {
  s.onStreamingRequestBody = [f = std::move(o.f)](HttpContext& h, void* c, std::string_view b, bool last) {
    return std::string(f(h, cfg<C>(c), b, last));
  };
}
template <typename C, typename F> void Apply(PluginSpec& s, ResponseHeadersOption<F> o) {
  s.onResponseHeaders = [f = std::move(o.f)](HttpContext& h, void* c) -> types::Action { return f(h, cfg<C>(c)); };
}
template <typename C, typename F> void Apply(PluginSpec& s, ResponseBodyOption<F> o) {
  s.onResponseBody = [f = std::move(o.f)](HttpContext& h, void* c, std::string_view b) -> types::Action {
    return f(h, cfg<C>(c), b);
  };
}
template <typename C, typename F> void Apply(PluginSpec& s, StreamingResponseBodyOption<F> o) {
  s.onStreamingResponseBody = [f = std::move(o.f)](HttpContext& h, void* c, std::string_view b, bool last) {
    return std::string(f(h, cfg<C>(c), b, last));
  };
}
template <typename C, typename F> void Apply(PluginSpec& s, StreamDoneOption<F> o) {
  s.onStreamDone = [f = std::move(o.f)](HttpContext& h, void* c) { f(h, cfg<C>(c)); };
}
template <typename C> void Apply(PluginSpec& s, RebuildAfterRequestsOption o) { s.rebuildAfterRequests = o.requests; }
template <typename C> void Apply(PluginSpec& s, RebuildMaxMemBytesOption o) { s.rebuildMaxMemBytes = o.bytes; }
template <typename C> void Apply(PluginSpec& s, MaxRequestsPerIoCycleOption o) { s.maxRequestsPerIoCycle = o.requests; }
template <typename C> void Apply(PluginSpec& s, LoggerOption o) { s.logger = std::move(o.logger); }
template <typename C> void Apply(PluginSpec& s, SafeLogOption) { s.safeLog = true; }

template <typename T> struct IsParseOption : std::false_type {};
template <typename F> struct IsParseOption<ParseConfigOption<F>> : std::true_type {};
template <typename F> struct IsParseOption<ParseConfigWithContextOption<F>> : std::true_type {};
template <typename F> struct IsParseOption<ParseRawConfigOption<F>> : std::true_type {};
template <typename F, typename G> struct IsParseOption<ParseOverrideConfigOption<F, G>> : std::true_type {};
template <typename F, typename G> struct IsParseOption<ParseOverrideRawConfigOption<F, G>> : std::true_type {};

template <typename C, typename... Opts>
PluginSpec MakeSpec(std::string_view pluginName, Opts&&... opts) {
  static_assert(std::is_empty_v<C> || (IsParseOption<std::decay_t<Opts>>::value || ...),
                "SetCtx: a config type with fields needs a parse option (ParseConfig, ParseRawConfig, ...)");
  PluginSpec spec;
  spec.name = std::string(pluginName);
  spec.newConfig = [] { return std::static_pointer_cast<void>(std::make_shared<C>()); };
  spec.parseGlobal = [](PluginContext&, const Json&, void*) { return Error(); };
  (Apply<C>(spec, std::forward<Opts>(opts)), ...);
  return spec;
}

}  // namespace internal

// Registers the plugin with a default logger "[<pluginName>] ...".
template <typename C, typename... Opts>
void SetCtx(std::string_view pluginName, Opts&&... opts) {
  internal::PluginSpec spec =
      internal::MakeSpec<C>(pluginName, WithLogger(std::make_shared<log::DefaultLog>(std::string(pluginName))),
                            std::forward<Opts>(opts)...);
  internal::InstallPlugin(std::move(spec));
}

// Like SetCtx but installs no default logger (give WithLogger, or logs go out unprefixed).
template <typename C, typename... Opts>
void SetCtxWithOptions(std::string_view pluginName, Opts&&... opts) {
  internal::InstallPlugin(internal::MakeSpec<C>(pluginName, std::forward<Opts>(opts)...));
}

// Go helpers (pkg/wrapper): true when the response came from the upstream, not a local reply.
bool IsResponseFromUpstream();
// The plugin name property (plugin_name).
std::string GetPluginFingerPrint();

}  // namespace wasmgate::wrapper

// Defines the function that registers the plugin; it runs when the module starts (_initialize),
// like Go's init().
#define WASMGATE_PLUGIN_INIT()                                                        \
  static void wasmgate_plugin_init_();                                                \
  [[maybe_unused]] static const bool wasmgate_plugin_registered_ = (wasmgate_plugin_init_(), true); \
  static void wasmgate_plugin_init_()

#if !defined(WASMGATE_NO_GLOBAL_NAMESPACES)
// Aliases in a namespace of their own, so `log::` does not clash with ::log from <math.h>
// (lookup before `::` ignores functions).
namespace wasmgate::plugin_namespaces {
namespace wrapper = ::wasmgate::wrapper;
namespace proxywasm = ::wasmgate::proxywasm;
namespace types = ::wasmgate::types;
namespace log = ::wasmgate::log;
namespace resp = ::wasmgate::resp;
}  // namespace wasmgate::plugin_namespaces
using namespace wasmgate::plugin_namespaces;
#endif
