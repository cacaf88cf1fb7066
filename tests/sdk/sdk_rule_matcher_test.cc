// matcher::RuleMatcher: _rules_ parsing (global, override inheritance, isolation) and per-request
// matching by route, route prefix, domain and service, first match first.
#include <gtest/gtest.h>

#include <wasmgate/rule_matcher.h>

using namespace wasmgate;
using wrapper::Error;
using wrapper::Json;

namespace {

struct Cfg {
  std::string name;
  int limit = 0;
};

matcher::Parsers parsers(bool override) {
  matcher::Parsers p;
  p.newConfig = [] { return std::static_pointer_cast<void>(std::make_shared<Cfg>()); };
  p.global = [](const Json& j, void* out) -> Error {
    auto* c = static_cast<Cfg*>(out);
    c->name = j.get("name").asString();
    c->limit = static_cast<int>(j.get("limit").asInt());
    if (c->limit < 0) return Error("field 'limit': must not be negative");
    return {};
  };
  if (override) {
    p.rule = [](const Json& j, const void* global, void* out) -> Error {
      auto* c = static_cast<Cfg*>(out);
      *c = *static_cast<const Cfg*>(global);
      if (j.get("name").exists()) c->name = j.get("name").asString();
      if (j.get("limit").exists()) c->limit = static_cast<int>(j.get("limit").asInt());
      if (c->limit < 0) return Error("field 'limit': must not be negative");
      return {};
    };
  }
  return p;
}

const Cfg* match(const matcher::RuleMatcher& m, std::string_view host, std::string_view route,
                 std::string_view cluster = "") {
  return static_cast<const Cfg*>(m.GetMatchConfig(host, route, cluster));
}

const char* kConfig = R"({
  "name": "global", "limit": 10,
  "_rules_": [
    {"_match_route_": ["default/foo"], "name": "route"},
    {"_match_domain_": ["*.example.com", "api.test.com", "pre*"], "name": "domain"},
    {"_match_service_": ["svc.ns.svc.cluster.local:8080", "any.dns"], "name": "service"},
    {"_match_route_prefix_": ["ai-"], "name": "prefix"},
    {"_match_route_": ["default/both"], "_match_service_": ["b.dns:80"], "name": "both"}
  ]})";

TEST(SdkRuleMatcher, FirstMatchingRuleWinsThenGlobal) {
  matcher::RuleMatcher m;
  ASSERT_FALSE(m.ParseRuleConfig(Json::Parse(kConfig), parsers(false), false));
  EXPECT_TRUE(m.HasGlobalConfig());
  EXPECT_EQ(match(m, "x.example.com", "default/foo")->name, "route");
  EXPECT_EQ(match(m, "a.example.com:8443", "other")->name, "domain");
  EXPECT_EQ(match(m, "api.test.com", "")->name, "domain");
  EXPECT_EQ(match(m, "prefixed.io", "")->name, "domain");
  EXPECT_EQ(match(m, "example.com", "")->name, "global");  // "*.example.com" needs the dot
  EXPECT_EQ(match(m, "h", "r", "outbound|8080||svc.ns.svc.cluster.local")->name, "service");
  EXPECT_EQ(match(m, "h", "r", "outbound|9090||svc.ns.svc.cluster.local")->name, "global");
  EXPECT_EQ(match(m, "h", "r", "outbound|1||any.dns")->name, "service");
  EXPECT_EQ(match(m, "h", "r", "any.dns")->name, "global");  // not a 4-part cluster name
  EXPECT_EQ(match(m, "h", "ai-route-1")->name, "prefix");
  EXPECT_EQ(match(m, "h", "default/both", "outbound|80||b.dns")->name, "both");
  EXPECT_EQ(match(m, "h", "default/both", "outbound|81||b.dns")->name, "global");
  // Without the override parser, rules do not inherit global fields.
  EXPECT_EQ(match(m, "h", "default/foo")->limit, 0);
}

TEST(SdkRuleMatcher, OverrideParserInheritsGlobal) {
  matcher::RuleMatcher m;
  ASSERT_FALSE(m.ParseRuleConfig(Json::Parse(kConfig), parsers(true), false));
  EXPECT_EQ(match(m, "h", "default/foo")->limit, 10);
  EXPECT_EQ(match(m, "h", "default/foo")->name, "route");
}

TEST(SdkRuleMatcher, RulesOnlyLeaveThePluginInactiveElsewhere) {
  matcher::RuleMatcher m;
  ASSERT_FALSE(m.ParseRuleConfig(Json::Parse(R"({"_rules_": [{"_match_route_": ["r"], "limit": 1}]})"),
                                 parsers(false), false));
  EXPECT_FALSE(m.HasGlobalConfig());
  EXPECT_NE(match(m, "h", "r"), nullptr);
  EXPECT_EQ(match(m, "h", "other"), nullptr);
}

