// The proxy-wasm "pairs" wire format used for header maps, http_call headers and trailers, local
// response headers, upstream host lists and map-valued properties: a u32 count, then count pairs of
// (u32 key size, u32 value size), then every key and value, each followed by a NUL byte. All
// integers little-endian. An empty map may be sent as zero bytes.
//
// Public header. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "runtime/host.h"

namespace wasmgate::runtime {

// Writes `count` pairs in the wire form into `out`, sized for them (serializedPairsSize(), or
// HeaderMapHost::measureHeaders()): put() them in order. Inline, so a host's loop over its
// entries writes without a call per entry. A put() that would not fit is dropped, and complete()
// tells.
class PairsWriter {
 public:
  PairsWriter(std::span<uint8_t> out, size_t count) : out_(out), count_(count), at_(4 + count * 8) {
    if (out_.size() >= 4) putU32(0, static_cast<uint32_t>(count));
  }
  void put(std::string_view key, std::string_view value) {
    if (index_ == count_ || at_ + key.size() + value.size() + 2 > out_.size()) return;
    putU32(4 + index_ * 8, static_cast<uint32_t>(key.size()));
    putU32(8 + index_ * 8, static_cast<uint32_t>(value.size()));
    std::memcpy(out_.data() + at_, key.data(), key.size());
    at_ += key.size();
    out_[at_++] = 0;
    std::memcpy(out_.data() + at_, value.data(), value.size());
    at_ += value.size();
    out_[at_++] = 0;
    ++index_;
  }
  bool complete() const { return index_ == count_ && at_ == out_.size(); }

 private:
  void putU32(size_t at, uint32_t v) {
    const uint8_t bytes[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
                              static_cast<uint8_t>(v >> 24)};
    std::memcpy(out_.data() + at, bytes, 4);
  }
  std::span<uint8_t> out_;
  size_t count_;
  size_t at_;
  size_t index_ = 0;
};

// Bytes of the wire form of `count` pairs (at least one) whose keys and values hold `text` bytes.
inline size_t pairsWireSize(size_t count, size_t text) { return 4 + count * 10 + text; }

// Bytes serializePairs() produces for `pairs` (0 for an empty map, as hosts send nothing then).
size_t serializedPairsSize(const Pairs& pairs);

// The wire form of `pairs`; "" for an empty map.
std::string serializePairs(const Pairs& pairs);

// Parses the wire form. "" and a lone count of 0 are the empty map. nullopt when the bytes are
// truncated, sizes overflow, or a key/value is not followed by its NUL.
std::optional<Pairs> parsePairs(std::string_view bytes);

}  // namespace wasmgate::runtime
