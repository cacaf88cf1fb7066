// memcmp, bcmp, memcpy and memmove for plugins, a word at a time. wasi-libc (built without bulk memory)
// compares and copies short unaligned strings a byte per loop turn, about five instructions a
// byte, and a plugin's request mostly does that: header names against the literals it looks for,
// map keys, values copied into strings. Eight bytes per turn here, through unaligned loads, which
// wasm allows at full speed. Defined in the SDK archive, these come before libc in the link and
// replace its definitions in every module built with the SDK (docs/performance.md, session 20).
//
// Built only for wasm32 (the native SDK builds of the tests and of the authoring flow use the
// system's), without LTO and without builtins: the compiler must neither turn these loops back
// into calls to the functions they define nor drop them before the libcalls of LTO code resolve.
// tests/sdk/memory_functions_test.cc builds this file natively under other names
// (WASMGATE_MEMORY_FUNCTION_PREFIX) and checks it against the C library.
#include <cstddef>
#include <cstdint>

#include "../unaligned.h"

#ifdef WASMGATE_MEMORY_FUNCTION_PREFIX
#define WASMGATE_CONCAT2(a, b) a##b
#define WASMGATE_CONCAT(a, b) WASMGATE_CONCAT2(a, b)
#define WASMGATE_MEMORY_FUNCTION(name) WASMGATE_CONCAT(WASMGATE_MEMORY_FUNCTION_PREFIX, name)
#else
#define WASMGATE_MEMORY_FUNCTION(name) name
#endif

namespace {

using wasmgate::internal::Load32;
using wasmgate::internal::Load64;
using wasmgate::internal::Store32;
using wasmgate::internal::Store64;

// The sign of the first differing byte of two unequal little-endian words, as memcmp orders them
// (bytes compared as unsigned char). The lowest set bit of a ^ b lies in that byte.
inline int firstDifference(uint64_t a, uint64_t b) {
  const unsigned shift = static_cast<unsigned>(__builtin_ctzll(a ^ b)) & ~7u;
  return static_cast<int>((a >> shift) & 0xff) - static_cast<int>((b >> shift) & 0xff);
}

int compareBytes(const unsigned char* l, const unsigned char* r, size_t n) {
  for (; n >= 8; n -= 8, l += 8, r += 8) {
    const uint64_t a = Load64(l), b = Load64(r);
    if (a != b) return firstDifference(a, b);
  }
  if (n >= 4) {
    const uint32_t a = Load32(l), b = Load32(r);
    if (a != b) return firstDifference(a, b);
    n -= 4, l += 4, r += 4;
  }
  for (; n > 0; --n, ++l, ++r) {
    if (*l != *r) return static_cast<int>(*l) - static_cast<int>(*r);
  }
  return 0;
}

}  // namespace

extern "C" {

int WASMGATE_MEMORY_FUNCTION(memcmp)(const void* a, const void* b, size_t n) {
  return compareBytes(static_cast<const unsigned char*>(a), static_cast<const unsigned char*>(b), n);
}

// What clang calls for memcmp(...) == 0: only zero or not matters.
int WASMGATE_MEMORY_FUNCTION(bcmp)(const void* a, const void* b, size_t n) {
  return compareBytes(static_cast<const unsigned char*>(a), static_cast<const unsigned char*>(b), n);
}

void* WASMGATE_MEMORY_FUNCTION(memcpy)(void* __restrict dst, const void* __restrict src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  if (n >= 8) {
    // Whole words, then the last eight bytes again (source and destination do not overlap, so
    // storing some of them twice is harmless): no byte loop for the tail.
    size_t i = 0;
    for (; i + 8 <= n; i += 8) Store64(d + i, Load64(s + i));
    if (i < n) Store64(d + n - 8, Load64(s + n - 8));
  } else if (n >= 4) {
    const uint32_t head = Load32(s), tail = Load32(s + n - 4);
    Store32(d, head);
    Store32(d + n - 4, tail);
  } else {
    for (size_t i = 0; i < n; ++i) d[i] = s[i];
  }
  return dst;
}

// libc++'s strings copy through memmove. Regions that do not overlap go to memcpy; otherwise
// words in the direction that reads every byte before overwriting it, and no overlapping tail.
void* WASMGATE_MEMORY_FUNCTION(memmove)(void* dst, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  const auto da = reinterpret_cast<uintptr_t>(d), sa = reinterpret_cast<uintptr_t>(s);
  // Apart by at least n either way (differences taken modulo the address size: no sum that
  // could wrap at the top of memory).
  if (da - sa >= n && sa - da >= n) return WASMGATE_MEMORY_FUNCTION(memcpy)(dst, src, n);
  if (da < sa) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) Store64(d + i, Load64(s + i));
    for (; i < n; ++i) d[i] = s[i];
  } else if (da > sa) {
    size_t i = n;
    for (; i >= 8; i -= 8) Store64(d + i - 8, Load64(s + i - 8));
    for (; i > 0; --i) d[i - 1] = s[i - 1];
  }
  return dst;
}

}  // extern "C"
