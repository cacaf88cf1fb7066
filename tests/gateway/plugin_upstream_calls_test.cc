// Integration tests, through the real `wasmgate run` binary and the real probe plugin, of two
// outbound paths: proxy_http_call to the built-in httpbin service (answered in-process, on a
// later loop turn, under every cluster-name form that maps to it, with the call's timeout), and
// Redis services named `outbound|PORT||NAME.dns`, resolved by the gateway before the Redis
// client connects (a real redis-server the test starts).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/gateway/support/gateway_harness.h"
#include "tests/gateway/support/redis_server.h"

namespace wasmgate::test {
namespace {

std::string pluginUrl(const std::string& name) { return "file://" WASMGATE_PLUGIN_DIR "/" + name + ".wasm"; }

// Echoes each request back as the response body (keep-alive).
void echo(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(req.size()) + "\r\n\r\n" + req);
  }
}

// A probe plugin entry running `script` (see tests/plugins/probe.cc), as a YAML double-quoted string.
std::string probe(const std::string& name, const std::string& script) {
  std::string escaped;
  for (char c : script) {
    if (c == '\n') escaped += "\\n";
    else if (c == '"' || c == '\\') escaped += std::string("\\") + c;
    else escaped += c;
  }
  return "  - name: " + name + "\n    url: " + pluginUrl("probe_abi_0_2_100") + "\n    pluginConfig: \"" + escaped + "\"\n";
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string appAndHttpbin(int app_port) {
  return "routes:\n"
         "  - name: default/app\n    hosts: ['*']\n    match: {prefix: /}\n    service: outbound|80||app.static\n"
         "services:\n"
         "  - name: outbound|80||app.static\n    endpoints: [127.0.0.1:" + std::to_string(app_port) + "]\n"
         "  - name: httpbin\n    builtin: httpbin\n";
}

// The cluster comes from the request's x-cluster header; the answer is logged, then the held
// request goes on to the app.
const char* kCallFromHeader =
    "request_headers get_header 0 x-cluster\n"
    "request_headers http_call $ :method=POST,:path=/anything/call?x=1,:authority=bin.local,x-side=1 payload PATH_TIMEOUT\n"
    "request_headers return 1\n"
    "http_call_response get_headers 6\n"
    "http_call_response get_buffer 4 0 10000\n"
    "http_call_response set_effective caller\n"
    "http_call_response continue 0";

std::string callScript(const std::string& path, int timeout_ms) {
  std::string script = kCallFromHeader;
  script.replace(script.find("PATH_TIMEOUT"), 12, std::to_string(timeout_ms));
  if (path != "/anything/call?x=1") script.replace(script.find("/anything/call?x=1"), 18, path);
  return script;
}

TEST(PluginUpstreamCalls, BuiltinHttpbinAnswersUnderEveryClusterNameForm) {
  ScriptedUpstream app(echo);
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, appAndHttpbin(app.port()) + "plugins:\n" +
                                                      probe("bin", callScript("/anything/call?x=1", 2000))),
                       1))
      << gw.logs();
  const std::vector<std::string> names = {"httpbin", "outbound|80||httpbin.static", "outbound|80||httpbin.dns",
                                          "outbound|80||httpbin.default.svc.cluster.local",
                                          "outbound|80||httpbin.DEFAULT-GROUP.public.nacos"};
  const std::string answer = "\"url\": \"http://bin.local/anything/call?x=1\"";
  for (size_t i = 0; i < names.size(); ++i) {
    HttpResponse r = httpGet(port, "/main", "x-cluster: " + names[i] + "\r\n");
    EXPECT_EQ(r.status, 200) << names[i] << "\n" << gw.logs();
    EXPECT_NE(r.body.find("GET /main"), std::string::npos) << names[i];  // the held request went on
    EXPECT_EQ(count(gw.logs(), answer), i + 1) << names[i] << "\n" << gw.logs();
  }
  const std::string logs = gw.logs();
  // httpbin saw the plugin's method, headers, query and body; the plugin saw httpbin's headers.
  EXPECT_NE(logs.find("\"method\": \"POST\""), std::string::npos) << logs;
  EXPECT_NE(logs.find("\"data\": \"payload\""), std::string::npos) << logs;
  EXPECT_NE(logs.find("\"X-Side\": \"1\""), std::string::npos) << logs;
  EXPECT_NE(logs.find("\"x\": \"1\""), std::string::npos) << logs;
  EXPECT_NE(logs.find("http_call_response: get_headers 6 -> 0 :status=200,content-type=application/json"),
            std::string::npos)
      << logs;
  // Delivered on a later loop turn: the call had returned Ok (0) before the answer came in.
  const size_t dispatched = logs.find("request_headers: http_call $");
  ASSERT_NE(dispatched, std::string::npos) << logs;
  EXPECT_EQ(logs.compare(logs.find(" -> ", dispatched), 6, " -> 0 "), 0) << logs.substr(dispatched, 200);
  EXPECT_LT(dispatched, logs.find("http_call_response: get_headers"));
}

