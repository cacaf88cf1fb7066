// redis-commands: every command of the redis-client reference, one request each. The request
// names the command in header x-redis-op ("hset", "zadd", ...) and the key in x-redis-key; the
// plugin sends the command with fixed sample arguments, then answers with a local 200 whose body
// renders the reply through the resp::Value accessors of the reference's "Callback Signature"
// (type, Integer, String, Bool, Array, IsNull, Error). The client is built with every optional
// Init setting the reference lists, and a client that is not Ready answers 503.
// Config: {"serviceName": "redis.static", "servicePort": 6379, "username": "", "password": "",
//          "timeout": 1000, "database": 1, "flushTimeoutMs": 3, "maxBufferBytes": 1024,
//          "disableBuffer": false}
#include <functional>
#include <map>
#include <string>

#include <wasmgate/wrapper.h>

struct CommandsConfig {
  wrapper::RedisClusterClient redis;
};

wrapper::Error parseConfig(const wrapper::Json& json, CommandsConfig& config) {
  std::string serviceName = json.get("serviceName").asString();
  if (serviceName.empty()) return wrapper::Error("field 'serviceName': required");
  int64_t servicePort = json.get("servicePort").asInt();
  if (servicePort == 0) servicePort = 6379;
  config.redis = wrapper::NewRedisClusterClient(wrapper::FQDNCluster{.FQDN = serviceName, .Port = servicePort});
  std::vector<wrapper::RedisOption> options;
  if (json.get("database").exists()) options.push_back(wrapper::WithDataBase(json.get("database").asInt()));
  if (json.get("flushTimeoutMs").exists()) {
    options.push_back(wrapper::WithBufferFlushTimeout(json.get("flushTimeoutMs").asInt()));
  }
  if (json.get("maxBufferBytes").exists()) {
    options.push_back(wrapper::WithMaxBufferSizeBeforeFlush(json.get("maxBufferBytes").asInt()));
  }
  if (json.get("disableBuffer").asBool()) options.push_back(wrapper::WithDisableBuffer());
  // An init failure is not a config error: the client stays not Ready and requests get 503.
  if (auto err = config.redis.Init(json.get("username").asString(), json.get("password").asString(),
                                   json.get("timeout").asInt(), options)) {
    log::Warnf("redis init failed: %v", err);
  }
  return {};
}

// "integer 3", "string \"v\"", "null", "error ERR x", "array [integer 1, string \"a\"]".
std::string render(const resp::Value& v) {
  if (v.IsError()) return "error " + std::string(v.Error());
  if (v.IsNull()) return "null";
  switch (v.Type()) {
    case resp::Type::Integer: return "integer " + std::to_string(v.Integer()) + (v.Bool() ? " (true)" : " (false)");
    case resp::Type::Array: {
      std::string out = "array [";
      for (size_t i = 0; i < v.Array().size(); ++i) out += (i ? ", " : "") + render(v.Array()[i]);
      return out + "]";
    }
    default: return "string \"" + v.String() + "\"";
  }
}

using Command = std::function<wrapper::Error(wrapper::RedisClusterClient&, const std::string&, wrapper::RedisResponseCallback)>;
using Redis = wrapper::RedisClusterClient;
using Callback = wrapper::RedisResponseCallback;

