// Integration tests of routing and upstreams through the real `wasmgate run` binary: virtual
// hosts and routes, rewrites, forwarding headers, nginx as a real upstream, failures mapped to
// 502/503/504, retries, passive ejection and response streaming.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

using Json = nlohmann::json;

std::string staticService(const std::string& name, const std::vector<int>& ports, const std::string& extra = "") {
  std::string eps;
  for (int p : ports) eps += (eps.empty() ? "" : ", ") + std::string("127.0.0.1:") + std::to_string(p);
  return "  - name: " + name + "\n    endpoints: [" + eps + "]\n" + extra;
}

// Answers each request with the request line echoed in the body, keep-alive.
void echoRequestLine(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    std::string line = req.substr(0, req.find("\r\n"));
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(req.size()) + "\r\n\r\n" + req);
    (void)line;
  }
}

TEST(GatewayProxy, VirtualHostsRoutesAndRewrites) {
  ScriptedUpstream echo(echoRequestLine);
  int port = freePort(), admin = freePort();
  std::string rest =
      "routes:\n"
      "  - name: default/api-exact\n    hosts: [api.example.com]\n    match: {path: /exact}\n    service: echo\n"
      "  - name: default/api\n    hosts: [api.example.com]\n    match: {prefix: /v1/}\n    service: echo\n"
      "    prefix_rewrite: /internal/\n    host_rewrite: backend.internal\n"
      "  - name: default/wild\n    hosts: ['*.wild.com']\n    match: {regex: '/r/[0-9]+'}\n    service: echo\n"
      "  - name: default/methods\n    hosts: ['shop*']\n    match:\n      prefix: /\n      methods: [POST]\n"
      "      headers:\n        - {name: x-canary, exact: 'yes'}\n    service: echo\n"
      "services:\n" + staticService("echo", {echo.port()});
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest))) << gw.logs();

  auto request = [&](const std::string& method, const std::string& host, const std::string& path,
                     const std::string& extra = "") {
    RawClient c(port);
    c.send(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\n" + extra + "\r\n");
    return c.readResponse();
  };
  HttpResponse r = request("GET", "api.example.com", "/v1/users?id=7");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.rfind("GET /internal/users?id=7 HTTP/1.1", 0), 0u) << r.body;
  EXPECT_NE(r.body.find("host: backend.internal"), std::string::npos) << r.body;

  EXPECT_EQ(request("GET", "api.example.com:8080", "/exact").status, 200);  // port ignored
  EXPECT_EQ(request("GET", "api.example.com", "/exact/more").status, 404);
  EXPECT_EQ(request("GET", "other.example.com", "/v1/users").status, 404);  // no such virtual host
  EXPECT_EQ(request("GET", "a.b.wild.com", "/r/123").status, 200);
  EXPECT_EQ(request("GET", "a.b.wild.com", "/r/abc").status, 404);
  EXPECT_EQ(request("POST", "shop1", "/buy", "x-canary: yes\r\n").status, 200);
  EXPECT_EQ(request("GET", "shop1", "/buy", "x-canary: yes\r\n").status, 404);   // method
  EXPECT_EQ(request("POST", "shop1", "/buy", "x-canary: no\r\n").status, 404);   // header
}

TEST(GatewayProxy, ForwardingHeadersAndRequestId) {
  ScriptedUpstream echo(echoRequestLine);
  int port = freePort(), admin = freePort();
  std::string rest = "routes:\n  - name: default/all\n    match: {prefix: /}\n    service: echo\n"
                     "services:\n" + staticService("echo", {echo.port()});
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest))) << gw.logs();
  HttpResponse r = httpGet(port, "/h", "X-Forwarded-For: 10.0.0.1\r\nConnection: keep-alive, x-secret\r\n");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("x-forwarded-for: 10.0.0.1, 127.0.0.1"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("x-forwarded-proto: http"), std::string::npos);
  size_t id = r.body.find("x-request-id: ");
  ASSERT_NE(id, std::string::npos);
  std::string uuid = r.body.substr(id + 14, 36);
  EXPECT_EQ(uuid[14], '4') << uuid;  // version 4
  EXPECT_EQ(r.body.find("connection: keep-alive, x-secret"), std::string::npos);  // hop-by-hop dropped

  HttpResponse kept = httpGet(port, "/h", "X-Request-Id: my-id-1\r\n");
  EXPECT_NE(kept.body.find("x-request-id: my-id-1"), std::string::npos);
}

TEST(GatewayProxy, NginxUpstreamWithChunkedResponse) {
  NginxUpstream nginx;
  if (!nginx.start("    location /static { return 200 'hello from nginx'; }\n"
                   "    location /big { default_type text/plain; return 200 '" + std::string(3000, 'z') + "'; }\n")) {
    GTEST_SKIP() << "nginx not available";
  }
  int port = freePort(), admin = freePort();
  std::string rest = "routes:\n  - name: default/nginx\n    match: {prefix: /}\n    service: outbound|" +
                     std::to_string(nginx.port()) + "||nginx.static\n"
                     "services:\n  - name: outbound|" + std::to_string(nginx.port()) +
                     "||nginx.static\n    endpoints: [127.0.0.1]\n";
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest))) << gw.logs();
  RawClient c(port);
  for (int i = 0; i < 3; ++i) {
    c.send("GET /static HTTP/1.1\r\nHost: x\r\n\r\n");
    HttpResponse r = c.readResponse();
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.body, "hello from nginx");
  }
  c.send("HEAD /big HTTP/1.1\r\nHost: x\r\n\r\n");
  HttpResponse head = c.readResponse(5000, true);
  ASSERT_TRUE(head.ok);
  EXPECT_EQ(head.header("content-length"), "3000");
  EXPECT_TRUE(head.body.empty());
}

