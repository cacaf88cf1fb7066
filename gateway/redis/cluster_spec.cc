#include "gateway/redis/cluster_spec.h"

#include <charconv>
#include <limits>

namespace wasmgate::gateway::redis {

namespace {
bool parseUint32(std::string_view text, uint32_t* out) {
  if (text.empty()) return false;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  if (value > std::numeric_limits<uint32_t>::max()) return false;
  *out = static_cast<uint32_t>(value);
  return true;
}
}  // namespace

Result<RedisClusterSpec> parseRedisClusterSpec(std::string_view cluster) {
  RedisClusterSpec spec;
  size_t question = cluster.find('?');
  spec.name = std::string(cluster.substr(0, question));
  if (spec.name.empty()) {
    return makeError("redis cluster '" + std::string(cluster) + "': empty cluster name");
  }
  if (question == std::string_view::npos) return spec;
  std::string_view query = cluster.substr(question + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    uint32_t* target = nullptr;
    if (key == "db") target = &spec.db;
    else if (key == "buffer_flush_timeout") target = &spec.buffer_flush_timeout_ms;
    else if (key == "max_buffer_size_before_flush") target = &spec.max_buffer_size_before_flush;
    if (target == nullptr) continue;
    if (!parseUint32(value, target)) {
      return makeError("redis cluster '" + std::string(cluster) + "': parameter '" + std::string(key) +
                       "' has value '" + std::string(value) + "', expected a non-negative integer");
    }
  }
  return spec;
}

}  // namespace wasmgate::gateway::redis