TEST(SdkRuleMatcher, EmptyConfigIsAGlobalConfig) {
  matcher::RuleMatcher m;
  ASSERT_FALSE(m.ParseRuleConfig(Json(), parsers(false), false));
  ASSERT_NE(match(m, "h", "r"), nullptr);
  ASSERT_FALSE(m.ParseRuleConfig(Json::Parse("{}"), parsers(false), false));
  EXPECT_NE(match(m, "h", "r"), nullptr);
}

TEST(SdkRuleMatcher, ErrorsNameTheRuleAndTheField) {
  matcher::RuleMatcher m;
  Error err = m.ParseRuleConfig(
      Json::Parse(R"({"_rules_": [{"_match_route_": ["ok"]}, {"_match_domain_": ["a.com"], "limit": -1}]})"),
      parsers(false), false);
  ASSERT_TRUE(err);
  EXPECT_NE(err.message().find("_rules_[1] (_match_domain_: [a.com])"), std::string::npos) << err.message();
  EXPECT_NE(err.message().find("field 'limit'"), std::string::npos) << err.message();

  err = m.ParseRuleConfig(Json::Parse(R"({"_rules_": [{"limit": 1}]})"), parsers(false), false);
  ASSERT_TRUE(err);
  EXPECT_NE(err.message().find("_rules_[0]: needs at least one of"), std::string::npos) << err.message();

  err = m.ParseRuleConfig(Json::Parse(R"({"limit": -5})"), parsers(false), false);
  ASSERT_TRUE(err);
  EXPECT_NE(err.message().find("global config parse error: field 'limit'"), std::string::npos) << err.message();

  err = m.ParseRuleConfig(Json::Parse(R"({"_rules_": [{"_match_service_": ["x:notaport"]}]})"), parsers(false), false);
  ASSERT_TRUE(err);
  EXPECT_NE(err.message().find("invalid port"), std::string::npos) << err.message();
}

TEST(SdkRuleMatcher, IsolationKeepsTheLastGoodRuleConfig) {
  matcher::ClearIsolationBackups();
  matcher::RuleMatcher m;
  const char* good = R"({"_rules_": [{"_match_route_": ["a"], "limit": 3}, {"_match_route_": ["b"], "limit": 4}]})";
  ASSERT_FALSE(m.ParseRuleConfig(Json::Parse(good), parsers(false), true));
  // Rule "a" breaks, rule "b" changes: "a" keeps limit 3, "b" takes the new value.
  const char* bad = R"({"_rules_": [{"_match_route_": ["a"], "limit": -1}, {"_match_route_": ["b"], "limit": 5}]})";
  ASSERT_FALSE(m.ParseRuleConfig(Json::Parse(bad), parsers(false), true));
  EXPECT_EQ(match(m, "h", "a")->limit, 3);
  EXPECT_EQ(match(m, "h", "b")->limit, 5);
  // A broken rule without a backup is skipped; all rules broken fails.
  const char* newRule = R"({"_rules_": [{"_match_route_": ["c"], "limit": -1}, {"_match_route_": ["b"], "limit": 6}]})";
  ASSERT_FALSE(m.ParseRuleConfig(Json::Parse(newRule), parsers(false), true));
  EXPECT_EQ(match(m, "h", "c"), nullptr);
  EXPECT_TRUE(m.ParseRuleConfig(Json::Parse(R"({"_rules_": [{"_match_route_": ["d"], "limit": -1}]})"),
                                parsers(false), true));
  // Without isolation the same broken rule fails the whole start.
  EXPECT_TRUE(m.ParseRuleConfig(Json::Parse(bad), parsers(false), false));
}

TEST(SdkRuleMatcher, HostHelpers) {
  EXPECT_EQ(matcher::StripPortFromHost("a.com:8080"), "a.com");
  EXPECT_EQ(matcher::StripPortFromHost("a.com"), "a.com");
  EXPECT_EQ(matcher::StripPortFromHost("[::1]:80"), "[::1]");
  EXPECT_EQ(matcher::StripPortFromHost("[::1]"), "[::1]");
  matcher::RuleConfig a, b;
  a.routes = {"x", "y"};
  b.routes = {"y", "x"};
  a.hosts = {{matcher::HostMatcher::Type::Suffix, ".a"}, {matcher::HostMatcher::Type::Exact, "b"}};
  b.hosts = {{matcher::HostMatcher::Type::Exact, "b"}, {matcher::HostMatcher::Type::Suffix, ".a"}};
  EXPECT_EQ(matcher::RuleKey(a), matcher::RuleKey(b));
}

}  // namespace
