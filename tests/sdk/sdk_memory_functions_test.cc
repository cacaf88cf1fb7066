// The SDK's word-at-a-time memory functions (sdk/src/wasm32/memory_functions.cc, linked into every
// plugin in place of wasi-libc's) and EqualsLiteral (sdk/src/unaligned.h), built natively under
// other names and checked against the C library on every length up to a few words, at every
// alignment, with the first difference at every position.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#define WASMGATE_MEMORY_FUNCTION_PREFIX checked_
#include "sdk/src/wasm32/memory_functions.cc"

#include "sdk/src/unaligned.h"

namespace {

constexpr size_t kMaxLength = 40;  // five words and a tail
constexpr size_t kAlignments = 8;

int sign(int v) { return (v > 0) - (v < 0); }

std::vector<unsigned char> randomBytes(size_t n, unsigned seed) {
  std::mt19937 random(seed);
  std::vector<unsigned char> bytes(n);
  for (auto& b : bytes) b = static_cast<unsigned char>(random());
  return bytes;
}

TEST(SdkMemoryFunctions, MemcmpOrdersAsTheCLibraryAtEveryLengthAlignmentAndDifference) {
  std::vector<unsigned char> a = randomBytes(kMaxLength + kAlignments, 1);
  std::vector<unsigned char> b(a.size());
  for (size_t n = 0; n <= kMaxLength; ++n) {
    for (size_t ia = 0; ia < kAlignments; ++ia) {
      for (size_t ib = 0; ib < kAlignments; ++ib) {
        std::memcpy(&b[ib], &a[ia], n);
        EXPECT_EQ(checked_memcmp(&a[ia], &b[ib], n), 0) << n;
        EXPECT_EQ(checked_bcmp(&a[ia], &b[ib], n), 0) << n;
        // One byte differs, above and below (bytes compare as unsigned: 0x80 is above 0x7f).
        for (size_t at = 0; at < n; ++at) {
          const unsigned char kept = b[ib + at];
          for (unsigned char other : {static_cast<unsigned char>(kept + 1), static_cast<unsigned char>(kept ^ 0x80)}) {
            b[ib + at] = other;
            const int expected = sign(std::memcmp(&a[ia], &b[ib], n));
            ASSERT_EQ(sign(checked_memcmp(&a[ia], &b[ib], n)), expected) << "n=" << n << " at=" << at;
            ASSERT_NE(checked_bcmp(&a[ia], &b[ib], n), 0) << "n=" << n << " at=" << at;
          }
          b[ib + at] = kept;
        }
      }
    }
  }
}

TEST(SdkMemoryFunctions, MemcmpStopsAtTheFirstDifferenceWhenLaterBytesDifferToo) {
  const unsigned char a[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const unsigned char b[] = {1, 2, 0xff, 4, 5, 6, 7, 0, 9, 10, 11, 0};
  EXPECT_LT(checked_memcmp(a, b, sizeof a), 0);  // decided at index 2, not by the later bytes
  EXPECT_GT(checked_memcmp(b, a, sizeof a), 0);
}

TEST(SdkMemoryFunctions, MemcpyCopiesEveryLengthAtEveryAlignmentAndNothingAround) {
  const std::vector<unsigned char> source = randomBytes(kMaxLength + kAlignments, 2);
  for (size_t n = 0; n <= kMaxLength; ++n) {
    for (size_t is = 0; is < kAlignments; ++is) {
      for (size_t id = 0; id < kAlignments; ++id) {
        std::vector<unsigned char> target(kMaxLength + 2 * kAlignments, 0xaa);
        EXPECT_EQ(checked_memcpy(&target[id], &source[is], n), &target[id]);
        for (size_t i = 0; i < target.size(); ++i) {
          const bool inside = i >= id && i < id + n;
          ASSERT_EQ(target[i], inside ? source[is + i - id] : 0xaa) << "n=" << n << " i=" << i;
        }
      }
    }
  }
}

TEST(SdkMemoryFunctions, MemmoveMatchesTheCLibraryForOverlapsInBothDirections) {
  const std::vector<unsigned char> start = randomBytes(3 * kMaxLength, 3);
  for (size_t n = 0; n <= kMaxLength; ++n) {
    for (size_t from = 0; from < kMaxLength; from += 3) {
      for (size_t to = 0; to < kMaxLength; ++to) {
        std::vector<unsigned char> ours = start, theirs = start;
        EXPECT_EQ(checked_memmove(&ours[to], &ours[from], n), &ours[to]);
        std::memmove(&theirs[to], &theirs[from], n);
        ASSERT_EQ(ours, theirs) << "n=" << n << " from=" << from << " to=" << to;
      }
    }
  }
}

TEST(SdkMemoryFunctions, EqualsLiteralAgreesWithStringEqualityAtEverySize) {
  using wasmgate::internal::EqualsLiteral;
  // Unaligned inputs, as a header map hands them over.
  const std::string buffer = "x:authority:path:scheme:methodcontent-typex-request-idcontent-encoding";
  const std::string_view all(buffer);
  for (size_t at = 0; at < all.size(); ++at) {
    for (size_t n = 0; at + n <= all.size() && n <= 17; ++n) {
      const std::string_view text = all.substr(at, n);
      ASSERT_EQ(EqualsLiteral(text, ":path"), text == ":path") << text;
      ASSERT_EQ(EqualsLiteral(text, ":scheme"), text == ":scheme") << text;
      ASSERT_EQ(EqualsLiteral(text, ":authority"), text == ":authority") << text;
      ASSERT_EQ(EqualsLiteral(text, "content-type"), text == "content-type") << text;
      ASSERT_EQ(EqualsLiteral(text, "x-request-id"), text == "x-request-id") << text;
      ASSERT_EQ(EqualsLiteral(text, "content-encoding"), text == "content-encoding") << text;
    }
  }
  // A difference in any single byte is seen, including those only the overlapping word covers.
  std::string probe = "content-encoding";
  for (size_t i = 0; i < probe.size(); ++i) {
    std::string changed = probe;
    changed[i] ^= 0x20;
    EXPECT_FALSE(EqualsLiteral(changed, "content-encoding")) << changed;
  }
}

}  // namespace
