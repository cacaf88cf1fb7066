// The proxywasm trailer calls (get one / get all / add / replace one / remove / replace all), on
// both directions, through the harness with tests/plugins/sdk_trailers.cc.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

#include "tests/harness/support/builds.h"

namespace {

using namespace wasmgate::testing;
using harness_test::Build;

const Headers kTrailers = {{"t1", "one"}, {"t2", "two"}, {"t3", "three"}};

// What the plugin's sequence leaves of kTrailers, in any order.
void expectEdited(const Headers& trailers) {
  EXPECT_EQ(findHeader(trailers, "x-failed"), std::nullopt);
  EXPECT_EQ(findHeader(trailers, "x-initial-count"), "3");
  EXPECT_EQ(findHeader(trailers, "x-seen"), "one");
  EXPECT_EQ(findHeader(trailers, "t1"), "one");
  EXPECT_EQ(findHeader(trailers, "t2"), "replaced");
  EXPECT_EQ(findHeader(trailers, "t3"), std::nullopt);
  EXPECT_EQ(findHeader(trailers, "x-whole"), "yes");
  EXPECT_EQ(trailers.size(), 5u);
}

// Each test runs on the .wasm and on the native build of the same plugin.
class SdkTrailers : public ::testing::TestWithParam<Build> {
 protected:
  Result<TestHost> load() { return harness_test::loadExample(GetParam(), "sdk_trailers", std::string()); }
};
INSTANTIATE_TEST_SUITE_P(Builds, SdkTrailers, ::testing::Values(Build::Wasm, Build::Native), harness_test::buildName);

TEST_P(SdkTrailers, RequestTrailersAreReadAndEdited) {
  auto host = load();
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":path", "/"}});
  http.requestBody("x", false);
  EXPECT_EQ(http.requestTrailers(kTrailers), TrailerAction::Continue);
  expectEdited(http.request().trailers);
}

TEST_P(SdkTrailers, ResponseTrailersAreReadAndEdited) {
  auto host = load();
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":path", "/"}}, true);
  http.responseHeaders({{":status", "200"}});
  http.responseBody("x", false);
  EXPECT_EQ(http.responseTrailers(kTrailers), TrailerAction::Continue);
  expectEdited(http.response().trailers);
  EXPECT_TRUE(http.request().trailers.empty()) << "the request side is untouched";
}

}  // namespace
