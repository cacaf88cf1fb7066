// Leader failover through the real `wasmgate run` binary: two workers run the leader_failover
// test plugin (the SDK's DoLeaderElection on a 100 ms tick). The leader's VM is made to trap, or
// to ask for a rebuild (wasm_need_rebuild); its worker replaces it (a new VM, a new vmID) and the
// old VM never ticks again. Nobody renews the lease it held, so once it is older than the SDK's
// 60 s another VM takes it over, and from then on only that VM leads. Each case therefore runs for
// over a minute, by design: the 60 s are Higress's lease expiry, not a delay of ours. A third case
// keeps the old leader alive but silent, and checks that it steps down when it resumes.
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

// Two workers with the plugin, and the steps every case shares.
struct LeaderGateway {
  ScriptedUpstream app{ScriptedUpstream::answerHello};
  int port = freePort();
  int admin = freePort();
  GatewayProcess gw;
  std::string old_leader;
  size_t crash_at = 0;  // in the logs: the old leader's "leaving by" line

  bool start() {
    return gw.start(gatewayConfig(port, admin,
                                  "routes:\n  - name: default/app\n    hosts: ['*']\n    match: {prefix: /}\n"
                                  "    service: outbound|80||app.static\n"
                                  "services:\n  - name: outbound|80||app.static\n    endpoints: [127.0.0.1:" +
                                      std::to_string(app.port()) + "]\n"
                                  "plugins:\n  - name: leader\n    url: " + pluginUrl("leader_failover") +
                                      "\n    failStrategy: FAIL_OPEN\n    pluginConfig: {interval_ms: 100}\n"),
                    2);
  }
  // At start two VMs may both win once (see plugin_outbound_state_test); waits for one to settle.
  bool settle() {
    return waitFor([&] { return steadyLeader(gw.logs(), 10, &old_leader); }, 20000);
  }
  // Sends x-crash on fresh connections (spread over both workers) until the leader's VM acts on it.
  bool crashLeader(const std::string& how) {
    const std::string crashed = "leader " + old_leader + " leaving by " + how;
    bool ok = waitFor([&] {
      httpGet(port, "/x", "x-crash: " + how + "\r\n");
      return gw.logs().find(crashed) != std::string::npos;
    }, 20000, 20);
    crash_at = gw.logs().find(crashed);
    return ok;
  }
  // Requests go on until, in the logs from `from` on, one VM has led for ten ticks in a row: the
  // lease expired and was taken over.
  bool waitForNewLeader(size_t from, std::string* leader) {
    return waitFor([&] {
      httpGet(port, "/x");
      return steadyLeader(gw.logs().substr(from), 10, leader);
    }, 150000, 500);
  }
};

// The parameter is how the leader's VM goes: "trap" or "rebuild".
class PluginLeaderFailover : public ::testing::TestWithParam<std::string> {};

TEST_P(PluginLeaderFailover, AnotherVmLeadsAfterTheLeadersVmIsReplaced) {
  LeaderGateway f;
  GatewayProcess& gw = f.gw;
  const int port = f.port;
  ASSERT_TRUE(f.start()) << gw.logs();
  ASSERT_TRUE(f.settle()) << gw.logs();
  const std::string old_leader = f.old_leader;
  ASSERT_TRUE(f.crashLeader(GetParam())) << gw.logs();
  const size_t crash_at = f.crash_at;

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
  ASSERT_TRUE(f.waitForNewLeader(replaced_at, &new_leader)) << gw.logs();
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

// The leader stops renewing (its elections silenced, as if its worker were stuck) but stays
// alive: the other worker's VM takes the lease over, and when the old VM runs elections again its
// first one finds a live lease that is not its own, so it steps down instead of leading beside the
// new leader.
TEST(PluginLeaderSilence, ALeaderThatStopsRenewingIsReplacedAndStepsDownWhenItResumes) {
  LeaderGateway f;
  ASSERT_TRUE(f.start()) << f.gw.logs();
  ASSERT_TRUE(f.settle()) << f.gw.logs();
  ASSERT_TRUE(f.crashLeader("silence")) << f.gw.logs();
  std::string new_leader;
  ASSERT_TRUE(f.waitForNewLeader(f.crash_at, &new_leader)) << f.gw.logs();
  EXPECT_NE(new_leader, f.old_leader);
  // Resume the old VM: fresh connections until one reaches it (same VM: no rebuild happened).
  const std::string resumed = "vm " + f.old_leader + " resumes its elections";
  ASSERT_TRUE(waitFor([&] {
    httpGet(f.port, "/x", "x-crash: resume\r\n");
    return f.gw.logs().find(resumed) != std::string::npos;
  }, 20000, 20)) << f.gw.logs();
  // Ten more ticks after that: all from the new leader, none from the old one.
  const size_t resumed_at = f.gw.logs().find(resumed);
  std::string leader_after;
  ASSERT_TRUE(waitFor([&] { return steadyLeader(f.gw.logs().substr(resumed_at), 10, &leader_after); }, 20000));
  EXPECT_EQ(leader_after, new_leader);
  EXPECT_EQ(f.gw.logs().find("leader tick " + f.old_leader, f.crash_at), std::string::npos) << f.gw.logs();
  // The old VM, once it ran an election, calls itself a follower.
  HttpResponse from_old;
  ASSERT_TRUE(waitFor([&] {
    from_old = httpGet(f.port, "/x");
    return from_old.header("x-vm-id") == f.old_leader;
  }, 20000, 20));
  EXPECT_EQ(from_old.header("x-vm-leader"), "false");
  EXPECT_EQ(f.gw.terminate(), 0);
}

INSTANTIATE_TEST_SUITE_P(HowTheLeaderGoes, PluginLeaderFailover, ::testing::Values("trap", "rebuild"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace wasmgate::test
