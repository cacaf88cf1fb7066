// The harness against the SDK's http-auth example: an outbound HTTP call held by the host until
// the test answers it, the request held with StopAllIteration until the plugin resumes it (and
// the body waiting in the host meanwhile), the local response on denial, a failed call, and a
// configuration the plugin rejects; each against the .wasm and the native build.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

#include "support/builds.h"

namespace {

using namespace wasmgate::testing;
using harness_test::Build;
using harness_test::loadExample;
using ::testing::HasSubstr;

const char* kConfig =
    R"({"service": {"fqdn": "auth.internal", "port": 8080}, "path": "/check", "timeout_ms": 1000,
        "forward_headers": ["authorization"]})";

// Every test runs against the .wasm and the native build of the same sources.
class HttpAuth : public ::testing::TestWithParam<Build> {
 protected:
  void SetUp() override {
    auto loaded = loadExample(GetParam(), "http-auth", kConfig);
    ASSERT_TRUE(loaded.ok()) << loaded.message();
    host.emplace(std::move(loaded).value());
  }
  std::optional<TestHost> host;
};
INSTANTIATE_TEST_SUITE_P(Builds, HttpAuth, ::testing::Values(Build::Wasm, Build::Native), harness_test::buildName);

class HttpAuthClusters : public ::testing::TestWithParam<Build> {};
INSTANTIATE_TEST_SUITE_P(Builds, HttpAuthClusters, ::testing::Values(Build::Wasm, Build::Native),
                         harness_test::buildName);
class HttpAuthConfig : public ::testing::TestWithParam<Build> {};
INSTANTIATE_TEST_SUITE_P(Builds, HttpAuthConfig, ::testing::Values(Build::Wasm, Build::Native),
                         harness_test::buildName);

TEST_P(HttpAuth, AsksTheAuthServiceAndHoldsTheRequest) {
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "POST"}, {":path", "/orders"}, {"Authorization", "Bearer t"}}),
            HeaderAction::StopAllIterationAndWatermark);
  EXPECT_TRUE(http.requestHeld());

  auto calls = host->httpCalls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].cluster, "outbound|8080||auth.internal");
  EXPECT_EQ(calls[0].method(), "GET");
  EXPECT_EQ(calls[0].path(), "/check");
  EXPECT_EQ(calls[0].authority(), "auth.internal");
  EXPECT_EQ(calls[0].header("x-original-path"), "/orders");
  EXPECT_EQ(calls[0].header("authorization"), "Bearer t");
  EXPECT_EQ(calls[0].timeout_ms, 1000u);
}

TEST_P(HttpAuth, AnAllowedRequestGoesOnWithTheUserHeader) {
  auto http = host->newHttp();
  http.requestHeaders({{":method", "POST"}, {":path", "/orders"}});
  // The body arrives while the headers are held with StopAllIteration: Envoy keeps it.
  EXPECT_EQ(http.requestBody("order=1"), DataAction::StopIterationAndBuffer);
  EXPECT_EQ(http.request().forwarded_body_bytes, 0u);

  ASSERT_TRUE(host->respondHttpCall({.status = 200, .headers = {{"x-user-id", "alice"}}, .body = ""}).ok());
  EXPECT_TRUE(host->httpCalls().empty());
  EXPECT_TRUE(http.requestContinued());
  EXPECT_FALSE(http.requestHeld());
  EXPECT_EQ(http.requestHeader("x-user-id"), "alice");
  // After the resume the waiting body reached the plugin and went on.
  EXPECT_EQ(http.request().body, "order=1");
  EXPECT_EQ(http.request().forwarded_body_bytes, 7u);
  EXPECT_FALSE(http.localResponse().has_value());
}

TEST_P(HttpAuth, ADeniedRequestGetsTheServicesAnswer) {
  auto http = host->newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/admin"}});
  ASSERT_TRUE(host->respondHttpCall({.status = 401, .headers = {}, .body = "token expired"}).ok());
  ASSERT_TRUE(http.localResponse().has_value());
  EXPECT_EQ(http.localResponse()->status, 403u);
  EXPECT_EQ(http.localResponse()->body, "token expired");
  EXPECT_EQ(http.localResponse()->details, "http-auth.denied");
  EXPECT_EQ(findHeader(http.localResponse()->headers, "content-type"), "text/plain");
  EXPECT_FALSE(http.requestContinued());
  EXPECT_TRUE(host->hasLog(LogLevel::Info, "access denied by the auth service (status 401)")) << host->logDump();
}

TEST_P(HttpAuth, AFailedCallIsADenial) {
  auto http = host->newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/"}});
  ASSERT_TRUE(host->failHttpCall().ok());
  ASSERT_TRUE(http.localResponse().has_value());
  EXPECT_EQ(http.localResponse()->status, 403u);
  EXPECT_EQ(http.localResponse()->body, "forbidden");
  EXPECT_TRUE(host->hasLog("status 502")) << "the SDK reports a call without response as 502\n" << host->logDump();
}

TEST_P(HttpAuth, AnsweringACallThatDoesNotExistIsAnError) {
  auto http = host->newHttp();
  EXPECT_FALSE(host->respondHttpCall({.status = 200, .headers = {}, .body = ""}).ok());
  http.requestHeaders({{":path", "/"}});
  const uint32_t token = host->httpCalls().at(0).token;
  auto wrong = host->respondHttpCall(token + 100, {.status = 200, .headers = {}, .body = ""});
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.message(), HasSubstr("no pending http call"));
}

TEST_P(HttpAuthClusters, AnUnknownClusterFailsTheDispatchAndTheRequestGoesOn) {
  auto host = loadExample(GetParam(), "http-auth", kConfig, {.clusters = {"outbound|80||other"}});
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":path", "/"}}), HeaderAction::Continue) << "the example fails open";
  EXPECT_TRUE(host->httpCalls().empty());
  EXPECT_TRUE(host->hasLog(LogLevel::Error, "auth call failed")) << host->logDump();
}

TEST_P(HttpAuthConfig, ARejectedConfigurationNamesTheFieldInTheLoadError) {
  auto host = loadExample(GetParam(), "http-auth", R"({"service": {"port": 8080}})");
  ASSERT_FALSE(host.ok());
  EXPECT_THAT(host.message(), HasSubstr("rejected its configuration"));
  EXPECT_THAT(host.message(), HasSubstr("service.fqdn")) << "the plugin's own error line is quoted";
}

}  // namespace
