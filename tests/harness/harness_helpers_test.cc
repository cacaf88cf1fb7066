// The harness's pure helpers: Higress rule configurations and RESP encoding/decoding.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Rules, BuildTheControlPlanesShape) {
  auto config = configWithRules(R"({"enabled": true})", {
      Rule::route({"default/a", "b"}, R"({"limit": 5})"),
      Rule::domain({"*.example.com"}),
      Rule::service({"svc.ns.svc.cluster.local:80"}, "{}"),
      Rule::routePrefix({"ai-"}, R"({"x": [1, 2]})")});
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config.value(),
            R"({"_rules_":[{"_match_route_":["default/a","b"],"limit":5},{"_match_domain_":["*.example.com"]},)"
            R"({"_match_service_":["svc.ns.svc.cluster.local:80"]},{"_match_route_prefix_":["ai-"],"x":[1,2]}],)"
            R"("enabled":true})");
}

TEST(Rules, WithoutRulesTheGlobalConfigStaysAsItIs) {
  auto config = configWithRules("", {});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config.value(), "{}");
}

TEST(Rules, BadInputIsNamed) {
  auto bad_global = configWithRules("{not json", {});
  ASSERT_FALSE(bad_global.ok());
  EXPECT_THAT(bad_global.message(), HasSubstr("global config is not valid JSON"));

  auto array_rule = configWithRules("{}", {Rule::route({"r"}, "[1]")});
  ASSERT_FALSE(array_rule.ok());
  EXPECT_THAT(array_rule.message(), HasSubstr("rule 0's config must be a JSON object, got array"));

  auto unmatched = configWithRules("{}", {Rule::route({"r"}), Rule{}});
  ASSERT_FALSE(unmatched.ok());
  EXPECT_THAT(unmatched.message(), HasSubstr("rule 1 matches nothing"));
}

TEST(Resp, EncodesEveryReplyType) {
  EXPECT_EQ(resp::simple("OK"), "+OK\r\n");
  EXPECT_EQ(resp::error("ERR no"), "-ERR no\r\n");
  EXPECT_EQ(resp::integer(-7), ":-7\r\n");
  EXPECT_EQ(resp::bulk("a\r\nb"), "$4\r\na\r\nb\r\n");
  EXPECT_EQ(resp::null(), "$-1\r\n");
  EXPECT_EQ(resp::array({resp::integer(1), resp::null()}), "*2\r\n:1\r\n$-1\r\n");
  EXPECT_EQ(resp::command({"SET", "k", ""}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
}

TEST(Resp, ParsesCommandsAndRejectsAnythingElse) {
  EXPECT_THAT(resp::parseCommand(resp::command({"EVAL", "return 1", "0"})).value(), ElementsAre("EVAL", "return 1", "0"));
  EXPECT_EQ(resp::parseCommand("+OK\r\n"), std::nullopt);
  EXPECT_EQ(resp::parseCommand("*1\r\n$5\r\nab\r\n"), std::nullopt) << "short bulk";
  EXPECT_EQ(resp::parseCommand("*1\r\n$2\r\nab\r\nextra"), std::nullopt) << "trailing bytes";
  EXPECT_EQ(resp::parseCommand("*2\r\n$1\r\na\r\n"), std::nullopt) << "missing element";
  EXPECT_EQ(resp::parseCommand("*x\r\n"), std::nullopt);
  EXPECT_EQ(resp::parseCommand(""), std::nullopt);
  RedisCall call{.token = 1, .cluster = "c", .query = "garbage"};
  EXPECT_TRUE(call.command().empty());
}

TEST(Vocabulary, HeaderLookupIgnoresCase) {
  Headers headers{{"Content-Type", "a"}, {"content-type", "b"}};
  EXPECT_EQ(findHeader(headers, "CONTENT-TYPE"), "a");
  EXPECT_EQ(findHeader(headers, "accept"), std::nullopt);
  EXPECT_STREQ(actionName(HeaderAction::StopAllIterationAndWatermark), "StopAllIterationAndWatermark");
  EXPECT_STREQ(actionName(DataAction::StopIterationNoBuffer), "StopIterationNoBuffer");
  EXPECT_STREQ(levelName(LogLevel::Critical), "critical");
}

}  // namespace
