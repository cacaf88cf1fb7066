// Integration tests of the plugin chain through the real `wasmgate run` binary with real plugins
// from the build (the SDK's examples and the raw probe plugin): Higress ordering by phase and
// priority, _rules_ matching, local replies, properties shared across plugins, buffered and
// streamed bodies, action values per ABI version and the fail strategies.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

std::string pluginUrl(const std::string& name) { return "file://" WASMGATE_PLUGIN_DIR "/" + name + ".wasm"; }

// A probe plugin entry driven by `script` (probe commands, one per line).
std::string probe(const std::string& name, const std::string& script, const std::string& extra = "",
                  const std::string& abi = "0_2_100") {
  std::string escaped;
  for (char c : script) {
    if (c == '\n') {
      escaped += "\\n";
    } else {
      if (c == '"') escaped += '\\';
      escaped += c;
    }
  }
  return "  - name: " + name + "\n    url: " + pluginUrl("probe_abi_" + abi) + "\n    pluginConfig: \"" + escaped +
         "\"\n" + extra;
}

// Echoes each request back as the response body (keep-alive).
void echo(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\nserver: echo\r\ncontent-type: text/plain\r\ncontent-length: " +
                                       std::to_string(req.size()) + "\r\n\r\n" + req);
  }
}

std::string routesTo(int echo_port) {
  return "routes:\n"
         "  - name: default/a\n    hosts: ['*']\n    match: {prefix: /a}\n    service: outbound|80||svc-a.static\n"
         "  - name: default/b\n    hosts: ['*']\n    match: {prefix: /}\n    service: outbound|80||svc-b.static\n"
         "services:\n"
         "  - name: outbound|80||svc-a.static\n    endpoints: [127.0.0.1:" + std::to_string(echo_port) + "]\n"
         "  - name: outbound|80||svc-b.static\n    endpoints: [127.0.0.1:" + std::to_string(echo_port) + "]\n";
}

std::vector<std::string> values(const HttpResponse& r, const char* name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers.entries()) if (k == name) out.push_back(v);
  return out;
}

struct Fixture {
  ScriptedUpstream upstream{echo};
  int port = freePort();
  int admin = freePort();
  GatewayProcess gw;
  bool start(const std::string& plugins, const std::string& extra = "") {
    return gw.start(gatewayConfig(port, admin, extra + routesTo(upstream.port()) + "plugins:\n" + plugins), 1);
  }
};

TEST(PluginChain, PhasesAndPriorityOrderRequestsAndReverseResponses) {
  Fixture f;
  auto tag = [](const std::string& n) {
    return "request_headers add_header 0 x-order " + n + "\nresponse_headers add_header 2 x-resp " + n;
  };
  // Declared out of order on purpose: AUTHN, AUTHZ, STATS, UNSPECIFIED; higher priority first.
  std::string plugins = probe("p-unspec-low", tag("unspec-low"), "    priority: 1\n") +
                        probe("p-stats", tag("stats"), "    phase: STATS\n") +
                        probe("p-unspec-high", tag("unspec-high"), "    priority: 500\n") +
                        probe("p-authz", tag("authz"), "    phase: AUTHZ\n    priority: 10\n") +
                        probe("p-authn", tag("authn"), "    phase: AUTHN\n");
  ASSERT_TRUE(f.start(plugins)) << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/x");
  ASSERT_EQ(r.status, 200) << f.gw.logs();
  size_t a = r.body.find("x-order: authn"), b = r.body.find("x-order: authz"), c = r.body.find("x-order: stats"),
         d = r.body.find("x-order: unspec-high"), e = r.body.find("x-order: unspec-low");
  ASSERT_NE(e, std::string::npos) << r.body;
  EXPECT_TRUE(a < b && b < c && c < d && d < e) << r.body;
  EXPECT_EQ(values(r, "x-resp"), (std::vector<std::string>{"unspec-low", "unspec-high", "stats", "authz", "authn"}));
}

