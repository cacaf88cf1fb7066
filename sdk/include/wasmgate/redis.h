// Redis through Higress's proxy_redis_* extension (Go: wasm-go pkg/wrapper redis_wrapper.go):
//   config.redis = wrapper::NewRedisClusterClient(wrapper::FQDNCluster{.FQDN = "redis", .Port = 6379});
//   config.redis.Init(user, password, 1000);               // in parseConfig
//   config.redis.Incr(key, [](const resp::Value& v) { ... proxywasm::ResumeHttpRequest(); });
//
// Public header. Copies of a client share one state (like Go's pointer). Init failing at the host
// only leaves the client not Ready; every command first re-initialises a client that is not ready
// and fails with that error. Replies: host failure -> ErrorValue("cannot connect to redis
// cluster"); a NOAUTH error re-initialises and resends the command once, and only the resend's
// reply reaches the callback. Arguments are sent as RESP bulk strings (Go fmt.Sprint).
// Single-threaded.
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <wasmgate/error.h>
#include <wasmgate/format.h>
#include <wasmgate/resp.h>

namespace wasmgate::wrapper {

using RedisResponseCallback = std::function<void(const resp::Value& response)>;

// One command argument: any string, number or bool, rendered as Go's fmt.Sprint does.
class RedisArg {
 public:
  template <typename T>
    requires std::constructible_from<format::Arg, const T&>
  RedisArg(const T& v) : text_(format::ToString(format::Arg(v))) {}
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

struct RedisOptions {
  int database = 0;
  uint32_t bufferFlushTimeoutMs = 3;
  uint32_t maxBufferSizeBeforeFlush = 1024;
};
using RedisOption = std::function<void(RedisOptions&)>;
RedisOption WithDataBase(int database);
RedisOption WithBufferFlushTimeout(uint32_t milliseconds);
RedisOption WithMaxBufferSizeBeforeFlush(uint32_t bytes);
RedisOption WithDisableBuffer();

using RedisFieldValues = std::vector<std::pair<std::string, RedisArg>>;

class RedisClusterClient {
 public:
  template <typename Cluster>
    requires requires(const Cluster& c) { c.ClusterName(); }
  explicit RedisClusterClient(Cluster cluster) : RedisClusterClient([cluster] { return cluster.ClusterName(); }) {}
  explicit RedisClusterClient(std::function<std::string()> clusterName);
  RedisClusterClient() : RedisClusterClient(std::function<std::string()>([] { return std::string(); })) {}

  Error Init(std::string_view username, std::string_view password, int64_t timeoutMs,
             const std::vector<RedisOption>& options = {});
  bool Ready() const;
  std::string ClusterName() const;
  // The cluster string given to proxy_redis_init: "<cluster>?db=1&buffer_flush_timeout=3&...".
  std::string InitClusterName() const;

  Error Command(const std::vector<RedisArg>& args, RedisResponseCallback cb);
  Error Eval(std::string_view script, int numkeys, const std::vector<RedisArg>& keys,
             const std::vector<RedisArg>& args, RedisResponseCallback cb);

  Error Del(std::string_view key, RedisResponseCallback cb);
  Error Exists(std::string_view key, RedisResponseCallback cb);
  Error Expire(std::string_view key, int64_t ttlSeconds, RedisResponseCallback cb);
  Error Persist(std::string_view key, RedisResponseCallback cb);

  Error Get(std::string_view key, RedisResponseCallback cb);
  Error Set(std::string_view key, const RedisArg& value, RedisResponseCallback cb);
  Error SetEx(std::string_view key, const RedisArg& value, int64_t ttlSeconds, RedisResponseCallback cb);
  // "set k v nx", plus "ex ttl" when ttl > 0.
  Error SetNX(std::string_view key, const RedisArg& value, int64_t ttlSeconds, RedisResponseCallback cb);
  Error MGet(const std::vector<std::string>& keys, RedisResponseCallback cb);
  Error MSet(const RedisFieldValues& keyValues, RedisResponseCallback cb);
  Error Incr(std::string_view key, RedisResponseCallback cb);
  Error Decr(std::string_view key, RedisResponseCallback cb);
  Error IncrBy(std::string_view key, int64_t delta, RedisResponseCallback cb);
  Error DecrBy(std::string_view key, int64_t delta, RedisResponseCallback cb);

