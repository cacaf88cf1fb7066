// Leader failover through the real `wasmgate run` binary: two workers run the leader_failover
// test plugin (the SDK's DoLeaderElection on a 100 ms tick). The leader's VM is made to trap; its
// worker rebuilds it (a new VM, a new vmID) and the dead VM never ticks again. The lease it held
// is not renewed any more, so once it is older than the SDK's 60 s another VM takes it over and
// from then on only that VM leads. This test therefore runs for over a minute, by design: the
// 60 s are Higress's lease expiry, not a delay of ours.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/gateway/support/gateway_harness.h"
#include "tests/gateway/support/probe_plugin.h"

namespace wasmgate::test {
namespace {

void hello(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello");
  }
}

// The vmIDs of "leader tick <vmID>" lines, in log order.
std::vector<std::string> leaderTicks(const std::string& logs) {
  static const std::regex tick("leader tick ([0-9a-f-]{36})");
  std::vector<std::string> ids;
  for (auto it = std::sregex_iterator(logs.begin(), logs.end(), tick); it != std::sregex_iterator(); ++it) {
    ids.push_back((*it)[1]);
  }
  return ids;
}

// Whether the last `n` ticks (at least n) all came from one VM; that VM in `*leader`.
bool steadyLeader(const std::string& logs, size_t n, std::string* leader) {
  std::vector<std::string> ids = leaderTicks(logs);
  if (ids.size() < n) return false;
  std::set<std::string> last(ids.end() - static_cast<long>(n), ids.end());
  if (last.size() != 1) return false;
  *leader = *last.begin();
  return true;
}

bool waitFor(const std::function<bool()>& done, int timeout_ms, int poll_ms = 50) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
  return true;
}

TEST(PluginLeaderFailover, AnotherVmLeadsAfterTheLeadersVmTraps) {
  ScriptedUpstream app(hello);
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(gatewayConfig(port, admin,
                                     "routes:\n  - name: default/app\n    hosts: ['*']\n    match: {prefix: /}\n"
                                     "    service: outbound|80||app.static\n"
                                     "services:\n  - name: outbound|80||app.static\n    endpoints: [127.0.0.1:" +
                                         std::to_string(app.port()) + "]\n"
                                     "plugins:\n  - name: leader\n    url: " + pluginUrl("leader_failover") +
                                         "\n    failStrategy: FAIL_OPEN\n    pluginConfig: {interval_ms: 100}\n"),
                       2))
      << gw.logs();
  // At start two VMs may both win once (see plugin_outbound_state_test); wait for one to settle.
  std::string old_leader;
  ASSERT_TRUE(waitFor([&] { return steadyLeader(gw.logs(), 10, &old_leader); }, 20000)) << gw.logs();

  // Fresh connections spread over both workers; only the leader's VM traps.
  const std::string crashed = "leader " + old_leader + " crashing on request";
  ASSERT_TRUE(waitFor([&] {
    httpGet(port, "/x", "x-crash: leader\r\n");
    return gw.logs().find(crashed) != std::string::npos;
  }, 20000, 20)) << gw.logs();
  const size_t crash_at = gw.logs().find(crashed);

  // Until the lease expires nobody leads; requests meanwhile get the trapped worker a new VM.
  std::string new_leader;
  ASSERT_TRUE(waitFor([&] {
    HttpResponse r = httpGet(port, "/x");
    EXPECT_EQ(r.status, 200);
    std::string logs = gw.logs();
    return steadyLeader(logs.substr(crash_at), 10, &new_leader);
  }, 120000, 500)) << gw.logs();
  EXPECT_NE(new_leader, old_leader);

  std::string after = gw.logs().substr(crash_at);
  EXPECT_EQ(after.find("leader tick " + old_leader), std::string::npos) << "the trapped VM ticked again\n" << after;
  // The trapped worker built a fresh VM (its own vmID) instead of staying without the plugin.
  std::set<std::string> restarted;
  static const std::regex start("vm ([0-9a-f-]{36}) started, leader: (yes|no)");
  for (auto it = std::sregex_iterator(after.begin(), after.end(), start); it != std::sregex_iterator(); ++it) {
    restarted.insert((*it)[1]);
  }
  EXPECT_EQ(restarted.size(), 1u) << after;
  EXPECT_EQ(restarted.count(old_leader), 0u);
  // The new leader says so in the responses it serves, and no VM but it leads from now on.
  EXPECT_TRUE(waitFor([&] { return httpGet(port, "/x").header("x-vm-id") == new_leader; }, 20000, 20));
  for (int i = 0; i < 6; ++i) {
    HttpResponse r = httpGet(port, "/x");
    EXPECT_EQ(r.header("x-vm-leader") == "true", r.header("x-vm-id") == new_leader) << r.header("x-vm-id");
  }
  std::set<std::string> tickers;
  std::vector<std::string> ticks = leaderTicks(gw.logs().substr(gw.logs().find("leader tick " + new_leader)));
  tickers.insert(ticks.begin(), ticks.end());
  EXPECT_EQ(tickers, std::set<std::string>{new_leader}) << gw.logs();
  EXPECT_EQ(gw.terminate(), 0);
}

}  // namespace
}  // namespace wasmgate::test
