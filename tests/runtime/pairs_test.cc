// The proxy-wasm pairs format: round trips, the empty forms, and malformed input.
#include <gtest/gtest.h>

#include "runtime/pairs.h"

namespace wasmgate::runtime {
namespace {

TEST(PairsTest, SerializesInTheSpecLayout) {
  const Pairs pairs = {{"a", "bc"}, {":path", ""}};
  const std::string bytes = serializePairs(pairs);
  const std::string expected = std::string("\x02\0\0\0", 4) + std::string("\x01\0\0\0\x02\0\0\0", 8) +
                               std::string("\x05\0\0\0\0\0\0\0", 8) + std::string("a\0bc\0:path\0\0", 12);
  EXPECT_EQ(bytes, expected);
  EXPECT_EQ(serializedPairsSize(pairs), bytes.size());
}

TEST(PairsTest, RoundTripsBinaryKeysAndValues) {
  const Pairs pairs = {{"k", std::string("v\0w", 3)}, {"x-empty", ""}, {std::string(300, 'k'), "long"}};
  auto parsed = parsePairs(serializePairs(pairs));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, pairs);
}

TEST(PairsTest, EmptyForms) {
  EXPECT_EQ(serializePairs({}), "");
  EXPECT_EQ(serializedPairsSize({}), 0u);
  ASSERT_TRUE(parsePairs("").has_value());
  EXPECT_TRUE(parsePairs("")->empty());
  ASSERT_TRUE(parsePairs(std::string("\0\0\0\0", 4)).has_value());
  EXPECT_TRUE(parsePairs(std::string("\0\0\0\0", 4))->empty());
}

TEST(PairsTest, RejectsMalformedInput) {
  const std::string good = serializePairs({{"key", "value"}, {"k2", "v2"}});
  for (size_t cut = 1; cut < good.size(); ++cut) {
    EXPECT_FALSE(parsePairs(good.substr(0, cut)).has_value()) << "truncated at " << cut;
  }
  std::string missing_nul = good;
  missing_nul[4 + 16 + 3] = 'X';  // the NUL after "key"
  EXPECT_FALSE(parsePairs(missing_nul).has_value());
  EXPECT_FALSE(parsePairs(std::string("\xff\xff\xff\xff", 4)).has_value()) << "absurd count";
  std::string huge_size = good;
  huge_size[4] = '\xff';
  huge_size[7] = '\xff';
  EXPECT_FALSE(parsePairs(huge_size).has_value()) << "key size past the end";
}

// PairsWriter, which hosts use to write a header map straight into guest memory: the same bytes
// as serializePairs(), and a put() beyond what the buffer was sized for is dropped, not written.
TEST(PairsTest, WriterMatchesSerializeAndStaysInsideItsBuffer) {
  const Pairs pairs = {{":authority", "example.com"}, {"x", ""}, {"k", std::string("v\0w", 3)}};
  std::string out(serializedPairsSize(pairs), '?');
  PairsWriter writer({reinterpret_cast<uint8_t*>(out.data()), out.size()}, pairs.size());
  for (const auto& [k, v] : pairs) {
    EXPECT_FALSE(writer.complete());
    writer.put(k, v);
  }
  EXPECT_TRUE(writer.complete());
  EXPECT_EQ(out, serializePairs(pairs));

  std::string small(serializedPairsSize(pairs) - 1, '?');
  PairsWriter short_writer({reinterpret_cast<uint8_t*>(small.data()), small.size()}, pairs.size());
  for (const auto& [k, v] : pairs) short_writer.put(k, v);
  short_writer.put("one", "too many");
  EXPECT_FALSE(short_writer.complete());
  EXPECT_EQ(small.back(), '?') << "the last pair did not fit and was not written";
}

}  // namespace
}  // namespace wasmgate::runtime
