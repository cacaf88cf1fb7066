// Integration tests of plugins' proxy_http_call through the real `wasmgate run` binary: the
// seed's external-call and http-call-token examples calling a real auth service (a scripted
// upstream) by the SDK's cluster names, with the allowed, denied, unreachable, timed-out and
// unknown-cluster paths; plus the cluster-name mapping itself.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "gateway/config.h"
#include "gateway/wasm/cluster_names.h"
#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

std::string pluginUrl(const std::string& name) { return "file://" WASMGATE_PLUGIN_DIR "/" + name + ".wasm"; }

// Echoes each request back as the response body (keep-alive): the protected service.
void echo(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(req.size()) + "\r\n\r\n" + req);
  }
}

// The auth service: "Bearer good" gets a token, "Bearer slow" an answer after 2 s, anything else 403.
void auth(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    if (req.find("authorization: Bearer slow") != std::string::npos) {
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
    if (req.find("authorization: Bearer good") != std::string::npos ||
        req.find("GET /api/check") != std::string::npos) {
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\nx-auth-token: tok-123\r\ncontent-length: 2\r\n\r\nok");
    } else {
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno");
    }
  }
}

std::string services(int echo_port, int auth_port) {
  return "routes:\n"
         "  - name: default/app\n    hosts: ['*']\n    match: {prefix: /}\n    service: outbound|80||app.static\n"
         "services:\n"
         "  - name: outbound|80||app.static\n    endpoints: [127.0.0.1:" + std::to_string(echo_port) + "]\n"
         "  - name: outbound|8080||token.static\n    endpoints: [127.0.0.1:" + std::to_string(auth_port) + "]\n";
}

struct Fixture {
  ScriptedUpstream app{echo};
  ScriptedUpstream auth_service{auth};
  int port = freePort();
  int admin = freePort();
  GatewayProcess gw;
  bool start(const std::string& plugins, int auth_port = 0, int workers = 2) {
    return gw.start(gatewayConfig(port, admin, services(app.port(), auth_port ? auth_port : auth_service.port()) +
                                                   "plugins:\n" + plugins),
                    workers);
  }
};

std::string tokenPlugin(const std::string& service, int timeout_ms) {
  return "  - name: token\n    url: " + pluginUrl("http-call-token") + "\n    pluginConfig: {serviceName: " + service +
         ", servicePort: 8080, tokenPath: /token, tokenHeader: x-auth-token, timeout: " + std::to_string(timeout_ms) +
         "}\n";
}

HttpResponse getWith(int port, const std::string& credential) {
  return httpGet(port, "/resource", "authorization: Bearer " + credential + "\r\n");
}

TEST(PluginOutboundHttp, TokenCopiedIntoAllowedRequestAndDeniedOtherwise) {
  Fixture f;
  ASSERT_TRUE(f.start(tokenPlugin("token.auth.svc.cluster.local", 1000))) << f.gw.logs();
  for (int i = 0; i < 4; ++i) {  // both workers, pooled connections reused
    HttpResponse ok = getWith(f.port, "good");
    EXPECT_EQ(ok.status, 200) << f.gw.logs();
    EXPECT_NE(ok.body.find("x-auth-token: tok-123"), std::string::npos) << ok.body;
  }
  HttpResponse denied = getWith(f.port, "bad");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.body, "access denied");
}

TEST(PluginOutboundHttp, TimeoutAnswersWithin504Path) {
  Fixture f;
  ASSERT_TRUE(f.start(tokenPlugin("token.auth.svc.cluster.local", 300))) << f.gw.logs();
  auto t0 = std::chrono::steady_clock::now();
  HttpResponse r = getWith(f.port, "slow");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status, 500);  // the plugin maps the 504 to "token service unavailable"
  EXPECT_EQ(r.body, "token service unavailable");
  EXPECT_LT(ms, 1500);  // the held request waited for the call's timeout, not for the service
  EXPECT_NE(f.gw.logs().find("token service answered 504"), std::string::npos) << f.gw.logs();
}

TEST(PluginOutboundHttp, ClosedPortIsAFailedCall) {
  Fixture f;
  int closed = freePort();
  std::string plugin = "  - name: check\n    url: " + pluginUrl("external-call") +
                       "\n    pluginConfig: {serviceName: token.default.svc.cluster.local, servicePort: 8080}\n";
  ASSERT_TRUE(f.start(plugin, closed)) << f.gw.logs();
  auto t0 = std::chrono::steady_clock::now();
  HttpResponse r = httpGet(f.port, "/x");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status, 403);  // no answer: the SDK reports 502, the plugin refuses
  EXPECT_EQ(r.body, "Forbidden");
  EXPECT_LT(ms, 2000);
}

