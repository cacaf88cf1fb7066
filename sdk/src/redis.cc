// Redis client; see <wasmgate/redis.h>.
#include <wasmgate/redis.h>

#include <wasmgate/log.h>
#include <wasmgate/proxywasm/host.h>

namespace wasmgate::wrapper {
namespace {

using Args = std::vector<std::string>;

void append(Args& out, const std::vector<RedisArg>& values) {
  for (const auto& v : values) out.push_back(v.str());
}

// Delivers a reply or a failure to `cb`; with `retry` set, a NOAUTH error runs it instead.
void deliver(int status, uint32_t size, const RedisResponseCallback& cb, const std::function<bool()>& retry) {
  if (!cb) return;
  if (status != 0) return cb(resp::ErrorValue("cannot connect to redis cluster"));
  auto raw = proxywasm::GetRedisCallResponse(0, size);
  resp::Value value;
  std::string err = resp::Parse(raw.value, &value);
  if (!err.empty()) return cb(resp::ErrorValue("invalid redis reply: " + err));
  if (value.IsError() && value.Error().find("NOAUTH Authentication required") != std::string_view::npos && retry &&
      retry()) {
    return;
  }
  cb(value);
}

}  // namespace

struct RedisClusterClient::State {
  std::function<std::string()> clusterName;
  std::string username, password;
  int64_t timeoutMs = 0;
  RedisOptions options;
  bool ready = false;

