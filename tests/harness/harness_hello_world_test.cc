// The harness against the SDK's hello-world example (a real plugin built with the wasmgate SDK):
// config parsing, request and response header mutation, and per-route/domain/service rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;
using ::testing::HasSubstr;

const std::string kHelloWorld = WASMGATE_PLUGIN_DIR "/hello-world.wasm";

TEST(HelloWorld, AddsTheHeaderWhenEnabled) {
  auto host = TestHost::load(kHelloWorld, R"({"enabled": true})");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":authority", "a.com"}, {":path", "/"}, {":method", "GET"}}),
            HeaderAction::Continue);
  EXPECT_EQ(http.requestHeader("x-my-header"), "hello");
  EXPECT_FALSE(http.requestHeld());
  EXPECT_FALSE(http.localResponse().has_value());
}

TEST(HelloWorld, LeavesTheRequestAloneWhenDisabled) {
  auto host = TestHost::load(kHelloWorld, R"({"enabled": false})");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":path", "/"}, {":method", "GET"}}), HeaderAction::Continue);
  EXPECT_EQ(http.requestHeader("x-my-header"), std::nullopt);
  // The default :authority was added to the request, as Higress's Go test host does.
  EXPECT_EQ(http.requestHeader(":authority"), "default.test.com");
}

TEST(HelloWorld, TagsTheResponseWithTheRequestPath) {
  auto host = TestHost::load(kHelloWorld, R"({"enabled": true})");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":path", "/api/v1"}, {":method", "GET"}}, /*end_of_stream=*/true);
  EXPECT_EQ(http.responseHeaders({{":status", "200"}, {"Content-Type", "text/plain"}}), HeaderAction::Continue);
  EXPECT_EQ(http.responseHeader("x-hello-world"), "/api/v1");
  EXPECT_EQ(http.responseHeader("content-type"), "text/plain") << "keys are lower-cased like Envoy's";
  EXPECT_TRUE(http.complete().ok());
  EXPECT_FALSE(http.complete().ok()) << "a stream completes once";
}

TEST(HelloWorld, LogsThatItStarted) {
  auto host = TestHost::load(kHelloWorld, R"({"enabled": true})");
  ASSERT_TRUE(host.ok()) << host.message();
  EXPECT_FALSE(host->logs().empty());
  for (const LogLine& line : host->logs()) EXPECT_EQ(line.plugin, "hello-world");
}

TEST(HelloWorld, RouteRuleOverridesTheGlobalConfig) {
  auto host = TestHost::load(kHelloWorld, configWithRules(R"({"enabled": false})",
                                                          {Rule::route({"default/api"}, R"({"enabled": true})")}));
  ASSERT_TRUE(host.ok()) << host.message();

  auto matching = host->newHttp();
  matching.setRouteName("default/api");
  matching.requestHeaders({{":path", "/"}});
  EXPECT_EQ(matching.requestHeader("x-my-header"), "hello");

  auto other = host->newHttp();  // route_name stays test-route-default: the global config applies
  other.requestHeaders({{":path", "/"}});
  EXPECT_EQ(other.requestHeader("x-my-header"), std::nullopt);
}

TEST(HelloWorld, DomainAndServiceRules) {
  auto host = TestHost::load(kHelloWorld, configWithRules("", {
      Rule::domain({"*.example.com"}, R"({"enabled": true})"),
      Rule::service({"svc.ns.svc.cluster.local:8080"}, R"({"enabled": true})")}));
  ASSERT_TRUE(host.ok()) << host.message();

  auto by_domain = host->newHttp();
  by_domain.requestHeaders({{":authority", "shop.example.com:443"}, {":path", "/"}});
  EXPECT_EQ(by_domain.requestHeader("x-my-header"), "hello");

  auto by_service = host->newHttp();
  by_service.setClusterName("outbound|8080||svc.ns.svc.cluster.local");
  by_service.requestHeaders({{":path", "/"}});
  EXPECT_EQ(by_service.requestHeader("x-my-header"), "hello");

  auto neither = host->newHttp();
  neither.setAuthority("other.org");
  neither.requestHeaders({{":path", "/"}});
  EXPECT_EQ(neither.requestHeader("x-my-header"), std::nullopt);
}

TEST(HelloWorld, AStreamThatOutlivesItsHostFailsCleanly) {
  std::optional<HttpStream> survivor;
  {
    auto host = TestHost::load(kHelloWorld, R"({"enabled": true})");
    ASSERT_TRUE(host.ok()) << host.message();
    survivor.emplace(host->newHttp());
  }
  EXPECT_EQ(survivor->requestHeaders({{":path", "/"}}), HeaderAction::StopAllIterationAndWatermark);
  EXPECT_THAT(survivor->error(), HasSubstr("TestHost"));
}

TEST(Load, ReportsAMissingFileByName) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/no-such-plugin.wasm");
  ASSERT_FALSE(host.ok());
  EXPECT_THAT(host.message(), HasSubstr("no-such-plugin.wasm"));
}

TEST(Load, ReportsBytesThatAreNotWasm) {
  const std::string junk = "this is not a wasm module";
  auto host = TestHost::loadBytes({reinterpret_cast<const uint8_t*>(junk.data()), junk.size()});
  ASSERT_FALSE(host.ok());
  EXPECT_THAT(host.message(), HasSubstr("plugin"));
}

TEST(Load, ReportsABadRuleConfigBeforeLoading) {
  auto host = TestHost::load(kHelloWorld, configWithRules("{}", {Rule{}}));
  ASSERT_FALSE(host.ok());
  EXPECT_THAT(host.message(), HasSubstr("rule 0 matches nothing"));
}

}  // namespace