TEST(GatewayProxy, StreamedResponseReachesClientBeforeUpstreamFinishes) {
  ScriptedUpstream slow_stream([](int fd) {
    ScriptedUpstream::readRequest(fd);
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n");
    usleep(800000);
    ScriptedUpstream::writeAll(fd, "6\r\nsecond\r\n0\r\n\r\n");
  });
  int port = freePort(), admin = freePort();
  std::string rest = "routes:\n  - name: default/s\n    match: {prefix: /}\n    service: s\n"
                     "services:\n" + staticService("s", {slow_stream.port()});
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest))) << gw.logs();
  RawClient c(port);
  c.send("GET /sse HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string early = c.readAll(400);  // within 400 ms: head and first chunk, not the rest
  EXPECT_NE(early.find("transfer-encoding: chunked"), std::string::npos) << early;
  EXPECT_NE(early.find("first"), std::string::npos) << early;
  EXPECT_EQ(early.find("second"), std::string::npos) << early;
  std::string rest_bytes = c.readAll(1500);
  EXPECT_NE(rest_bytes.find("second\r\n0\r\n\r\n"), std::string::npos) << rest_bytes;
}

TEST(GatewayProxy, FailuresMapTo503502504) {
  int dead = freePort();  // nothing listens here
  ScriptedUpstream garbage([](int fd) {
    ScriptedUpstream::readRequest(fd);
    ScriptedUpstream::writeAll(fd, "NOT HTTP AT ALL\r\n\r\n");
  });
  ScriptedUpstream slow([](int fd) {
    ScriptedUpstream::readRequest(fd);
    usleep(1500000);
  });
  int port = freePort(), admin = freePort();
  std::string rest =
      "routes:\n"
      "  - name: default/dead\n    match: {prefix: /dead}\n    service: dead\n"
      "  - name: default/garbage\n    match: {prefix: /garbage}\n    service: garbage\n"
      "  - name: default/slow\n    match: {prefix: /slow}\n    service: slow\n    timeout: 300ms\n"
      "services:\n" + staticService("dead", {dead}) + staticService("garbage", {garbage.port()}) +
      staticService("slow", {slow.port()});
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest))) << gw.logs();
  HttpResponse r = httpGet(port, "/dead");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("connection_failure"), std::string::npos) << r.body;
  r = httpGet(port, "/garbage");
  EXPECT_EQ(r.status, 502);
  auto start = std::chrono::steady_clock::now();
  r = httpGet(port, "/slow");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(r.body, "upstream request timeout");
  EXPECT_LT(took, std::chrono::milliseconds(1200));
  // Details as Envoy's response_code_details appear in the access log (stdout, captured).
  std::string logs = gw.logs();
  (void)logs;
}

TEST(GatewayProxy, RetriesIdempotentRequestOnConnectFailureAndEjects) {
  ScriptedUpstream live(echoRequestLine);
  int dead = freePort();
  int port = freePort(), admin = freePort();
  std::string rest =
      "routes:\n  - name: default/r\n    match: {prefix: /}\n    service: pair\n    retries: 1\n"
      "services:\n" +
      staticService("pair", {dead, live.port()},
                    "    outlier_detection: {consecutive_failures: 1, base_ejection_time: 30s}\n");
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  // Round robin hits the dead endpoint on one of the first two requests; the retry must hide it.
  for (int i = 0; i < 6; ++i) {
    HttpResponse r = httpGet(port, "/idempotent");
    EXPECT_EQ(r.status, 200) << i;
  }
  HttpResponse stats = httpGet(admin, "/stats");
  EXPECT_NE(stats.body.find("wasmgate_upstream_errors_total{kind=\"retry\"} 1\n"), std::string::npos) << stats.body;
  EXPECT_NE(stats.body.find("wasmgate_upstream_errors_total{kind=\"connect_failure\"} 1\n"), std::string::npos)
      << "the dead endpoint should be ejected after one failure";

  // POST is not idempotent: with only the dead endpoint it gets a 503, never a retry.
  std::string rest2 = "routes:\n  - name: default/r\n    match: {prefix: /}\n    service: dead\n"
                      "services:\n" + staticService("dead", {dead});
  int port2 = freePort(), admin2 = freePort();
  GatewayProcess gw2;
  ASSERT_TRUE(gw2.start(gatewayConfig(port2, admin2, rest2), 1)) << gw2.logs();
  RawClient c(port2);
  c.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(c.readResponse().status, 503);
  HttpResponse stats2 = httpGet(admin2, "/stats");
  EXPECT_NE(stats2.body.find("wasmgate_upstream_errors_total{kind=\"retry\"} 0\n"), std::string::npos) << stats2.body;
}

