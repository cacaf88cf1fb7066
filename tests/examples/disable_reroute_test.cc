// The disable-reroute example through the harness: the plugin turns the route-cache clearing off
// (property clear_route_cache = off) before it changes a request header, and leaves it alone when
// configured not to.
#include <algorithm>

#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

std::vector<PropertyWrite> run(std::string config) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/disable-reroute.wasm", std::move(config));
  EXPECT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/"}, {"x-version", "v1"}}, true);
  EXPECT_EQ(http.requestHeader("x-version"), "v2");
  return http.propertyWrites();
}

TEST(DisableReroute, TheRouteIsKeptBeforeTheHeaderChanges) {
  auto writes = run(R"({"header": "x-version", "value": "v2"})");
  auto it = std::find_if(writes.begin(), writes.end(),
                         [](const PropertyWrite& w) { return w.path == std::vector<std::string>{"clear_route_cache"}; });
  ASSERT_NE(it, writes.end());
  EXPECT_EQ(it->value, "off");
}

TEST(DisableReroute, KeepRouteFalseLetsEnvoyRecomputeTheRoute) {
  auto writes = run(R"({"header": "x-version", "value": "v2", "keep_route": false})");
  for (const auto& w : writes) EXPECT_NE(w.path, std::vector<std::string>{"clear_route_cache"});
}

TEST(DisableReroute, HeaderIsRequired) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/disable-reroute.wasm", R"({"value": "v2"})");
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.message().find("field 'header'"), std::string::npos) << host.message();
}

}  // namespace
