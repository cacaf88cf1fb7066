// Unaligned word loads and stores, and comparisons against literals built on them: wasm loads at
// any address at full speed, and a plugin's hot paths compare and copy short strings that sit at
// any address (header names and values in the host's map). Internal to the SDK's sources.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wasmgate::internal {

// Types of alignment 1 that may alias anything: a load through them is one wasm load, never a
// call to memcpy (which src/wasm32/memory_functions.cc defines with them).
typedef uint64_t __attribute__((aligned(1), may_alias)) Unaligned64;
typedef uint32_t __attribute__((aligned(1), may_alias)) Unaligned32;

inline uint64_t Load64(const void* p) { return *static_cast<const Unaligned64*>(p); }
inline uint32_t Load32(const void* p) { return *static_cast<const Unaligned32*>(p); }
inline void Store64(void* p, uint64_t v) { *static_cast<Unaligned64*>(p) = v; }
inline void Store32(void* p, uint32_t v) { *static_cast<Unaligned32*>(p) = v; }

// Whether `text` is the literal, in a few word compares against constants: at -Os and -Oz clang
// calls memcmp for `text == "..."` even when the length is known, and a call costs more than
// the comparison. Literals of 4 to 16 characters; the last word overlaps the one before it.
template <size_t N>
[[gnu::always_inline]] inline bool EqualsLiteral(std::string_view text, const char (&literal)[N]) {
  constexpr size_t n = N - 1;
  static_assert(n >= 4 && n <= 16, "EqualsLiteral compares literals of 4 to 16 characters");
  if (text.size() != n) return false;
  const char* p = text.data();
  if constexpr (n >= 8) {
    const uint64_t head = Load64(p) ^ Load64(literal);
    const uint64_t tail = Load64(p + n - 8) ^ Load64(literal + n - 8);
    return (head | tail) == 0;
  } else {
    const uint32_t head = Load32(p) ^ Load32(literal);
    const uint32_t tail = Load32(p + n - 4) ^ Load32(literal + n - 4);
    return (head | tail) == 0;
  }
}

}  // namespace wasmgate::internal
