// The rule-isolation example through the harness: with rule-level isolation a rule whose new
// config is broken keeps its last good config, a broken rule that never parsed is skipped (its
// routes fall back to the global config), and only a configuration whose every rule failed is
// refused.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

const std::string kPlugin = WASMGATE_PLUGIN_DIR "/rule-isolation.wasm";
const char* kGlobal = R"({"allow_methods": ["GET"]})";

uint32_t statusOf(TestHost& host, std::string route, std::string method) {
  auto http = host.newHttp();
  http.setRouteName(std::move(route));
  http.requestHeaders({{":method", std::move(method)}, {":path", "/"}}, true);
  return http.localResponse() ? http.localResponse()->status : 200;
}

TEST(RuleIsolation, RulesAndTheGlobalConfigApply) {
  auto host = TestHost::load(kPlugin, configWithRules(kGlobal, {Rule::route({"admin"}, R"({"allow_methods": ["GET", "POST"]})")}));
  ASSERT_TRUE(host.ok()) << host.message();
  EXPECT_EQ(statusOf(*host, "admin", "POST"), 200u);
  EXPECT_EQ(statusOf(*host, "shop", "POST"), 405u);
  EXPECT_EQ(statusOf(*host, "shop", "GET"), 200u);
}

TEST(RuleIsolation, ABrokenRuleKeepsItsLastGoodConfig) {
  auto host = TestHost::load(kPlugin, configWithRules(kGlobal, {Rule::route({"admin"}, R"({"allow_methods": ["GET", "POST"]})")}));
  ASSERT_TRUE(host.ok()) << host.message();

  auto next = configWithRules(kGlobal, {Rule::route({"admin"}, R"({"allow_methods": ["FETCH"]})"),
                                        Rule::route({"ops"}, R"({"allow_methods": ["DELETE"]})")});
  ASSERT_TRUE(host->reconfigure(*next).ok()) << host->logDump();
  EXPECT_TRUE(host->hasLog(LogLevel::Warn, "\"FETCH\" is not an HTTP method")) << host->logDump();
  EXPECT_EQ(statusOf(*host, "admin", "POST"), 200u) << "the last good admin config still applies";
  EXPECT_EQ(statusOf(*host, "ops", "DELETE"), 200u) << "the good new rule applies";
  EXPECT_EQ(statusOf(*host, "ops", "GET"), 405u);
}

TEST(RuleIsolation, ABrokenRuleThatNeverParsedIsSkipped) {
  auto host = TestHost::load(kPlugin, configWithRules(kGlobal, {Rule::route({"ops"}, R"({"allow_methods": ["DELETE"]})"),
                                                                Rule::route({"beta"}, R"({"allow_methods": []})")}));
  ASSERT_TRUE(host.ok()) << host.message();
  EXPECT_TRUE(host->hasLog(LogLevel::Warn, "rule skipped")) << host->logDump();
  EXPECT_EQ(statusOf(*host, "beta", "GET"), 200u) << "the skipped rule's route falls back to the global config";
  EXPECT_EQ(statusOf(*host, "beta", "DELETE"), 405u);
  EXPECT_EQ(statusOf(*host, "ops", "DELETE"), 200u);
}

TEST(RuleIsolation, AConfigurationWhoseEveryRuleFailedIsRefused) {
  auto host = TestHost::load(kPlugin, configWithRules(kGlobal, {Rule::route({"beta"}, R"({"allow_methods": ["NOPE"]})")}));
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.message().find("allow_methods"), std::string::npos) << host.message();
}

}  // namespace
