// Integration tests of the gateway's HTTP/1.1 handling: the real `wasmgate run` binary on
// loopback, spoken to with raw sockets. A scripted upstream records what reaches it, so the
// smuggling tests also prove the bad request was never forwarded.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <mutex>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

// An upstream that answers every request with 200 and the request's bytes count, recording
// each request it received.
class RecordingUpstream {
 public:
  RecordingUpstream()
      : server_([this](int fd) {
          while (true) {
            std::string req = ScriptedUpstream::readRequest(fd, 3000);
            if (req.empty()) return;
            {
              std::lock_guard<std::mutex> lock(mutex_);
              requests_.push_back(req);
            }
            std::string body = "seen " + std::to_string(req.size());
            ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(body.size()) +
                                               "\r\n\r\n" + body);
          }
        }) {}
  int port() const { return server_.port(); }
  int connections() const { return server_.connections(); }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> requests_;
  ScriptedUpstream server_;
};

class GatewayHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = freePort();
    admin_ = freePort();
    std::string rest =
        "limits:\n  max_request_headers_kb: 8\n  request_headers_timeout: 1s\n"
        "routes:\n  - name: default/backend\n    match: {prefix: /}\n    service: backend\n"
        "services:\n  - name: backend\n    endpoints: [127.0.0.1:" + std::to_string(upstream_.port()) + "]\n";
    ASSERT_TRUE(gateway_.start(gatewayConfig(port_, admin_, rest), 1)) << gateway_.logs();
  }

  void expectRejected(const std::string& raw, int status, bool head_may_reach_upstream = false) {
    RawClient c(port_);
    ASSERT_TRUE(c.send(raw));
    HttpResponse r = c.readResponse();
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.status, status) << raw;
    EXPECT_EQ(r.header("connection"), "close");
    EXPECT_TRUE(c.closedByPeer());
    if (!head_may_reach_upstream) {
      EXPECT_TRUE(upstream_.requests().empty()) << "a rejected request reached the upstream";
    }
    // Headers are streamed before the body, but the upstream never gets a complete request.
    for (const auto& req : upstream_.requests()) {
      EXPECT_EQ(req.find("\r\n0\r\n\r\n"), std::string::npos) << req;
    }
  }

  RecordingUpstream upstream_;
  GatewayProcess gateway_;
  int port_ = 0;
  int admin_ = 0;
};

TEST_F(GatewayHttpTest, ContentLengthPlusTransferEncodingIsRejected) {
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400);
}

TEST_F(GatewayHttpTest, BadChunkSizeIsRejected) {
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfoo\r\nxyz\r\n0\r\n\r\n", 400,
                 /*head_may_reach_upstream=*/true);
}

TEST_F(GatewayHttpTest, ObsFoldIsRejected) {
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n\ttwo\r\n\r\n", 400);
}

TEST_F(GatewayHttpTest, InvalidHeaderNameAndMethodAreRejected) {
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", 400);
}

TEST_F(GatewayHttpTest, InvalidMethodIsRejected) { expectRejected("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400); }

TEST_F(GatewayHttpTest, DuplicateDifferingContentLengthIsRejected) {
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400);
}

TEST_F(GatewayHttpTest, OversizedHeadersAre431) {
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n", 431);
}

TEST_F(GatewayHttpTest, PipelinedRequestsAnsweredInOrder) {
  RawClient c(port_);
  ASSERT_TRUE(c.send("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n"
                     "GET /three HTTP/1.1\r\nHost: a\r\n\r\n"));
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = c.readResponse();
    ASSERT_TRUE(r.ok) << i;
    EXPECT_EQ(r.status, 200);
  }
  auto reqs = upstream_.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].rfind("GET /one ", 0), 0u);
  EXPECT_EQ(reqs[1].rfind("GET /two ", 0), 0u);
  EXPECT_EQ(reqs[2].rfind("GET /three ", 0), 0u);
}

TEST_F(GatewayHttpTest, KeepAliveReusesClientAndUpstreamConnections) {
  RawClient c(port_);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.send("GET /k HTTP/1.1\r\nHost: a\r\n\r\n"));
    HttpResponse r = c.readResponse();
    ASSERT_TRUE(r.ok);
    EXPECT_NE(r.header("connection"), "close");
  }
  EXPECT_EQ(upstream_.requests().size(), 5u);
  EXPECT_EQ(upstream_.connections(), 1) << "the pooled upstream connection was not reused";
}

TEST_F(GatewayHttpTest, ChunkedRequestBodyIsStreamedUpstream) {
  RawClient c(port_);
  ASSERT_TRUE(c.send("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
  usleep(50000);
  ASSERT_TRUE(c.send("6\r\n world\r\n0\r\n\r\n"));
  HttpResponse r = c.readResponse();
  ASSERT_TRUE(r.ok);
  auto reqs = upstream_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_NE(reqs[0].find("transfer-encoding: chunked"), std::string::npos);
  EXPECT_NE(reqs[0].find("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), std::string::npos) << reqs[0];
}

TEST_F(GatewayHttpTest, ExpectContinueIsAnsweredByTheGateway) {
  RawClient c(port_);
  ASSERT_TRUE(c.send("PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  HttpResponse interim = c.readResponse(2000);
  ASSERT_TRUE(interim.ok);
  EXPECT_EQ(interim.status, 100);
  ASSERT_TRUE(c.send("data"));
  HttpResponse r = c.readResponse();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  auto reqs = upstream_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].find("expect:"), std::string::npos) << "Expect must not be forwarded";
  EXPECT_EQ(reqs[0].substr(reqs[0].size() - 4), "data");
}

TEST_F(GatewayHttpTest, SlowHeadersTimeOutWith408) {
  RawClient c(port_);
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: a\r\n"));  // never finished
  HttpResponse r = c.readResponse(4000);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.status, 408);
  EXPECT_TRUE(upstream_.requests().empty());
}

TEST_F(GatewayHttpTest, Http10ClientGetsCloseDelimitedOrLengthAndClose) {
  RawClient c(port_);
  ASSERT_TRUE(c.send("GET /old HTTP/1.0\r\nHost: a\r\n\r\n"));
  HttpResponse r = c.readResponse();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(c.closedByPeer());
}

}  // namespace
}  // namespace wasmgate::test