TEST(PluginChain, RulesMatchByRouteDomainAndService) {
  Fixture f;
  std::string plugins = "  - name: hello\n    url: " + pluginUrl("hello-world") +
                        "\n    defaultConfigDisable: true\n    matchRules:\n"
                        "      - ingress: [default/a]\n        config: {enabled: true}\n"
                        "      - domain: ['*.example.com']\n        config: {enabled: true}\n"
                        "      - service: [svc-b.static:80]\n        configDisable: true\n        config: {enabled: true}\n";
  ASSERT_TRUE(f.start(plugins)) << f.gw.logs();
  EXPECT_NE(httpGet(f.port, "/a/1").body.find("x-my-header: hello"), std::string::npos);  // route rule
  EXPECT_EQ(httpGet(f.port, "/b").body.find("x-my-header"), std::string::npos);  // no rule, default disabled
  RawClient c(f.port);
  c.send("GET /b HTTP/1.1\r\nHost: api.example.com:8080\r\n\r\n");  // domain rule, port ignored
  EXPECT_NE(c.readResponse().body.find("x-my-header: hello"), std::string::npos);
  // A stream no rule matches has no config: the SDK leaves it alone in every phase.
  EXPECT_EQ(httpGet(f.port, "/b").header("x-hello-world"), "");
  EXPECT_EQ(httpGet(f.port, "/a/2").header("x-hello-world"), "/a/2");
}

TEST(PluginChain, ServiceRuleMatchesClusterName) {
  Fixture f;
  std::string plugins = "  - name: hello\n    url: " + pluginUrl("hello-world") +
                        "\n    matchRules:\n      - service: [svc-b.static]\n        config: {enabled: true}\n";
  ASSERT_TRUE(f.start(plugins)) << f.gw.logs();
  EXPECT_NE(httpGet(f.port, "/b").body.find("x-my-header: hello"), std::string::npos);
  EXPECT_EQ(httpGet(f.port, "/a").body.find("x-my-header"), std::string::npos);
}

// The header counts the probe reported to each of its `event` callbacks, in order.
std::vector<int> headerCounts(const std::string& logs, const std::string& event = "@response_headers ") {
  std::vector<int> counts;
  for (size_t at = logs.find(event); at != std::string::npos; at = logs.find(event, at + 1)) {
    std::istringstream fields(logs.substr(at + event.size(), 40));
    int id = 0, count = 0;
    fields >> id >> count;
    counts.push_back(count);
  }
  return counts;
}

// The plugins' response header callbacks run chained in one engine entry; each must still be
// given the header count as the plugins before it left it.
TEST(PluginChain, EachResponseHeaderCallbackCountsTheHeadersAddedBeforeIt) {
  Fixture f;
  std::string plugins = probe("p1", "response_headers add_header 2 x-resp one", "    priority: 30\n") +
                        probe("p2", "response_headers add_header 2 x-resp two", "    priority: 20\n") +
                        probe("p3", "response_headers add_header 2 x-resp three", "    priority: 10\n");
  ASSERT_TRUE(f.start(plugins)) << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/x");
  ASSERT_EQ(r.status, 200) << f.gw.logs();
  EXPECT_EQ(values(r, "x-resp"), (std::vector<std::string>{"three", "two", "one"}));
  const std::vector<int> counts = headerCounts(f.gw.logs());
  ASSERT_EQ(counts.size(), 3u) << f.gw.logs();
  EXPECT_EQ(counts[1], counts[0] + 1) << f.gw.logs();
  EXPECT_EQ(counts[2], counts[0] + 2) << f.gw.logs();
}

// The same for the request: the plugins' streams start chained in one engine entry.
TEST(PluginChain, EachRequestHeaderCallbackCountsTheHeadersAddedBeforeIt) {
  Fixture f;
  std::string plugins = probe("p1", "request_headers add_header 0 x-req one", "    priority: 30\n") +
                        probe("p2", "request_headers add_header 0 x-req two", "    priority: 20\n") +
                        probe("p3", "request_headers add_header 0 x-req three", "    priority: 10\n");
  ASSERT_TRUE(f.start(plugins)) << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/x");
  ASSERT_EQ(r.status, 200) << f.gw.logs();
  EXPECT_LT(r.body.find("x-req: one"), r.body.find("x-req: two")) << r.body;
  EXPECT_LT(r.body.find("x-req: two"), r.body.find("x-req: three")) << r.body;
  const std::vector<int> counts = headerCounts(f.gw.logs(), "@request_headers ");
  ASSERT_EQ(counts.size(), 3u) << f.gw.logs();
  EXPECT_EQ(counts[1], counts[0] + 1) << f.gw.logs();
  EXPECT_EQ(counts[2], counts[0] + 2) << f.gw.logs();
}

