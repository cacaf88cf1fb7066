// The proxy-wasm pairs format (see pairs.h).
#include "runtime/pairs.h"

#include <cstring>

namespace wasmgate::runtime {
namespace {

void appendU32(std::string& out, uint32_t v) {
  char bytes[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                   static_cast<char>(v >> 24)};
  out.append(bytes, 4);
}

uint32_t loadU32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
}

}  // namespace

size_t serializedPairsSize(const Pairs& pairs) {
  if (pairs.empty()) return 0;
  size_t size = 4;
  for (const auto& [key, value] : pairs) size += 8 + key.size() + 1 + value.size() + 1;
  return size;
}

std::string serializePairs(const Pairs& pairs) {
  std::string out;
  if (pairs.empty()) return out;
  out.reserve(serializedPairsSize(pairs));
  appendU32(out, static_cast<uint32_t>(pairs.size()));
  for (const auto& [key, value] : pairs) {
    appendU32(out, static_cast<uint32_t>(key.size()));
    appendU32(out, static_cast<uint32_t>(value.size()));
  }
  for (const auto& [key, value] : pairs) {
    out.append(key);
    out.push_back('\0');
    out.append(value);
    out.push_back('\0');
  }
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
