// Integration test of the `*` (catch-all) virtual host through the real `wasmgate run` binary:
// a Host no other virtual host names goes to `*`, while an exact domain and a `*.suffix`
// wildcard still win over it (even with the `*` routes listed first), and a request whose
// virtual host has no matching route gets 404 instead of falling back to `*`.
#include <gtest/gtest.h>

#include <string>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

// Answers each request with the Host header it received, keep-alive.
void echoHost(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    std::string lower = gateway::toLower(req);
    size_t at = lower.find("\r\nhost: ");
    std::string host = at == std::string::npos ? "" : req.substr(at + 8, req.find("\r\n", at + 8) - at - 8);
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(host.size()) + "\r\n\r\n" +
                                       host);
  }
}

class GatewayCatchAllHost : public ::testing::Test {
 protected:
  void SetUp() override {
    // Each route rewrites Host to its own name, so the upstream's echo tells which route ran.
    std::string rest =
        "routes:\n"
        "  - name: default/any\n    hosts: ['*']\n    match: {prefix: /}\n    service: echo\n"
        "    host_rewrite: any.route\n"
        "  - name: default/exact\n    hosts: [api.example.com]\n    match: {prefix: /api/}\n    service: echo\n"
        "    host_rewrite: exact.route\n"
        "  - name: default/wild\n    hosts: ['*.example.com']\n    match: {prefix: /}\n    service: echo\n"
        "    host_rewrite: wild.route\n"
        "services:\n  - name: echo\n    endpoints: [127.0.0.1:" + std::to_string(echo_.port()) + "]\n";
    ASSERT_TRUE(gw_.start(gatewayConfig(port_, admin_, rest), 1)) << gw_.logs();
  }

  HttpResponse get(const std::string& host_line, const std::string& path, const char* version = "HTTP/1.1") {
    RawClient c(port_);
    c.send("GET " + path + " " + version + "\r\n" + host_line + "\r\n");
    return c.readResponse(10000);
  }

  ScriptedUpstream echo_{echoHost};
  int port_ = freePort(), admin_ = freePort();
  GatewayProcess gw_;
};

TEST_F(GatewayCatchAllHost, UnmatchedHostGoesToCatchAll) {
  HttpResponse r = get("Host: unknown.test\r\n", "/anything");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "any.route");
  EXPECT_EQ(get("Host: 127.0.0.1:" + std::to_string(port_) + "\r\n", "/").body, "any.route");
  // Nothing names "example.com" itself: `*.example.com` needs a label before the suffix.
  EXPECT_EQ(get("Host: example.com\r\n", "/").body, "any.route");
  // HTTP/1.0 without a Host header has no domain at all.
  EXPECT_EQ(get("", "/", "HTTP/1.0").body, "any.route");
}

TEST_F(GatewayCatchAllHost, ExactDomainAndWildcardWinOverCatchAll) {
  HttpResponse r = get("Host: api.example.com\r\n", "/api/users");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "exact.route");
  EXPECT_EQ(get("Host: API.Example.COM:8080\r\n", "/api/users").body, "exact.route");  // case and port ignored
  EXPECT_EQ(get("Host: www.example.com\r\n", "/api/users").body, "wild.route");
}

TEST_F(GatewayCatchAllHost, ChosenVirtualHostWithoutRouteIsNotFoundNotCatchAll) {
  HttpResponse r = get("Host: api.example.com\r\n", "/other");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body, "any.route");
}

}  // namespace
}  // namespace wasmgate::test
