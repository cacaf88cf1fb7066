// route-call: send the request, changed, to the current route's upstream and post-process the
// answer before the client sees it (advanced-patterns reference, RouteCall). A JSON body posted to
// any path is re-sent as POST <validate_path> to the same upstream; its answer is wrapped as
//   {"validated": <upstream status == 200>, "result": <upstream body>}
// with the upstream status in x-validate-status. RouteCall only works from the request body
// phase, after the header phase returned HeaderStopIteration.
// Config: {"validate_path": "/internal/validate"}
#include <string>

#include <wasmgate/wrapper.h>

struct RouteCallConfig {
  std::string validatePath;
};

wrapper::Error parseConfig(const wrapper::Json& json, RouteCallConfig& config) {
  config.validatePath = json.get("validate_path").asString("/internal/validate");
  if (config.validatePath.empty() || config.validatePath[0] != '/') {
    return wrapper::Errorf("field 'validate_path': %q must start with '/'", config.validatePath);
  }
  return {};
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, const RouteCallConfig&) {
  if (!ctx.HasRequestBody()) return types::HeaderContinue;
  return types::HeaderStopIteration;
}

types::Action onHttpRequestBody(wrapper::HttpContext& ctx, const RouteCallConfig& config, std::string_view body) {
  auto err = ctx.RouteCall("POST", config.validatePath, {{"content-type", "application/json"}}, body,
      [](int status, const types::Headers&, std::string_view answer) {
        std::string wrapped = std::string("{\"validated\": ") + (status == 200 ? "true" : "false") +
                              ", \"result\": " + (answer.empty() ? std::string("null") : std::string(answer)) + "}";
        proxywasm::ReplaceHttpResponseHeader("x-validate-status", std::to_string(status));
        proxywasm::ReplaceHttpResponseHeader("content-type", "application/json");
        proxywasm::ReplaceHttpResponseBody(wrapped);
      });
  if (err) {
    log::Errorf("route call failed: %v", err);
    proxywasm::SendHttpResponse(500, {}, "route call failed", -1);
  }
  return types::ActionContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<RouteCallConfig>("route-call",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders),
      wrapper::ProcessRequestBody(onHttpRequestBody));
}
