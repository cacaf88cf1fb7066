// Leader failover through the real `wasmgate run` binary: two workers run the leader_failover
// test plugin (the SDK's DoLeaderElection on a 100 ms tick). The leader's VM is made to trap, or
// to ask for a rebuild (wasm_need_rebuild); its worker replaces it (a new VM, a new vmID) and the
// old VM never ticks again. Nobody renews the lease it held, so once it is older than the SDK's
// 60 s another VM takes it over, and from then on only that VM leads. Each case therefore runs for
// over a minute, by design: the 60 s are Higress's lease expiry, not a delay of ours.
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

// The parameter is how the leader's VM goes: "trap" or "rebuild".
class PluginLeaderFailover : public ::testing::TestWithParam<std::string> {};

TEST_P(PluginLeaderFailover, AnotherVmLeadsAfterTheLeadersVmIsReplaced) {
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

  // Fresh connections spread over both workers; only the leader's VM acts on x-crash.
  const std::string crashed = "leader " + old_leader + " leaving by " + GetParam();
  ASSERT_TRUE(waitFor([&] {
    httpGet(port, "/x", "x-crash: " + GetParam() + "\r\n");
    return gw.logs().find(crashed) != std::string::npos;
  }, 20000, 20)) << gw.logs();
  const size_t crash_at = gw.logs().find(crashed);

  // Its worker replaces the VM when its next stream arrives (a VM that only asked for a rebuild
  // works, and leads, until then). The replacement is a fresh VM with its own vmID.
  static const std::regex start("vm ([0-9a-f-]{36}) started, leader: (yes|no)");
  size_t replaced_at = std::string::npos;
  ASSERT_TRUE(waitFor([&] {
    httpGet(port, "/x");
    replaced_at = gw.logs().find(" started, leader: ", crash_at);
    return replaced_at != std::string::npos;
  }, 20000, 20)) << gw.logs();

  // Until the lease expires nobody leads; then one VM takes over.
  std::string new_leader;
  ASSERT_TRUE(waitFor([&] {
    HttpResponse r = httpGet(port, "/x");
    EXPECT_EQ(r.status, 200);
    return steadyLeader(gw.logs().substr(replaced_at), 10, &new_leader);
  }, 120000, 500)) << gw.logs();
  EXPECT_NE(new_leader, old_leader);

  std::string after = gw.logs().substr(replaced_at);
  EXPECT_EQ(after.find("leader tick " + old_leader), std::string::npos) << "the replaced VM ticked again\n" << after;
  // Exactly one VM was built since (not the old one again, and the worker did not go without it).
  std::string since_crash = gw.logs().substr(crash_at);
  std::set<std::string> restarted;
  for (auto it = std::sregex_iterator(since_crash.begin(), since_crash.end(), start); it != std::sregex_iterator(); ++it) {
    restarted.insert((*it)[1]);
  }
  EXPECT_EQ(restarted.size(), 1u) << since_crash;
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

INSTANTIATE_TEST_SUITE_P(HowTheLeaderGoes, PluginLeaderFailover, ::testing::Values("trap", "rebuild"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace wasmgate::test
