// Integration tests, through the real `wasmgate run` binary and real .wasm plugins, of how a
// plugin steers the current request's upstream: Higress's proxy_get_upstream_hosts /
// proxy_set_upstream_override_host (tests/plugins/upstream_pin.cc pins the second of two real
// upstream servers), and the SDK's RouteCall (examples/route-call) re-sending the request with a
// new method, path, headers and body to the route's upstream and rewriting the response.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "gateway/wasm/upstream_hosts.h"
#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

std::string pluginUrl(const std::string& name) { return "file://" WASMGATE_PLUGIN_DIR "/" + name + ".wasm"; }

// An upstream that names itself in every answer (keep-alive).
ScriptedUpstream::Handler namedServer(const std::string& name) {
  return [name](int fd) {
    while (true) {
      std::string req = ScriptedUpstream::readRequest(fd, 3000);
      if (req.empty()) return;
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(name.size()) + "\r\n\r\n" + name);
    }
  };
}

HttpResponse post(int port, const std::string& path, const std::string& body) {
  RawClient client(port);
  client.send("POST " + path + " HTTP/1.1\r\nhost: app\r\ncontent-length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  return client.readResponse();
}

struct TwoServers {
  ScriptedUpstream a{namedServer("server-A")};
  ScriptedUpstream b{namedServer("server-B")};
  int port = freePort();
  int admin = freePort();
  GatewayProcess gw;
  std::string address(const ScriptedUpstream& s) const { return "127.0.0.1:" + std::to_string(s.port()); }
  // One worker: its round robin alone decides when nothing is pinned.
  bool start(const std::string& pin) {
    return gw.start(gatewayConfig(port, admin,
                                  "routes:\n  - name: default/app\n    hosts: ['*']\n    match: {prefix: /}\n"
                                  "    service: outbound|80||app.static\n"
                                  "services:\n  - name: outbound|80||app.static\n    endpoints: [" + address(a) +
                                      ", " + address(b) + "]\n"
                                  "plugins:\n  - name: pin\n    url: " + pluginUrl("upstream_pin") +
                                      "\n    pluginConfig: \"" + pin + "\"\n"),
                    1);
  }
};

TEST(PluginUpstreamRouting, HostsAreListedWithHealthAndThePinnedSecondServesEveryRequest) {
  TwoServers f;
  ASSERT_TRUE(f.start("second")) << f.gw.logs();
  for (int i = 0; i < 6; ++i) {
    HttpResponse r = post(f.port, "/x", "body-" + std::to_string(i));
    EXPECT_EQ(r.status, 200) << f.gw.logs();
    EXPECT_EQ(r.body, "server-B");
  }
  const std::string logs = f.gw.logs();
  const std::string healthy = " {\"health_status\":\"Healthy\",\"metrics\":\"\"};";
  EXPECT_NE(logs.find("hosts: " + f.address(f.a) + healthy + " " + f.address(f.b) + healthy + " (status 0)"),
            std::string::npos)
      << logs;
  EXPECT_NE(logs.find("pin " + f.address(f.b) + " -> 0"), std::string::npos) << logs;
}

TEST(PluginUpstreamRouting, AnAddressOutsideTheClusterLeavesTheChoiceToTheLoadBalancer) {
  TwoServers f;
  const std::string stranger = "127.0.0.1:" + std::to_string(freePort());
  ASSERT_TRUE(f.start(stranger)) << f.gw.logs();
  std::set<std::string> served;
  for (int i = 0; i < 4; ++i) {
    HttpResponse r = post(f.port, "/x", "b");
    EXPECT_EQ(r.status, 200) << f.gw.logs();
    served.insert(r.body);
  }
  EXPECT_EQ(served, (std::set<std::string>{"server-A", "server-B"}));
  EXPECT_NE(f.gw.logs().find("pin " + stranger + " -> 0"), std::string::npos) << f.gw.logs();
}

TEST(PluginUpstreamRouting, AMalformedAddressIsABadArgument) {
  TwoServers f;
  ASSERT_TRUE(f.start("backend-two")) << f.gw.logs();
  HttpResponse r = post(f.port, "/x", "b");
  EXPECT_EQ(r.status, 200) << f.gw.logs();
  EXPECT_NE(f.gw.logs().find("pin backend-two -> 2"), std::string::npos) << f.gw.logs();
}

TEST(PluginUpstreamRouting, OverrideAddressesAreNormalisedToEndpointNames) {
  using gateway::wasm::normalizeOverrideHost;
  std::string out;
  EXPECT_EQ(normalizeOverrideHost("127.0.0.1:8080", &out), abi::Status::Ok);
  EXPECT_EQ(out, "127.0.0.1:8080");
  EXPECT_EQ(normalizeOverrideHost("[0:0::1]:443", &out), abi::Status::Ok);
  EXPECT_EQ(out, "[::1]:443");
  out = "kept";
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", "localhost:80", ":80",
                          "[::1:80", "::1:80", "10.0.0.1:8x"}) {
    EXPECT_EQ(normalizeOverrideHost(bad, &out), abi::Status::BadArgument) << bad;
  }
  EXPECT_EQ(out, "kept");  // a refused address leaves the pinned one as it was
}

