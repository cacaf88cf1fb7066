// Integration tests of what the JSON access log says when an upstream fails (Envoy's
// response_code_details for 502/503/504, the upstream cluster and host) and of the plugins'
// `ai_log` attribute reaching it (gateway_ops_test covers the success and 404 lines,
// plugin_chain_test `custom_log`). The real binary, real upstreams, a real probe plugin.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

using Json = nlohmann::json;

// The access log's lines keyed by path, once `count` lines are there (or after ~3 s).
std::map<std::string, Json> readLog(const std::string& path, size_t count) {
  std::map<std::string, Json> by_path;
  for (int i = 0; i < 150 && by_path.size() < count; ++i) {
    usleep(20000);
    by_path.clear();
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      Json j = Json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.contains("path")) by_path[j["path"].get<std::string>()] = j;
    }
  }
  return by_path;
}

class TempLog {
 public:
  TempLog() {
    char dir[] = "/tmp/wasmgate-alog-XXXXXX";
    dir_ = ::mkdtemp(dir) ? dir : "/tmp";
    path_ = dir_ + "/access.log";
  }
  ~TempLog() {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

TEST(GatewayAccessLog, UpstreamFailuresCarryEnvoyDetails) {
  int dead = freePort();  // nothing listens there
  ScriptedUpstream garbage([](int fd) {
    ScriptedUpstream::readRequest(fd);
    ScriptedUpstream::writeAll(fd, "NOT HTTP\r\n\r\n");
  });
  ScriptedUpstream silent([](int fd) {
    ScriptedUpstream::readRequest(fd);
    usleep(1500000);
  });
  TempLog log;
  auto service = [](const std::string& name, int p) {
    return "  - name: " + name + "\n    endpoints: [127.0.0.1:" + std::to_string(p) + "]\n";
  };
  std::string rest =
      "access_log:\n  path: " + log.path() + "\n"
      "routes:\n"
      "  - {name: default/dead, match: {prefix: /dead}, service: dead, retries: 0}\n"
      "  - {name: default/garbage, match: {prefix: /garbage}, service: garbage}\n"
      "  - {name: default/silent, match: {prefix: /silent}, service: silent, timeout: 300ms}\n"
      "services:\n" + service("dead", dead) + service("garbage", garbage.port()) + service("silent", silent.port());
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  EXPECT_EQ(httpGet(port, "/dead").status, 503);
  EXPECT_EQ(httpGet(port, "/garbage").status, 502);
  EXPECT_EQ(httpGet(port, "/silent").status, 504);

  auto lines = readLog(log.path(), 3);
  ASSERT_EQ(lines.size(), 3u) << gw.logs();
  EXPECT_EQ(lines["/dead"]["response_code"], 503);
  EXPECT_EQ(lines["/dead"]["response_code_details"], "upstream_reset_before_response_started{connection_failure}");
  EXPECT_EQ(lines["/dead"]["route_name"], "default/dead");
  EXPECT_EQ(lines["/dead"]["upstream_cluster"], "dead");
  EXPECT_EQ(lines["/garbage"]["response_code"], 502);
  EXPECT_EQ(lines["/garbage"]["response_code_details"], "upstream_reset_before_response_started{protocol_error}");
  EXPECT_EQ(lines["/garbage"]["upstream_host"], "127.0.0.1:" + std::to_string(garbage.port()));
  EXPECT_EQ(lines["/silent"]["response_code"], 504);
  EXPECT_EQ(lines["/silent"]["response_code_details"], "upstream_response_timeout");
}

TEST(GatewayAccessLog, PluginAiLogAttributeReachesTheLine) {
  ScriptedUpstream ok([](int fd) {
    while (!ScriptedUpstream::readRequest(fd, 2000).empty()) {
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    }
  });
  TempLog log;
  // The raw probe plugin sets the ai_log filter state as an AI plugin would.
  std::string rest =
      "access_log:\n  path: " + log.path() + "\n"
      "routes:\n  - {name: default/ai, match: {prefix: /}, service: ai}\n"
      "services:\n  - name: ai\n    endpoints: [127.0.0.1:" + std::to_string(ok.port()) + "]\n"
      "plugins:\n  - name: ai-probe\n    url: file://" WASMGATE_PLUGIN_DIR "/probe_abi_0_2_100.wasm\n"
      "    pluginConfig: \"request_headers set_property ai_log model=qwen;tokens=7\"\n";
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  ASSERT_EQ(httpGet(port, "/chat").status, 200);
  auto lines = readLog(log.path(), 1);
  ASSERT_EQ(lines.count("/chat"), 1u) << gw.logs();
  const Json& line = lines["/chat"];
  ASSERT_TRUE(line.contains("ai_log")) << line.dump();
  EXPECT_EQ(line["ai_log"], "model=qwen;tokens=7") << line.dump();
  EXPECT_FALSE(line.contains("custom_log")) << "only the attributes a plugin set appear";
}

TEST(GatewayAccessLog, RequestIdIsOneForPluginUpstreamAndLog) {
  // Envoy sets x-request-id before the HTTP filters run, so plugins read the id the upstream
  // and the access log see.
  ScriptedUpstream echo([](int fd) {
    std::string req;
    while (!(req = ScriptedUpstream::readRequest(fd, 2000)).empty()) {
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(req.size()) + "\r\n\r\n" + req);
    }
  });
  TempLog log;
  std::string rest =
      "access_log:\n  path: " + log.path() + "\n"
      "routes:\n  - {name: default/id, match: {prefix: /}, service: echo}\n"
      "services:\n  - name: echo\n    endpoints: [127.0.0.1:" + std::to_string(echo.port()) + "]\n"
      "plugins:\n  - name: id-probe\n    url: file://" WASMGATE_PLUGIN_DIR "/probe_abi_0_2_100.wasm\n"
      "    pluginConfig: \"request_headers get_header 0 x-request-id\\nrequest_headers add_header 0 x-plugin-saw $\"\n";
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin, rest), 1)) << gw.logs();
  HttpResponse r = httpGet(port, "/id");
  ASSERT_EQ(r.status, 200) << gw.logs();
  auto headerIn = [&](const std::string& name) {
    size_t at = r.body.find("\r\n" + name + ": ");
    if (at == std::string::npos) return std::string();
    at += name.size() + 4;
    return r.body.substr(at, r.body.find("\r\n", at) - at);
  };
  std::string id = headerIn("x-request-id");
  ASSERT_EQ(id.size(), 36u) << r.body;  // a generated UUID
  EXPECT_EQ(headerIn("x-plugin-saw"), id) << r.body;
  auto lines = readLog(log.path(), 1);
  ASSERT_EQ(lines.count("/id"), 1u);
  EXPECT_EQ(lines["/id"]["request_id"], id);
}

}  // namespace
}  // namespace wasmgate::test
