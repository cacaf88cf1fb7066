// Flow control and trailers through the real `wasmgate run` binary. A client that stops reading
// must stop the gateway from reading the upstream (and the reverse for a slow upstream), so a
// large streamed body never piles up in the gateway's memory; chunked trailers pass both ways.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

constexpr size_t kBodySize = 256u << 20;   // far beyond any sane buffer
constexpr size_t kBlock = 64u << 10;
// What may sit in kernel socket buffers (two loopback hops; the test's own receiving socket is
// capped at kTestRcvBuf, the gateway's are autotuned) plus the gateway's 1 MiB watermark: the
// producer may get this far ahead of a consumer that reads nothing. Without flow control it
// gets all kBodySize ahead.
constexpr size_t kMaxAhead = 64u << 20;
constexpr int kTestRcvBuf = 256 << 10;
constexpr long kMaxRssGrowthKb = 16 * 1024;

// The RSS bound holds in the Release suite. Under ASan the quarantine keeps every freed read
// buffer resident, so RSS grows with the bytes that passed through the gateway (socket buffers'
// worth, over 10 MiB on loopback) rather than with what it holds; the `ahead` bound still runs.
void expectBoundedRssGrowth(long growth_kb) {
#ifdef WASMGATE_ASAN
  (void)growth_kb;
#else
  EXPECT_LT(growth_kb, kMaxRssGrowthKb) << "gateway RSS grew by " << growth_kb << " kB";
#endif
}

// Resident set of a process, from /proc (kB); -1 if unreadable.
long rssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kb = -1;
      in >> kb;
      return kb;
    }
    in.ignore(1 << 12, '\n');
  }
  return -1;
}

// The body's bytes are a function of their offset, so truncation or reordering is detected.
char patternAt(size_t offset) { return static_cast<char>('a' + offset % 23); }

std::string patternBlock(size_t offset, size_t n) {
  std::string b(n, '\0');
  for (size_t i = 0; i < n; ++i) b[i] = patternAt(offset + i);
  return b;
}

bool sendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads until `marker` appears in `out` (or timeout / EOF); returns whether it did.
bool readUntil(int fd, std::string& out, std::string_view marker, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[kBlock];
  while (out.find(marker) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    out.append(buf, static_cast<size_t>(n));
  }
  return true;
}

void capReceiveBuffer(int fd) { ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kTestRcvBuf, sizeof kTestRcvBuf); }

int connectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  capReceiveBuffer(fd);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string routeTo(int upstream_port) {
  return "routes:\n  - name: default/all\n    match: {prefix: /}\n    service: up\n    timeout: 60s\n"
         "services:\n  - name: up\n    endpoints: [127.0.0.1:" + std::to_string(upstream_port) + "]\n";
}

