// The proxy-wasm pairs format (see pairs.h).
#include "runtime/pairs.h"

#include <cstring>

namespace wasmgate::runtime {
namespace {

uint32_t loadU32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
}

}  // namespace

size_t serializedPairsSize(const Pairs& pairs) {
  if (pairs.empty()) return 0;
  size_t text = 0;
  for (const auto& [key, value] : pairs) text += key.size() + value.size();
  return pairsWireSize(pairs.size(), text);
}

std::string serializePairs(const Pairs& pairs) {
  std::string out(serializedPairsSize(pairs), '\0');
  if (pairs.empty()) return out;
  PairsWriter writer({reinterpret_cast<uint8_t*>(out.data()), out.size()}, pairs.size());
  for (const auto& [key, value] : pairs) writer.put(key, value);
  return out;
}

std::optional<Pairs> parsePairs(std::string_view bytes) {
  Pairs pairs;
  if (bytes.empty()) return pairs;
  if (bytes.size() < 4) return std::nullopt;
  const uint64_t count = loadU32(bytes.data());
  // Each pair needs at least 8 size bytes and two NULs: reject absurd counts before reserving.
  if (count > (bytes.size() - 4) / 10) return std::nullopt;
  size_t sizes_at = 4;
  size_t data_at = 4 + count * 8;
  pairs.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t key_size = loadU32(bytes.data() + sizes_at);
    const uint64_t value_size = loadU32(bytes.data() + sizes_at + 4);
    sizes_at += 8;
    const uint64_t needed = key_size + 1 + value_size + 1;
    if (needed > bytes.size() - data_at) return std::nullopt;
    std::string_view key = bytes.substr(data_at, key_size);
    if (bytes[data_at + key_size] != '\0') return std::nullopt;
    data_at += key_size + 1;
    std::string_view value = bytes.substr(data_at, value_size);
    if (bytes[data_at + value_size] != '\0') return std::nullopt;
    data_at += value_size + 1;
    pairs.emplace_back(std::string(key), std::string(value));
  }
  return pairs;
}

}  // namespace wasmgate::runtime