// The reference's command list, in its order, with sample arguments.
const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      // Keys
      {"del", [](Redis& r, const std::string& k, Callback cb) { return r.Del(k, cb); }},
      {"exists", [](Redis& r, const std::string& k, Callback cb) { return r.Exists(k, cb); }},
      {"expire", [](Redis& r, const std::string& k, Callback cb) { return r.Expire(k, 60, cb); }},
      {"persist", [](Redis& r, const std::string& k, Callback cb) { return r.Persist(k, cb); }},
      // Strings
      {"get", [](Redis& r, const std::string& k, Callback cb) { return r.Get(k, cb); }},
      {"set", [](Redis& r, const std::string& k, Callback cb) { return r.Set(k, "v", cb); }},
      {"setex", [](Redis& r, const std::string& k, Callback cb) { return r.SetEx(k, "v", 30, cb); }},
      {"setnx", [](Redis& r, const std::string& k, Callback cb) { return r.SetNX(k, "v", 0, cb); }},
      {"mget", [](Redis& r, const std::string& k, Callback cb) { return r.MGet({k, k + ":2"}, cb); }},
      {"mset", [](Redis& r, const std::string& k, Callback cb) { return r.MSet({{k, "1"}, {k + ":2", "2"}}, cb); }},
      {"incr", [](Redis& r, const std::string& k, Callback cb) { return r.Incr(k, cb); }},
      {"decr", [](Redis& r, const std::string& k, Callback cb) { return r.Decr(k, cb); }},
      {"incrby", [](Redis& r, const std::string& k, Callback cb) { return r.IncrBy(k, 5, cb); }},
      {"decrby", [](Redis& r, const std::string& k, Callback cb) { return r.DecrBy(k, 5, cb); }},
      // Lists
      {"llen", [](Redis& r, const std::string& k, Callback cb) { return r.LLen(k, cb); }},
      {"rpush", [](Redis& r, const std::string& k, Callback cb) { return r.RPush(k, {"a", "b"}, cb); }},
      {"rpop", [](Redis& r, const std::string& k, Callback cb) { return r.RPop(k, cb); }},
      {"lpush", [](Redis& r, const std::string& k, Callback cb) { return r.LPush(k, {"a", "b"}, cb); }},
      {"lpop", [](Redis& r, const std::string& k, Callback cb) { return r.LPop(k, cb); }},
      {"lindex", [](Redis& r, const std::string& k, Callback cb) { return r.LIndex(k, 0, cb); }},
      {"lrange", [](Redis& r, const std::string& k, Callback cb) { return r.LRange(k, 0, -1, cb); }},
      {"lrem", [](Redis& r, const std::string& k, Callback cb) { return r.LRem(k, 1, "a", cb); }},
      {"linsertbefore", [](Redis& r, const std::string& k, Callback cb) { return r.LInsertBefore(k, "b", "a", cb); }},
      {"linsertafter", [](Redis& r, const std::string& k, Callback cb) { return r.LInsertAfter(k, "a", "b", cb); }},
      // Hashes
      {"hexists", [](Redis& r, const std::string& k, Callback cb) { return r.HExists(k, "f", cb); }},
      {"hdel", [](Redis& r, const std::string& k, Callback cb) { return r.HDel(k, {"f", "g"}, cb); }},
      {"hlen", [](Redis& r, const std::string& k, Callback cb) { return r.HLen(k, cb); }},
      {"hget", [](Redis& r, const std::string& k, Callback cb) { return r.HGet(k, "f", cb); }},
      {"hset", [](Redis& r, const std::string& k, Callback cb) { return r.HSet(k, "f", "v", cb); }},
      {"hmget", [](Redis& r, const std::string& k, Callback cb) { return r.HMGet(k, {"f", "g"}, cb); }},
      {"hmset", [](Redis& r, const std::string& k, Callback cb) { return r.HMSet(k, {{"f", "1"}, {"g", "2"}}, cb); }},
      {"hkeys", [](Redis& r, const std::string& k, Callback cb) { return r.HKeys(k, cb); }},
      {"hvals", [](Redis& r, const std::string& k, Callback cb) { return r.HVals(k, cb); }},
      {"hgetall", [](Redis& r, const std::string& k, Callback cb) { return r.HGetAll(k, cb); }},
      {"hincrby", [](Redis& r, const std::string& k, Callback cb) { return r.HIncrBy(k, "f", 2, cb); }},
      {"hincrbyfloat", [](Redis& r, const std::string& k, Callback cb) { return r.HIncrByFloat(k, "f", 1.5, cb); }},
      // Sets
      {"scard", [](Redis& r, const std::string& k, Callback cb) { return r.SCard(k, cb); }},
      {"sadd", [](Redis& r, const std::string& k, Callback cb) { return r.SAdd(k, {"a", "b"}, cb); }},
      {"srem", [](Redis& r, const std::string& k, Callback cb) { return r.SRem(k, {"a"}, cb); }},
      {"sismember", [](Redis& r, const std::string& k, Callback cb) { return r.SIsMember(k, "a", cb); }},
      {"smembers", [](Redis& r, const std::string& k, Callback cb) { return r.SMembers(k, cb); }},
      {"sdiff", [](Redis& r, const std::string& k, Callback cb) { return r.SDiff(k, k + ":2", cb); }},
      {"sdiffstore", [](Redis& r, const std::string& k, Callback cb) { return r.SDiffStore(k + ":d", k, k + ":2", cb); }},
      {"sinter", [](Redis& r, const std::string& k, Callback cb) { return r.SInter(k, k + ":2", cb); }},
      {"sinterstore", [](Redis& r, const std::string& k, Callback cb) { return r.SInterStore(k + ":d", k, k + ":2", cb); }},
      {"sunion", [](Redis& r, const std::string& k, Callback cb) { return r.SUnion(k, k + ":2", cb); }},
      {"sunionstore", [](Redis& r, const std::string& k, Callback cb) { return r.SUnionStore(k + ":d", k, k + ":2", cb); }},
      // Sorted sets
      {"zcard", [](Redis& r, const std::string& k, Callback cb) { return r.ZCard(k, cb); }},
      {"zadd", [](Redis& r, const std::string& k, Callback cb) { return r.ZAdd(k, {{"m", 1}}, cb); }},
      {"zcount", [](Redis& r, const std::string& k, Callback cb) { return r.ZCount(k, 0, 10, cb); }},
      {"zincrby", [](Redis& r, const std::string& k, Callback cb) { return r.ZIncrBy(k, "m", 2, cb); }},
      {"zscore", [](Redis& r, const std::string& k, Callback cb) { return r.ZScore(k, "m", cb); }},
      {"zrank", [](Redis& r, const std::string& k, Callback cb) { return r.ZRank(k, "m", cb); }},
      {"zrevrank", [](Redis& r, const std::string& k, Callback cb) { return r.ZRevRank(k, "m", cb); }},
      {"zrem", [](Redis& r, const std::string& k, Callback cb) { return r.ZRem(k, {"m"}, cb); }},
      {"zrange", [](Redis& r, const std::string& k, Callback cb) { return r.ZRange(k, 0, -1, cb); }},
      {"zrevrange", [](Redis& r, const std::string& k, Callback cb) { return r.ZRevRange(k, 0, -1, cb); }},
      // Lua script and raw command
      {"eval", [](Redis& r, const std::string& k, Callback cb) {
         return r.Eval("return redis.call('get', KEYS[1])", 1, {k}, {}, cb);
       }},
      {"command", [](Redis& r, const std::string& k, Callback cb) { return r.Command({"SET", k, "value"}, cb); }},
  };
  return table;
}

types::Action onHttpRequestHeaders(wrapper::HttpContext&, CommandsConfig& config) {
  if (!config.redis.Ready()) {
    proxywasm::SendHttpResponse(503, {}, "redis client not ready\n", -1);
    return types::ActionContinue;
  }
  auto op = proxywasm::GetHttpRequestHeader("x-redis-op");
  auto key = proxywasm::GetHttpRequestHeader("x-redis-key");
  auto found = commands().find(op.value);
  if (!op.ok() || found == commands().end()) {
    proxywasm::SendHttpResponse(400, {}, "unknown x-redis-op '" + op.value + "'\n", -1);
    return types::ActionContinue;
  }
  auto err = found->second(config.redis, key.ok() ? key.value : "demo", [](const resp::Value& response) {
    const int status = response.IsError() ? 502 : 200;
    proxywasm::SendHttpResponse(status, {{"content-type", "text/plain"}}, render(response) + "\n", -1);
  });
  if (err) {
    proxywasm::SendHttpResponse(502, {}, "redis call not sent: " + err.message() + "\n", -1);
    return types::ActionContinue;
  }
  return types::HeaderStopAllIterationAndWatermark;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<CommandsConfig>("redis-commands",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders));
}
