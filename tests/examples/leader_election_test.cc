// The leader-election example through the harness, with two hosts sharing one shared-data store
// as two gateway workers do: the first VM to start takes the lease, only the leader publishes the
// report on its ticks, and another VM takes over once the lease is older than 60 s.
#include <gtest/gtest.h>

#include <chrono>

#include <nlohmann/json.hpp>
#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

const std::string kLeaseKey = "higress_wasm_vm_lease:";
const std::string kReportKey = "leader-election:report";

TestHost load(std::shared_ptr<SharedDataStore> store) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/leader-election.wasm", R"({"interval_ms": 1})",
                             {.shared_data = std::move(store)});
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

std::string leaderHeader(TestHost& host) {
  auto http = host.newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/"}}, true);
  http.responseHeaders({{":status", "200"}});
  return http.responseHeader("x-vm-leader").value_or("missing");
}

std::string leaseHolder(const TestHost& host) {
  auto lease = host.sharedData(kLeaseKey);
  if (!lease) return "";
  return nlohmann::json::parse(lease->value).value("vmID", "");
}

TEST(LeaderElection, TheFirstVmLeadsAndOnlyItPublishes) {
  auto first = load(nullptr);
  auto second = load(first.sharedDataStore());
  EXPECT_EQ(leaderHeader(first), "true");
  EXPECT_EQ(leaderHeader(second), "false");
  std::string leader = leaseHolder(first);
  ASSERT_FALSE(leader.empty());

  ASSERT_TRUE(second.tick().ok());
  EXPECT_FALSE(first.sharedData(kReportKey).has_value()) << "a follower publishes nothing";
  ASSERT_TRUE(first.tick().ok());
  ASSERT_TRUE(first.sharedData(kReportKey).has_value());
  EXPECT_EQ(first.sharedData(kReportKey)->value, leader + " 1");
  EXPECT_EQ(leaseHolder(first), leader) << "the leader renewed its own lease";
}

TEST(LeaderElection, AnotherVmTakesOverAStaleLease) {
  auto first = load(nullptr);
  auto second = load(first.sharedDataStore());
  std::string oldLeader = leaseHolder(first);

  // The leader's worker died two minutes ago: its lease was never renewed.
  auto lease = first.sharedData(kLeaseKey);
  ASSERT_TRUE(lease.has_value());
  auto stale = nlohmann::json::parse(lease->value);
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  stale["timestamp"] = now - 120;
  ASSERT_TRUE(first.setSharedData(kLeaseKey, stale.dump(), lease->cas).ok());

  ASSERT_TRUE(second.tick().ok());
  std::string newLeader = leaseHolder(second);
  EXPECT_NE(newLeader, oldLeader);
  EXPECT_EQ(leaderHeader(second), "true");
  ASSERT_TRUE(second.sharedData(kReportKey).has_value());
  EXPECT_EQ(second.sharedData(kReportKey)->value, newLeader + " 1");

  ASSERT_TRUE(first.tick().ok());
  EXPECT_EQ(leaderHeader(first), "false") << "the old leader learns it lost the lease";
  EXPECT_EQ(second.sharedData(kReportKey)->value, newLeader + " 1");
}

}  // namespace
