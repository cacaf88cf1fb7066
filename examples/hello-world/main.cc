// hello-world: the smallest wasmgate plugin. With {"enabled": true} it adds x-my-header: hello to
// every request, and always tags responses with x-hello-world: <request path>.
#include <wasmgate/wrapper.h>

struct MyConfig {
  bool enabled = false;
};

bool parseConfig(const wrapper::Json& json, MyConfig& config) {
  config.enabled = json.get("enabled").asBool();
  return true;
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, MyConfig& config) {
  (void)ctx;
  if (config.enabled) proxywasm::AddHttpRequestHeader("x-my-header", "hello");
  return types::HeaderContinue;
}

types::Action onHttpResponseHeaders(wrapper::HttpContext& ctx, MyConfig&) {
  proxywasm::AddHttpResponseHeader("x-hello-world", ctx.Path());
  return types::HeaderContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<MyConfig>("hello-world",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders));
}