  Error LLen(std::string_view key, RedisResponseCallback cb);
  Error RPush(std::string_view key, const std::vector<RedisArg>& values, RedisResponseCallback cb);
  Error RPop(std::string_view key, RedisResponseCallback cb);
  Error LPush(std::string_view key, const std::vector<RedisArg>& values, RedisResponseCallback cb);
  Error LPop(std::string_view key, RedisResponseCallback cb);
  Error LIndex(std::string_view key, int64_t index, RedisResponseCallback cb);
  Error LRange(std::string_view key, int64_t start, int64_t stop, RedisResponseCallback cb);
  Error LRem(std::string_view key, int64_t count, const RedisArg& value, RedisResponseCallback cb);
  Error LInsertBefore(std::string_view key, const RedisArg& pivot, const RedisArg& value, RedisResponseCallback cb);
  Error LInsertAfter(std::string_view key, const RedisArg& pivot, const RedisArg& value, RedisResponseCallback cb);

  Error HExists(std::string_view key, std::string_view field, RedisResponseCallback cb);
  Error HDel(std::string_view key, const std::vector<std::string>& fields, RedisResponseCallback cb);
  Error HLen(std::string_view key, RedisResponseCallback cb);
  Error HGet(std::string_view key, std::string_view field, RedisResponseCallback cb);
  Error HSet(std::string_view key, std::string_view field, const RedisArg& value, RedisResponseCallback cb);
  Error HMGet(std::string_view key, const std::vector<std::string>& fields, RedisResponseCallback cb);
  Error HMSet(std::string_view key, const RedisFieldValues& fieldValues, RedisResponseCallback cb);
  Error HKeys(std::string_view key, RedisResponseCallback cb);
  Error HVals(std::string_view key, RedisResponseCallback cb);
  Error HGetAll(std::string_view key, RedisResponseCallback cb);
  Error HIncrBy(std::string_view key, std::string_view field, int64_t delta, RedisResponseCallback cb);
  Error HIncrByFloat(std::string_view key, std::string_view field, double delta, RedisResponseCallback cb);

  Error SCard(std::string_view key, RedisResponseCallback cb);
  Error SAdd(std::string_view key, const std::vector<RedisArg>& members, RedisResponseCallback cb);
  Error SRem(std::string_view key, const std::vector<RedisArg>& members, RedisResponseCallback cb);
  Error SIsMember(std::string_view key, const RedisArg& member, RedisResponseCallback cb);
  Error SMembers(std::string_view key, RedisResponseCallback cb);
  Error SDiff(std::string_view key1, std::string_view key2, RedisResponseCallback cb);
  Error SDiffStore(std::string_view destination, std::string_view key1, std::string_view key2, RedisResponseCallback cb);
  Error SInter(std::string_view key1, std::string_view key2, RedisResponseCallback cb);
  Error SInterStore(std::string_view destination, std::string_view key1, std::string_view key2, RedisResponseCallback cb);
  Error SUnion(std::string_view key1, std::string_view key2, RedisResponseCallback cb);
  Error SUnionStore(std::string_view destination, std::string_view key1, std::string_view key2, RedisResponseCallback cb);

  Error ZCard(std::string_view key, RedisResponseCallback cb);
  // member -> score, sent as "score member" pairs.
  Error ZAdd(std::string_view key, const RedisFieldValues& memberScores, RedisResponseCallback cb);
  Error ZCount(std::string_view key, const RedisArg& min, const RedisArg& max, RedisResponseCallback cb);
  Error ZIncrBy(std::string_view key, std::string_view member, const RedisArg& delta, RedisResponseCallback cb);
  Error ZScore(std::string_view key, std::string_view member, RedisResponseCallback cb);
  Error ZRank(std::string_view key, std::string_view member, RedisResponseCallback cb);
  Error ZRevRank(std::string_view key, std::string_view member, RedisResponseCallback cb);
  Error ZRem(std::string_view key, const std::vector<std::string>& members, RedisResponseCallback cb);
  Error ZRange(std::string_view key, int64_t start, int64_t stop, RedisResponseCallback cb);
  Error ZRevRange(std::string_view key, int64_t start, int64_t stop, RedisResponseCallback cb);

  struct State;  // shared by copies (defined in redis.cc)

 private:
  Error send(std::vector<std::string> args, RedisResponseCallback cb);
  std::shared_ptr<State> state_;
};

template <typename Cluster>
RedisClusterClient NewRedisClusterClient(Cluster cluster) {
  return RedisClusterClient(std::move(cluster));
}

// Sends a raw RESP query (Go wrapper.RedisCall); the callback gets the parsed reply.
Error RedisCall(std::string_view cluster, std::string_view respQuery, RedisResponseCallback cb);

}  // namespace wasmgate::wrapper
