// The harness against the SDK's hello-world example (a real plugin built with the wasmgate SDK):
// config parsing, request and response header mutation, and per-route/domain/service rules; each
// against the .wasm and against the native build of the same sources.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

#include "support/builds.h"

namespace {

using namespace wasmgate::testing;
using harness_test::Build;
using ::testing::HasSubstr;

const std::string kHelloWorld = WASMGATE_PLUGIN_DIR "/hello-world.wasm";

// Every HelloWorld test runs against the .wasm and the native build.
class HelloWorld : public ::testing::TestWithParam<Build> {
 protected:
  template <typename Config>
  Result<TestHost> load(const Config& configuration) {
    return harness_test::loadExample(GetParam(), "hello-world", configuration);
  }
};
INSTANTIATE_TEST_SUITE_P(Builds, HelloWorld, ::testing::Values(Build::Wasm, Build::Native), harness_test::buildName);

TEST_P(HelloWorld, AddsTheHeaderWhenEnabled) {
  auto host = load(R"({"enabled": true})");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":authority", "a.com"}, {":path", "/"}, {":method", "GET"}}),
            HeaderAction::Continue);
  EXPECT_EQ(http.requestHeader("x-my-header"), "hello");
  EXPECT_FALSE(http.requestHeld());
  EXPECT_FALSE(http.localResponse().has_value());
}

TEST_P(HelloWorld, LeavesTheRequestAloneWhenDisabled) {
  auto host = load(R"({"enabled": false})");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":path", "/"}, {":method", "GET"}}), HeaderAction::Continue);
  EXPECT_EQ(http.requestHeader("x-my-header"), std::nullopt);
  // The default :authority was added to the request, as Higress's Go test host does.
  EXPECT_EQ(http.requestHeader(":authority"), "default.test.com");
}

TEST_P(HelloWorld, TagsTheResponseWithTheRequestPath) {
  auto host = load(R"({"enabled": true})");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":path", "/api/v1"}, {":method", "GET"}}, /*end_of_stream=*/true);
  EXPECT_EQ(http.responseHeaders({{":status", "200"}, {"Content-Type", "text/plain"}}), HeaderAction::Continue);
  EXPECT_EQ(http.responseHeader("x-hello-world"), "/api/v1");
  EXPECT_EQ(http.responseHeader("content-type"), "text/plain") << "keys are lower-cased like Envoy's";
  EXPECT_TRUE(http.complete().ok());
  EXPECT_FALSE(http.complete().ok()) << "a stream completes once";
}

TEST_P(HelloWorld, LogsThatItStarted) {
  auto host = load(R"({"enabled": true})");
  ASSERT_TRUE(host.ok()) << host.message();
  EXPECT_FALSE(host->logs().empty());
  for (const LogLine& line : host->logs()) EXPECT_EQ(line.plugin, "hello-world");
}

TEST_P(HelloWorld, RouteRuleOverridesTheGlobalConfig) {
  auto host = load(configWithRules(R"({"enabled": false})",
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

TEST_P(HelloWorld, DomainAndServiceRules) {
  auto host = load(configWithRules("", {
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

TEST_P(HelloWorld, AStreamThatOutlivesItsHostFailsCleanly) {
  std::optional<HttpStream> survivor;
  {
    auto host = load(R"({"enabled": true})");
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

TEST(LoadNative, ReportsAMissingLibraryByName) {
  auto host = TestHost::loadNative(WASMGATE_PLUGIN_DIR "/native/no-such-plugin.so");
  ASSERT_FALSE(host.ok());
  EXPECT_THAT(host.message(), HasSubstr("no-such-plugin.so"));
}

TEST(LoadNative, ReportsAFileThatIsNotALibrary) {
  // A .wasm is no ELF shared object: dlopen's reason is passed on.
  auto host = TestHost::loadNative(kHelloWorld, R"({"enabled": true})");
  ASSERT_FALSE(host.ok());
  EXPECT_THAT(host.message(), HasSubstr("cannot load native plugin"));
}

TEST(LoadNative, TwoLiveHostsOfOneLibraryKeepTheirOwnGlobals) {
  // The second host loads a copy of the library; each plugin has its own configuration.
  auto on = harness_test::loadExample(Build::Native, "hello-world", R"({"enabled": true})");
  auto off = harness_test::loadExample(Build::Native, "hello-world", R"({"enabled": false})");
  ASSERT_TRUE(on.ok()) << on.message();
  ASSERT_TRUE(off.ok()) << off.message();
  auto a = on->newHttp();
  auto b = off->newHttp();
  a.requestHeaders({{":path", "/"}});
  b.requestHeaders({{":path", "/"}});
  EXPECT_EQ(a.requestHeader("x-my-header"), "hello");
  EXPECT_EQ(b.requestHeader("x-my-header"), std::nullopt);
}

TEST(LoadNative, ARebuiltVmStartsWithFreshGlobals) {
  auto host = harness_test::loadExample(Build::Native, "hello-world", R"({"enabled": true})");
  ASSERT_TRUE(host.ok()) << host.message();
  ASSERT_TRUE(host->rebuild().ok());
  auto http = host->newHttp();
  http.requestHeaders({{":path", "/"}});
  EXPECT_EQ(http.requestHeader("x-my-header"), "hello");
  EXPECT_FALSE(host->failed()) << host->failure();
}

}  // namespace