// ---- RouteCall

std::string routeCallConfig(int port, int admin, const std::string& service_yaml, const std::string& validate_path) {
  return gatewayConfig(port, admin,
                       "routes:\n  - name: default/app\n    hosts: ['*']\n    match: {prefix: /}\n    service: app\n"
                       "services:\n" + service_yaml +
                       "plugins:\n  - name: route-call\n    url: " + pluginUrl("route-call") +
                       "\n    defaultConfig: {validate_path: " + validate_path + "}\n");
}

TEST(PluginUpstreamRouting, RouteCallResendsTheChangedRequestAndRewritesTheResponse) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(routeCallConfig(port, admin, "  - name: app\n    builtin: httpbin\n", "/anything/validate"), 1))
      << gw.logs();
  RawClient client(port);
  const std::string body = R"({"order": 42})";
  ASSERT_TRUE(client.send("PUT /orders/7?q=1 HTTP/1.1\r\nhost: shop.local\r\naccept-encoding: gzip\r\n"
                          "x-kept: yes\r\ncontent-length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
  HttpResponse r = client.readResponse();
  ASSERT_EQ(r.status, 200) << gw.logs();
  EXPECT_EQ(r.header("x-validate-status"), "200");
  EXPECT_EQ(r.header("content-type"), "application/json");
  // The body changed size: either re-framed (chunked) or with a length that matches it.
  const std::string length = r.header("content-length");
  EXPECT_TRUE(length.empty() || length == std::to_string(r.body.size())) << length;
  auto wrapped = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(wrapped.is_discarded()) << r.body;
  EXPECT_EQ(wrapped["validated"], true);
  const auto& seen = wrapped["result"];  // what httpbin's /anything received
  EXPECT_EQ(seen["method"], "POST");
  EXPECT_EQ(seen["url"], "http://shop.local/anything/validate");
  EXPECT_EQ(seen["data"], body);
  EXPECT_EQ(seen["json"]["order"], 42);
  EXPECT_EQ(seen["headers"]["Content-Type"], "application/json");
  EXPECT_EQ(seen["headers"]["X-Kept"], "yes");
  EXPECT_EQ(seen["headers"]["X-Envoy-Original-Method"], "PUT");
  EXPECT_EQ(seen["headers"]["X-Envoy-Original-Path"], "/orders/7?q=1");
  EXPECT_EQ(seen["headers"]["X-Envoy-Original-Host"], "shop.local");
  EXPECT_FALSE(seen["headers"].contains("Accept-Encoding"));
  // The connection stays usable: a request without a body passes untouched.
  ASSERT_TRUE(client.send("GET /get HTTP/1.1\r\nhost: shop.local\r\n\r\n"));
  HttpResponse plain = client.readResponse();
  EXPECT_EQ(plain.status, 200);
  EXPECT_TRUE(plain.header("x-validate-status").empty());
  EXPECT_NE(plain.body.find("\"url\": \"http://shop.local/get\""), std::string::npos) << plain.body;
}

TEST(PluginUpstreamRouting, RouteCallToANetworkUpstreamSendsOneWellFramedRequest) {
  // The upstream shows the raw bytes it got: one request, the new line, a matching length.
  ScriptedUpstream echo([](int fd) {
    while (true) {
      std::string req = ScriptedUpstream::readRequest(fd, 3000);
      if (req.empty()) return;
      nlohmann::json j = req;  // a JSON string, so the plugin's wrapper stays valid JSON
      std::string body = j.dump();
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    }
  });
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(routeCallConfig(port, admin,
                                       "  - name: app\n    endpoints: [127.0.0.1:" + std::to_string(echo.port()) + "]\n",
                                       "/internal/validate"),
                       1))
      << gw.logs();
  const std::string body = "[1,2,3]";
  HttpResponse r = post(port, "/submit", body);
  ASSERT_EQ(r.status, 200) << gw.logs();
  auto wrapped = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(wrapped.is_discarded()) << r.body;
  const std::string raw = wrapped["result"].get<std::string>();
  EXPECT_EQ(raw.rfind("POST /internal/validate HTTP/1.1\r\n", 0), 0u) << raw;
  // The SDK dropped content-length: the new body goes chunked, one chunk and the last chunk.
  EXPECT_NE(raw.find("transfer-encoding: chunked\r\n"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("content-length"), std::string::npos) << raw;
  EXPECT_NE(raw.find("x-envoy-original-path: /submit\r\n"), std::string::npos) << raw;
  EXPECT_EQ(raw.substr(raw.find("\r\n\r\n") + 4), "7\r\n" + body + "\r\n0\r\n\r\n") << raw;
  EXPECT_EQ(raw.find("POST /submit"), std::string::npos) << raw;  // the original never went out
}

}  // namespace
}  // namespace wasmgate::test
