// The buffer-limits example through the harness: a request with a body raises both buffer limits
// (properties set_decoder_buffer_limit / set_encoder_buffer_limit) and gets its whole body's size
// and checksum in its headers; a request without a body is left alone.
#include <gtest/gtest.h>

#include <map>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

std::map<std::string, std::string> writesByName(const HttpStream& http) {
  std::map<std::string, std::string> out;
  for (const auto& w : http.propertyWrites()) {
    if (w.path.size() == 1) out[w.path[0]] = w.value;
  }
  return out;
}

TestHost load(std::string config) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/buffer-limits.wasm", std::move(config));
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

TEST(BufferLimits, ABodyRaisesTheLimitsAndIsChecksummedWhole) {
  auto host = load(R"({"request_limit_bytes": 10485760, "response_limit_bytes": 2097152})");
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "POST"}, {":path", "/upload"}}), HeaderAction::StopIteration);
  auto writes = writesByName(http);
  EXPECT_EQ(writes["set_decoder_buffer_limit"], "10485760");
  EXPECT_EQ(writes["set_encoder_buffer_limit"], "2097152");

  std::string big(300000, 'x');
  EXPECT_EQ(http.requestBody(big.substr(0, 100000), false), DataAction::StopIterationAndBuffer);
  EXPECT_EQ(http.requestBody(big.substr(100000), true), DataAction::Continue);
  EXPECT_EQ(http.requestHeader("x-body-bytes"), "300000");
  EXPECT_EQ(http.request().forwarded_body_bytes, 300000u);
}

TEST(BufferLimits, TheChecksumIsFnv1a) {
  auto host = load("{}");
  auto http = host.newHttp();
  http.requestHeaders({{":method", "POST"}, {":path", "/"}});
  http.requestBody("a", true);
  EXPECT_EQ(http.requestHeader("x-body-fnv1a"), "e40c292c");  // FNV-1a 32 of "a"
  EXPECT_EQ(writesByName(http)["set_decoder_buffer_limit"], "33554432") << "the default, 32 MiB";
}

TEST(BufferLimits, NoBodyNoLimits) {
  auto host = load("{}");
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/"}}, true), HeaderAction::Continue);
  EXPECT_TRUE(writesByName(http).count("set_decoder_buffer_limit") == 0);
  EXPECT_FALSE(http.requestHeader("x-body-bytes").has_value());
}

TEST(BufferLimits, LimitsMustFitIn32Bits) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/buffer-limits.wasm", R"({"request_limit_bytes": 8589934592})");
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.message().find("field 'request_limit_bytes'"), std::string::npos) << host.message();
}

}  // namespace
