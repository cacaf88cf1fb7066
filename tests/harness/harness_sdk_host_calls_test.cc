// The SDK's typed host calls through the harness, on tests/plugins/sdk_host_calls.cc: properties
// (get, set, map-valued), metrics (counter, gauge, histogram, values read back), CloseHttpStream,
// GetUpstreamHosts + SetUpstreamOverrideHost, and WASMGATE_CHECK failing the VM with its message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

#include "tests/harness/support/builds.h"

namespace {

using namespace wasmgate::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using harness_test::Build;

TestHost load(Build build) {
  auto host = harness_test::loadExample(build, "sdk_host_calls", "{}");
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

// Each test runs on the .wasm and on the native build of the same plugin, except the failed check:
// natively a trap ends the test process (docs/testing.md).
class SdkHostCalls : public ::testing::TestWithParam<Build> {};
INSTANTIATE_TEST_SUITE_P(Builds, SdkHostCalls, ::testing::Values(Build::Wasm, Build::Native), harness_test::buildName);

TEST_P(SdkHostCalls, PropertiesAreReadWrittenAndReadAsMaps) {
  auto host = load(GetParam());
  auto http = host.newHttp();
  http.setRouteName("orders");
  http.requestHeaders({{":path", "/p?q=1"}, {"x-op", "properties"}, {"x-probe", "found"}});
  EXPECT_EQ(http.requestHeader("x-route"), "orders");
  EXPECT_EQ(http.requestHeader("x-written"), "v1");
  EXPECT_EQ(http.property({"sdk", "written"}), "v1") << "the write reached the host";
  EXPECT_EQ(http.requestHeader("x-path"), "/p?q=1");
  EXPECT_EQ(http.requestHeader("x-map-probe"), "found");
  EXPECT_EQ(http.requestHeader("x-map-size"), "4") << ":path, x-op, x-probe and the default :authority";
  EXPECT_EQ(http.requestHeader("x-missing"), "NotFound");
}

TEST_P(SdkHostCalls, MetricsAreDefinedUpdatedAndReadBack) {
  auto host = load(GetParam());
  for (const char* path : {"/a", "/abcd"}) {
    auto http = host.newHttp();
    http.requestHeaders({{":path", path}, {"x-op", "metrics"}});
    if (std::string_view(path) == "/abcd") {
      EXPECT_EQ(http.requestHeader("x-counter"), "4") << "the plugin reads its counter back";
      EXPECT_EQ(http.requestHeader("x-gauge"), "14");
    }
  }
  EXPECT_EQ(host.metric("sdk_requests"), 4u);
  EXPECT_EQ(host.metric("sdk_level"), 14u);
  EXPECT_THAT(host.histogram("sdk_path_length"), ElementsAre(2u, 5u));
}

TEST_P(SdkHostCalls, CloseHttpStreamResetsTheStream) {
  auto host = load(GetParam());
  auto http = host.newHttp();
  http.requestHeaders({{":path", "/"}, {"x-op", "close"}});
  EXPECT_TRUE(http.closed());

  auto other = host.newHttp();
  other.requestHeaders({{":path", "/"}});
  EXPECT_FALSE(other.closed());
}

TEST_P(SdkHostCalls, UpstreamHostsAreListedAndOneIsPinned) {
  auto host = load(GetParam());
  auto http = host.newHttp();
  http.setUpstreamHosts({{"10.0.0.1:80", R"({"weight": 1})"}, {"10.0.0.2:8080", R"({"weight": 2})"}});
  http.requestHeaders({{":path", "/"}, {"x-op", "pin"}});
  EXPECT_EQ(http.requestHeader("x-hosts"), "2");
  EXPECT_EQ(http.upstreamOverrideHost(), "10.0.0.2:8080");
}

TEST_P(SdkHostCalls, APassingCheckLetsTheRequestThrough) {
  auto host = load(GetParam());
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":path", "/"}, {"x-op", "check"}, {"x-value", "ok"}}), HeaderAction::Continue);
  EXPECT_FALSE(host.failed());
}

TEST(SdkHostCallsWasm, AFailedCheckLogsItsMessageThenTraps) {
  auto host = load(Build::Wasm);
  host.setLogLevel(LogLevel::Critical);  // the check's line must not depend on the level
  auto http = host.newHttp();
  http.requestHeaders({{":path", "/"}, {"x-op", "check"}, {"x-value", "bad"}});
  EXPECT_TRUE(host.failed());
  EXPECT_THAT(http.error(), HasSubstr("trap in proxy_on_request_headers"));
  ASSERT_TRUE(http.localResponse().has_value());
  EXPECT_EQ(http.localResponse()->status, 503u);
  EXPECT_TRUE(host.hasLog(LogLevel::Critical,
                          "[sdk-host-calls] [nil] [test-request-id-default] check failed: "
                          "header(\"x-value\") == \"ok\" at sdk_host_calls.cc:"))
      << host.logDump();
  EXPECT_TRUE(host.hasLog(LogLevel::Critical, ": x-value must be ok")) << host.logDump();
}

}  // namespace
