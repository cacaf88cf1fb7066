// The proxy-wasm "pairs" wire format used for header maps, http_call headers and trailers, local
// response headers, upstream host lists and map-valued properties: a u32 count, then count pairs of
// (u32 key size, u32 value size), then every key and value, each followed by a NUL byte. All
// integers little-endian. An empty map may be sent as zero bytes.
//
// Public header. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/host.h"

namespace wasmgate::runtime {

// Bytes serializePairs() produces for `pairs` (0 for an empty map, as hosts send nothing then).
size_t serializedPairsSize(const Pairs& pairs);

// The wire form of `pairs`; "" for an empty map.
std::string serializePairs(const Pairs& pairs);

// Parses the wire form. "" and a lone count of 0 are the empty map. nullopt when the bytes are
// truncated, sizes overflow, or a key/value is not followed by its NUL.
std::optional<Pairs> parsePairs(std::string_view bytes);

}  // namespace wasmgate::runtime
