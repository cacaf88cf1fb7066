// The context-api example (the seed's HttpContext and header/body samples) through the harness,
// against the .wasm and against the native build of the same sources: whole header maps read and
// replaced, Scheme and IsWebsocket carried through the context, streamed versus buffered request
// bodies, text response bodies buffered and wrapped, and a response held for an HTTP call and
// resumed with ResumeHttpResponse.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

#include "tests/harness/support/builds.h"

namespace {

using namespace wasmgate::testing;
using harness_test::Build;

class ContextApi : public ::testing::TestWithParam<Build> {
 protected:
  TestHost load(const std::string& config = "{}") {
    auto host = harness_test::loadExample(GetParam(), "context-api", config);
    EXPECT_TRUE(host.ok()) << host.message();
    return std::move(host).value();
  }
};
INSTANTIATE_TEST_SUITE_P(Builds, ContextApi, ::testing::Values(Build::Wasm, Build::Native), harness_test::buildName);

TEST_P(ContextApi, HeaderMapsAreReadAndReplacedWhole) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":authority", "a.com"}, {":method", "GET"}, {":path", "/p"}, {":scheme", "https"}, {"x-a", "1"}},
                      true);
  EXPECT_EQ(http.requestHeader("x-header-count"), "5");
  EXPECT_EQ(http.requestHeader("x-a"), "1") << "the replaced map keeps what was there";
  EXPECT_EQ(http.responseHeaders({{":status", "200"}, {"server", "up"}}, true), HeaderAction::Continue);
  EXPECT_EQ(http.responseHeader("server"), "up");
  EXPECT_EQ(http.responseHeader("x-scheme"), "https");
  EXPECT_EQ(http.responseHeader("x-websocket"), "false");
  EXPECT_EQ(http.responseHeader("x-request-body"), "none");
}

TEST_P(ContextApi, BodiesStreamByDefault) {
  auto host = load();
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "POST"}, {":path", "/p"}}), HeaderAction::Continue);
  EXPECT_EQ(http.requestBody("hello"), DataAction::Continue);
  EXPECT_EQ(http.request().forwarded_body_bytes, 5u);
  http.responseHeaders({{":status", "200"}}, true);
  EXPECT_EQ(http.responseHeader("x-request-body"), "streamed");
}

TEST_P(ContextApi, BufferRequestBodyDeliversTheWholeBody) {
  auto host = load();
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "POST"}, {":path", "/p"}, {"x-buffer-body", "true"}}),
            HeaderAction::StopIteration);
  EXPECT_EQ(http.requestBody("hello ", false), DataAction::StopIterationAndBuffer);
  EXPECT_EQ(http.requestBody("world", true), DataAction::Continue);
  http.responseHeaders({{":status", "200"}}, true);
  EXPECT_EQ(http.responseHeader("x-request-body"), "buffered 11 bytes, starting 'hell'");
}

TEST_P(ContextApi, WebsocketBodiesAreNotRead) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/ws"}, {"connection", "Upgrade"}, {"upgrade", "websocket"}});
  EXPECT_EQ(http.requestBody("frame"), DataAction::Continue);
  http.responseHeaders({{":status", "101"}, {"content-type", "text/plain"}});
  EXPECT_EQ(http.responseBody("frame"), DataAction::Continue);
  EXPECT_EQ(http.response().body, "frame") << "not wrapped: the plugin never read it";
  EXPECT_EQ(http.responseHeader("x-websocket"), "true");
  EXPECT_EQ(http.responseHeader("x-request-body"), "none");
}

TEST_P(ContextApi, TextResponseBodiesAreBufferedAndWrapped) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":path", "/"}}, true);
  http.responseHeaders({{":status", "200"}, {"content-type", "text/plain"}, {"content-length", "11"}});
  EXPECT_EQ(http.responseHeader("content-length"), std::nullopt);
  EXPECT_EQ(http.responseBody("hello ", false), DataAction::StopIterationAndBuffer);
  EXPECT_EQ(http.responseBody("world", true), DataAction::Continue);
  EXPECT_EQ(http.response().body, "[11 bytes, 'hello'...] hello world [end]");
}

TEST_P(ContextApi, OtherResponseBodiesStreamUnchanged) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":path", "/"}}, true);
  http.responseHeaders({{":status", "200"}, {"content-type", "application/json"}});
  EXPECT_EQ(http.responseBody("{\"a\":", false), DataAction::Continue);
  EXPECT_EQ(http.responseBody("1}", true), DataAction::Continue);
  EXPECT_EQ(http.response().body, "{\"a\":1}");
}

TEST_P(ContextApi, TheResponseWaitsForTheAnnotationThenResumes) {
  auto host = load(R"({"annotateService": "annotate.static"})");
  auto http = host.newHttp();
  http.requestHeaders({{":path", "/orders"}}, true);
  EXPECT_EQ(http.responseHeaders({{":status", "200"}, {"x-annotate", "1"}}, true),
            HeaderAction::StopAllIterationAndWatermark);
  EXPECT_TRUE(http.responseHeld());
  auto calls = host.httpCalls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].cluster, "outbound|80||annotate.static");
  EXPECT_EQ(calls[0].path(), "/annotate?path=/orders");
  ASSERT_TRUE(host.respondHttpCall({.status = 200, .body = "audited"}).ok());
  EXPECT_TRUE(http.responseContinued());
  EXPECT_EQ(http.responseHeader("x-annotation"), "audited");
}

}  // namespace
