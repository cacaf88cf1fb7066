// The sample project's host test: its own greeter.wasm through wasmgate's harness.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

const std::string kGreeter = WASMGATE_PLUGIN_DIR "/greeter.wasm";

TEST(Greeter, AddsTheConfiguredGreeting) {
  auto host = TestHost::load(kGreeter, R"({"greeting": "hello"})");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/"}}), HeaderAction::Continue);
  EXPECT_EQ(http.requestHeader("x-greeting"), "hello");
}

TEST(Greeter, BlocksThePrefix) {
  auto host = TestHost::load(kGreeter, R"({"greeting": "hello", "blocked_prefix": "/admin"})");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/admin/users"}});
  ASSERT_TRUE(http.localResponse().has_value());
  EXPECT_EQ(http.localResponse()->status, 403u);
  EXPECT_EQ(http.localResponse()->body, "blocked by greeter");
}

TEST(Greeter, RejectsAConfigWithoutGreeting) {
  auto host = TestHost::load(kGreeter, R"({"blocked_prefix": "/admin"})");
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.message().find("greeting"), std::string::npos) << host.message();
}

}  // namespace
