// The key-auth example (a port of Higress's key-auth) through the harness, against its real .wasm:
// credentials in headers and in the query, the 401/403 answers with WWW-Authenticate, allow lists
// on routes, the three global_auth modes, and the configuration errors of the Go original.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

const std::string kKeyAuth = WASMGATE_PLUGIN_DIR "/key-auth.wasm";

std::string globalConfig(std::string_view globalAuth, std::string_view where = R"("in_header": true)") {
  std::string json = "{";
  if (!globalAuth.empty()) json += R"("global_auth": )" + std::string(globalAuth) + ", ";
  json += R"("keys": ["x-api-key", "apikey"], )" + std::string(where) + R"(, "consumers": [
      {"name": "consumer1", "credential": "token1"}, {"name": "consumer2", "credential": "token2"}]})";
  return json;
}

// The plugin configured on route "r-allow" for consumer1 only.
Result<std::string> withRouteRule(std::string_view globalAuth) {
  return configWithRules(globalConfig(globalAuth), {Rule::route({"r-allow"}, R"({"allow": ["consumer1"]})")});
}

TestHost load(const Result<std::string>& config) {
  auto host = TestHost::load(kKeyAuth, config);
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

struct Outcome {
  uint32_t status = 0;  // 0: the request went on
  std::optional<std::string> consumer;
  std::string body;
  std::string realm;
};

Outcome send(TestHost& host, Headers headers, std::string route = "other-route") {
  auto http = host.newHttp();
  http.setRouteName(std::move(route));
  headers.insert(headers.begin(), {{":method", "GET"}, {":authority", "api.example.com"}});
  if (!findHeader(headers, ":path")) headers.push_back({":path", "/items"});
  http.requestHeaders(std::move(headers), true);
  Outcome outcome;
  outcome.consumer = http.requestHeader("x-mse-consumer");
  if (http.localResponse()) {
    outcome.status = http.localResponse()->status;
    outcome.body = http.localResponse()->body;
    outcome.realm = findHeader(http.localResponse()->headers, "www-authenticate").value_or("");
  }
  return outcome;
}

TEST(KeyAuth, AKnownHeaderCredentialNamesTheConsumer) {
  auto host = load(globalConfig("true"));
  Outcome out = send(host, {{"x-api-key", "token2"}});
  EXPECT_EQ(out.status, 0u) << out.body;
  EXPECT_EQ(out.consumer, "consumer2");
  EXPECT_TRUE(host.hasLog(LogLevel::Info, "consumer \"consumer2\" authenticated")) << host.logDump();
}

TEST(KeyAuth, NoCredentialIs401WithTheRealm) {
  auto host = load(globalConfig("true"));
  Outcome out = send(host, {});
  EXPECT_EQ(out.status, 401u);
  EXPECT_EQ(out.body, "Request denied by Key Auth check. No Key Authentication information found.");
  EXPECT_EQ(out.realm, "Key realm=MSE Gateway");
  EXPECT_FALSE(out.consumer.has_value());
}

TEST(KeyAuth, TwoCredentialsAre401) {
  auto host = load(globalConfig("true"));
  Outcome out = send(host, {{"x-api-key", "token1"}, {"apikey", "token2"}});
  EXPECT_EQ(out.status, 401u);
  EXPECT_EQ(out.body, "Request denied by Key Auth check. Muti Key Authentication information found.");
}

TEST(KeyAuth, AnUnknownCredentialIs403) {
  auto host = load(globalConfig("true"));
  Outcome out = send(host, {{"x-api-key", "nope"}});
  EXPECT_EQ(out.status, 403u);
  EXPECT_EQ(out.body, "Request denied by Key Auth check. Unauthorized consumer.");
  EXPECT_TRUE(host.hasLog(LogLevel::Warn, "credential \"nope\" is not configured")) << host.logDump();
}

TEST(KeyAuth, QueryCredentialsAreDecodedAndCounted) {
  auto host = load(globalConfig("true", R"("in_query": true)"));
  EXPECT_EQ(send(host, {{":path", "/items?page=2&apikey=token1"}}).consumer, "consumer1");
  // The header is not looked at when only in_query is set.
  EXPECT_EQ(send(host, {{":path", "/items"}, {"x-api-key", "token1"}}).status, 401u);
  // Repeated parameters are several credentials; %XX and '+' are decoded as Go's url.Query does.
  EXPECT_EQ(send(host, {{":path", "/items?apikey=token1&apikey=token1"}}).status, 401u);
  auto spaced = load(configWithRules(
      R"({"global_auth": true, "keys": ["k"], "in_query": true,
          "consumers": [{"name": "odd", "credential": "a b/c"}]})", {}));
  EXPECT_EQ(send(spaced, {{":path", "/?k=a+b%2Fc"}}).consumer, "odd");
}

TEST(KeyAuth, GlobalAuthOnChecksAllowListsWhereConfigured) {
  auto host = load(withRouteRule("true"));
  EXPECT_EQ(send(host, {{"x-api-key", "token1"}}, "r-allow").consumer, "consumer1");
  EXPECT_EQ(send(host, {{"x-api-key", "token2"}}, "r-allow").status, 403u);
  // Elsewhere every known consumer passes, and a credential is still required.
  EXPECT_EQ(send(host, {{"x-api-key", "token2"}}).consumer, "consumer2");
  EXPECT_EQ(send(host, {}).status, 401u);
}

TEST(KeyAuth, GlobalAuthOffOnlyGuardsConfiguredRoutes) {
  auto host = load(withRouteRule("false"));
  Outcome open = send(host, {});
  EXPECT_EQ(open.status, 0u);
  EXPECT_FALSE(open.consumer.has_value());
  EXPECT_TRUE(host.hasLog(LogLevel::Info, "authorization is not required"));
  EXPECT_EQ(send(host, {}, "r-allow").status, 401u);
  EXPECT_EQ(send(host, {{"x-api-key", "token2"}}, "r-allow").status, 403u);
  EXPECT_EQ(send(host, {{"x-api-key", "token1"}}, "r-allow").consumer, "consumer1");
}

TEST(KeyAuth, GlobalAuthUnsetFollowsTheGoOriginal) {
  // No rule at all: authentication everywhere.
  auto global = load(globalConfig(""));
  EXPECT_EQ(send(global, {}).status, 401u);
  // With a rule: the rule's allow list applies on its route. Elsewhere the global config is used,
  // whose ruleSet is false in Go too (it is set on the rule's copy only), so authentication
  // still applies there: a faithful port keeps that behaviour.
  auto ruled = load(withRouteRule(""));
  EXPECT_EQ(send(ruled, {{"x-api-key", "token2"}}, "r-allow").status, 403u);
  EXPECT_EQ(send(ruled, {{"x-api-key", "token2"}}).consumer, "consumer2");
  EXPECT_EQ(send(ruled, {}).status, 401u);
}

TEST(KeyAuth, DomainRulesWorkLikeRouteRules) {
  auto host = load(configWithRules(globalConfig("false"), {Rule::domain({"*.example.com"}, R"({"allow": ["consumer2"]})")}));
  EXPECT_EQ(send(host, {{"x-api-key", "token2"}}).consumer, "consumer2");
  EXPECT_EQ(send(host, {{"x-api-key", "token1"}}).status, 403u);
}

TEST(KeyAuth, BadConfigurationsAreRejectedWithTheGoMessages) {
  struct Case { std::string config; std::string message; };
  const Case cases[] = {
      {R"({"in_header": true, "consumers": [{"name": "a", "credential": "b"}]})", "keys is required"},
      {R"({"keys": [], "in_header": true, "consumers": [{"name": "a", "credential": "b"}]})", "keys cannot be empty"},
      {R"({"keys": ["k"], "consumers": [{"name": "a", "credential": "b"}]})", "must one of in_query/in_header required"},
      {R"({"keys": ["k"], "in_header": true})", "consumers is required"},
      {R"({"keys": ["k"], "in_header": true, "consumers": []})", "consumers cannot be empty"},
      {R"({"keys": ["k"], "in_header": true, "consumers": [{"credential": "b"}]})", "consumer name is required"},
      {R"({"keys": ["k"], "in_header": true, "consumers": [{"name": "a"}]})", "consumer credential is required"},
      {R"({"keys": ["k"], "in_header": true, "consumers": [{"name": "a", "credential": "b"},
          {"name": "c", "credential": "b"}]})", "duplicate consumer credential: b"},
  };
  for (const auto& c : cases) {
    auto host = TestHost::load(kKeyAuth, c.config);
    ASSERT_FALSE(host.ok()) << c.config;
    EXPECT_NE(host.message().find(c.message), std::string::npos) << host.message();
  }
  auto noAllow = TestHost::load(kKeyAuth, configWithRules(globalConfig("true"), {Rule::route({"r"}, "{}")}));
  ASSERT_FALSE(noAllow.ok());
  EXPECT_NE(noAllow.message().find("allow is required"), std::string::npos) << noAllow.message();
}

}  // namespace
