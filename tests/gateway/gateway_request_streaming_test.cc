// Integration test of request body streaming through the real `wasmgate run` binary: a chunked
// request body reaches the upstream chunk by chunk. The client holds back the rest of the body
// until the upstream has seen the first chunk, so a gateway that buffered the whole body before
// forwarding would leave both waiting and fail the test; the body must also arrive intact.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/http/parser.h"
#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Chunk payloads with CR/LF and a would-be terminator inside, so re-chunking bugs show.
const std::string kFirst = "first chunk\r\n0\r\n\r\n ends here";
const std::string kSecond = std::string(70000, 'x') + "second";
const std::string kThird = "third";

std::string chunk(const std::string& payload) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", payload.size());
  return size + payload + "\r\n";
}

// Decodes one request (whatever chunking the gateway chose) into its body.
struct BodyCollector : gateway::Http1Parser::Callbacks {
  std::string body;
  bool complete = false;
  std::string unparsed;  // received bytes the parser has not taken yet
  void onBody(std::string_view part) override { body.append(part); }
  void onMessageComplete() override { complete = true; }
};

// Reads one request from `fd` through the parser until `done(collector)` holds; false on
// timeout, close or a parse error. `raw` keeps every byte received.
template <typename Done>
bool readUntil(int fd, gateway::Http1Parser& parser, BodyCollector& collector, std::string& raw, Done done,
               Clock::time_point deadline) {
  std::string& unparsed = collector.unparsed;
  while (!done(collector)) {
    int left = static_cast<int>(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count());
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, left) <= 0) return false;
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    raw.append(buf, static_cast<size_t>(n));
    unparsed.append(buf, static_cast<size_t>(n));
    auto progress = parser.feed(unparsed);
    if (progress.state == gateway::Http1Parser::State::Error) return false;
    unparsed.erase(0, progress.consumed);
  }
  return true;
}

// The upstream's view of the one request it gets.
struct Observed {
  std::atomic<bool> first_chunk_seen{false};
  std::mutex mutex;
  std::string raw;   // the whole request as received
  std::string body;  // decoded
  bool complete = false;
};

TEST(GatewayRequestStreaming, ChunkedBodyReachesUpstreamBeforeClientFinishes) {
  Observed seen;
  ScriptedUpstream upstream([&](int fd) {
    auto deadline = Clock::now() + std::chrono::seconds(20);
    BodyCollector collector;
    gateway::Http1Parser parser(gateway::Http1Parser::Kind::Request, collector);
    std::string raw;
    bool first = readUntil(fd, parser, collector, raw, [](const BodyCollector& c) {
      return c.body.size() >= kFirst.size();
    }, deadline);
    if (!first) return;
    seen.first_chunk_seen = true;
    readUntil(fd, parser, collector, raw, [](const BodyCollector& c) { return c.complete; }, deadline);
    {
      std::lock_guard<std::mutex> lock(seen.mutex);
      seen.raw = raw;
      seen.body = collector.body;
      seen.complete = collector.complete;
    }
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\nreceived");
  });
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin,
                                     "routes:\n  - name: default/up\n    match: {prefix: /}\n    service: up\n"
                                     "    timeout: 30s\n"
                                     "services:\n  - name: up\n    endpoints: [127.0.0.1:" +
                                         std::to_string(upstream.port()) + "]\n"),
                       1))
      << gw.logs();

  RawClient client(port);
  ASSERT_TRUE(client.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(kFirst)));
  auto deadline = Clock::now() + std::chrono::seconds(15);
  while (!seen.first_chunk_seen && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(10));
  ASSERT_TRUE(seen.first_chunk_seen) << "the gateway held the first chunk back while the body was unfinished\n"
                                     << gw.logs();
  ASSERT_TRUE(client.send(chunk(kSecond)));
  ASSERT_TRUE(client.send(chunk(kThird) + "0\r\n\r\n"));
  HttpResponse r = client.readResponse(15000);
  ASSERT_TRUE(r.ok) << gw.logs();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "received");

  std::lock_guard<std::mutex> lock(seen.mutex);
  EXPECT_NE(gateway::toLower(seen.raw.substr(0, seen.raw.find("\r\n\r\n"))).find("transfer-encoding: chunked"),
            std::string::npos) << seen.raw.substr(0, 400);
  EXPECT_TRUE(seen.complete) << "the upstream did not get a complete chunked request";
  EXPECT_EQ(seen.body, kFirst + kSecond + kThird) << "the streamed body arrived altered";
}

}  // namespace
}  // namespace wasmgate::test
