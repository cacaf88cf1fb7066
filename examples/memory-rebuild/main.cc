// memory-rebuild: the memory-management options of the advanced-patterns reference, on a plugin
// that needs them: an in-memory response cache without eviction. Its memory only grows (a wasm
// VM never gives memory back), so the plugin asks the gateway to rebuild its VM
//  - after every 1000 requests (WithRebuildAfterRequests), and
//  - once the VM's linear memory reaches 8 MiB (WithRebuildMaxMemBytes),
// which empties the cache. The SDK does both checks in the request-header phase and sets the
// property wasm_need_rebuild; Higress rebuilds the VM between requests.
// Cache: GET responses with status 200 are stored by path; a later GET of the path is answered
// from the cache (x-cache: HIT), others pass (x-cache: MISS). Config: {} (or {"enabled": false}).
#include <map>
#include <string>

#include <wasmgate/wrapper.h>

struct CacheConfig {
  bool enabled = true;
};

std::map<std::string, std::string, std::less<>>& cache() {
  static auto* entries = new std::map<std::string, std::string, std::less<>>();  // per VM, never freed
  return *entries;
}

bool parseConfig(const wrapper::Json& json, CacheConfig& config) {
  config.enabled = json.get("enabled").asBool(true);
  return true;
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, const CacheConfig& config) {
  if (!config.enabled || ctx.Method() != "GET") {
    ctx.DontReadResponseBody();
    return types::HeaderContinue;
  }
  if (auto hit = cache().find(ctx.Path()); hit != cache().end()) {
    proxywasm::SendHttpResponse(200, {{"x-cache", "HIT"}}, hit->second, -1);
    return types::HeaderStopAllIterationAndWatermark;
  }
  ctx.SetContext("cacheable", true);
  return types::HeaderContinue;
}

types::Action onHttpResponseHeaders(wrapper::HttpContext& ctx, const CacheConfig&) {
  if (!ctx.GetBoolContext("cacheable", false)) return types::HeaderContinue;
  proxywasm::AddHttpResponseHeader("x-cache", "MISS");
  auto status = proxywasm::GetHttpResponseHeader(":status");
  if (status.value != "200") ctx.DontReadResponseBody();
  return types::HeaderContinue;
}

types::Action onHttpResponseBody(wrapper::HttpContext& ctx, const CacheConfig&, std::string_view body) {
  cache().insert_or_assign(ctx.Path(), std::string(body));
  log::Debugf("cached %s (%d bytes, %d entries)", ctx.Path(), body.size(), cache().size());
  return types::ActionContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<CacheConfig>("memory-rebuild",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders),
      wrapper::ProcessResponseBody(onHttpResponseBody),
      wrapper::WithRebuildAfterRequests(1000),
      wrapper::WithRebuildMaxMemBytes(8u << 20));
}
