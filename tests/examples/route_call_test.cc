// The route-call example through the harness: the buffered request is re-sent as POST to the
// validate path of the same route (original method, path and host kept in x-envoy-original-*),
// and the upstream's answer reaches the client wrapped, whatever its status.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

TestHost load() {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/route-call.wasm", R"({"validate_path": "/internal/validate"})");
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

HttpStream sendOrder(TestHost& host) {
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "PUT"}, {":path", "/orders/9"}, {":authority", "shop.example.com"},
                                 {"content-length", "11"}, {"accept-encoding", "gzip"}}),
            HeaderAction::StopIteration);
  EXPECT_EQ(http.requestBody("{\"qty\": 3}", true), DataAction::Continue);
  return http;
}

TEST(RouteCall, TheRequestIsResentToTheValidatePath) {
  auto host = load();
  auto http = sendOrder(host);
  EXPECT_EQ(http.requestHeader(":method"), "POST");
  EXPECT_EQ(http.requestHeader(":path"), "/internal/validate");
  EXPECT_EQ(http.requestHeader("x-envoy-original-method"), "PUT");
  EXPECT_EQ(http.requestHeader("x-envoy-original-path"), "/orders/9");
  EXPECT_EQ(http.requestHeader("x-envoy-original-host"), "shop.example.com");
  EXPECT_EQ(http.requestHeader("content-type"), "application/json");
  EXPECT_FALSE(http.requestHeader("content-length").has_value());
  EXPECT_FALSE(http.requestHeader("accept-encoding").has_value());
  EXPECT_EQ(http.request().body, "{\"qty\": 3}");
  EXPECT_FALSE(http.requestHeld());
  EXPECT_EQ(http.request().forwarded_body_bytes, 10u) << "headers and the new body went upstream";
}

TEST(RouteCall, TheUpstreamAnswerIsWrapped) {
  auto host = load();
  auto http = sendOrder(host);
  EXPECT_EQ(http.responseHeaders({{":status", "200"}, {"content-length", "12"}}), HeaderAction::StopIteration);
  EXPECT_EQ(http.responseBody("{\"ok\":", false), DataAction::StopIterationAndBuffer);
  EXPECT_EQ(http.responseBody("true}", true), DataAction::Continue);
  EXPECT_EQ(http.response().body, "{\"validated\": true, \"result\": {\"ok\":true}}");
  EXPECT_EQ(http.responseHeader("x-validate-status"), "200");
  EXPECT_FALSE(http.responseHeader("content-length").has_value());
}

TEST(RouteCall, AFailedValidationIsWrappedToo) {
  auto host = load();
  auto http = sendOrder(host);
  http.responseHeaders({{":status", "422"}});
  http.responseBody("{\"error\":\"qty\"}", true);
  EXPECT_EQ(http.response().body, "{\"validated\": false, \"result\": {\"error\":\"qty\"}}");
  EXPECT_EQ(http.responseHeader("x-validate-status"), "422");
}

TEST(RouteCall, ABodilessRequestPassesUntouched) {
  auto host = load();
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/orders"}}, true), HeaderAction::Continue);
  EXPECT_EQ(http.requestHeader(":path"), "/orders");
}

}  // namespace
