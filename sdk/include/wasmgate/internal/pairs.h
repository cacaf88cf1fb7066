// Wire formats of the proxy-wasm ABI: header-map pairs and property paths (spec "Serialization").
//
// Internal header of the plugin SDK (tested natively in tests/sdk). Pure functions, no host calls.
//
// Pairs: u32 LE count, then count x (u32 LE key size, u32 LE value size), then every key and every
// value in order, each followed by a NUL byte. An empty map may also be sent as zero bytes.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <wasmgate/types.h>

namespace wasmgate::internal {

std::string SerializePairs(const types::Headers& pairs);

// False (and `out` cleared) if the sizes do not fit the data: the message is then `*error`.
bool DeserializePairs(std::string_view data, types::Headers* out, std::string* error = nullptr);

// Property path segments joined by '\0' (no trailing NUL).
std::string SerializePropertyPath(std::initializer_list<std::string_view> path);
std::string SerializePropertyPath(const std::vector<std::string>& path);

// Turns memory the host allocated in the guest into a std::string and frees it.
std::string TakeHostBytes(char* data, size_t size);

}  // namespace wasmgate::internal
