// greeter: the plugin of the packaging test's sample project. Adds x-greeting to every request
// and answers 403 for paths under a blocked prefix. Config: {"greeting": "hi", "blocked_prefix": "/admin"}
#include <string>

#include <wasmgate/wrapper.h>

struct GreeterConfig {
  std::string greeting;
  std::string blockedPrefix;
};

wrapper::Error parseConfig(const wrapper::Json& json, GreeterConfig& config) {
  config.greeting = json.get("greeting").asString();
  if (config.greeting.empty()) return wrapper::Error("field 'greeting': required");
  config.blockedPrefix = json.get("blocked_prefix").asString();
  return {};
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, const GreeterConfig& config) {
  if (!config.blockedPrefix.empty() && ctx.Path().starts_with(config.blockedPrefix)) {
    proxywasm::SendHttpResponse(403, {{"content-type", "text/plain"}}, "blocked by greeter");
    return types::HeaderStopIteration;
  }
  proxywasm::AddHttpRequestHeader("x-greeting", config.greeting);
  return types::HeaderContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<GreeterConfig>("greeter",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders));
}