  std::string initClusterName() const {
    std::string name = clusterName() + "?";
    if (options.database != 0) name.append(format::Sprintf("db=%d&", options.database));
    name.append(format::Sprintf("buffer_flush_timeout=%d&max_buffer_size_before_flush=%d",
                                options.bufferFlushTimeoutMs, options.maxBufferSizeBeforeFlush));
    return name;
  }
  types::Status init() {
    auto timeout = static_cast<uint32_t>(timeoutMs < 0 ? 0 : timeoutMs > UINT32_MAX ? UINT32_MAX : timeoutMs);
    types::Status s = proxywasm::RedisInit(initClusterName(), username, password, timeout);
    ready = s == types::Status::Ok;
    return s;
  }
};

// Sends `query`; on a NOAUTH reply (first attempt only) re-initialises and sends it once more.
static Error dispatch(const std::shared_ptr<RedisClusterClient::State>& state, std::string query,
                      RedisResponseCallback cb, bool firstAttempt);

RedisOption WithDataBase(int database) {
  return [database](RedisOptions& o) { o.database = database; };
}
RedisOption WithBufferFlushTimeout(uint32_t ms) {
  return [ms](RedisOptions& o) { o.bufferFlushTimeoutMs = ms; };
}
RedisOption WithMaxBufferSizeBeforeFlush(uint32_t bytes) {
  return [bytes](RedisOptions& o) { o.maxBufferSizeBeforeFlush = bytes; };
}
RedisOption WithDisableBuffer() {
  return [](RedisOptions& o) { o.bufferFlushTimeoutMs = 0, o.maxBufferSizeBeforeFlush = 0; };
}

RedisClusterClient::RedisClusterClient(std::function<std::string()> clusterName) : state_(std::make_shared<State>()) {
  state_->clusterName = std::move(clusterName);
}

Error RedisClusterClient::Init(std::string_view username, std::string_view password, int64_t timeoutMs,
                               const std::vector<RedisOption>& options) {
  state_->username = std::string(username);
  state_->password = std::string(password);
  state_->timeoutMs = timeoutMs;
  state_->options = RedisOptions();
  for (const auto& o : options) {
    if (o) o(state_->options);
  }
  types::Status s = state_->init();
  if (s != types::Status::Ok) log::Warnf("redis init of %s failed (%v); will retry on the first command", ClusterName(), s);
  return {};
}

bool RedisClusterClient::Ready() const { return state_->ready; }
std::string RedisClusterClient::ClusterName() const { return state_->clusterName(); }
std::string RedisClusterClient::InitClusterName() const { return state_->initClusterName(); }

static Error dispatch(const std::shared_ptr<RedisClusterClient::State>& state, std::string query,
                      RedisResponseCallback cb, bool firstAttempt) {
  std::string cluster = state->clusterName();
  auto onReply = [state, query, cb, firstAttempt](int status, uint32_t size) {
    std::function<bool()> retry;
    if (firstAttempt) {
      retry = [state, query, cb] {
        state->ready = false;
        if (state->init() != types::Status::Ok) return false;
        return !dispatch(state, query, cb, false);
      };
    }
    deliver(status, size, cb, retry);
  };
  auto token = proxywasm::DispatchRedisCall(cluster, query, std::move(onReply));
  if (!token.ok()) return Errorf("redis call to %s failed: %v", cluster, token.status);
  return {};
}

Error RedisClusterClient::send(std::vector<std::string> args, RedisResponseCallback cb) {
  if (!state_->ready) {
    types::Status s = state_->init();
    if (s != types::Status::Ok) return Errorf("redis init of %s failed: %v", ClusterName(), s);
  }
  return dispatch(state_, resp::EncodeCommand(args), std::move(cb), true);
}

Error RedisCall(std::string_view cluster, std::string_view respQuery, RedisResponseCallback cb) {
  auto token = proxywasm::DispatchRedisCall(cluster, respQuery, [cb](int status, uint32_t size) {
    deliver(status, size, cb, nullptr);
  });
  if (!token.ok()) return Errorf("redis call to %s failed: %v", cluster, token.status);
  return {};
}

using S = std::string;
using SV = std::string_view;
using CB = RedisResponseCallback;
static S n(int64_t v) { return format::ToString(static_cast<long long>(v)); }

Error RedisClusterClient::Command(const std::vector<RedisArg>& args, CB cb) {
  Args a;
  append(a, args);
  return send(std::move(a), std::move(cb));
}
Error RedisClusterClient::Eval(SV script, int numkeys, const std::vector<RedisArg>& keys,
                               const std::vector<RedisArg>& args, CB cb) {
  Args a{"eval", S(script), n(numkeys)};
  append(a, keys);
  append(a, args);
  return send(std::move(a), std::move(cb));
}

Error RedisClusterClient::Del(SV k, CB cb) { return send({"del", S(k)}, std::move(cb)); }
Error RedisClusterClient::Exists(SV k, CB cb) { return send({"exists", S(k)}, std::move(cb)); }
Error RedisClusterClient::Expire(SV k, int64_t ttl, CB cb) { return send({"expire", S(k), n(ttl)}, std::move(cb)); }
Error RedisClusterClient::Persist(SV k, CB cb) { return send({"persist", S(k)}, std::move(cb)); }

Error RedisClusterClient::Get(SV k, CB cb) { return send({"get", S(k)}, std::move(cb)); }
Error RedisClusterClient::Set(SV k, const RedisArg& v, CB cb) { return send({"set", S(k), v.str()}, std::move(cb)); }
Error RedisClusterClient::SetEx(SV k, const RedisArg& v, int64_t ttl, CB cb) {
  return send({"set", S(k), v.str(), "ex", n(ttl)}, std::move(cb));
}
Error RedisClusterClient::SetNX(SV k, const RedisArg& v, int64_t ttl, CB cb) {
  Args a{"set", S(k), v.str(), "nx"};
  if (ttl > 0) a.insert(a.end(), {"ex", n(ttl)});
  return send(std::move(a), std::move(cb));
}
Error RedisClusterClient::MGet(const std::vector<S>& keys, CB cb) {
  Args a{"mget"};
  a.insert(a.end(), keys.begin(), keys.end());
  return send(std::move(a), std::move(cb));
}
Error RedisClusterClient::MSet(const RedisFieldValues& kv, CB cb) {
  Args a{"mset"};
  for (const auto& [k, v] : kv) a.insert(a.end(), {k, v.str()});
  return send(std::move(a), std::move(cb));
}
Error RedisClusterClient::Incr(SV k, CB cb) { return send({"incr", S(k)}, std::move(cb)); }
Error RedisClusterClient::Decr(SV k, CB cb) { return send({"decr", S(k)}, std::move(cb)); }
Error RedisClusterClient::IncrBy(SV k, int64_t d, CB cb) { return send({"incrby", S(k), n(d)}, std::move(cb)); }
Error RedisClusterClient::DecrBy(SV k, int64_t d, CB cb) { return send({"decrby", S(k), n(d)}, std::move(cb)); }

Error RedisClusterClient::LLen(SV k, CB cb) { return send({"llen", S(k)}, std::move(cb)); }
Error RedisClusterClient::RPush(SV k, const std::vector<RedisArg>& vals, CB cb) {
  Args a{"rpush", S(k)};
  append(a, vals);
  return send(std::move(a), std::move(cb));
}
Error RedisClusterClient::RPop(SV k, CB cb) { return send({"rpop", S(k)}, std::move(cb)); }
Error RedisClusterClient::LPush(SV k, const std::vector<RedisArg>& vals, CB cb) {
  Args a{"lpush", S(k)};
  append(a, vals);
  return send(std::move(a), std::move(cb));
}
Error RedisClusterClient::LPop(SV k, CB cb) { return send({"lpop", S(k)}, std::move(cb)); }
Error RedisClusterClient::LIndex(SV k, int64_t i, CB cb) { return send({"lindex", S(k), n(i)}, std::move(cb)); }
Error RedisClusterClient::LRange(SV k, int64_t b, int64_t e, CB cb) {
  return send({"lrange", S(k), n(b), n(e)}, std::move(cb));
}
Error RedisClusterClient::LRem(SV k, int64_t c, const RedisArg& v, CB cb) {
  return send({"lrem", S(k), n(c), v.str()}, std::move(cb));
}
Error RedisClusterClient::LInsertBefore(SV k, const RedisArg& p, const RedisArg& v, CB cb) {
  return send({"linsert", S(k), "before", p.str(), v.str()}, std::move(cb));
}
Error RedisClusterClient::LInsertAfter(SV k, const RedisArg& p, const RedisArg& v, CB cb) {
  return send({"linsert", S(k), "after", p.str(), v.str()}, std::move(cb));
}

Error RedisClusterClient::HExists(SV k, SV f, CB cb) { return send({"hexists", S(k), S(f)}, std::move(cb)); }
Error RedisClusterClient::HDel(SV k, const std::vector<S>& fields, CB cb) {
  Args a{"hdel", S(k)};
  a.insert(a.end(), fields.begin(), fields.end());
  return send(std::move(a), std::move(cb));
}
Error RedisClusterClient::HLen(SV k, CB cb) { return send({"hlen", S(k)}, std::move(cb)); }
Error RedisClusterClient::HGet(SV k, SV f, CB cb) { return send({"hget", S(k), S(f)}, std::move(cb)); }
Error RedisClusterClient::HSet(SV k, SV f, const RedisArg& v, CB cb) {
  return send({"hset", S(k), S(f), v.str()}, std::move(cb));
}
Error RedisClusterClient::HMGet(SV k, const std::vector<S>& fields, CB cb) {
  Args a{"hmget", S(k)};
  a.insert(a.end(), fields.begin(), fields.end());
  return send(std::move(a), std::move(cb));
}
Error RedisClusterClient::HMSet(SV k, const RedisFieldValues& fv, CB cb) {
  Args a{"hmset", S(k)};
  for (const auto& [f, v] : fv) a.insert(a.end(), {f, v.str()});
  return send(std::move(a), std::move(cb));
}
Error RedisClusterClient::HKeys(SV k, CB cb) { return send({"hkeys", S(k)}, std::move(cb)); }
Error RedisClusterClient::HVals(SV k, CB cb) { return send({"hvals", S(k)}, std::move(cb)); }
Error RedisClusterClient::HGetAll(SV k, CB cb) { return send({"hgetall", S(k)}, std::move(cb)); }
Error RedisClusterClient::HIncrBy(SV k, SV f, int64_t d, CB cb) {
  return send({"hincrby", S(k), S(f), n(d)}, std::move(cb));
}
Error RedisClusterClient::HIncrByFloat(SV k, SV f, double d, CB cb) {
  return send({"hincrbyfloat", S(k), S(f), format::ToString(d)}, std::move(cb));
}

Error RedisClusterClient::SCard(SV k, CB cb) { return send({"scard", S(k)}, std::move(cb)); }
Error RedisClusterClient::SAdd(SV k, const std::vector<RedisArg>& m, CB cb) {
  Args a{"sadd", S(k)};
  append(a, m);
  return send(std::move(a), std::move(cb));
}
Error RedisClusterClient::SRem(SV k, const std::vector<RedisArg>& m, CB cb) {
  Args a{"srem", S(k)};
  append(a, m);
  return send(std::move(a), std::move(cb));
}
Error RedisClusterClient::SIsMember(SV k, const RedisArg& m, CB cb) {
  return send({"sismember", S(k), m.str()}, std::move(cb));
}
Error RedisClusterClient::SMembers(SV k, CB cb) { return send({"smembers", S(k)}, std::move(cb)); }
Error RedisClusterClient::SDiff(SV a, SV b, CB cb) { return send({"sdiff", S(a), S(b)}, std::move(cb)); }
Error RedisClusterClient::SDiffStore(SV d, SV a, SV b, CB cb) {
  return send({"sdiffstore", S(d), S(a), S(b)}, std::move(cb));
}
Error RedisClusterClient::SInter(SV a, SV b, CB cb) { return send({"sinter", S(a), S(b)}, std::move(cb)); }
Error RedisClusterClient::SInterStore(SV d, SV a, SV b, CB cb) {
  return send({"sinterstore", S(d), S(a), S(b)}, std::move(cb));
}
Error RedisClusterClient::SUnion(SV a, SV b, CB cb) { return send({"sunion", S(a), S(b)}, std::move(cb)); }
Error RedisClusterClient::SUnionStore(SV d, SV a, SV b, CB cb) {
  return send({"sunionstore", S(d), S(a), S(b)}, std::move(cb));
}

Error RedisClusterClient::ZCard(SV k, CB cb) { return send({"zcard", S(k)}, std::move(cb)); }
Error RedisClusterClient::ZAdd(SV k, const RedisFieldValues& ms, CB cb) {
  Args a{"zadd", S(k)};
  for (const auto& [member, score] : ms) a.insert(a.end(), {score.str(), member});
  return send(std::move(a), std::move(cb));
}
Error RedisClusterClient::ZCount(SV k, const RedisArg& lo, const RedisArg& hi, CB cb) {
  return send({"zcount", S(k), lo.str(), hi.str()}, std::move(cb));
}
Error RedisClusterClient::ZIncrBy(SV k, SV m, const RedisArg& d, CB cb) {
  return send({"zincrby", S(k), d.str(), S(m)}, std::move(cb));
}
Error RedisClusterClient::ZScore(SV k, SV m, CB cb) { return send({"zscore", S(k), S(m)}, std::move(cb)); }
Error RedisClusterClient::ZRank(SV k, SV m, CB cb) { return send({"zrank", S(k), S(m)}, std::move(cb)); }
Error RedisClusterClient::ZRevRank(SV k, SV m, CB cb) { return send({"zrevrank", S(k), S(m)}, std::move(cb)); }
Error RedisClusterClient::ZRem(SV k, const std::vector<S>& members, CB cb) {
  Args a{"zrem", S(k)};
  a.insert(a.end(), members.begin(), members.end());
  return send(std::move(a), std::move(cb));
}
Error RedisClusterClient::ZRange(SV k, int64_t b, int64_t e, CB cb) {
  return send({"zrange", S(k), n(b), n(e)}, std::move(cb));
}
Error RedisClusterClient::ZRevRange(SV k, int64_t b, int64_t e, CB cb) {
  return send({"zrevrange", S(k), n(b), n(e)}, std::move(cb));
}

}  // namespace wasmgate::wrapper
