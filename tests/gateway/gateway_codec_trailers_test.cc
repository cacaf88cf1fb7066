// Unit tests of chunked trailers in the pure HTTP/1.1 codec: the parser hands them over (names
// lower-cased, framing fields dropped, counted against the header limits) before the message
// completes, byte by byte as well as at once; the encoder writes them after the last chunk.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gateway/http/encoder.h"
#include "gateway/http/parser.h"

namespace wasmgate::gateway {
namespace {

struct TrailerCollector : Http1Parser::Callbacks {
  std::string body;
  std::vector<HeaderMap> trailers;
  std::vector<std::string> events;  // order of trailers vs completion
  HeaderMap head_headers;
  void onRequestHead(RequestHead&& h) override { head_headers = std::move(h.headers); }
  void onResponseHead(ResponseHead&& h) override { head_headers = std::move(h.headers); }
  void onBody(std::string_view c) override { body.append(c); }
  void onTrailers(HeaderMap&& t) override {
    trailers.push_back(std::move(t));
    events.push_back("trailers");
  }
  void onMessageComplete() override { events.push_back("complete"); }
};

const char kChunkedWithTrailers[] =
    "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
    "5\r\nhello\r\n0\r\nX-Checksum: abc\r\nContent-Length: 99\r\nX-Other: 1\r\n\r\n";

TEST(CodecTrailers, ParserDeliversTrailersBeforeCompletion) {
  TrailerCollector c;
  Http1Parser p(Http1Parser::Kind::Request, c);
  auto progress = p.feed(kChunkedWithTrailers);
  EXPECT_EQ(progress.state, Http1Parser::State::MessageDone);
  EXPECT_EQ(c.body, "hello");
  ASSERT_EQ(c.trailers.size(), 1u);
  EXPECT_EQ(*c.trailers[0].get("x-checksum"), "abc");
  EXPECT_EQ(*c.trailers[0].get("x-other"), "1");
  EXPECT_FALSE(c.trailers[0].has("content-length")) << "framing fields never pass as trailers";
  EXPECT_EQ(c.events, (std::vector<std::string>{"trailers", "complete"}));
  EXPECT_FALSE(c.head_headers.has("x-checksum")) << "trailers are not headers";
}

TEST(CodecTrailers, ParserHandlesTrailersSplitAcrossReads) {
  TrailerCollector c;
  Http1Parser p(Http1Parser::Kind::Response, c);
  std::string raw = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\ngrpc-status: 0\r\n\r\n";
  for (size_t i = 0; i < raw.size(); ++i) {
    auto progress = p.feed(std::string_view(raw).substr(i, 1));
    ASSERT_NE(progress.state, Http1Parser::State::Error) << "at byte " << i;
  }
  ASSERT_EQ(c.trailers.size(), 1u);
  EXPECT_EQ(*c.trailers[0].get("grpc-status"), "0");
}

TEST(CodecTrailers, NoTrailerCallbackWithoutTrailers) {
  TrailerCollector c;
  Http1Parser p(Http1Parser::Kind::Request, c);
  p.feed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n");
  EXPECT_TRUE(c.trailers.empty());
  EXPECT_EQ(c.events, (std::vector<std::string>{"complete"}));
}

TEST(CodecTrailers, OversizedTrailersAreRejected) {
  TrailerCollector c;
  Http1Parser::Limits limits;
  limits.max_header_bytes = 1024;
  Http1Parser p(Http1Parser::Kind::Request, c, limits);
  std::string raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Big: " +
                    std::string(2000, 'x') + "\r\n\r\n";
  auto progress = p.feed(raw);
  EXPECT_EQ(progress.state, Http1Parser::State::Error);
  EXPECT_EQ(p.error().status, 431);
  EXPECT_TRUE(c.trailers.empty());
}

TEST(CodecTrailers, EncoderWritesTrailersAfterLastChunk) {
  HeaderMap t;
  t.add("X-Checksum", "abc");
  t.add("grpc-status", "0");
  std::string out;
  appendChunk(out, "hello");
  appendLastChunk(out, t);
  EXPECT_EQ(out, "5\r\nhello\r\n0\r\nx-checksum: abc\r\ngrpc-status: 0\r\n\r\n");
  std::string plain;
  appendLastChunk(plain, HeaderMap{});
  EXPECT_EQ(plain, "0\r\n\r\n");

  // What the encoder writes, the parser reads back.
  TrailerCollector c;
  Http1Parser p(Http1Parser::Kind::Response, c);
  EXPECT_EQ(p.feed("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + out).state, Http1Parser::State::MessageDone);
  ASSERT_EQ(c.trailers.size(), 1u);
  EXPECT_EQ(c.trailers[0].entries(), t.entries());
}

}  // namespace
}  // namespace wasmgate::gateway
