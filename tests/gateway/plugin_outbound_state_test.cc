// Integration tests of plugins' process-wide state and timers through the real `wasmgate run`
// binary: metrics on the admin /stats (probe plugin), ticks driving http calls from the root
// context (tick-func example), one leader across workers (leader-election example) and shared
// queues notifying the registering worker (probe plugin).
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

std::string pluginUrl(const std::string& name) { return "file://" WASMGATE_PLUGIN_DIR "/" + name + ".wasm"; }

std::string probe(const std::string& name, const std::string& script) {
  std::string escaped;
  for (char c : script) {
    if (c == '\n') {
      escaped += "\\n";
    } else {
      if (c == '"') escaped += '\\';
      escaped += c;
    }
  }
  return "  - name: " + name + "\n    url: " + pluginUrl("probe_abi_0_2_100") + "\n    pluginConfig: \"" + escaped + "\"\n";
}

// The protected service, and the deny-list service of tick-func.
void serve(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    std::string body = req.rfind("GET /denylist", 0) == 0 ? "/blocked\n/also-blocked\n" : "hello";
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  }
}

struct Fixture {
  ScriptedUpstream upstream{serve};
  int port = freePort();
  int admin = freePort();
  GatewayProcess gw;
  bool start(const std::string& plugins, int workers = 2) {
    std::string up = std::to_string(upstream.port());
    return gw.start(gatewayConfig(port, admin,
                                  "routes:\n  - name: default/app\n    hosts: ['*']\n    match: {prefix: /}\n"
                                  "    service: outbound|80||app.static\n"
                                  "services:\n  - name: outbound|80||app.static\n    endpoints: [127.0.0.1:" + up + "]\n"
                                  "  - name: outbound|80||config.static\n    endpoints: [127.0.0.1:" + up + "]\n"
                                  "plugins:\n" + plugins),
                    workers);
  }
};

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(PluginOutboundState, PluginMetricsAppearOnAdminStats) {
  Fixture f;
  ASSERT_TRUE(f.start(probe("metrics",
                            "request_headers define_metric 0 probe_requests\n"
                            "request_headers increment_metric $ 1\n"
                            "request_headers define_metric 1 probe_level\n"
                            "request_headers record_metric $ 42\n"
                            "request_headers define_metric 2 probe_size\n"
                            "request_headers record_metric $ 7")))
      << f.gw.logs();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(httpGet(f.port, "/x").status, 200);
  std::string stats = httpGet(f.admin, "/stats").body;
  EXPECT_NE(stats.find("# TYPE wasmcustom_probe_requests counter\nwasmcustom_probe_requests 5\n"), std::string::npos)
      << stats;
  EXPECT_NE(stats.find("wasmcustom_probe_level 42\n"), std::string::npos) << stats;
  EXPECT_NE(stats.find("wasmcustom_probe_size_bucket{le=\"10\"} 5\n"), std::string::npos) << stats;
  EXPECT_NE(stats.find("wasmcustom_probe_size_count 5\n"), std::string::npos) << stats;
}

TEST(PluginOutboundState, TickFunctionsFetchTheDenyListOnEveryWorker) {
  Fixture f;
  ASSERT_TRUE(f.start("  - name: ticks\n    url: " + pluginUrl("tick-func") +
                      "\n    pluginConfig: {serviceName: config.static, servicePort: 80, denylist_path: /denylist,"
                      " refresh_ms: 100, heartbeat_ms: 150}\n"))
      << f.gw.logs();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  for (int i = 0; i < 8; ++i) {  // fresh connections land on both workers
    HttpResponse denied = httpGet(f.port, "/blocked");
    EXPECT_EQ(denied.status, 403);
    EXPECT_EQ(denied.body, "path denied");
    EXPECT_EQ(httpGet(f.port, "/fine").body, "hello");
  }
  std::string logs = f.gw.logs();
  EXPECT_GE(count(logs, "deny list refreshed: 2 paths"), 4u) << logs;  // ~5 refreshes x 2 workers
  EXPECT_GE(count(logs, "heartbeat: "), 2u) << logs;
  EXPECT_EQ(f.gw.terminate(), 0) << f.gw.logs();  // armed timers and pooled calls shut down cleanly
}

TEST(PluginOutboundState, OneLeaderAcrossWorkersPublishesTheReport) {
  Fixture f;
  ASSERT_TRUE(f.start("  - name: leader\n    url: " + pluginUrl("leader-election") +
                          "\n    pluginConfig: {interval_ms: 100}\n" +
                          probe("reader", "request_headers get_shared leader-election:report"),
                      3))
      << f.gw.logs();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // SO_REUSEPORT spreads connections by a hash of their addresses, which can miss one worker for
  // a dozen connections in a row: ask until both answers were seen (each request is a new
  // connection), within a bound no healthy run comes near.
  std::set<std::string> leaders_seen;
  for (int i = 0; i < 300 && leaders_seen.size() < 2; ++i) leaders_seen.insert(httpGet(f.port, "/x").header("x-vm-leader"));
  EXPECT_TRUE(leaders_seen.count("true")) << "no response came from the leader's worker";
  EXPECT_TRUE(leaders_seen.count("false")) << "no response came from a follower's worker";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  httpGet(f.port, "/x");
  std::string logs = f.gw.logs();
  // At start-up two workers may both win: each finds no lease and writes one unconditionally (cas
  // 0), exactly as the Go SDK does on Higress. The last writer holds the lease, so the other learns
  // it is a follower at its first renewal, before its first report: the reports below come from one
  // VM only. Three workers plus the configuration canary (which never touches shared data) start.
  const size_t started_leading = count(logs, "plugin started, leader: yes");
  EXPECT_GE(started_leading, 1u) << logs;
  EXPECT_EQ(started_leading + count(logs, "plugin started, leader: no"), 4u) << logs;
  // Every report the probe read names the same VM, with a growing tick count.
  std::regex report("get_shared leader-election:report -> 0 (\\S+) (\\d+)");
  std::set<std::string> reporters;
  long last_ticks = 0, max_ticks = 0;
  for (auto it = std::sregex_iterator(logs.begin(), logs.end(), report); it != std::sregex_iterator(); ++it) {
    reporters.insert((*it)[1]);
    last_ticks = std::stol((*it)[2]);
    max_ticks = std::max(max_ticks, last_ticks);
  }
  EXPECT_EQ(reporters.size(), 1u) << logs;
  EXPECT_GE(max_ticks, 5) << logs;
}

TEST(PluginOutboundState, SharedQueueNotifiesTheRegisteringRoot) {
  Fixture f;
  ASSERT_TRUE(f.start(probe("queue",
                            "configure register_queue jobs\n"
                            "request_headers resolve_queue \"\" jobs\n"
                            "request_headers enqueue $ job-from-request\n"
                            "queue_ready dequeue 1"),
                      1))
      << f.gw.logs();
  EXPECT_EQ(httpGet(f.port, "/x").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::string logs = f.gw.logs();
  EXPECT_NE(logs.find("configure: register_queue jobs -> 0 1"), std::string::npos) << logs;
  EXPECT_NE(logs.find("request_headers: enqueue $ job-from-request -> 0"), std::string::npos) << logs;
  EXPECT_NE(logs.find("queue_ready: dequeue 1 -> 0 job-from-request"), std::string::npos) << logs;
}

}  // namespace
}  // namespace wasmgate::test
