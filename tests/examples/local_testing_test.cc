// The local-testing example ("wasmdemo" of the local-testing reference) through the harness:
// with mockEnable the plugin answers itself and the upstream is never reached; without it the
// request goes on, tagged; a mockEnable that is not a boolean is rejected.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;
using ::testing::HasSubstr;

const std::string kPlugin = WASMGATE_PLUGIN_DIR "/local-testing.wasm";

TEST(LocalTesting, MockEnabledAnswersWithoutTheUpstream) {
  auto host = TestHost::load(kPlugin, R"({"mockEnable": true})");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/get"}}, true);
  ASSERT_TRUE(http.localResponse().has_value());
  EXPECT_EQ(http.localResponse()->status, 200u);
  EXPECT_EQ(http.localResponse()->body, "{\"mock\": true, \"path\": \"/get\"}\n");
  EXPECT_EQ(findHeader(http.localResponse()->headers, "x-wasmdemo"), "mock");
  EXPECT_FALSE(http.requestContinued());
  EXPECT_TRUE(host->hasLog(LogLevel::Debug, "mocking GET /get")) << host->logDump();
}

TEST(LocalTesting, MockDisabledPassesTheRequestOnTagged) {
  auto host = TestHost::load(kPlugin, R"({"mockEnable": false})");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/get"}}, true), HeaderAction::Continue);
  EXPECT_FALSE(http.localResponse().has_value());
  EXPECT_EQ(http.requestHeader("x-wasmdemo"), "passed");
}

TEST(LocalTesting, ANonBooleanMockEnableIsRejected) {
  auto host = TestHost::load(kPlugin, R"({"mockEnable": "yes"})");
  ASSERT_FALSE(host.ok());
  EXPECT_THAT(host.message(), HasSubstr("field 'mockEnable'"));
}

}  // namespace
