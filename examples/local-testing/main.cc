// local-testing: the plugin of the local-testing reference's setup ("wasmdemo" with the
// configuration {"mockEnable": false}). With mockEnable the plugin answers every request itself
// with a mocked JSON body, so the upstream (httpbin) is never reached; without it the request
// goes on, tagged so the echo from httpbin shows that the plugin ran. The same plugin runs
// under the harness (tests/examples/local_testing_test.cc) and in `wasmgate run` with
// examples/local-testing/local.yaml, the counterpart of the reference's docker-compose.yaml and
// envoy.yaml.
// Config: {"mockEnable": false}
#include <string>

#include <wasmgate/wrapper.h>

struct DemoConfig {
  bool mockEnable = false;
};

wrapper::Error parseConfig(const wrapper::Json& json, DemoConfig& config) {
  wrapper::Json mock = json.get("mockEnable");
  if (mock.exists() && !mock.isBool()) return wrapper::Error("field 'mockEnable': must be true or false");
  config.mockEnable = mock.asBool();
  return {};
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, DemoConfig& config) {
  if (config.mockEnable) {
    log::Debugf("mocking %s %s", ctx.Method(), ctx.Path());
    proxywasm::SendHttpResponse(200, {{"content-type", "application/json"}, {"x-wasmdemo", "mock"}},
                                "{\"mock\": true, \"path\": \"" + ctx.Path() + "\"}\n", -1);
    return types::ActionContinue;
  }
  proxywasm::AddHttpRequestHeader("x-wasmdemo", "passed");
  return types::HeaderContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<DemoConfig>("wasmdemo",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders));
}
