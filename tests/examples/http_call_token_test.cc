// The http-call-token example through the harness: the token service's token is copied into the
// request, 401/403 from the service become 403, and every other failure (error status, missing
// token, no answer, no cluster) becomes 500.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

const char* kConfig = R"({"serviceName": "token.auth.svc.cluster.local", "servicePort": 8080,
  "tokenPath": "/token?aud=api", "tokenHeader": "x-auth-token", "timeout": 1000})";

TestHost load(LoadOptions options = {}) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/http-call-token.wasm", kConfig, std::move(options));
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

HttpStream startRequest(TestHost& host) {
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/data"}, {"authorization", "Basic dTpw"}}, true),
            HeaderAction::StopAllIterationAndWatermark);
  return http;
}

TEST(HttpCallToken, TheTokenIsCopiedIntoTheRequest) {
  auto host = load();
  auto http = startRequest(host);
  ASSERT_EQ(host.httpCalls().size(), 1u);
  HttpCall call = host.httpCalls()[0];  // httpCalls() returns a copy
  EXPECT_EQ(call.cluster, "outbound|8080||token.auth.svc.cluster.local");
  EXPECT_EQ(call.path(), "/token?aud=api");
  EXPECT_EQ(call.header("authorization"), "Basic dTpw") << "the caller's credential goes to the token service";
  EXPECT_EQ(call.timeout_ms, 1000u);

  ASSERT_TRUE(host.respondHttpCall({.status = 200, .headers = {{"x-auth-token", "tk-42"}}}).ok());
  EXPECT_TRUE(http.requestContinued());
  EXPECT_EQ(http.requestHeader("x-auth-token"), "tk-42");
}

TEST(HttpCallToken, ASpoofedTokenIsReplaced) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/"}, {"x-auth-token", "forged"}}, true);
  ASSERT_TRUE(host.respondHttpCall({.status = 200, .headers = {{"x-auth-token", "real"}}}).ok());
  EXPECT_EQ(http.requestHeader("x-auth-token"), "real");
}

TEST(HttpCallToken, DeniedByTheServiceIs403) {
  for (uint32_t status : {401u, 403u}) {
    auto host = load();
    auto http = startRequest(host);
    ASSERT_TRUE(host.respondHttpCall({.status = status}).ok());
    ASSERT_TRUE(http.localResponse()) << status;
    EXPECT_EQ(http.localResponse()->status, 403u);
    EXPECT_EQ(http.localResponse()->body, "access denied");
    EXPECT_FALSE(http.requestContinued());
  }
}

TEST(HttpCallToken, OtherFailuresAre500) {
  auto host = load();
  auto noToken = startRequest(host);
  ASSERT_TRUE(host.respondHttpCall({.status = 200}).ok());
  ASSERT_TRUE(noToken.localResponse());
  EXPECT_EQ(noToken.localResponse()->status, 500u);
  EXPECT_TRUE(host.hasLog(LogLevel::Error, "token service answered 200 without a token")) << host.logDump();

  auto serverError = startRequest(host);
  ASSERT_TRUE(host.respondHttpCall({.status = 503, .headers = {{"x-auth-token", "stale"}}}).ok());
  ASSERT_TRUE(serverError.localResponse());
  EXPECT_EQ(serverError.localResponse()->status, 500u);
  EXPECT_FALSE(serverError.requestHeader("x-auth-token").has_value());

  auto noAnswer = startRequest(host);
  ASSERT_TRUE(host.failHttpCall().ok());
  ASSERT_TRUE(noAnswer.localResponse());
  EXPECT_EQ(noAnswer.localResponse()->status, 500u);
  EXPECT_EQ(noAnswer.localResponse()->body, "token service unavailable");
}

TEST(HttpCallToken, AMissingClusterIs500AtOnce) {
  auto host = load({.clusters = {"outbound|80||elsewhere"}});
  auto http = startRequest(host);
  EXPECT_TRUE(host.httpCalls().empty());
  ASSERT_TRUE(http.localResponse());
  EXPECT_EQ(http.localResponse()->status, 500u);
}

TEST(HttpCallToken, ConfigErrorsNameTheField) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/http-call-token.wasm", R"({"serviceName": "t", "timeout": -5})");
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.message().find("field 'timeout'"), std::string::npos) << host.message();
}

}  // namespace
