// The headers-bodies example through the harness: request and response header edits, a buffered
// request body wrapped with prepend/append, a buffered response body masked, and the paths that
// must not touch bodies (no body, binary content).
#include <algorithm>

#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

const char* kConfig = R"({"tag": "edge-1", "strip_request_header": "x-internal-token",
  "body_prefix": "[", "body_suffix": "]", "replace": {"from": "secret", "to": "******"}})";

TestHost load(std::string_view config = kConfig) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/headers-bodies.wasm", std::string(config));
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

TEST(HeadersBodies, RequestHeadersAreTaggedAndStripped) {
  auto host = load();
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/a"}, {"x-internal-token", "t"},
                                 {"x-gateway", "spoofed"}}, true),
            HeaderAction::Continue);
  EXPECT_EQ(http.requestHeader("x-gateway"), "edge-1");
  EXPECT_FALSE(http.requestHeader("x-internal-token").has_value());
  const auto& headers = http.request().headers;
  EXPECT_EQ(std::count_if(headers.begin(), headers.end(), [](const auto& h) { return h.first == "x-gateway"; }), 1)
      << "replaced, not added";
}

TEST(HeadersBodies, TextRequestBodyIsWrappedWhole) {
  auto host = load();
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "POST"}, {":path", "/a"}, {"content-type", "text/plain"},
                                 {"content-length", "6"}}),
            HeaderAction::StopIteration);
  EXPECT_FALSE(http.requestHeader("content-length").has_value());
  EXPECT_EQ(http.requestBody("abc", false), DataAction::StopIterationAndBuffer);
  EXPECT_EQ(http.requestBody("def", true), DataAction::Continue);
  EXPECT_EQ(http.request().body, "[abcdef]");
  EXPECT_EQ(http.request().forwarded_body_bytes, 8u);
}

TEST(HeadersBodies, AJsonObjectBodyGetsTheInjectedField) {
  auto host = load(R"({"body_prefix": "[", "json_inject": {"field": "injected", "value": "say \"hi\"\n"}})");
  auto http = host.newHttp();
  http.requestHeaders({{":method", "POST"}, {":path", "/a"}, {"content-type", "application/json"}});
  EXPECT_EQ(http.requestBody(R"({"a": 1})", true), DataAction::Continue);
  EXPECT_EQ(http.request().body, R"({"injected":"say \"hi\"\u000a","a": 1})");

  auto empty = host.newHttp();
  empty.requestHeaders({{":method", "POST"}, {":path", "/a"}});
  empty.requestBody(" { } ", true);
  EXPECT_EQ(empty.request().body, R"( {"injected":"say \"hi\"\u000a" } )");

  auto notAnObject = host.newHttp();
  notAnObject.requestHeaders({{":method", "POST"}, {":path", "/a"}});
  notAnObject.requestBody("[1, 2]", true);
  EXPECT_EQ(notAnObject.request().body, "[[1, 2]") << "not an object: wrapped as text instead";
}

TEST(HeadersBodies, BinaryRequestBodyIsLeftAlone) {
  auto host = load();
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "POST"}, {":path", "/a"}, {"content-type", "application/octet-stream"}}),
            HeaderAction::Continue);
  EXPECT_EQ(http.requestBody("\x01\x02", true), DataAction::Continue);
  EXPECT_EQ(http.request().body, "\x01\x02");
}

TEST(HeadersBodies, ResponseGetsTheCachedRequestLineAndAMaskedBody) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/users/7"}}, true);
  EXPECT_EQ(http.responseHeaders({{":status", "200"}, {"server", "nginx"}, {"content-length", "30"}}),
            HeaderAction::Continue);
  EXPECT_EQ(http.responseHeader("x-request-line"), "GET /users/7");
  EXPECT_FALSE(http.responseHeader("server").has_value());
  EXPECT_FALSE(http.responseHeader("content-length").has_value());
  EXPECT_EQ(http.responseBody("the secret is ", false), DataAction::StopIterationAndBuffer);
  EXPECT_EQ(http.responseBody("secret!", true), DataAction::Continue);
  EXPECT_EQ(http.response().body, "the ****** is ******!");
}

TEST(HeadersBodies, WithoutMaskingTheResponseBodyStreamsThrough) {
  auto host = load(R"({"tag": "t"})");
  auto http = host.newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/"}}, true);
  http.responseHeaders({{":status", "200"}, {"content-length", "5"}});
  EXPECT_EQ(http.responseHeader("content-length"), "5");
  EXPECT_EQ(http.responseBody("hello", false), DataAction::Continue) << "DontReadResponseBody: not buffered";
  EXPECT_EQ(http.response().forwarded_body_bytes, 5u);
}

TEST(HeadersBodies, ABadReplaceFieldFailsTheConfig) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/headers-bodies.wasm", R"({"replace": {"to": "x"}})");
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.message().find("field 'replace.from'"), std::string::npos) << host.message();
}

}  // namespace
