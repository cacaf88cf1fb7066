// The wrapper's registration options through the harness, on tests/plugins/sdk_options.cc:
// SetCtxWithOptions with WithLogger (only the plugin's logger writes), EnableSafeLog with
// log::UnsafeInfof (demoted to Debug, after a newline), ParseOverrideRawConfig (raw texts, rules
// starting from the global config) and PrePluginStartOrReload refusing the start.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

#include "tests/harness/support/builds.h"

namespace {

using namespace wasmgate::testing;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using harness_test::Build;

// Each test runs on the .wasm and on the native build of the same plugin.
class SdkOptions : public ::testing::TestWithParam<Build> {
 protected:
  Result<TestHost> load(const std::string& config) {
    return harness_test::loadExample(GetParam(), "sdk_options", config);
  }
};
INSTANTIATE_TEST_SUITE_P(Builds, SdkOptions, ::testing::Values(Build::Wasm, Build::Native), harness_test::buildName);

TEST_P(SdkOptions, OnlyTheGivenLoggerWritesUnderSetCtxWithOptions) {
  auto host = load(R"({"tag": "blue"})");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":path", "/"}});
  EXPECT_TRUE(host->hasLog(LogLevel::Info, "<tagged> request with tag blue")) << host->logDump();
  EXPECT_TRUE(host->hasLog(LogLevel::Info, "<tagged> plugin start successfully")) << host->logDump();
  for (const auto& line : host->logs()) {
    EXPECT_THAT(line.message, StartsWith("<tagged> ")) << "a line not written by the plugin's logger";
  }
}

TEST_P(SdkOptions, SafeLogDemotesUnsafeInfoToDebugAfterANewline) {
  auto host = load(R"({"tag": "blue"})");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":path", "/"}, {"x-token", "s3cret"}});
  EXPECT_TRUE(host->hasLog(LogLevel::Debug, "<tagged> \ntoken s3cret")) << host->logDump();
  EXPECT_FALSE(host->hasLog(LogLevel::Info, "token s3cret")) << "sensitive text must not reach info";

  // At the usual Info level the sensitive line is not logged at all.
  host->setLogLevel(LogLevel::Info);
  host->clearLogs();
  auto quiet = host->newHttp();
  quiet.requestHeaders({{":path", "/"}, {"x-token", "other"}});
  EXPECT_TRUE(host->hasLog("request with tag blue")) << host->logDump();
  EXPECT_FALSE(host->hasLog("other")) << host->logDump();
}

TEST_P(SdkOptions, OverrideRawParsersSeeRawTextAndRulesStartFromTheGlobalConfig) {
  const std::string global = R"({"tag": "green", "_rules_": [{"_match_route_": ["r1"], "extra": 1}]})";
  auto host = load(global);
  ASSERT_TRUE(host.ok()) << host.message();

  auto onGlobal = host->newHttp();
  onGlobal.requestHeaders({{":path", "/"}});
  EXPECT_EQ(onGlobal.requestHeader("x-global-raw"), global) << "the whole text, _rules_ included";
  EXPECT_EQ(onGlobal.requestHeader("x-rule-raw"), "");
  EXPECT_EQ(onGlobal.requestHeader("x-tag"), "green");

  auto onRule = host->newHttp();
  onRule.setRouteName("r1");
  onRule.requestHeaders({{":path", "/"}});
  EXPECT_THAT(onRule.requestHeader("x-rule-raw").value_or(""), HasSubstr(R"("extra": 1)"));
  EXPECT_EQ(onRule.requestHeader("x-tag"), "green") << "the rule inherits the parsed global config";
  EXPECT_EQ(onRule.requestHeader("x-global-raw"), global);
}

TEST_P(SdkOptions, AFailingRawRuleParserFailsTheStartNamingTheRule) {
  auto host = load(R"({"_rules_": [{"_match_route_": ["r9"], "bad-rule": true}]})");
  ASSERT_FALSE(host.ok());
  EXPECT_THAT(host.message(), HasSubstr("parse rule config failed: _rules_[0] (_match_route_: [r9]): "
                                        "field 'bad-rule': refused"));
}

TEST_P(SdkOptions, PrePluginStartOrReloadErrorFailsTheStartWithItsMessage) {
  auto host = load(R"({"tag": "refuse-start"})");
  ASSERT_FALSE(host.ok());
  EXPECT_THAT(host.message(),
              HasSubstr("<tagged> prePluginStartOrReload failed: pre-start refused: the configuration asks for it"));
  EXPECT_THAT(host.message(), ::testing::Not(HasSubstr("plugin start successfully")));
}

}  // namespace
