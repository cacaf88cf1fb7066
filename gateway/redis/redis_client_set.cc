#include "gateway/redis/redis_client_set.h"

#include <algorithm>

namespace wasmgate::gateway::redis {

RedisClientSet::RedisClientSet(uv_loop_t* loop, RedisEndpointResolver resolver)
    : loop_(loop), resolver_(std::move(resolver)) {}

abi::Status RedisClientSet::init(std::string_view cluster, std::string_view username, std::string_view password,
                                 uint32_t timeout_ms, std::string* message) {
  auto fail = [&](abi::Status status, std::string why) {
    if (message != nullptr) *message = std::move(why);
    return status;
  };
  auto spec = parseRedisClusterSpec(cluster);
  if (!spec.ok()) return fail(abi::Status::BadArgument, spec.message());
  auto endpoints = resolver_(spec->name);
  if (!endpoints.ok()) return fail(abi::Status::BadArgument, endpoints.message());
  if (endpoints->empty()) {
    return fail(abi::Status::InternalFailure, "redis cluster '" + spec->name + "' has no host");
  }
  RedisClientOptions options;
  options.endpoints = std::move(endpoints).value();
  options.spec = spec.value();
  options.username = username;
  options.password = password;
  options.timeout_ms = timeout_ms;
  auto existing = clients_.find(spec->name);
  if (existing != clients_.end()) {
    const RedisClientOptions& old = existing->second->options();
    if (old.spec == options.spec && old.endpoints == options.endpoints && old.username == options.username &&
        old.password == options.password && old.timeout_ms == options.timeout_ms) {
      return abi::Status::Ok;  // identical re-init: keep the connection
    }
  }
  auto client = RedisClient::create(loop_, std::move(options));
  if (!client.ok()) return fail(abi::Status::BadArgument, client.message());
  if (existing != clients_.end()) {
    // Drop retired clients that have nothing left to answer, then retire the replaced one.
    retired_.erase(std::remove_if(retired_.begin(), retired_.end(),
                                  [](const auto& c) { return c->pendingCalls() == 0; }),
                   retired_.end());
    retired_.push_back(std::move(existing->second));
    existing->second = std::move(client).value();
  } else {
    clients_.emplace(spec->name, std::move(client).value());
  }
  return abi::Status::Ok;
}

RedisClient* RedisClientSet::find(std::string_view cluster) {
  auto it = clients_.find(cluster.substr(0, cluster.find('?')));
  return it == clients_.end() ? nullptr : it->second.get();
}

abi::Status RedisClientSet::call(std::string_view cluster, std::string_view query, RedisReplyCallback callback,
                                 uint64_t* call_id) {
  RedisClient* client = find(cluster);
  if (client == nullptr) return abi::Status::BadArgument;
  uint64_t id = client->call(query, std::move(callback));
  if (call_id != nullptr) *call_id = id;
  return abi::Status::Ok;
}

void RedisClientSet::cancel(std::string_view cluster, uint64_t call_id) {
  if (RedisClient* client = find(cluster)) client->cancel(call_id);
}

}  // namespace wasmgate::gateway::redis
