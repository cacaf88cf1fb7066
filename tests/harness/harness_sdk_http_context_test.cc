// wrapper::HttpContext's per-request state through the harness, on tests/plugins/
// sdk_http_context.cc: GetExecutionPhase in every handler, the user-attribute calls and
// WriteUserAttributeToLog() without a key, GetByteSliceContext with its defaults.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

#include "tests/harness/support/builds.h"

namespace {

using namespace wasmgate::testing;

using harness_test::Build;

// Each test runs on the .wasm and on the native build of the same plugin.
class SdkHttpContext : public ::testing::TestWithParam<Build> {
 protected:
  TestHost load() {
    auto host = harness_test::loadExample(GetParam(), "sdk_http_context", "{}");
    EXPECT_TRUE(host.ok()) << host.message();
    return std::move(host).value();
  }
};
INSTANTIATE_TEST_SUITE_P(Builds, SdkHttpContext, ::testing::Values(Build::Wasm, Build::Native), harness_test::buildName);

// Go's numbering: DecodeHeader=0, DecodeData=1, EncodeHeader=2, EncodeData=3, Done=4.
TEST_P(SdkHttpContext, EveryHandlerSeesItsOwnExecutionPhase) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":method", "POST"}, {":path", "/"}, {"content-type", "text/plain"}});
  http.requestBody("req");
  http.responseHeaders({{":status", "200"}, {"content-type", "text/plain"}});
  http.responseBody("resp");
  ASSERT_TRUE(http.complete().ok());
  for (const char* line : {"phase request_headers: 0", "phase request_body: 1", "phase response_headers: 2",
                           "phase response_body: 3", "phase stream_done: 4"}) {
    EXPECT_TRUE(host.hasLog(LogLevel::Info, line)) << line << "\n" << host.logDump();
  }
}

TEST_P(SdkHttpContext, UserAttributeMapReplacesAndGetUserAttributeReads) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":path", "/"}}, true);
  EXPECT_EQ(http.requestHeader("x-attr-a"), "from-map");
  EXPECT_EQ(http.requestHeader("x-attr-missing"), "absent");
  EXPECT_EQ(http.requestHeader("x-attr-count"), "3") << "a, n from the map, b set after it";
}

TEST_P(SdkHttpContext, WriteUserAttributeToLogWithoutAKeyWritesCustomLog) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":path", "/"}}, true);
  ASSERT_TRUE(http.complete().ok());
  // JSON-string-escaped, as the access log embeds it inside a JSON string; "dropped" was replaced.
  EXPECT_EQ(http.property("custom_log"), R"({\"a\":\"from-map\",\"b\":\"set-one\",\"n\":7})") << host.logDump();
  EXPECT_FALSE(http.property("ai_log").has_value());
}

TEST_P(SdkHttpContext, ByteSliceContextReturnsTheValueOrTheDefault) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":path", "/"}, {"x-bytes", std::string("a\x01z", 3)}}, true);
  http.responseHeaders({{":status", "200"}}, true);
  EXPECT_EQ(http.responseHeader("x-bytes"), std::string("a\x01z", 3));
  EXPECT_EQ(http.responseHeader("x-bytes-missing"), "def");
  EXPECT_EQ(http.responseHeader("x-bytes-int"), "def") << "a value of another type gives the default";
}

}  // namespace
