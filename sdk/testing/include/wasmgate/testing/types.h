// The vocabulary of the plugin test harness: header lists, the actions a plugin returns, and the
// records the simulated host keeps of what the plugin did (log lines, outbound calls, local
// responses, property writes).
//
// Public header (plugin authors' tests). Plain values; no thread affinity of their own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <wasmgate/abi.h>

#include "common/result.h"

namespace wasmgate::testing {

using wasmgate::Result;
using Status = wasmgate::Status;

// What a plugin's callbacks return, after the host's conversion (Envoy's rules: a local response
// forces a stop; ABIs before 0.2.100 turn header StopIteration into StopAllIterationAndWatermark).
using HeaderAction = abi::HeaderAction;
using DataAction = abi::DataAction;
using TrailerAction = abi::TrailerAction;
using LogLevel = abi::LogLevel;

// Headers in order. The host lower-cases keys, as Envoy's header maps do.
using Headers = std::vector<std::pair<std::string, std::string>>;

// The first value of `name` (compared case-insensitively), or nullopt.
std::optional<std::string> findHeader(const Headers& headers, std::string_view name);

const char* actionName(HeaderAction action);
const char* actionName(DataAction action);
const char* actionName(TrailerAction action);
const char* levelName(LogLevel level);

struct LogLine {
  LogLevel level = LogLevel::Info;
  std::string plugin = {};  // the plugin (root context) that logged
  std::string message = {};
};

// A reply the plugin sent with proxy_send_local_response (or the host's 503 for a failed VM).
struct LocalResponse {
  uint32_t status = 0;
  Headers headers = {};
  std::string body = {};
  std::string details = {};  // whitespace replaced by '_', as Envoy does
  int32_t grpc_status = -1;  // -1: none
};

// An outbound HTTP call (proxy_http_call) waiting for the test to answer it.
struct HttpCall {
  uint32_t token = 0;
  std::string cluster = {};
  Headers headers = {};  // includes :method, :path and :authority
  std::string body = {};
  Headers trailers = {};
  uint32_t timeout_ms = 0;

  std::optional<std::string> header(std::string_view name) const { return findHeader(headers, name); }
  std::string method() const { return header(":method").value_or(""); }
  std::string path() const { return header(":path").value_or(""); }
  std::string authority() const { return header(":authority").value_or(""); }
};

// The test's answer to an HttpCall. `status` becomes the :status header.
struct HttpCallReply {
  uint32_t status = 200;
  Headers headers = {};
  std::string body = {};
  Headers trailers = {};
};

// proxy_redis_init as the plugin called it.
struct RedisInit {
  std::string cluster = {};  // may carry "?db=..&buffer_flush_timeout=.."
  std::string username = {};
  std::string password = {};
  uint32_t timeout_ms = 0;
};

// A Redis command (proxy_redis_call) waiting for the test to answer it.
struct RedisCall {
  uint32_t token = 0;
  std::string cluster = {};
  std::string query = {};  // raw RESP, as sent
  // The command's arguments ({"SET", "k", "v"}), or empty if the query is not a RESP array of
  // bulk strings.
  std::vector<std::string> command() const;
};

// proxy_call_foreign_function as the plugin called it.
struct ForeignCall {
  std::string name = {};
  std::string argument = {};
};

// One proxy_set_property from a stream, in call order.
struct PropertyWrite {
  std::vector<std::string> path = {};  // segments
  std::string value = {};
};

struct SharedValue {
  std::string value = {};
  uint32_t cas = 0;
};

}  // namespace wasmgate::testing