TEST(PluginOutboundHttp, ExternalCallAllowsWhenThePolicyServiceSays200) {
  Fixture f;
  std::string plugin = "  - name: check\n    url: " + pluginUrl("external-call") +
                       "\n    pluginConfig: {serviceName: token.default.svc.cluster.local, servicePort: 8080}\n";
  ASSERT_TRUE(f.start(plugin)) << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/x");
  EXPECT_EQ(r.status, 200) << f.gw.logs();
  EXPECT_NE(r.body.find("GET /x"), std::string::npos);
}

TEST(PluginOutboundHttp, UnknownClusterIsNotDispatchedAndThePluginFailsOpen) {
  Fixture f;
  std::string plugin = "  - name: check\n    url: " + pluginUrl("external-call") +
                       "\n    pluginConfig: {serviceName: nowhere.example.com, servicePort: 9}\n";
  ASSERT_TRUE(f.start(plugin)) << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/x");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(f.gw.logs().find("no service matches cluster 'outbound|9||nowhere.example.com'"), std::string::npos)
      << f.gw.logs();
}

TEST(PluginOutboundHttp, CallPendingAcrossAReloadStillAnswersItsHeldRequest) {
  Fixture f;
  ASSERT_TRUE(f.start(tokenPlugin("token.auth.svc.cluster.local", 3000))) << f.gw.logs();
  RawClient held(f.port);
  ASSERT_TRUE(held.send("GET /held HTTP/1.1\r\nhost: a\r\nauthorization: Bearer slow\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // The new generation lets everything through (external-call's check answers 200).
  f.gw.rewriteConfig(gatewayConfig(f.port, f.admin, services(f.app.port(), f.auth_service.port()) +
                                                        "plugins:\n  - name: check\n    url: " +
                                                        pluginUrl("external-call") +
                                                        "\n    pluginConfig: {serviceName: token.static, servicePort: 8080}\n"));
  bool reloaded = false;
  for (int i = 0; i < 100 && !reloaded; ++i) {
    reloaded = getWith(f.port, "bad").status == 200;
    if (!reloaded) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(reloaded) << f.gw.logs();
  // The old generation's VM got the (slow) answer and ended its held request.
  HttpResponse r = held.readResponse(5000);
  EXPECT_EQ(r.status, 403) << f.gw.logs();
  EXPECT_EQ(r.body, "access denied");
  EXPECT_EQ(f.gw.terminate(), 0);
}

// A probe plugin entry driven by `script` (raw proxy-wasm calls, see tests/plugins/probe.cc).
std::string probe(const std::string& name, const std::string& script) {
  std::string escaped;
  for (char c : script) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  return "  - name: " + name + "\n    url: " + pluginUrl("probe_abi_0_2_100") + "\n    pluginConfig: \"" + escaped + "\"\n";
}

TEST(PluginOutboundHttp, RawCallDeliversResponseToRootAndResumesTheHeldRequest) {
  Fixture f;
  ASSERT_TRUE(f.start(probe("raw",
                            "request_headers http_call outbound|80||app.static :method=GET 100\n"
                            "request_headers http_call outbound|80||app.static "
                            ":method=POST,:path=/side,:authority=side.local,x-side=1 payload 1000\n"
                            "request_headers return 4\n"
                            "http_call_response get_headers 6\n"
                            "http_call_response get_buffer 4 0 1000\n"
                            "http_call_response set_effective caller\n"
                            "http_call_response continue 0"),
                      0, 1))
      << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/main");
  EXPECT_EQ(r.status, 200) << f.gw.logs();
  EXPECT_NE(r.body.find("GET /main"), std::string::npos);
  std::string logs = f.gw.logs();
  // Missing pseudo-headers: BadArgument (2), nothing sent.
  EXPECT_NE(logs.find("http_call outbound|80||app.static :method=GET 100 -> 2"), std::string::npos) << logs;
  // The side request as the service saw it, echoed back through buffer 4.
  EXPECT_NE(logs.find("http_call_response: get_buffer 4 0 1000 -> 0 POST /side HTTP/1.1"), std::string::npos) << logs;
  EXPECT_NE(logs.find("host: side.local"), std::string::npos) << logs;
  EXPECT_NE(logs.find("x-side: 1"), std::string::npos) << logs;
  EXPECT_NE(logs.find("content-length: 7"), std::string::npos) << logs;
  EXPECT_NE(logs.find("http_call_response: get_headers 6 -> 0 :status=200"), std::string::npos) << logs;
}

TEST(PluginOutboundHttp, TheCurrentRoutesClusterNameIsCallable) {
  Fixture f;
  ASSERT_TRUE(f.start(probe("route",
                            "request_headers get_property cluster_name\n"
                            "request_headers http_call $ :method=PUT,:path=/again,:authority=r x 1000\n"
                            "request_headers return 4\n"
                            "http_call_response get_buffer 4 0 20\n"
                            "http_call_response set_effective caller\n"
                            "http_call_response continue 0"),
                      0, 1))
      << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/first");
  EXPECT_EQ(r.status, 200) << f.gw.logs();
  EXPECT_NE(r.body.find("GET /first"), std::string::npos);
  EXPECT_NE(f.gw.logs().find("http_call_response: get_buffer 4 0 20 -> 0 PUT /again HTTP/1.1"), std::string::npos)
      << f.gw.logs();
}

TEST(PluginOutboundHttp, RebuiltVmsPendingCallsAreDroppedWithoutHarm) {
  Fixture f;
  // Every request starts a 2 s call and asks for a rebuild, so each next request gets a fresh VM
  // and the previous VM (no stream holds it any more) dies with its call pending.
  ASSERT_TRUE(f.start(probe("rebuild",
                            "request_headers http_call outbound|8080||token.static "
                            ":method=GET,:path=/slow,:authority=a,authorization=Bearer%20slow x 5000\n"
                            "request_headers set_property wasm_need_rebuild true"),
                      0, 1))
      << f.gw.logs();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(httpGet(f.port, "/x").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2600));
  std::string logs = f.gw.logs();
  size_t deliveries = 0;
  for (size_t at = logs.find("@http_call_response"); at != std::string::npos; at = logs.find("@http_call_response", at + 1)) {
    ++deliveries;
  }
  size_t dispatched = 0;
  for (size_t at = logs.find("x 5000 -> 0 "); at != std::string::npos; at = logs.find("x 5000 -> 0 ", at + 1)) {
    ++dispatched;
  }
  EXPECT_EQ(dispatched, 3u) << logs;
  EXPECT_EQ(deliveries, 1u) << logs;  // only the VM still in use got its answer
  EXPECT_EQ(httpGet(f.port, "/x").status, 200);
  EXPECT_EQ(f.gw.terminate(), 0) << f.gw.logs();
}

TEST(PluginOutboundHttp, ClusterNamesOfTheSdkMapToConfiguredServices) {
  using gateway::wasm::canonicalServiceName;
  using gateway::wasm::findService;
  EXPECT_EQ(canonicalServiceName("outbound|8080||auth.default.svc.cluster.local"), "auth");
  EXPECT_EQ(canonicalServiceName("outbound|80||auth.static"), "auth");
  EXPECT_EQ(canonicalServiceName("auth.dns"), "auth");
  EXPECT_EQ(canonicalServiceName("outbound|80||auth.DEFAULT-GROUP.public.nacos"), "auth");
  EXPECT_EQ(canonicalServiceName("outbound|443||api.example.com"), "api.example.com");
  EXPECT_EQ(canonicalServiceName("redis.static?db=2"), "redis");
  gateway::GatewayConfig config;
  auto add = [&](const std::string& name) {
    gateway::ServiceConfig s;
    s.name = name;
    config.services.push_back(s);
  };
  add("outbound|80||auth.static");
  add("outbound|8080||auth.dns");
  add("api.example.com");
  add("plain");
  EXPECT_EQ(findService(config, "outbound|80||auth.static")->name, "outbound|80||auth.static");
  EXPECT_EQ(findService(config, "outbound|8080||auth.default.svc.cluster.local")->name, "outbound|8080||auth.dns");
  EXPECT_EQ(findService(config, "outbound|80||auth.ns.svc.cluster.local")->name, "outbound|80||auth.static");
  EXPECT_EQ(findService(config, "outbound|443||api.example.com")->name, "api.example.com");
  EXPECT_EQ(findService(config, "plain")->name, "plain");
  EXPECT_EQ(findService(config, "outbound|80||other.static"), nullptr);
  EXPECT_EQ(findService(config, ""), nullptr);
}

}  // namespace
}  // namespace wasmgate::test
