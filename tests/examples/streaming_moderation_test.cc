// The streaming-moderation example through the harness: response chunks are held
// (StopIterationNoBuffer), checked one moderation call at a time, and re-injected in order with
// blocked text replaced; the end of the stream is injected last; a failing service fails open.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

TestHost load(LoadOptions options = {}) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/streaming-moderation.wasm",
                             R"({"serviceName": "moderation.static", "path": "/check", "replacement": "[removed]"})",
                             std::move(options));
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

HttpStream startResponse(TestHost& host) {
  auto http = host.newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/chat"}}, true);
  EXPECT_EQ(http.responseHeaders({{":status", "200"}, {"content-length", "100"}}), HeaderAction::Continue);
  EXPECT_FALSE(http.responseHeader("content-length").has_value());
  return http;
}

TEST(StreamingModeration, ChunksAreCheckedInOrderAndReinjected) {
  auto host = load();
  auto http = startResponse(host);
  EXPECT_EQ(http.responseBody("Hello ", false), DataAction::StopIterationNoBuffer);
  ASSERT_EQ(host.httpCalls().size(), 1u);
  EXPECT_EQ(host.httpCalls()[0].cluster, "outbound|80||moderation.static");
  EXPECT_EQ(host.httpCalls()[0].method(), "POST");
  EXPECT_EQ(host.httpCalls()[0].body, "Hello ");
  EXPECT_EQ(http.injectedData(), "") << "nothing reaches the client before the verdict";

  // Two chunks arrive while the first check runs: they wait for one check together.
  EXPECT_EQ(http.responseBody("bad ", false), DataAction::StopIterationNoBuffer);
  EXPECT_EQ(http.responseBody("words", false), DataAction::StopIterationNoBuffer);
  EXPECT_EQ(host.httpCalls().size(), 1u) << "one check at a time";

  ASSERT_TRUE(host.respondHttpCall({.status = 200, .body = "ok"}).ok());
  EXPECT_EQ(http.injectedData(), "Hello ");
  ASSERT_EQ(host.httpCalls().size(), 1u);
  EXPECT_EQ(host.httpCalls()[0].body, "bad words");

  EXPECT_EQ(http.responseBody("", true), DataAction::StopIterationNoBuffer);
  ASSERT_TRUE(host.respondHttpCall({.status = 200, .body = "block"}).ok());
  EXPECT_EQ(http.injectedData(), "Hello [removed]");
  EXPECT_TRUE(host.httpCalls().empty()) << "an empty end needs no check";
  EXPECT_EQ(http.response().forwarded_body_bytes, 15u);
}

TEST(StreamingModeration, AFailingServiceFailsOpen) {
  auto host = load();
  auto http = startResponse(host);
  http.responseBody("text", true);
  ASSERT_TRUE(host.failHttpCall().ok());
  EXPECT_EQ(http.injectedData(), "text");
  EXPECT_TRUE(host.hasLog(LogLevel::Warn, "passing 4 bytes unchecked")) << host.logDump();
}

TEST(StreamingModeration, AnUndeliverableCheckFailsOpenAtOnce) {
  auto host = load({.clusters = {"outbound|80||elsewhere"}});
  auto http = startResponse(host);
  http.responseBody("text", true);
  EXPECT_TRUE(host.httpCalls().empty());
  EXPECT_EQ(http.injectedData(), "text");
}

}  // namespace
