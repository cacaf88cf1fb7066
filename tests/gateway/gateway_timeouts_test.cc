// Integration tests of the gateway's timeouts and header-count limit that the other suites leave
// out: a slowloris client dribbling its headers, the downstream keep-alive idle timeout, the
// upstream connect timeout (against a listener whose accept queue is full, so the SYN is
// dropped) and max_request_headers_count. The real binary on loopback, raw sockets.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <vector>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

using Clock = std::chrono::steady_clock;

std::string httpbinRoutes() {
  return "routes:\n  - name: default/bin\n    match: {prefix: /}\n    service: httpbin\n"
         "services:\n  - name: httpbin\n    builtin: httpbin\n";
}

// A listening socket that never accepts, with its accept queue filled by `fillers`, so that a
// further connect() gets no answer: the kernel drops its SYN while the queue is full.
class BlackholeListener {
 public:
  BlackholeListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 0) != 0) return;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    for (int i = 0; i < 4; ++i) {
      int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);  // EINPROGRESS or queued
      fillers_.push_back(c);
    }
    usleep(100000);  // let the handshakes that fit complete
  }
  ~BlackholeListener() {
    for (int c : fillers_) ::close(c);
    if (fd_ >= 0) ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

TEST(GatewayTimeouts, SlowlorisDribblingHeadersStillTimesOut) {
  // Each byte arrives well inside the timeout; the limit is on the whole head, so the timer
  // must not restart on every read.
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, "limits:\n  request_headers_timeout: 1s\n" + httpbinRoutes()), 1))
      << gw.logs();
  RawClient c(port);
  ASSERT_TRUE(c.send("GET /get HTTP/1.1\r\nHost: a\r\n"));
  auto start = Clock::now();
  bool answered = false;
  HttpResponse r;
  for (int i = 0; i < 20 && !answered; ++i) {
    c.send("X");  // one more byte of a header name, every 200 ms
    r = c.readResponse(200);
    answered = r.ok;
  }
  auto took = Clock::now() - start;
  ASSERT_TRUE(answered) << "the gateway kept waiting for a dribbled head";
  EXPECT_EQ(r.status, 408);
  EXPECT_LT(took, std::chrono::milliseconds(2500));
  EXPECT_TRUE(c.closedByPeer());
}

TEST(GatewayTimeouts, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, "limits:\n  idle_timeout: 600ms\n" + httpbinRoutes()), 1))
      << gw.logs();
  RawClient c(port);
  ASSERT_TRUE(c.send("GET /get HTTP/1.1\r\nHost: a\r\n\r\n"));
  HttpResponse r = c.readResponse();
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.header("connection"), "close");
  auto idle_from = Clock::now();
  EXPECT_TRUE(c.closedByPeer(3000)) << "an idle keep-alive connection must be closed";
  auto idle_for = Clock::now() - idle_from;
  EXPECT_GE(idle_for, std::chrono::milliseconds(450)) << "closed before the idle timeout";
  EXPECT_LT(idle_for, std::chrono::milliseconds(2000));
}

TEST(GatewayTimeouts, UpstreamConnectTimeoutAnswers503WithinTheTimeout) {
  BlackholeListener hole;
  ASSERT_GT(hole.port(), 0);
  int port = freePort(), admin = freePort();
  std::string rest =
      "routes:\n  - name: default/hole\n    match: {prefix: /}\n    service: hole\n    retries: 0\n"
      "services:\n  - name: hole\n    endpoints: [127.0.0.1:" + std::to_string(hole.port()) + "]\n"
      "    connect_timeout: 300ms\n";
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  auto start = Clock::now();
  HttpResponse r = httpGet(port, "/x");
  auto took = Clock::now() - start;
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("connection_failure"), std::string::npos) << r.body;
  EXPECT_GE(took, std::chrono::milliseconds(250)) << "answered before the connect timeout: was the SYN refused?";
  EXPECT_LT(took, std::chrono::milliseconds(2000));
  HttpResponse stats = httpGet(admin, "/stats");
  EXPECT_NE(stats.body.find("wasmgate_upstream_errors_total{kind=\"connect_failure\"} 1\n"), std::string::npos)
      << stats.body;
}

TEST(GatewayTimeouts, TooManyHeadersAre431AndNeverForwarded) {
  std::atomic<int> upstream_requests{0};
  ScriptedUpstream upstream([&](int fd) {
    while (!ScriptedUpstream::readRequest(fd, 2000).empty()) {
      ++upstream_requests;
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    }
  });
  int port = freePort(), admin = freePort();
  std::string rest = "limits:\n  max_request_headers_count: 10\n"
                     "routes:\n  - name: default/u\n    match: {prefix: /}\n    service: u\n"
                     "services:\n  - name: u\n    endpoints: [127.0.0.1:" + std::to_string(upstream.port()) + "]\n";
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  std::string fits = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 8; ++i) fits += "X-H" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(httpGet(port, "/", fits.substr(fits.find("X-H0"))).status, 200);
  std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 20; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  RawClient c(port);
  ASSERT_TRUE(c.send(many + "\r\n"));
  HttpResponse r = c.readResponse();
  EXPECT_EQ(r.status, 431);
  EXPECT_TRUE(c.closedByPeer());
  EXPECT_EQ(upstream_requests.load(), 1) << "only the request within the limit may reach the upstream";
}

}  // namespace
}  // namespace wasmgate::test
