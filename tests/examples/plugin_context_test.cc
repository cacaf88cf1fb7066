// The plugin-context example through the harness: what the start hook stores in the plugin
// context is read by every parse of the same configuration (global first, then each rule), and a
// reload starts from an empty plugin context.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

Result<std::string> config() {
  return configWithRules(R"({"greeting": "hello"})", {Rule::route({"r1"}, R"({"greeting": "hi"})"),
                                                      Rule::route({"r2"}, R"({"greeting": "hey"})")});
}

std::string served(TestHost& host, std::string route, std::string* loadedAt = nullptr) {
  auto http = host.newHttp();
  http.setRouteName(std::move(route));
  http.requestHeaders({{":method", "GET"}, {":path", "/"}}, true);
  http.responseHeaders({{":status", "200"}});
  if (loadedAt) *loadedAt = http.responseHeader("x-config-loaded-at").value_or("");
  return http.responseHeader("x-config").value_or("missing");
}

TEST(PluginContext, EveryParseOfOneConfigurationSharesTheStorage) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/plugin-context.wasm", config());
  ASSERT_TRUE(host.ok()) << host.message();
  std::string globalLoadedAt, ruleLoadedAt;
  EXPECT_EQ(served(*host, "other", &globalLoadedAt), "1/hello");
  EXPECT_EQ(served(*host, "r1", &ruleLoadedAt), "2/hi");
  EXPECT_EQ(served(*host, "r2"), "3/hey");
  EXPECT_FALSE(globalLoadedAt.empty());
  EXPECT_EQ(globalLoadedAt, ruleLoadedAt) << "one start hook for the whole configuration";
}

TEST(PluginContext, AReloadStartsFromAnEmptyPluginContext) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/plugin-context.wasm", config());
  ASSERT_TRUE(host.ok()) << host.message();
  auto reloaded = configWithRules(R"({"greeting": "bonjour"})", {Rule::route({"r1"}, R"({"greeting": "salut"})")});
  ASSERT_TRUE(reloaded.ok());
  ASSERT_TRUE(host->reconfigure(*reloaded).ok()) << host->logDump();
  EXPECT_EQ(served(*host, "other"), "1/bonjour") << "the counter did not carry over";
  EXPECT_EQ(served(*host, "r1"), "2/salut");
}

}  // namespace
