// Wire formats of the proxy-wasm ABI: header-map pairs and property paths (spec "Serialization").
//
// Internal header of the plugin SDK (tested natively in tests/sdk). Pure functions, no host calls.
//
// Pairs: u32 LE count, then count x (u32 LE key size, u32 LE value size), then every key and every
// value in order, each followed by a NUL byte. An empty map may also be sent as zero bytes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <wasmgate/types.h>

namespace wasmgate::internal {

std::string SerializePairs(const types::Headers& pairs);

// False (and `out` cleared) if the sizes do not fit the data: the message is then `*error`.
bool DeserializePairs(std::string_view data, types::Headers* out, std::string* error = nullptr);

// Calls visit(key, value) for every pair of the wire form, in order, with views into `data` (no
// copies). False when the sizes do not fit the data; pairs before the fault were visited.
template <typename Visit>
bool VisitPairs(std::string_view data, Visit&& visit) {
  if (data.empty() || (data.size() == 1 && data[0] == '\0')) return true;
  auto u32 = [&](size_t at) {
    const auto* u = reinterpret_cast<const unsigned char*>(data.data() + at);
    return uint64_t(u[0]) | uint64_t(u[1]) << 8 | uint64_t(u[2]) << 16 | uint64_t(u[3]) << 24;
  };
  if (data.size() < 4) return false;
  const uint64_t count = u32(0);
  if (count > (data.size() - 4) / 8) return false;
  size_t pos = 4 + size_t(count) * 8;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t klen = u32(4 + size_t(i) * 8), vlen = u32(8 + size_t(i) * 8);
    if (klen + vlen + 2 > data.size() - pos) return false;
    std::string_view key = data.substr(pos, size_t(klen));
    pos += size_t(klen) + 1;
    std::string_view value = data.substr(pos, size_t(vlen));
    pos += size_t(vlen) + 1;
    visit(key, value);
  }
  return true;
}

// Property path segments joined by '\0' (no trailing NUL).
std::string SerializePropertyPath(std::initializer_list<std::string_view> path);
std::string SerializePropertyPath(const std::vector<std::string>& path);

// Turns memory the host allocated in the guest into a std::string and frees it.
std::string TakeHostBytes(char* data, size_t size);
// Frees a result the host wrote into the guest (nothing for one in the copy scratch, which the
// module lends the host: sdk/src/copy_scratch.cc).
void FreeHostBytes(char* data);

}  // namespace wasmgate::internal