// A plugin that stops the request holds the plugins after it: they start only when it goes on.
TEST(PluginChain, ARequestStopHoldsTheLaterPluginsUntilItContinues) {
  Fixture f;
  std::string plugins = probe("p1", "request_headers add_header 0 x-req one", "    priority: 30\n") +
                        probe("p2", "request_headers return 1\nrequest_body add_header 0 x-req two",
                              "    priority: 20\n", "0_2_100") +
                        probe("p3", "request_headers add_header 0 x-req three", "    priority: 10\n");
  ASSERT_TRUE(f.start(plugins)) << f.gw.logs();
  RawClient c(f.port);
  c.send("POST /x HTTP/1.1\r\nHost: h\r\ncontent-length: 7\r\n\r\npayload");
  HttpResponse r = c.readResponse(3000);
  ASSERT_EQ(r.status, 200) << f.gw.logs();
  // p3 saw the headers after p2 let them go, with p2's header (added from its body callback).
  const size_t one = r.body.find("x-req: one"), two = r.body.find("x-req: two"), three = r.body.find("x-req: three");
  ASSERT_NE(three, std::string::npos) << r.body;
  EXPECT_TRUE(one < two && two < three) << r.body;
  const std::string logs = f.gw.logs();
  EXPECT_LT(logs.find("@request_body"), logs.rfind("@request_headers")) << "p3 started after p2's body callback";
}

// A local reply from a plugin's response headers stops the plugins after it as any stop does:
// they meet the reply, not the upstream response, however the callbacks were chained.
TEST(PluginChain, AResponsePhaseLocalReplyIsWhatTheLaterPluginsMeet) {
  Fixture f;
  std::string plugins =
      probe("p1", "response_headers add_header 2 x-resp early", "    priority: 30\n") +
      probe("p2", "response_headers local_response 502 swapped replaced \"\" -1", "    priority: 20\n") +
      probe("p3", "response_headers add_header 2 x-resp first", "    priority: 10\n");
  ASSERT_TRUE(f.start(plugins)) << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/x");
  EXPECT_EQ(r.status, 502) << f.gw.logs();
  EXPECT_EQ(r.body, "replaced");
  // p3's header went with the upstream response; p1 tagged the reply.
  EXPECT_EQ(values(r, "x-resp"), (std::vector<std::string>{"early"}));
  const std::vector<int> counts = headerCounts(f.gw.logs());
  ASSERT_EQ(counts.size(), 3u) << f.gw.logs();
  EXPECT_EQ(counts[1], counts[0] + 1) << "p2 saw p3's header";
  EXPECT_EQ(counts[2], 2) << "p1 saw the reply's :status and content-length only";
}

TEST(PluginChain, LocalRepliesPassThroughResponseFilters) {
  Fixture f;
  std::string plugins =
      probe("deny", "request_headers local_response 403 denied%20by%20probe nope x-denied=1 -1", "    phase: AUTHN\n") +
      probe("watch", "response_headers get_property response.code_details\nresponse_headers add_header 2 x-details $");
  ASSERT_TRUE(f.start(plugins)) << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/x");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "nope");
  EXPECT_EQ(r.header("x-denied"), "1");
  EXPECT_EQ(r.header("x-details"), "denied_by_probe");  // whitespace replaced, seen by a later plugin
  EXPECT_EQ(f.upstream.connections(), 0);
}

TEST(PluginChain, LocalReplyFromResponsePhaseReplacesUpstreamResponse) {
  Fixture f;
  ASSERT_TRUE(f.start(probe("swap", "response_headers local_response 502 swapped replaced \"\" -1"))) << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/x");
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.body, "replaced");
}

