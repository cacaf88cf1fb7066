// Loads and validates the YAML configuration (docs/configuration.md). Every error names the
// file, the path inside it and the problem: "demo.yaml: routes[0].match.path: expected a string".
//
// Public header (gateway/, tools/). Pure functions (file read aside): callable from any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "gateway/config.h"

namespace wasmgate::gateway {

// Parses `text`; `source` names it in error messages (usually the file name).
Result<GatewayConfig> parseConfig(std::string_view text, std::string source);
// Reads and parses a file.
Result<GatewayConfig> loadConfigFile(const std::string& path);
// The built-in demo configuration (config/demo.yaml, embedded at build time).
std::string_view builtinDemoConfig();

// "1500ms", "10s", "2m", "1h" -> milliseconds.
Result<uint64_t> parseDuration(std::string_view text);
// "127.0.0.1:80", "[::1]:80", "name:80"; `default_port` is used when no port is given (0: required).
Result<SocketAddress> parseSocketAddress(std::string_view text, uint16_t default_port);

}  // namespace wasmgate::gateway
