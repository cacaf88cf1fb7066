// SharedData: cas semantics of proxy-wasm's shared data, namespaces by vm_id, lifetime, and
// an exact cas-loop counter incremented from several threads at once.
#include <gtest/gtest.h>

#include <thread>

#include "gateway/shared/shared_data.h"

namespace wasmgate::gateway::shared {
namespace {

TEST(SharedData, CasSemantics) {
  SharedData data;
  std::string value;
  uint32_t cas = 99;
  EXPECT_EQ(data.get("vm", "k", &value, &cas), abi::Status::NotFound);
  ASSERT_EQ(data.set("vm", "k", "v1", 0), abi::Status::Ok);
  ASSERT_EQ(data.get("vm", "k", &value, &cas), abi::Status::Ok);
  EXPECT_EQ(value, "v1");
  EXPECT_EQ(cas, 1u);  // the global counter starts at 1
  uint32_t first = cas;
  ASSERT_EQ(data.set("vm", "k", "v2", first), abi::Status::Ok);
  ASSERT_EQ(data.get("vm", "k", &value, &cas), abi::Status::Ok);
  EXPECT_EQ(value, "v2");
  EXPECT_EQ(cas, 2u);
  EXPECT_EQ(data.set("vm", "k", "stale", first), abi::Status::CasMismatch);
  ASSERT_EQ(data.get("vm", "k", &value, &cas), abi::Status::Ok);
  EXPECT_EQ(value, "v2");
  EXPECT_EQ(data.set("vm", "k", "forced", 0), abi::Status::Ok);  // cas 0: unconditional
  ASSERT_EQ(data.get("vm", "k", &value, &cas), abi::Status::Ok);
  EXPECT_EQ(value, "forced");
  EXPECT_EQ(cas, 3u);
  // A missing key is created whatever the cas; the counter is global across keys and vm_ids.
  EXPECT_EQ(data.set("other", "k", "x", 12345), abi::Status::Ok);
  ASSERT_EQ(data.get("other", "k", &value, &cas), abi::Status::Ok);
  EXPECT_EQ(cas, 4u);
  EXPECT_EQ(value, "x");
  ASSERT_EQ(data.get("vm", "k", &value, nullptr), abi::Status::Ok);
  EXPECT_EQ(value, "forced");  // namespaces are separate
}

TEST(SharedData, DataGoesAwayWithTheLastVm) {
  SharedData data;
  data.retainVm("vm");
  data.retainVm("vm");
  ASSERT_EQ(data.set("vm", "k", "v", 0), abi::Status::Ok);
  data.releaseVm("vm");
  EXPECT_EQ(data.get("vm", "k", nullptr, nullptr), abi::Status::Ok);
  data.releaseVm("vm");
  EXPECT_EQ(data.get("vm", "k", nullptr, nullptr), abi::Status::NotFound);
  EXPECT_TRUE(data.keys("vm").empty());
}

TEST(SharedData, CasLoopFromManyThreadsLosesNoUpdate) {
  SharedData data;
  ASSERT_EQ(data.set("vm", "counter", "0", 0), abi::Status::Ok);
  constexpr int kThreads = 4;
  constexpr int kIncrements = 5000;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        while (true) {
          std::string value;
          uint32_t cas = 0;
          ASSERT_EQ(data.get("vm", "counter", &value, &cas), abi::Status::Ok);
          abi::Status s = data.set("vm", "counter", std::to_string(std::stoi(value) + 1), cas);
          if (s == abi::Status::Ok) break;
          ASSERT_EQ(s, abi::Status::CasMismatch);
          ++mismatches;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::string value;
  ASSERT_EQ(data.get("vm", "counter", &value, nullptr), abi::Status::Ok);
  EXPECT_EQ(value, std::to_string(kThreads * kIncrements));
}

}  // namespace
}  // namespace wasmgate::gateway::shared
