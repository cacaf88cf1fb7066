// Loads and validates the YAML configuration (docs/configuration.md). Every error names the
// file, the path inside it and the problem: "demo.yaml: routes[0].match.path: expected a string".
//
// Public header (gateway/, tools/). Pure functions (file read aside): callable from any thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "gateway/config.h"

namespace wasmgate::gateway {

// Turns a host name written for a listener or the admin endpoint into a numeric address at load
// (sockets bind to addresses, not names). The error says why the name did not resolve.
using HostResolver = std::function<Result<std::string>(const std::string& host)>;
// The system resolver (getaddrinfo: /etc/hosts, then DNS): the first IPv4 address, else the
// first IPv6 one. Blocks while it resolves, so it runs at load and reload only.
Result<std::string> resolveWithSystem(const std::string& host);

// Parses `text`; `source` names it in error messages (usually the file name). Listener and admin
// host names go through `resolve` (the system resolver unless given).
Result<GatewayConfig> parseConfig(std::string_view text, std::string source);
Result<GatewayConfig> parseConfig(std::string_view text, std::string source, const HostResolver& resolve);
// Reads and parses a file.
Result<GatewayConfig> loadConfigFile(const std::string& path);
// The built-in demo configuration (config/demo.yaml, embedded at build time).
std::string_view builtinDemoConfig();

// "1500ms", "10s", "2m", "1h" -> milliseconds.
Result<uint64_t> parseDuration(std::string_view text);
// "127.0.0.1:80", "[::1]:80", "name:80"; `default_port` is used when no port is given (0: required).
Result<SocketAddress> parseSocketAddress(std::string_view text, uint16_t default_port);

}  // namespace wasmgate::gateway