TEST(GatewayProxy, UpstreamClosingPooledConnectionIsNotReused) {
  // The upstream answers one request per connection but claims keep-alive, then closes: the
  // pool must notice and not send the next request into the closed connection.
  ScriptedUpstream closer([](int fd) {
    ScriptedUpstream::readRequest(fd);
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    usleep(100000);
  });
  int port = freePort(), admin = freePort();
  std::string rest = "routes:\n  - name: default/c\n    match: {prefix: /}\n    service: c\n"
                     "services:\n" + staticService("c", {closer.port()});
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  RawClient c(port);
  for (int i = 0; i < 3; ++i) {
    c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    HttpResponse r = c.readResponse();
    EXPECT_EQ(r.status, 200) << i;
    usleep(200000);  // let the upstream close its side
  }
}

TEST(GatewayProxy, LeastRequestPrefersIdleEndpoint) {
  ScriptedUpstream slow([](int fd) {
    ScriptedUpstream::readRequest(fd);
    usleep(1000000);
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nslow");
  });
  ScriptedUpstream fast([](int fd) {
    while (true) {
      if (ScriptedUpstream::readRequest(fd, 3000).empty()) return;
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nfast");
    }
  });
  int port = freePort(), admin = freePort();
  std::string rest = "routes:\n  - name: default/lr\n    match: {prefix: /}\n    service: lr\n"
                     "services:\n" + staticService("lr", {slow.port(), fast.port()}, "    lb_policy: least_request\n");
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  RawClient pinned(port);
  pinned.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n");  // occupies one endpoint
  usleep(100000);
  int fast_count = 0;
  for (int i = 0; i < 4; ++i) fast_count += httpGet(port, "/next").body == "fast";
  // With one worker the first request deterministically took the first (slow) endpoint; round
  // robin would send half of the others there too.
  HttpResponse first = pinned.readResponse(3000);
  EXPECT_EQ(first.body, "slow");
  EXPECT_EQ(fast_count, 4);
}

TEST(GatewayProxy, UpgradeBecomesATunnel) {
  ScriptedUpstream ws([](int fd) {
    std::string req = ScriptedUpstream::readRequest(fd);
    if (req.find("upgrade: websocket") == std::string::npos) return;
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    char buf[256];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) ScriptedUpstream::writeAll(fd, "echo:" + std::string(buf, n));
  });
  int port = freePort(), admin = freePort();
  std::string rest = "routes:\n  - name: default/ws\n    match: {prefix: /}\n    service: ws\n"
                     "services:\n" + staticService("ws", {ws.port()});
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest))) << gw.logs();
  RawClient c(port);
  c.send("GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  std::string head = c.readAll(300);
  EXPECT_EQ(head.rfind("HTTP/1.1 101 ", 0), 0u) << head;
  EXPECT_NE(head.find("upgrade: websocket"), std::string::npos) << head;
  c.send("ping");
  EXPECT_EQ(c.readAll(300), "echo:ping");
  c.send("\x01\x02raw");
  EXPECT_EQ(c.readAll(300), "echo:\x01\x02raw");
}

TEST(GatewayProxy, BuiltinHttpbinEndpoints) {
  int port = freePort(), admin = freePort();
  std::string rest = "routes:\n  - name: default/httpbin\n    match: {prefix: /}\n    service: httpbin\n"
                     "services:\n  - name: httpbin\n    builtin: httpbin\n";
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest))) << gw.logs();
  HttpResponse r = httpGet(port, "/get?a=1&a=2&b=x", "User-Agent: t\r\n");
  ASSERT_EQ(r.status, 200);
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["args"]["a"], Json::array({"1", "2"}));
  EXPECT_EQ(j["headers"]["User-Agent"], "t");
  EXPECT_EQ(j["origin"], "127.0.0.1");
  EXPECT_EQ(j["url"], "http://test.local/get?a=1&a=2&b=x");

  RawClient c(port);
  c.send("POST /anything/x HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"k\": 1}\n");
  r = c.readResponse();
  j = Json::parse(r.body);
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["json"]["k"], 1);
  EXPECT_EQ(j["data"], "{\"k\": 1}\n");

  EXPECT_EQ(httpGet(port, "/status/503").status, 503);
  EXPECT_EQ(httpGet(port, "/bytes/1000").body.size(), 1000u);
  r = httpGet(port, "/stream/3");
  EXPECT_EQ(r.header("transfer-encoding"), "chunked");
  EXPECT_EQ(std::count(r.body.begin(), r.body.end(), '\n'), 3);
  auto start = std::chrono::steady_clock::now();
  r = httpGet(port, "/delay/1");
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(950));
  EXPECT_EQ(Json::parse(httpGet(port, "/headers").body)["headers"]["Host"], "test.local");
  EXPECT_EQ(httpGet(port, "/nope").status, 404);
}

}  // namespace
}  // namespace wasmgate::test
