// An in-memory proxy-wasm host for native SDK tests: it defines every env.proxy_* function the SDK
// imports (internal/imports.h) as ordinary C functions over the state below, so tests can drive a
// plugin through the SDK's exports exactly as the wasm host would, and inspect what it did.
//
// Test support only. Single-threaded; reset() between tests.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <wasmgate/types.h>

namespace wasmgate::testing {

struct FakeHttpCall {
  std::string cluster;
  types::Headers headers;
  std::string body;
  uint32_t timeoutMs = 0;
  uint32_t token = 0;
  uint32_t contextId = 0;  // effective context when dispatched
};

struct FakeRedisCall {
  std::string cluster;
  std::string query;
  uint32_t token = 0;
};

struct FakeRedisInit {
  std::string cluster, username, password;
  uint32_t timeoutMs = 0;
};

struct FakeLocalResponse {
  uint32_t status = 0;
  std::string details, body;
  types::Headers headers;
};

struct FakeHost {
  std::vector<std::pair<uint32_t, std::string>> logs;  // (level, message)
  uint32_t logLevel = 0;                                // answered by get_log_level
  std::map<uint32_t, types::Headers> maps;              // abi::MapType -> pairs
  std::map<uint32_t, std::string> buffers;              // abi::BufferType -> bytes
  std::map<std::string, std::string> properties;        // '\0'-joined path -> value
  std::vector<FakeHttpCall> httpCalls;
  std::vector<FakeRedisCall> redisCalls;
  std::vector<FakeRedisInit> redisInits;
  uint32_t redisInitStatus = 0;
  uint32_t nextToken = 1;
  std::map<std::string, std::pair<std::string, uint32_t>> sharedData;  // key -> (value, cas)
  uint32_t nextCas = 1;
  uint32_t tickPeriodMs = 0;
  uint64_t nowNs = 1'700'000'000'000'000'000ull;
  std::vector<uint32_t> continued;  // stream types passed to proxy_continue_stream
  std::vector<FakeLocalResponse> localResponses;
  std::vector<uint32_t> effectiveContexts;
  std::map<std::string, std::function<uint32_t(const std::string& arg, std::string* result)>> foreign;

  void reset();
  std::string property(const std::string& dottedPath) const;  // "a.b" for path a\0b
  void setProperty(const std::string& dottedPath, std::string value);
  std::string header(uint32_t map, const std::string& key) const;
  bool logged(const std::string& needle) const;
};

FakeHost& host();

// Runs the standard start-up of a plugin on the fake host: context_create(root, 0), vm_start,
// configure with `config`. Returns proxy_on_configure's result.
bool StartPlugin(uint32_t rootId, const std::string& config);

}  // namespace wasmgate::testing