TEST(PluginChain, PropertiesWrittenByOnePluginAreReadByLaterOnes) {
  Fixture f;
  std::string plugins =
      probe("writer", "request_headers set_property custom_log hello-state", "    phase: AUTHN\n") +
      probe("reader",
            "request_headers get_property custom_log\nrequest_headers add_header 0 x-got $\n"
            "request_headers get_property route_name\nrequest_headers add_header 0 x-route $\n"
            "request_headers get_property cluster_name\nrequest_headers add_header 0 x-cluster $\n"
            "request_headers get_property request.url_path\nrequest_headers add_header 0 x-url-path $");
  std::string access_log = "/tmp/wasmgate-chain-access-" + std::to_string(getpid()) + ".log";
  ASSERT_TRUE(f.start(plugins, "access_log:\n  path: " + access_log + "\n")) << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/a/z?q=1");
  ASSERT_EQ(r.status, 200);
  // The filter state reaches the access log line of the request.
  std::string text;
  for (int i = 0; i < 50 && text.find("hello-state") == std::string::npos; ++i) {
    usleep(20 * 1000);
    std::ifstream in(access_log);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  EXPECT_NE(text.find("\"custom_log\":\"hello-state\""), std::string::npos) << text;
  unlink(access_log.c_str());
  EXPECT_NE(r.body.find("x-got: hello-state"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("x-route: default/a"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("x-cluster: outbound|80||svc-a.static"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("x-url-path: /a/z"), std::string::npos) << r.body;
}

// x_request_id reads as the request's id until a plugin writes something else; writing the id
// itself (what every SDK plugin does on every request) changes nothing, and neither does writing
// it back after another value: the property then holds the id again.
TEST(PluginChain, XRequestIdWritesAreSeenByLaterPlugins) {
  Fixture f;
  std::string plugins =
      probe("first",
            "request_headers get_property x_request_id\nrequest_headers add_header 0 x-before $\n"
            "request_headers set_property x_request_id rid-1\n"
            "request_headers get_property x_request_id\nrequest_headers add_header 0 x-same $\n"
            "request_headers set_property x_request_id other",
            "    priority: 30\n") +
      probe("second",
            "request_headers get_property x_request_id\nrequest_headers add_header 0 x-other $\n"
            "request_headers set_property x_request_id rid-1\n"
            "request_headers get_property x_request_id\nrequest_headers add_header 0 x-back $",
            "    priority: 20\n");
  ASSERT_TRUE(f.start(plugins)) << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/x", "x-request-id: rid-1\r\n");
  ASSERT_EQ(r.status, 200) << f.gw.logs();
  EXPECT_NE(r.body.find("x-before: rid-1"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("x-same: rid-1"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("x-other: other"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("x-back: rid-1"), std::string::npos) << r.body;
}

TEST(PluginChain, BufferedRequestBodyFromChunkedInput) {
  Fixture f;
  std::string plugins = "  - name: bodies\n    url: " + pluginUrl("headers-bodies") +
                        "\n    defaultConfig: {tag: edge-1, body_prefix: '[', body_suffix: ']',"
                        " replace: {from: secret, to: '******'}}\n";
  ASSERT_TRUE(f.start(plugins)) << f.gw.logs();
  RawClient c(f.port);
  c.send("POST /x HTTP/1.1\r\nHost: h\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n"
         "6\r\nhello \r\n");
  usleep(100 * 1000);  // a second chunk in a later read: the plugin must see the whole body
  c.send("c\r\nworld secret\r\n0\r\n\r\n");
  HttpResponse r = c.readResponse();
  ASSERT_EQ(r.status, 200) << f.gw.logs();
  EXPECT_NE(r.body.find("[hello world ******]"), std::string::npos) << r.body;  // wrapped, then masked
  EXPECT_NE(r.body.find("x-gateway: edge-1"), std::string::npos) << r.body;
  EXPECT_EQ(r.header("x-request-line"), "POST /x");
  EXPECT_EQ(r.header("server"), "");
}

TEST(PluginChain, StreamedResponseBodyRewrittenChunkByChunk) {
  ScriptedUpstream chunks([](int fd) {
    ScriptedUpstream::readRequest(fd);
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n10\r\nsee http://a.io \r\n");
    usleep(100 * 1000);
    ScriptedUpstream::writeAll(fd, "f\r\nand http://b.io\r\n0\r\n\r\n");
  });
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  std::string rest = "routes:\n  - name: r\n    hosts: ['*']\n    match: {prefix: /}\n    service: up\n"
                     "services:\n  - name: up\n    endpoints: [127.0.0.1:" + std::to_string(chunks.port()) + "]\n"
                     "plugins:\n  - name: stream\n    url: " + pluginUrl("streaming-body") +
                     "\n    defaultConfig: {from: 'http://', to: 'https://'}\n";
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  HttpResponse r = httpGet(port, "/");
  ASSERT_EQ(r.status, 200) << gw.logs();
  EXPECT_NE(r.body.find("see https://a.io and https://b.io"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("rewritten in 2 chunks"), std::string::npos) << r.body;
}

TEST(PluginChain, HeaderStopIterationPerAbiVersion) {
  // 0.2.100: StopIteration (1) holds the headers but lets the body reach the plugin, whose
  // Continue releases both. 0.2.1: 1 means StopAllIteration, so the body callback never runs and
  // the request waits for continue_stream (which this plugin never sends).
  const std::string script = "request_headers return 1\nrequest_body add_header 0 x-body-seen yes";
  for (const std::string abi : {"0_2_100", "0_2_1"}) {
    Fixture f;
    ASSERT_TRUE(f.start(probe("stop", script, "", abi))) << f.gw.logs();
    RawClient c(f.port);
    c.send("POST /x HTTP/1.1\r\nHost: h\r\ncontent-length: 4\r\n\r\nbody");
    HttpResponse r = c.readResponse(1500);
    if (abi == "0_2_100") {
      ASSERT_EQ(r.status, 200) << f.gw.logs();
      EXPECT_NE(r.body.find("x-body-seen: yes"), std::string::npos) << r.body;
    } else {
      EXPECT_FALSE(r.ok) << "ABI 0.2.1 StopAllIteration must hold the request";
      EXPECT_EQ(f.upstream.connections(), 0);
    }
  }
}

TEST(PluginChain, FailStrategiesWithTrappingPlugin) {
  Fixture f;
  std::string plugins = probe("closed", "request_headers trap", "    phase: AUTHN\n") ;
  ASSERT_TRUE(f.start(plugins)) << f.gw.logs();
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = httpGet(f.port, "/x");
    EXPECT_EQ(r.status, 503) << f.gw.logs();
  }
  EXPECT_EQ(f.upstream.connections(), 0);
  HttpResponse stats = httpGet(f.admin, "/stats");
  EXPECT_NE(stats.body.find("wasmgate_plugin_fail_closed_requests_total{plugin=\"closed\"} 3"), std::string::npos)
      << stats.body;
  // Each request after a trap got a VM rebuilt from the compiled module.
  EXPECT_NE(stats.body.find("wasmgate_plugin_vm_rebuilds_total{plugin=\"closed\"} 2"), std::string::npos) << stats.body;
  EXPECT_NE(f.gw.logs().find("FAIL_CLOSE: 503"), std::string::npos);

  Fixture open;
  ASSERT_TRUE(open.start(probe("opened", "request_headers trap", "    failStrategy: FAIL_OPEN\n") +
                         probe("after", "request_headers add_header 0 x-after yes")))
      << open.gw.logs();
  HttpResponse r = httpGet(open.port, "/x");
  ASSERT_EQ(r.status, 200) << open.gw.logs();
  EXPECT_NE(r.body.find("x-after: yes"), std::string::npos);  // other plugins unaffected
}

TEST(PluginChain, BufferLimitSetByPluginAnswers413) {
  Fixture f;
  ASSERT_TRUE(f.start(probe("limit", "request_headers set_property set_decoder_buffer_limit 10\nrequest_body return 1")))
      << f.gw.logs();
  RawClient c(f.port);
  c.send("POST /x HTTP/1.1\r\nHost: h\r\ncontent-length: 100\r\n\r\n" + std::string(100, 'a'));
  EXPECT_EQ(c.readResponse().status, 413) << f.gw.logs();
  RawClient small(f.port);
  small.send("POST /x HTTP/1.1\r\nHost: h\r\ncontent-length: 5\r\n\r\nsmall");
  // Within the limit the plugin keeps buffering (it never continues): no answer, no 413.
  EXPECT_FALSE(small.readResponse(800).ok);
}

TEST(PluginChain, StreamedRequestBodyReachesPluginsBeforeTheRouter) {
  // The plugin lets the headers pass, so the router holds them while it connects; every request
  // chunk must still go through the plugin first.
  Fixture f;
  ASSERT_TRUE(f.start(probe("count", "request_body buffer_status 0"))) << f.gw.logs();
  RawClient c(f.port);
  c.send("POST /x HTTP/1.1\r\nHost: h\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n");
  usleep(100 * 1000);
  c.send("2\r\nde\r\n0\r\n\r\n");
  HttpResponse r = c.readResponse();
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("3\r\nabc\r\n2\r\nde\r\n0\r\n"), std::string::npos) << r.body;  // streamed as sent
  std::string logs = f.gw.logs();
  EXPECT_NE(logs.find("request_body: buffer_status 0 -> 0 3 0"), std::string::npos) << logs;  // chunk 1 alone
  EXPECT_NE(logs.find("request_body: buffer_status 0 -> 0 2 0"), std::string::npos) << logs;  // chunk 2 alone
}

TEST(PluginChain, WasmNeedRebuildGivesTheNextStreamAFreshVm) {
  Fixture f;
  ASSERT_TRUE(f.start(probe("rebuild", "request_headers set_property wasm_need_rebuild true"))) << f.gw.logs();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(httpGet(f.port, "/x").status, 200);
  HttpResponse stats = httpGet(f.admin, "/stats");
  EXPECT_NE(stats.body.find("wasmgate_plugin_vm_rebuilds_total{plugin=\"rebuild\"} 2"), std::string::npos) << stats.body;
  EXPECT_NE(stats.body.find("wasmgate_plugin_failures_total{plugin=\"rebuild\"} 0"), std::string::npos) << stats.body;
}

TEST(PluginChain, ConfigErrorsNamePluginAndProblem) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  std::string rest = "routes: []\nservices: []\nplugins:\n  - name: x\n    url: file:///nonexistent/x.wasm\n"
                     "    phase: LATE\n";
  EXPECT_FALSE(gw.start(gatewayConfig(port, admin, rest), 1));
  EXPECT_NE(gw.logs().find("plugins[0].phase"), std::string::npos) << gw.logs();
}

TEST(PluginChain, ConfigureFailureIsAConfigError) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  std::string rest = "routes: []\nservices: []\nplugins:\n" + probe("refuses", "configure return 0");
  EXPECT_FALSE(gw.start(gatewayConfig(port, admin, rest), 1));
  EXPECT_NE(gw.logs().find("plugin 'refuses'"), std::string::npos) << gw.logs();
}

// `wasmgate run` without --config serves the built-in demo: hello-world from build/plugins/.
TEST(PluginChain, BuiltInDemoServesHelloWorld) {
  if (httpGet(10000, "/").ok) GTEST_SKIP() << "port 10000 is busy";
  std::string log = "/tmp/wasmgate-demo-" + std::to_string(getpid()) + ".log";
  pid_t pid = fork();
  if (pid == 0) {
    FILE* out = freopen(log.c_str(), "w", stderr);
    (void)out;
    dup2(2, 1);
    execl(WASMGATE_BINARY, "wasmgate", "run", "--workers", "1", static_cast<char*>(nullptr));
    _exit(127);
  }
  HttpResponse r;
  for (int i = 0; i < 100 && !r.ok; ++i) {
    usleep(100 * 1000);
    r = httpGet(10000, "/get");
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("x-hello-world"), "/get");
  EXPECT_NE(r.body.find("hello"), std::string::npos) << r.body;  // httpbin echoes x-my-header
  std::string text;
  if (FILE* f = fopen(log.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    fclose(f);
  }
  EXPECT_NE(text.find("try: curl -i http://127.0.0.1:10000/get"), std::string::npos) << text;
  unlink(log.c_str());
}

}  // namespace
}  // namespace wasmgate::test
