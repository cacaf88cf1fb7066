// Integration tests of the route cache through the real `wasmgate run` binary and the raw probe
// plugin: as in Envoy, the route is picked when the request headers arrive; a plugin that
// changes the request headers clears it and the router picks again, unless the plugin set the
// `clear_route_cache` property to `off` first (the Go SDK's DisableReroute), in which case the
// original route keeps the request.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

std::string pluginUrl(const std::string& name) { return "file://" WASMGATE_PLUGIN_DIR "/" + name + ".wasm"; }

// A probe plugin entry driven by `script` (probe commands, one per line; see tests/plugins/probe.cc).
std::string probe(const std::string& name, const std::string& script, const std::string& extra = "") {
  std::string escaped;
  for (char c : script) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  return "  - name: " + name + "\n    url: " + pluginUrl("probe_abi_0_2_100") + "\n    pluginConfig: \"" + escaped +
         "\"\n" + extra;
}

// An upstream that answers every request with its own name and the request line it received.
ScriptedUpstream::Handler namedEcho(const std::string& name) {
  return [name](int fd) {
    while (true) {
      std::string req = ScriptedUpstream::readRequest(fd, 3000);
      if (req.empty()) return;
      std::string line = req.substr(0, req.find("\r\n"));
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\nx-upstream: " + name + "\r\ncontent-length: " +
                                         std::to_string(line.size()) + "\r\n\r\n" + line);
    }
  };
}

struct Fixture {
  ScriptedUpstream alpha{namedEcho("alpha")};
  ScriptedUpstream beta{namedEcho("beta")};
  int port = freePort();
  int admin = freePort();
  std::string access_log = "/tmp/wasmgate-route-cache-" + std::to_string(getpid()) + ".log";
  GatewayProcess gw;

  ~Fixture() { unlink(access_log.c_str()); }
  // Route default/alpha takes /alpha, default/beta takes /beta; nothing else matches.
  bool start(const std::string& plugins) {
    std::string rest =
        "access_log:\n  path: " + access_log + "\n"
        "routes:\n"
        "  - name: default/alpha\n    hosts: ['*']\n    match: {prefix: /alpha}\n    service: alpha\n"
        "  - name: default/beta\n    hosts: ['*']\n    match: {prefix: /beta}\n    service: beta\n"
        "services:\n"
        "  - name: alpha\n    endpoints: [127.0.0.1:" + std::to_string(alpha.port()) + "]\n"
        "  - name: beta\n    endpoints: [127.0.0.1:" + std::to_string(beta.port()) + "]\n"
        "plugins:\n" + plugins;
    return gw.start(gatewayConfig(port, admin, rest), 1);
  }
  // The access log once it has `lines` lines.
  std::string accessLog(size_t lines) {
    std::string text;
    for (int i = 0; i < 100; ++i) {
      std::ifstream in(access_log);
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) >= lines) break;
      usleep(20 * 1000);
    }
    return text;
  }
};

// A later plugin reports the route it sees in a response header.
const std::string kRouteWatcher = "response_headers get_property route_name\nresponse_headers add_header 2 x-route $";

TEST(PluginRouteCache, PathRewriteMovesTheRequestToTheMatchingRoute) {
  Fixture f;
  ASSERT_TRUE(f.start(probe("rewrite", "request_headers replace_header 0 :path /alpha/moved", "    phase: AUTHN\n") +
                      probe("watch", kRouteWatcher)))
      << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/beta/original");
  ASSERT_EQ(r.status, 200) << f.gw.logs();
  EXPECT_EQ(r.header("x-upstream"), "alpha");
  EXPECT_EQ(r.body, "GET /alpha/moved HTTP/1.1");
  EXPECT_EQ(r.header("x-route"), "default/alpha");
  EXPECT_EQ(f.beta.connections(), 0);
  std::string log = f.accessLog(1);
  EXPECT_NE(log.find("\"route_name\":\"default/alpha\""), std::string::npos) << log;
}

TEST(PluginRouteCache, ClearRouteCacheOffKeepsTheOriginalRoute) {
  Fixture f;
  ASSERT_TRUE(f.start(probe("rewrite",
                            "request_headers set_property clear_route_cache off\n"
                            "request_headers replace_header 0 :path /alpha/moved",
                            "    phase: AUTHN\n") +
                      probe("watch", kRouteWatcher)))
      << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/beta/original");
  ASSERT_EQ(r.status, 200) << f.gw.logs();
  // Still the beta route and upstream, with the rewritten path.
  EXPECT_EQ(r.header("x-upstream"), "beta");
  EXPECT_EQ(r.body, "GET /alpha/moved HTTP/1.1");
  EXPECT_EQ(r.header("x-route"), "default/beta");
  EXPECT_EQ(f.alpha.connections(), 0);
  std::string log = f.accessLog(1);
  EXPECT_NE(log.find("\"route_name\":\"default/beta\""), std::string::npos) << log;
}

TEST(PluginRouteCache, HeaderChangeCanTurnA404IntoARouteAndOffKeepsThe404) {
  // No route matches /other; the plugin rewrites it into /beta. The property is per stream: the
  // plugin switches re-routing off only for the request carrying "x-keep: off".
  Fixture f;
  ASSERT_TRUE(f.start(probe("rewrite",
                            "request_headers get_header 0 x-keep\n"
                            "request_headers set_property clear_route_cache $\n"
                            "request_headers replace_header 0 :path /beta/found")))
      << f.gw.logs();
  HttpResponse moved = httpGet(f.port, "/other");
  EXPECT_EQ(moved.status, 200) << f.gw.logs();
  EXPECT_EQ(moved.header("x-upstream"), "beta");
  HttpResponse kept = httpGet(f.port, "/other", "x-keep: off\r\n");
  EXPECT_EQ(kept.status, 404) << f.gw.logs();
  EXPECT_EQ(f.alpha.connections(), 0);
}

TEST(PluginRouteCache, PropertyReadBeforeAndAfterTheChangeFollowsTheCache) {
  // route_name read in the same callback before and after the rewrite: the cache is cleared by
  // the header change itself, not at the end of the callback.
  Fixture f;
  ASSERT_TRUE(f.start(probe("both",
                            "request_headers get_property route_name\n"
                            "request_headers add_header 0 x-before $\n"
                            "request_headers replace_header 0 :path /alpha/moved\n"
                            "request_headers get_property route_name\n"
                            "request_headers set_property custom_log $")))
      << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/beta/x");
  ASSERT_EQ(r.status, 200) << f.gw.logs();
  std::string logs = f.gw.logs();
  EXPECT_NE(logs.find("request_headers: get_property route_name -> 0 default/beta"), std::string::npos) << logs;
  EXPECT_NE(logs.find("request_headers: get_property route_name -> 0 default/alpha"), std::string::npos) << logs;
  std::string log = f.accessLog(1);
  EXPECT_NE(log.find("\"custom_log\":\"default/alpha\""), std::string::npos) << log;
}

}  // namespace
}  // namespace wasmgate::test
