// RedisClusterSpec: the cluster string a plugin passes to proxy_redis_init, split into the
// cluster name and Higress's client parameters
// ("name?db=1&buffer_flush_timeout=3&max_buffer_size_before_flush=1024").
//
// Internal header (gateway/redis/). Thread affinity: none (pure).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace wasmgate::gateway::redis {

struct RedisClusterSpec {
  std::string name;  // the part before '?'
  uint32_t db = 0;   // SELECTed on every new connection when non-zero
  // Commands are held until this many ms have passed or this many bytes are queued, whichever
  // comes first. 0 and 0 (also the value when absent): every command is written at once.
  uint32_t buffer_flush_timeout_ms = 0;
  uint32_t max_buffer_size_before_flush = 0;

  bool operator==(const RedisClusterSpec&) const = default;
};

// Unknown parameters are ignored, as Envoy ignores them; a known one with a value that is not a
// non-negative integer is an error naming the parameter.
Result<RedisClusterSpec> parseRedisClusterSpec(std::string_view cluster);

}  // namespace wasmgate::gateway::redis
