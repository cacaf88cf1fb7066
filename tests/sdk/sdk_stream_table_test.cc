// The SDK's stream table (sdk/src/stream_table.h): lookups, growth and backward-shift removal,
// checked against a std::map under a random mix of streams coming and going.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>

#include "sdk/src/stream_table.h"

namespace {

using wasmgate::internal::StreamTable;

// An HttpContext that counts its live instances, so the test sees every one deleted once.
struct CountedContext : wasmgate::types::HttpContext {
  explicit CountedContext(int* live) : live_(live) { ++*live_; }
  ~CountedContext() override { --*live_; }
  int* live_;
};

TEST(StreamTable, FindsInsertedStreamsAndForgetsRemovedOnes) {
  int live = 0;
  StreamTable table;
  EXPECT_EQ(table.find(7), nullptr);
  table.insert(7, 2, std::make_unique<CountedContext>(&live));
  table.insert(8, 3, std::make_unique<CountedContext>(&live));
  ASSERT_NE(table.find(7), nullptr);
  EXPECT_EQ(table.find(7)->plugin, 2u);
  EXPECT_EQ(table.find(8)->plugin, 3u);
  EXPECT_EQ(table.find(0), nullptr);
  auto removed = table.remove(7);
  ASSERT_NE(removed, nullptr);
  EXPECT_EQ(table.find(7), nullptr);
  EXPECT_EQ(table.remove(7), nullptr);
  EXPECT_EQ(table.size(), 1u);
  removed.reset();
  EXPECT_EQ(live, 1);
  table.clear();
  EXPECT_EQ(live, 0);
  EXPECT_EQ(table.find(8), nullptr);
}

TEST(StreamTable, InsertingAnIdAgainReplacesItsContext) {
  int live = 0;
  StreamTable table;
  table.insert(5, 1, std::make_unique<CountedContext>(&live));
  table.insert(5, 9, std::make_unique<CountedContext>(&live));
  EXPECT_EQ(live, 1);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.find(5)->plugin, 9u);
}

TEST(StreamTable, AgreesWithAMapUnderRandomTraffic) {
  int live = 0;
  StreamTable table;
  std::map<uint32_t, uint32_t> model;  // id -> plugin
  std::mt19937 random(12345);
  uint32_t nextId = 1;
  for (int step = 0; step < 200000; ++step) {
    // Mostly new streams while few are live, mostly ends while many are; ids in strides, as with
    // several plugins sharing one counter.
    bool add = model.empty() || random() % 1000 < (model.size() < 300 ? 600u : 400u);
    if (add) {
      uint32_t id = nextId;
      nextId += 1 + random() % 6;
      table.insert(id, id % 5, std::make_unique<CountedContext>(&live));
      model[id] = id % 5;
    } else {
      auto it = model.begin();
      std::advance(it, random() % model.size());
      ASSERT_NE(table.remove(it->first), nullptr) << "stream " << it->first;
      model.erase(it);
    }
    if (step % 97 == 0) {
      for (const auto& [id, plugin] : model) {
        StreamTable::Entry* entry = table.find(id);
        ASSERT_NE(entry, nullptr) << "stream " << id << " at step " << step;
        EXPECT_EQ(entry->plugin, plugin);
      }
      EXPECT_EQ(table.find(nextId), nullptr);
    }
    ASSERT_EQ(table.size(), model.size());
    ASSERT_EQ(live, static_cast<int>(model.size()));
  }
}

}  // namespace