TEST(PluginUpstreamCalls, BuiltinHttpbinCallTimesOutAsEnvoysAsyncClientDoes) {
  ScriptedUpstream app(echo);
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  // /delay/2 outlives the call's 300 ms timeout: the plugin gets Envoy's 504 in time.
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, appAndHttpbin(app.port()) + "plugins:\n" +
                                                      probe("bin", callScript("/delay/2", 300))),
                       1))
      << gw.logs();
  HttpResponse r = httpGet(port, "/slow", "x-cluster: outbound|80||httpbin.static\r\n");
  EXPECT_EQ(r.status, 200) << gw.logs();
  std::string logs = gw.logs();
  EXPECT_NE(logs.find("http_call_response: get_headers 6 -> 0 :status=504"), std::string::npos) << logs;
  EXPECT_NE(logs.find("get_buffer 4 0 10000 -> 0 upstream request timeout"), std::string::npos) << logs;
}

// Two probes, each with its own `.dns` Redis service on the test's redis-server: "localhost" and
// "LocalHost" (a name only a resolver understands), each SETting its own key per request, and
// "cfg-<key>" once per worker right after init, in configure (usually while the name is still
// resolving: that call waits for the deferred init).
std::string redisProbe(const std::string& name, const std::string& cluster, const std::string& key) {
  auto bulk = [](const std::string& s) {
    std::string out(1, '$');  // appended piecewise: GCC 12 warns (-Wrestrict) on "$" + std::string
    out += std::to_string(s.size());
    out += "%0D%0A" + s + "%0D%0A";
    return out;
  };
  auto set = [&](const std::string& k) { return "*3%0D%0A" + bulk("SET") + bulk(k) + bulk("v-" + k); };
  return probe(name, "configure redis_init " + cluster + " \"\" \"\" 1000\n"
                     "configure redis_call " + cluster + " " + set("cfg-" + key) + "\n"
                     "request_headers redis_call " + cluster + " " + set(key) + "\n"
                     "request_headers return 1\n"
                     "redis_call_response get_buffer 9 0 100\n"
                     "redis_call_response set_effective caller\n"
                     "redis_call_response continue 0");
}

TEST(PluginUpstreamCalls, RedisDnsServicesAreResolvedBeforeConnecting) {
  testing::RedisServer redis;
  ASSERT_TRUE(redis.start()) << redis.error();
  ScriptedUpstream app(echo);
  int port = freePort(), admin = freePort();
  const std::string rp = std::to_string(redis.port());
  const std::string lower = "outbound|" + rp + "||localhost.dns", mixed = "outbound|" + rp + "||LocalHost.dns";
  const std::string yaml =
      "routes:\n  - name: default/app\n    hosts: ['*']\n    match: {prefix: /}\n    service: outbound|80||app.static\n"
      "services:\n  - name: outbound|80||app.static\n    endpoints: [127.0.0.1:" + std::to_string(app.port()) + "]\n"
      "  - name: " + lower + "\n  - name: " + mixed + "\n"
      "plugins:\n" + redisProbe("lower", lower, "dns-lower") + redisProbe("mixed", mixed, "dns-mixed");
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, yaml), 2)) << gw.logs();
  for (int i = 0; i < 4; ++i) {  // fresh connections: both workers
    HttpResponse r = httpGet(port, "/r");
    EXPECT_EQ(r.status, 200) << gw.logs();
    EXPECT_NE(r.body.find("GET /r"), std::string::npos);
  }
  EXPECT_EQ(redis.command({{"GET", "dns-lower"}}), "$11\r\nv-dns-lower\r\n");
  EXPECT_EQ(redis.command({{"GET", "dns-mixed"}}), "$11\r\nv-dns-mixed\r\n");
  EXPECT_EQ(redis.command({{"GET", "cfg-dns-lower"}}), "$15\r\nv-cfg-dns-lower\r\n");
  EXPECT_EQ(redis.command({{"GET", "cfg-dns-mixed"}}), "$15\r\nv-cfg-dns-mixed\r\n");
  const std::string logs = gw.logs();
  // 4 requests x 2 probes, plus 2 workers x 2 probes from configure (the canary calls nobody).
  EXPECT_EQ(count(logs, "redis_call_response: get_buffer 9 0 100 -> 0 +OK"), 12u) << logs;
  // No init failed (an init made while the name was still resolving is only noted at debug).
  EXPECT_EQ(count(logs, "redis init"), count(logs, "waits for its DNS resolution")) << logs;
}

}  // namespace
}  // namespace wasmgate::test
