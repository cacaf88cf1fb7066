// The streaming-body example through the harness: each response chunk is rewritten and passed on
// at once (never buffered), the last chunk carries the footer, and request chunks are rewritten
// the same way and counted.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

TestHost load(std::string config = R"({"from": "http://", "to": "https://"})") {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/streaming-body.wasm", std::move(config));
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

TEST(StreamingBody, EachResponseChunkIsRewrittenAndForwardedAtOnce) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/page"}}, true);
  http.responseHeaders({{":status", "200"}, {"content-length", "64"}});
  EXPECT_FALSE(http.responseHeader("content-length").has_value());

  EXPECT_EQ(http.responseBody("<a href=\"http://x\">", false), DataAction::Continue);
  EXPECT_EQ(http.response().forwarded_body_bytes, 20u) << "forwarded before the stream ends";
  EXPECT_EQ(http.responseBody("<img src=\"http://y\">", false), DataAction::Continue);
  EXPECT_EQ(http.responseBody("", true), DataAction::Continue);
  EXPECT_EQ(http.response().body,
            "<a href=\"https://x\"><img src=\"https://y\">\n<!-- rewritten in 2 chunks -->");
}

TEST(StreamingBody, AMatchSplitAcrossChunksIsNotRewritten) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/"}}, true);
  http.responseHeaders({{":status", "200"}});
  http.responseBody("htt", false);
  http.responseBody("p://z", true);
  EXPECT_EQ(http.response().body, "http://z\n<!-- rewritten in 2 chunks -->");
}

TEST(StreamingBody, RequestChunksAreRewrittenForwardedAndCounted) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":method", "POST"}, {":path", "/upload"}});
  EXPECT_EQ(http.requestBody("12345", false), DataAction::Continue);
  EXPECT_EQ(http.request().forwarded_body_bytes, 5u);
  EXPECT_EQ(http.requestBody("url=http://a", true), DataAction::Continue);
  EXPECT_EQ(http.request().body, "12345url=https://a");
  EXPECT_TRUE(host.hasLog(LogLevel::Info, "request body streamed: 17 bytes")) << host.logDump();
}

TEST(StreamingBody, FromIsRequired) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/streaming-body.wasm", R"({"to": "x"})");
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.message().find("field 'from'"), std::string::npos) << host.message();
}

}  // namespace
