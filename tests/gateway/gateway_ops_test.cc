// Integration tests of operations through the real `wasmgate run` binary: admin endpoints,
// access log, configuration reload (file change, SIGHUP, invalid file kept out) and SIGTERM
// drain with a request in flight.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

using Json = nlohmann::json;

// Routes `prefix` to the built-in httpbin, rewriting the prefix to "/".
std::string httpbinRoute(const std::string& prefix) {
  return "routes:\n  - name: default/httpbin\n    match: {prefix: " + prefix + "}\n    service: httpbin\n" +
         "    prefix_rewrite: /\n" +
         "services:\n  - name: httpbin\n    builtin: httpbin\n";
}

TEST(GatewayOps, AdminReadyStatsAndConfigDump) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, httpbinRoute("/") + "plugins:\n  - name: key-auth\n    url: file://" WASMGATE_PLUGIN_DIR "/hello-world.wasm\n"
                                 "    defaultConfig: {enabled: true}\n")));
  EXPECT_EQ(httpGet(port, "/status/201").status, 201);
  EXPECT_EQ(httpGet(port, "/get").status, 200);
  HttpResponse ready = httpGet(admin, "/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "LIVE\n");
  HttpResponse stats = httpGet(admin, "/stats");
  ASSERT_EQ(stats.status, 200);
  EXPECT_NE(stats.body.find("wasmgate_http_requests_total{code=\"201\"} 1\n"), std::string::npos) << stats.body;
  EXPECT_NE(stats.body.find("wasmgate_http_request_duration_ms_count 2\n"), std::string::npos) << stats.body;
  EXPECT_NE(stats.body.find("wasmgate_http_request_duration_ms_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
  HttpResponse dump = httpGet(admin, "/config_dump");
  Json j = Json::parse(dump.body);
  EXPECT_EQ(j["routes"][0]["name"], "default/httpbin");
  EXPECT_EQ(j["services"][0]["builtin"], "httpbin");
  EXPECT_EQ(j["plugins"][0]["name"], "key-auth");  // the plugins section as declared
  EXPECT_EQ(httpGet(admin, "/nope").status, 404);
}

TEST(GatewayOps, AccessLogIsJsonLines) {
  int port = freePort(), admin = freePort();
  char dir[] = "/tmp/wasmgate-log-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir));
  std::string path = std::string(dir) + "/access.log";
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, "access_log:\n  path: " + path + "\n" + httpbinRoute("/api/"))));
  httpGet(port, "/api/get", "X-Request-Id: log-me\r\n");
  httpGet(port, "/missing");
  usleep(100000);
  std::ifstream in(path);
  std::string line1, line2;
  ASSERT_TRUE(std::getline(in, line1));
  ASSERT_TRUE(std::getline(in, line2));
  Json a = Json::parse(line1), b = Json::parse(line2);
  EXPECT_EQ(a["request_id"], "log-me");
  EXPECT_EQ(a["response_code"], 200);
  EXPECT_EQ(a["route_name"], "default/httpbin");
  EXPECT_EQ(a["response_code_details"], "via_upstream");
  EXPECT_EQ(b["response_code"], 404);
  EXPECT_EQ(b["response_code_details"], "route_not_found");
}

TEST(GatewayOps, ReloadOnFileChangeAndSighupKeepsOldOnError) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, httpbinRoute("/old/"))));
  EXPECT_EQ(httpGet(port, "/old/get").status, 200);
  EXPECT_EQ(httpGet(port, "/new/get").status, 404);

  // 1. File change: picked up by the watcher without a signal.
  gw.rewriteConfig(gatewayConfig(port, admin, httpbinRoute("/new/")));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (httpGet(port, "/new/get").status != 200 && std::chrono::steady_clock::now() < deadline) usleep(50000);
  EXPECT_EQ(httpGet(port, "/new/get").status, 200);
  EXPECT_EQ(httpGet(port, "/old/get").status, 404);

  // 2. An invalid file is rejected: the running config stays, the reason is logged.
  gw.rewriteConfig(gatewayConfig(port, admin, "routes:\n  - name: default/bad\n    match: {path: [1]}\n    service: httpbin\n"
                                              "services:\n  - name: httpbin\n    builtin: httpbin\n"));
  gw.sighup();
  usleep(1200000);
  EXPECT_EQ(httpGet(port, "/new/get").status, 200);
  EXPECT_NE(gw.logs().find("routes[0].match.path: expected a string"), std::string::npos) << gw.logs();
  HttpResponse stats = httpGet(admin, "/stats");
  EXPECT_EQ(stats.body.find("wasmgate_config_reloads_total{result=\"failed\"} 0\n"), std::string::npos);
}

TEST(GatewayOps, SigtermDrainsInFlightRequestsThenExitsZero) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, "limits:\n  drain_timeout: 5s\n" + httpbinRoute("/"))));
  RawClient in_flight(port);
  ASSERT_TRUE(in_flight.send("GET /delay/1 HTTP/1.1\r\nHost: a\r\n\r\n"));
  usleep(200000);
  RawClient idle(port);  // an idle keep-alive connection is closed at once
  usleep(100000);
  auto start = std::chrono::steady_clock::now();
  int exit_code = -2;
  std::thread terminator([&] { exit_code = gw.terminate(8000); });
  HttpResponse r = in_flight.readResponse(4000);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200) << "the in-flight request must complete";
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(idle.closedByPeer(2000));
  terminator.join();
  EXPECT_EQ(exit_code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  RawClient after(port);
  EXPECT_FALSE(after.connected()) << "the listener must be closed after drain";
}

TEST(GatewayOps, InvalidConfigFailsStartupWithPath) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  EXPECT_FALSE(gw.start(gatewayConfig(port, admin, "routes:\n  - name: default/x\n    match: {prefix: /}\n    service: missing\n")));
  EXPECT_NE(gw.logs().find("gateway.yaml: routes[0].service: no service named 'missing'"), std::string::npos) << gw.logs();
}

}  // namespace
}  // namespace wasmgate::test
