// Logger options natively, through the SDK's real exports on the fake host: log::UnsafeInfo with
// and without EnableSafeLog (Go: Info normally; Debug after a newline under safe logging), and
// SetCtxWithOptions without WithLogger (no default logger: lines go out unprefixed).
#include "support/sdk_fixture.h"

using namespace sdk_test;

namespace {

constexpr uint32_t kInfo = 2, kDebug = 1;

types::Action logToken(wrapper::HttpContext&, Cfg&) {
  log::UnsafeInfof("token %s", "s3cret");
  return types::HeaderContinue;
}

TEST_F(SdkWrapper, UnsafeInfoIsPlainInfoWithoutSafeLog) {
  wrapper::SetCtx<Cfg>("unsafe", wrapper::ParseConfig(parseCfg), wrapper::ProcessRequestHeaders(logToken));
  ASSERT_TRUE(StartPlugin(kRoot, "{}"));
  host().logs.clear();
  request({{":authority", "a"}});
  proxy_on_request_headers(kStream, 1, 1);
  ASSERT_EQ(host().logs.size(), 1u);
  EXPECT_EQ(host().logs[0].first, kInfo);
  EXPECT_EQ(host().logs[0].second, "[unsafe] [nil] [nil] token s3cret");
}

TEST_F(SdkWrapper, SafeLogMovesUnsafeInfoToDebugAndDropsItBelow) {
  wrapper::SetCtx<Cfg>("safe", wrapper::ParseConfig(parseCfg), wrapper::EnableSafeLog(),
                       wrapper::ProcessRequestHeaders(logToken));
  ASSERT_TRUE(StartPlugin(kRoot, "{}"));
  host().logs.clear();
  request({{":authority", "a"}});
  proxy_on_request_headers(kStream, 1, 1);
  ASSERT_EQ(host().logs.size(), 1u);
  EXPECT_EQ(host().logs[0].first, kDebug);
  EXPECT_EQ(host().logs[0].second, "[safe] [nil] [nil] \ntoken s3cret");

  host().logLevel = kInfo;  // a production gateway: the sensitive line is not written at all
  host().logs.clear();
  proxy_on_context_create(9, kRoot);
  proxy_on_request_headers(9, 1, 1);
  EXPECT_TRUE(host().logs.empty()) << host().logs[0].second;
}

TEST_F(SdkWrapper, SetCtxWithOptionsInstallsNoDefaultLogger) {
  wrapper::SetCtxWithOptions<Cfg>("bare", wrapper::ParseConfig(parseCfg));
  ASSERT_TRUE(StartPlugin(kRoot, "{}"));
  EXPECT_TRUE(host().logged("plugin start successfully"));
  EXPECT_FALSE(host().logged("[bare]")) << "SetCtx would have prefixed the plugin name";
}

}  // namespace
