// Unit tests of the codec's own rejections (gateway/http/parser.h) that must keep their status
// and Envoy details string: limits and checks enforced from inside llhttp callbacks. llhttp
// reports a failing notification callback (on_*_complete) as HPE_CB_*, not HPE_USER, and the
// parser once turned those into a generic 400 "http1.codec_error" (found by the 431 test in
// gateway_timeouts_test).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gateway/http/parser.h"

namespace wasmgate::gateway {
namespace {

struct Heads : Http1Parser::Callbacks {
  std::vector<RequestHead> requests;
  std::vector<ResponseHead> responses;
  void onRequestHead(RequestHead&& h) override { requests.push_back(std::move(h)); }
  void onResponseHead(ResponseHead&& h) override { responses.push_back(std::move(h)); }
  void onBody(std::string_view) override {}
  void onMessageComplete() override {}
};

std::string withHeaders(const std::string& start_line, int count) {
  std::string raw = start_line + "\r\n";
  for (int i = 0; i < count; ++i) raw += "X-H" + std::to_string(i) + ": v\r\n";
  return raw + "\r\n";
}

TEST(CodecLimits, RequestWithTooManyHeadersIs431TooManyHeaders) {
  Heads h;
  Http1Parser::Limits limits;
  limits.max_header_count = 10;
  Http1Parser p(Http1Parser::Kind::Request, h, limits);
  EXPECT_EQ(p.feed(withHeaders("GET / HTTP/1.1", 11)).state, Http1Parser::State::Error);
  EXPECT_EQ(p.error().status, 431);
  EXPECT_EQ(p.error().details, "http1.too_many_headers");
  EXPECT_TRUE(h.requests.empty());
}

TEST(CodecLimits, HeaderCountAtTheLimitIsAccepted) {
  Heads h;
  Http1Parser::Limits limits;
  limits.max_header_count = 10;
  Http1Parser p(Http1Parser::Kind::Request, h, limits);
  EXPECT_EQ(p.feed(withHeaders("GET / HTTP/1.1", 10)).state, Http1Parser::State::MessageDone);
  ASSERT_EQ(h.requests.size(), 1u);
}

TEST(CodecLimits, TooManyHeadersSplitAcrossReadsIsStill431) {
  Heads h;
  Http1Parser::Limits limits;
  limits.max_header_count = 5;
  Http1Parser p(Http1Parser::Kind::Request, h, limits);
  std::string raw = withHeaders("GET / HTTP/1.1", 8);
  Http1Parser::State state = Http1Parser::State::NeedMore;
  for (size_t at = 0; at < raw.size() && state == Http1Parser::State::NeedMore; at += 3) {
    state = p.feed(std::string_view(raw).substr(at, 3)).state;
  }
  EXPECT_EQ(state, Http1Parser::State::Error);
  EXPECT_EQ(p.error().status, 431);
  EXPECT_EQ(p.error().details, "http1.too_many_headers");
}

TEST(CodecLimits, UpstreamResponseWithTooManyHeadersIs502) {
  Heads h;
  Http1Parser::Limits limits;
  limits.max_header_count = 4;
  Http1Parser p(Http1Parser::Kind::Response, h, limits);
  EXPECT_EQ(p.feed(withHeaders("HTTP/1.1 200 OK", 6)).state, Http1Parser::State::Error);
  EXPECT_EQ(p.error().status, 502);
  EXPECT_EQ(p.error().details, "upstream_too_many_headers");
  EXPECT_TRUE(h.responses.empty());
}

TEST(CodecLimits, NonChunkedTransferEncodingKeepsItsDetails) {
  // Rejected in on_headers_complete, a notification callback too.
  Heads h;
  Http1Parser p(Http1Parser::Kind::Request, h);
  EXPECT_EQ(p.feed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabc").state,
            Http1Parser::State::Error);
  EXPECT_EQ(p.error().status, 400);
  EXPECT_EQ(p.error().details, "http1.invalid_transfer_encoding");
  EXPECT_TRUE(h.requests.empty());
}

TEST(CodecLimits, ObsFoldKeepsItsDetails) {
  Heads h;
  Http1Parser p(Http1Parser::Kind::Request, h);
  EXPECT_EQ(p.feed("GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n").state, Http1Parser::State::Error);
  EXPECT_EQ(p.error().status, 400);
  EXPECT_EQ(p.error().details, "http1.invalid_characters");
}

TEST(CodecLimits, UpstreamObsFoldIs502NotAClientStatus) {
  // Found by http_parser_fuzz: the obs-fold check answered 400 for responses too.
  Heads h;
  Http1Parser p(Http1Parser::Kind::Response, h);
  EXPECT_EQ(p.feed("HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\n\r\n").state, Http1Parser::State::Error);
  EXPECT_EQ(p.error().status, 502);
  EXPECT_EQ(p.error().details, "upstream_protocol_error");
  EXPECT_TRUE(h.responses.empty());
}

}  // namespace
}  // namespace wasmgate::gateway
