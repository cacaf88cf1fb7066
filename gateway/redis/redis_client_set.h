// RedisClientSet: the Redis clients of one plugin VM on one worker, keyed by cluster name, with
// the proxy_redis_init / proxy_redis_call rules of Higress's Envoy: init parses the cluster
// string and (re)creates the client unless the config is identical (then it is a no-op); an
// unknown cluster is BadArgument, a cluster without endpoints InternalFailure; a call to a
// cluster never initialised is BadArgument. Destroying the set (the VM went away) closes the
// connections and drops every pending callback.
//
// Internal header (gateway/redis/). Thread affinity: the worker loop given at construction.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

#include <wasmgate/abi.h>

#include "common/result.h"
#include "gateway/redis/redis_client.h"

namespace wasmgate::gateway::redis {

// Endpoints ("ip:port") of a cluster name (the part before '?'). An Error means "no such
// cluster"; an empty list means the cluster has no usable host right now.
using RedisEndpointResolver = std::function<Result<std::vector<std::string>>(std::string_view cluster_name)>;

class RedisClientSet {
 public:
  RedisClientSet(uv_loop_t* loop, RedisEndpointResolver resolver);
  RedisClientSet(const RedisClientSet&) = delete;
  RedisClientSet& operator=(const RedisClientSet&) = delete;

  // `message`, when given, receives the reason for a non-Ok status (for the plugin's log).
  abi::Status init(std::string_view cluster, std::string_view username, std::string_view password,
                   uint32_t timeout_ms, std::string* message = nullptr);
  // `cluster` may carry a query string; only the name counts here.
  abi::Status call(std::string_view cluster, std::string_view query, RedisReplyCallback callback,
                   uint64_t* call_id = nullptr);
  void cancel(std::string_view cluster, uint64_t call_id);
  RedisClient* find(std::string_view cluster);
  size_t size() const { return clients_.size(); }

 private:
  uv_loop_t* loop_;
  RedisEndpointResolver resolver_;
  std::map<std::string, std::unique_ptr<RedisClient>, std::less<>> clients_;
  // Clients replaced by a re-init with a new config, kept until their calls are answered.
  std::vector<std::unique_ptr<RedisClient>> retired_;
};

}  // namespace wasmgate::gateway::redis
