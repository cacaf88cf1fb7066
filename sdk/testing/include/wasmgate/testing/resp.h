// RESP (Redis protocol) encoding for answering a plugin's Redis calls, and decoding of the
// commands it sends: host->respondRedisCall(resp::bulk("v")) answers GET with "v".
//
// Public header (plugin authors' tests). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasmgate::testing::resp {

std::string simple(std::string_view text);   // +OK
std::string error(std::string_view text);    // -ERR ...
std::string integer(int64_t value);          // :42
std::string bulk(std::string_view bytes);    // $3 abc
std::string null();                          // $-1 (nil)
// An array of already encoded elements: resp::array({resp::bulk("a"), resp::integer(1)}).
std::string array(const std::vector<std::string>& encoded_elements);
// A command as a client sends it: an array of bulk strings.
std::string command(const std::vector<std::string>& arguments);

// The arguments of a command (an array of bulk strings), or nullopt if `query` is not one.
std::optional<std::vector<std::string>> parseCommand(std::string_view query);

}  // namespace wasmgate::testing::resp
