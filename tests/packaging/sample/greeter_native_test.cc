// The sample project's native test: its greeter built for the host (wasmgate_add_native_plugin),
// loaded with TestHost::loadNative as an author does to debug it in gdb. It must behave as the .wasm.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

const std::string kNativeGreeter = WASMGATE_PLUGIN_DIR "/native/greeter.so";

TEST(GreeterNative, AddsTheConfiguredGreeting) {
  auto host = TestHost::loadNative(kNativeGreeter, R"({"greeting": "hello"})");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/"}}), HeaderAction::Continue);
  EXPECT_EQ(http.requestHeader("x-greeting"), "hello");
}

TEST(GreeterNative, RejectsAConfigWithoutGreeting) {
  auto host = TestHost::loadNative(kNativeGreeter, R"({"blocked_prefix": "/admin"})");
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.message().find("greeting"), std::string::npos) << host.message();
}

}  // namespace