TEST(GatewayFlow, SlowClientPausesTheUpstream) {
  std::atomic<size_t> upstream_sent{0};
  std::atomic<int> requests{0};
  ScriptedUpstream upstream([&](int fd) {
    while (!ScriptedUpstream::readRequest(fd).empty()) {
      if (requests++ > 0) {  // later requests: a small answer
        sendAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nsmall");
        continue;
      }
      if (!sendAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(kBodySize) + "\r\n\r\n")) return;
      for (size_t off = 0; off < kBodySize; off += kBlock) {
        if (!sendAll(fd, patternBlock(off, kBlock))) return;
        upstream_sent += kBlock;
      }
    }
  });
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, routeTo(upstream.port())), 1)) << gw.logs();
  long rss_before = rssKb(gw.pid());

  int fd = connectLoopback(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(sendAll(fd, "GET /big HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::string head;
  ASSERT_TRUE(readUntil(fd, head, "\r\n\r\n", 5000));
  ASSERT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << head;

  // The client reads nothing for a while: the upstream must be stopped, not drained into RAM.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  size_t ahead = upstream_sent.load();
  long growth = rssKb(gw.pid()) - rss_before;
  std::printf("[flow] client paused: upstream ahead %zu bytes, gateway RSS +%ld kB\n", ahead, growth);
  EXPECT_LT(ahead, kMaxAhead) << "the upstream kept being read while the client read nothing";
  expectBoundedRssGrowth(growth);
  HttpResponse stats = httpGet(admin, "/stats");
  EXPECT_EQ(stats.status, 200);

  // Then it reads everything: the whole body arrives, intact and in order.
  size_t body_offset = head.size() - (head.find("\r\n\r\n") + 4);
  size_t received = 0;
  bool intact = true;
  for (size_t i = 0; i < body_offset; ++i) intact &= head[head.size() - body_offset + i] == patternAt(i);
  received = body_offset;
  char buf[kBlock];
  while (received < kBodySize) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n && intact; ++i) intact = buf[i] == patternAt(received + static_cast<size_t>(i));
    received += static_cast<size_t>(n);
  }
  EXPECT_EQ(received, kBodySize);
  EXPECT_TRUE(intact) << "the body was corrupted in transit";

  // The connection (and the upstream, read again) serve the next request normally.
  std::string next;
  ASSERT_TRUE(sendAll(fd, "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_TRUE(readUntil(fd, next, "\r\n\r\nsmall", 5000)) << next;
  ::close(fd);
}

TEST(GatewayFlow, SlowUpstreamPausesTheClient) {
  std::atomic<bool> release{false};
  std::atomic<size_t> upstream_got{0};
  ScriptedUpstream upstream([&](int fd) {
    std::string data;
    capReceiveBuffer(fd);
    if (!readUntil(fd, data, "\r\n\r\n", 5000)) return;
    // Read nothing more until the test has looked at the client.
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    size_t got = data.size() - (data.find("\r\n\r\n") + 4);
    char buf[kBlock];
    while (got < kBodySize) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    upstream_got = got;
    std::string body = std::to_string(got);
    sendAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  });
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, routeTo(upstream.port())), 1)) << gw.logs();
  long rss_before = rssKb(gw.pid());

  int fd = connectLoopback(port);
  ASSERT_GE(fd, 0);
  std::atomic<size_t> client_sent{0};
  std::thread sender([&] {
    if (!sendAll(fd, "POST /upload HTTP/1.1\r\nHost: a\r\ncontent-length: " + std::to_string(kBodySize) + "\r\n\r\n"))
      return;
    std::string block = patternBlock(0, kBlock);
    for (size_t off = 0; off < kBodySize; off += kBlock) {
      if (!sendAll(fd, block)) return;
      client_sent += kBlock;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  size_t ahead = client_sent.load();
  long growth = rssKb(gw.pid()) - rss_before;
  release = true;
  std::printf("[flow] upstream paused: client ahead %zu bytes, gateway RSS +%ld kB\n", ahead, growth);
  EXPECT_LT(ahead, kMaxAhead) << "the client kept being read while the upstream read nothing";
  expectBoundedRssGrowth(growth);
  sender.join();

  std::string response;
  EXPECT_TRUE(readUntil(fd, response, "\r\n\r\n" + std::to_string(kBodySize), 20000)) << response;
  ::close(fd);
  EXPECT_EQ(upstream_got.load(), kBodySize);
}

TEST(GatewayFlow, SlowClientPausesAWebSocketTunnel) {
  // After a 101 the upstream floods raw bytes; the client reads none of them for a while.
  std::atomic<size_t> upstream_sent{0};
  ScriptedUpstream upstream([&](int fd) {
    if (ScriptedUpstream::readRequest(fd).empty()) return;
    if (!sendAll(fd, "HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n")) return;
    for (size_t off = 0; off < kBodySize; off += kBlock) {
      if (!sendAll(fd, patternBlock(off, kBlock))) return;
      upstream_sent += kBlock;
    }
  });
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, routeTo(upstream.port())), 1)) << gw.logs();
  long rss_before = rssKb(gw.pid());
  int fd = connectLoopback(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(sendAll(fd, "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"));
  std::string head;
  ASSERT_TRUE(readUntil(fd, head, "\r\n\r\n", 5000));
  ASSERT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  size_t ahead = upstream_sent.load();
  long growth = rssKb(gw.pid()) - rss_before;
  std::printf("[flow] tunnel client paused: upstream ahead %zu bytes, gateway RSS +%ld kB\n", ahead, growth);
  EXPECT_LT(ahead, kMaxAhead) << "the tunnel's upstream kept being read while the client read nothing";
  expectBoundedRssGrowth(growth);
  // Reading resumes the tunnel: everything arrives.
  size_t received = head.size() - (head.find("\r\n\r\n") + 4);
  char buf[kBlock];
  while (received < kBodySize) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    received += static_cast<size_t>(n);
  }
  ::close(fd);
  EXPECT_EQ(received, kBodySize);
}

TEST(GatewayFlow, ChunkedTrailersPassBothWays) {
  std::string seen_by_upstream;
  std::atomic<bool> upstream_done{false};
  ScriptedUpstream upstream([&](int fd) {
    std::string data;
    // The request's last chunk carries a trailer section; read up to its end.
    if (readUntil(fd, data, "\r\n0\r\n", 5000)) readUntil(fd, data, "x-checksum: abc123\r\n\r\n", 5000);
    seen_by_upstream = data;
    upstream_done = true;
    sendAll(fd, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-upstream-status\r\n\r\n"
                "5\r\nhello\r\n0\r\nx-upstream-status: done\r\n\r\n");
    std::string next;
    if (readUntil(fd, next, "\r\n\r\n", 3000)) {
      sendAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nsecond");
    }
  });
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, routeTo(upstream.port())), 1)) << gw.logs();
  int fd = connectLoopback(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(sendAll(fd, "POST /t HTTP/1.1\r\nHost: a\r\ntransfer-encoding: chunked\r\ntrailer: x-checksum\r\n\r\n"
                          "4\r\ndata\r\n0\r\nX-Checksum: abc123\r\n\r\n"));
  std::string response;
  EXPECT_TRUE(readUntil(fd, response, "x-upstream-status: done\r\n\r\n", 5000)) << response;
  EXPECT_NE(response.find("hello\r\n0\r\nx-upstream-status: done\r\n\r\n"), std::string::npos) << response;
  EXPECT_TRUE(upstream_done.load());
  EXPECT_NE(seen_by_upstream.find("data\r\n0\r\nx-checksum: abc123\r\n\r\n"), std::string::npos) << seen_by_upstream;

  // The framing stayed exact: the next request on the same connection works.
  std::string second;
  ASSERT_TRUE(sendAll(fd, "GET /again HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_TRUE(readUntil(fd, second, "second", 5000)) << second;
  ::close(fd);
}

}  // namespace
}  // namespace wasmgate::test
