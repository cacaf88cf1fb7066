// The leader-election example through the harness, with two hosts sharing one shared-data store
// as two gateway workers do: the first VM to start takes the lease, only the leader publishes the
// report on its ticks, and another VM takes over once the lease is older than 60 s (of the
// harness's virtual time). Every case runs against the .wasm and against the native build (two
// native hosts load two copies of the library, as two workers have two VMs).
#include <gtest/gtest.h>

#include <chrono>

#include <nlohmann/json.hpp>
#include <wasmgate/testing/plugin_test.h>

#include "tests/harness/support/builds.h"

namespace {

using namespace wasmgate::testing;
using harness_test::Build;

const std::string kLeaseKey = "higress_wasm_vm_lease:";
const std::string kReportKey = "leader-election:report";

class LeaderElection : public ::testing::TestWithParam<Build> {
 protected:
  TestHost load(std::shared_ptr<SharedDataStore> store) {
    auto host = harness_test::loadExample(GetParam(), "leader-election", R"({"interval_ms": 1})",
                                          {.shared_data = std::move(store)});
    EXPECT_TRUE(host.ok()) << host.message();
    return std::move(host).value();
  }
};
INSTANTIATE_TEST_SUITE_P(Builds, LeaderElection, ::testing::Values(Build::Wasm, Build::Native),
                         harness_test::buildName);

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

TEST_P(LeaderElection, TheFirstVmLeadsAndOnlyItPublishes) {
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

TEST_P(LeaderElection, ALeaseExpiresAfter60SecondsOfVirtualTime) {
  auto first = load(nullptr);
  auto second = load(first.sharedDataStore());
  const std::string oldLeader = leaseHolder(first);
  // The leader stops renewing (its worker is stuck); the follower's clock moves on.
  ASSERT_TRUE(second.advance(std::chrono::seconds(60)).ok());
  EXPECT_EQ(leaseHolder(second), oldLeader) << "60 s old is not stale yet";
  ASSERT_TRUE(second.advance(std::chrono::seconds(2)).ok());
  EXPECT_NE(leaseHolder(second), oldLeader) << "older than 60 s: the follower takes over";
  EXPECT_EQ(leaderHeader(second), "true");
}

TEST_P(LeaderElection, AnotherVmTakesOverAStaleLease) {
  auto first = load(nullptr);
  auto second = load(first.sharedDataStore());
  std::string oldLeader = leaseHolder(first);

  // The leader's worker died two minutes ago: its lease was never renewed.
  auto lease = first.sharedData(kLeaseKey);
  ASSERT_TRUE(lease.has_value());
  auto stale = nlohmann::json::parse(lease->value);
  // The plugins' clock is the harness's virtual one.
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(first.now().time_since_epoch()).count();
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
