// Unit tests of the pure HTTP/1.1 codec (gateway/http/parser.h, encoder.h): framing, pipelining,
// streaming of chunked bodies, and each rejection a proxy needs against request smuggling.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gateway/http/encoder.h"
#include "gateway/http/parser.h"

namespace wasmgate::gateway {
namespace {

struct Collector : Http1Parser::Callbacks {
  std::vector<RequestHead> requests;
  std::vector<ResponseHead> responses;
  std::vector<std::string> chunks;
  int completed = 0;
  void onRequestHead(RequestHead&& h) override { requests.push_back(std::move(h)); }
  void onResponseHead(ResponseHead&& h) override { responses.push_back(std::move(h)); }
  void onBody(std::string_view c) override { chunks.emplace_back(c); }
  void onMessageComplete() override { ++completed; }
  std::string body() const {
    std::string b;
    for (const auto& c : chunks) b += c;
    return b;
  }
};

// Feeds everything, resuming after each message like a connection does.
Http1Parser::State feedAll(Http1Parser& p, std::string_view data) {
  while (true) {
    auto progress = p.feed(data);
    data.remove_prefix(progress.consumed);
    if (progress.state != Http1Parser::State::MessageDone) return progress.state;
    p.resume();
    if (data.empty()) return progress.state;
  }
}

CodecError rejectRequest(std::string_view raw) {
  Collector c;
  Http1Parser p(Http1Parser::Kind::Request, c);
  EXPECT_EQ(feedAll(p, raw), Http1Parser::State::Error) << raw;
  return p.error();
}

TEST(HttpParser, SimpleGetWithHeaders) {
  Collector c;
  Http1Parser p(Http1Parser::Kind::Request, c);
  auto progress = p.feed("GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: Example.COM\r\nX-Thing:  v  \r\n\r\n");
  EXPECT_EQ(progress.state, Http1Parser::State::MessageDone);
  ASSERT_EQ(c.requests.size(), 1u);
  const RequestHead& r = c.requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path(), "/a/b");
  EXPECT_EQ(r.query(), "x=1&y=2");
  EXPECT_EQ(r.authority(), "Example.COM");
  EXPECT_EQ(*r.headers.get("x-thing"), "v");
  EXPECT_TRUE(r.keep_alive);
  EXPECT_FALSE(r.hasBody());
  EXPECT_EQ(c.completed, 1);
}

TEST(HttpParser, PipelinedRequestsStopAfterEachMessage) {
  Collector c;
  Http1Parser p(Http1Parser::Kind::Request, c);
  std::string two = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
  auto first = p.feed(two);
  EXPECT_EQ(first.state, Http1Parser::State::MessageDone);
  EXPECT_EQ(c.requests.size(), 1u);
  EXPECT_LT(first.consumed, two.size());
  p.resume();
  auto second = p.feed(std::string_view(two).substr(first.consumed));
  EXPECT_EQ(second.state, Http1Parser::State::MessageDone);
  ASSERT_EQ(c.requests.size(), 2u);
  EXPECT_EQ(c.requests[1].target, "/2");
}

TEST(HttpParser, ChunkedBodyArrivesAsChunksAcrossReads) {
  Collector c;
  Http1Parser p(Http1Parser::Kind::Request, c);
  std::string raw = "POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  // One byte at a time: the body must still come out complete and in order.
  for (size_t i = 0; i < raw.size(); ++i) {
    auto progress = p.feed(std::string_view(raw).substr(i, 1));
    ASSERT_NE(progress.state, Http1Parser::State::Error) << p.error().reason;
  }
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_TRUE(c.requests[0].chunked);
  EXPECT_EQ(c.body(), "hello world");
  EXPECT_EQ(c.completed, 1);
}

TEST(HttpParser, ContentLengthBodyAndExpectContinue) {
  Collector c;
  Http1Parser p(Http1Parser::Kind::Request, c);
  auto progress = p.feed("PUT /u HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\nab");
  EXPECT_EQ(progress.state, Http1Parser::State::NeedMore);
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_TRUE(c.requests[0].expect_continue);
  EXPECT_EQ(c.requests[0].content_length, 4);
  EXPECT_EQ(p.feed("cd").state, Http1Parser::State::MessageDone);
  EXPECT_EQ(c.body(), "abcd");
}

TEST(HttpParser, UpgradeStopsParsing) {
  Collector c;
  Http1Parser p(Http1Parser::Kind::Request, c);
  std::string raw = "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nRAWBYTES";
  auto progress = p.feed(raw);
  EXPECT_EQ(progress.state, Http1Parser::State::Upgrade);
  EXPECT_EQ(raw.substr(progress.consumed), "RAWBYTES");
  EXPECT_TRUE(c.requests[0].upgrade);
}

TEST(HttpParser, Http10DefaultsToClose) {
  Collector c;
  Http1Parser p(Http1Parser::Kind::Request, c);
  p.feed("GET / HTTP/1.0\r\n\r\n");
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_FALSE(c.requests[0].keep_alive);
}

TEST(HttpParser, RejectsContentLengthWithTransferEncoding) {
  auto e = rejectRequest("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.details, "http1.content_length_and_chunked_not_allowed");
}

TEST(HttpParser, RejectsBadChunkSize) {
  auto e = rejectRequest("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.details, "http1.invalid_chunk_size");
}

TEST(HttpParser, RejectsObsFold) {
  auto e = rejectRequest("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n");
  EXPECT_EQ(e.status, 400);
}

TEST(HttpParser, RejectsInvalidHeaderNameAndMethod) {
  EXPECT_EQ(rejectRequest("GET / HTTP/1.1\r\nHo st: a\r\n\r\n").status, 400);
  EXPECT_EQ(rejectRequest("GET / HTTP/1.1\r\nX(y): a\r\n\r\n").status, 400);
  EXPECT_EQ(rejectRequest("G@T / HTTP/1.1\r\nHost: a\r\n\r\n").details, "http1.invalid_method");
}

TEST(HttpParser, RejectsDuplicateDifferingContentLength) {
  auto e = rejectRequest("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");
  EXPECT_EQ(e.status, 400);
}

TEST(HttpParser, RejectsTransferEncodingOtherThanChunked) {
  auto e = rejectRequest("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabc");
  EXPECT_EQ(e.status, 400);
}

TEST(HttpParser, HeadersOverLimitAre431) {
  Collector c;
  Http1Parser::Limits limits;
  limits.max_header_bytes = 1024;
  Http1Parser p(Http1Parser::Kind::Request, c, limits);
  std::string raw = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(2000, 'x') + "\r\n\r\n";
  EXPECT_EQ(p.feed(raw).state, Http1Parser::State::Error);
  EXPECT_EQ(p.error().status, 431);
  EXPECT_TRUE(c.requests.empty());  // never handed on
}

TEST(HttpParser, ResponseReadUntilCloseAndHead) {
  Collector c;
  Http1Parser p(Http1Parser::Kind::Response, c);
  EXPECT_EQ(p.feed("HTTP/1.1 200 OK\r\nServer: x\r\n\r\npart1").state, Http1Parser::State::NeedMore);
  EXPECT_EQ(p.finish(), Http1Parser::State::MessageDone);
  EXPECT_EQ(c.body(), "part1");

  Collector h;
  Http1Parser head(Http1Parser::Kind::Response, h);
  head.expectNoBody(true);
  EXPECT_EQ(head.feed("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n").state, Http1Parser::State::MessageDone);
  EXPECT_EQ(h.responses[0].content_length, 100);
}

TEST(HttpParser, TruncatedResponseIsAnError) {
  Collector c;
  Http1Parser p(Http1Parser::Kind::Response, c);
  p.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_EQ(p.finish(), Http1Parser::State::Error);
  EXPECT_EQ(p.error().status, 502);
}

TEST(HttpEncoder, HeadsAndChunks) {
  ResponseHead r;
  r.status = 404;
  r.headers.add("Content-Length", "0");
  std::string out;
  appendResponseHead(out, r);
  EXPECT_EQ(out, "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
  out.clear();
  appendChunk(out, "hello");
  appendChunk(out, "");
  appendLastChunk(out);
  EXPECT_EQ(out, "5\r\nhello\r\n0\r\n\r\n");
}

TEST(HeaderMap, SetRemoveJoined) {
  HeaderMap h;
  h.add("A", "1");
  h.add("a", "2");
  EXPECT_EQ(h.joined("a"), "1, 2");
  h.set("A", "3");
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(*h.get("a"), "3");
  EXPECT_EQ(h.remove("a"), 1u);
  EXPECT_FALSE(h.has("a"));
  EXPECT_TRUE(listHasToken("keep-alive, Upgrade", "upgrade"));
}

}  // namespace
}  // namespace wasmgate::gateway
