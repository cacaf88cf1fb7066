// Integration tests of how work is spread: round robin over a static service's endpoints, and
// client connections over the worker threads (each worker listens on its own SO_REUSEPORT
// socket and keeps its own upstream pool, so the number of upstream connections seen by a
// backend tells how many workers served). Also httpbin's /post, the one echo endpoint the
// proxy suite does not call. The real binary, scripted upstreams on loopback.
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

// Answers every request with `name`, keep-alive, counting requests.
ScriptedUpstream::Handler named(std::string name, std::atomic<int>& requests) {
  return [name, &requests](int fd) {
    while (!ScriptedUpstream::readRequest(fd, 3000).empty()) {
      ++requests;
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(name.size()) + "\r\n\r\n" +
                                         name);
    }
  };
}

std::string serviceOf(const std::vector<int>& ports, const std::string& extra = "") {
  std::string eps;
  for (int p : ports) eps += (eps.empty() ? "" : ", ") + std::string("127.0.0.1:") + std::to_string(p);
  return "routes:\n  - name: default/lb\n    match: {prefix: /}\n    service: lb\n"
         "services:\n  - name: lb\n    endpoints: [" + eps + "]\n" + extra;
}

TEST(GatewayBalancing, RoundRobinAlternatesEndpoints) {
  std::atomic<int> a_count{0}, b_count{0};
  ScriptedUpstream a(named("a", a_count));
  ScriptedUpstream b(named("b", b_count));
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, serviceOf({a.port(), b.port()})), 1)) << gw.logs();
  RawClient c(port);
  std::string sequence;
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    sequence += c.readResponse().body;
  }
  // One worker, one cluster: strict alternation, whichever endpoint comes first.
  EXPECT_TRUE(sequence == "ababab" || sequence == "bababa") << sequence;
  EXPECT_EQ(a_count.load(), 3);
  EXPECT_EQ(b_count.load(), 3);
}

TEST(GatewayBalancing, ConnectionsSpreadOverWorkersEachWithItsOwnPool) {
  std::atomic<int> served{0};
  ScriptedUpstream one_worker_backend(named("x", served));
  ScriptedUpstream two_worker_backend(named("y", served));
  auto run = [&](ScriptedUpstream& backend, int workers) {
    int port = freePort(), admin = freePort();
    GatewayProcess gw;
    EXPECT_TRUE(gw.start(gatewayConfig(port, admin, serviceOf({backend.port()})), workers)) << gw.logs();
    // Sequential requests on fresh client connections: each worker reuses its one pooled
    // upstream connection, so the backend sees one connection per worker that served.
    for (int i = 0; i < 24; ++i) EXPECT_EQ(httpGet(port, "/").status, 200) << i;
  };
  run(one_worker_backend, 1);
  EXPECT_EQ(one_worker_backend.connections(), 1);
  run(two_worker_backend, 2);
  // The kernel hashes each new connection's 4-tuple to a worker's socket; 24 connections all
  // landing on one of two workers has a probability of 2^-23.
  EXPECT_EQ(two_worker_backend.connections(), 2);
  EXPECT_EQ(served.load(), 48);
}

TEST(GatewayBalancing, HttpbinPostEchoesBodyAsDataAndJson) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin,
                                     "routes:\n  - name: default/bin\n    match: {prefix: /}\n    service: httpbin\n"
                                     "services:\n  - name: httpbin\n    builtin: httpbin\n"),
                       1))
      << gw.logs();
  RawClient c(port);
  std::string body = "{\"n\": [1, 2]}";
  ASSERT_TRUE(c.send("POST /post?q=1 HTTP/1.1\r\nHost: bin.local\r\nContent-Type: application/json\r\n"
                     "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
  HttpResponse r = c.readResponse();
  ASSERT_EQ(r.status, 200);
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  EXPECT_EQ(j["data"], body);
  EXPECT_EQ(j["json"]["n"][1], 2);
  EXPECT_EQ(j["args"]["q"], "1");
  EXPECT_EQ(j["url"], "http://bin.local/post?q=1");
  EXPECT_EQ(j["origin"], "127.0.0.1");
  ASSERT_TRUE(c.send("GET /post HTTP/1.1\r\nHost: bin.local\r\n\r\n"));
  EXPECT_EQ(c.readResponse().status, 405);
}

}  // namespace
}  // namespace wasmgate::test
