// The redis-commands example through the harness: every command of the redis-client reference
// goes out as the RESP command Redis expects, the reply reaches the callback through the
// resp::Value accessors, the optional Init settings reach proxy_redis_init, a client that failed
// to initialise is not Ready, and a NOAUTH reply re-authenticates and sends the command again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;
using ::testing::HasSubstr;

const std::string kPlugin = WASMGATE_PLUGIN_DIR "/redis-commands.wasm";
const char* kConfig = R"({"serviceName": "redis.static", "servicePort": 6379, "username": "u",
  "password": "p", "timeout": 800, "database": 1, "flushTimeoutMs": 3, "maxBufferBytes": 1024})";

TestHost load(const char* config = kConfig, LoadOptions options = {}) {
  auto host = TestHost::load(kPlugin, config, std::move(options));
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

// Sends op on key "k"; returns the stream, held while the command is out.
HttpStream run(TestHost& host, const std::string& op) {
  auto http = host.newHttp();
  http.requestHeaders({{":path", "/"}, {"x-redis-op", op}, {"x-redis-key", "k"}});
  return http;
}

struct Case {
  std::string op;
  std::vector<std::string> command;
};

// The reference's list, with the arguments main.cc passes.
const std::vector<Case> kCases = {
    {"del", {"del", "k"}}, {"exists", {"exists", "k"}}, {"expire", {"expire", "k", "60"}},
    {"persist", {"persist", "k"}}, {"get", {"get", "k"}}, {"set", {"set", "k", "v"}},
    {"setex", {"set", "k", "v", "ex", "30"}}, {"setnx", {"set", "k", "v", "nx"}},
    {"mget", {"mget", "k", "k:2"}}, {"mset", {"mset", "k", "1", "k:2", "2"}}, {"incr", {"incr", "k"}},
    {"decr", {"decr", "k"}}, {"incrby", {"incrby", "k", "5"}}, {"decrby", {"decrby", "k", "5"}},
    {"llen", {"llen", "k"}}, {"rpush", {"rpush", "k", "a", "b"}}, {"rpop", {"rpop", "k"}},
    {"lpush", {"lpush", "k", "a", "b"}}, {"lpop", {"lpop", "k"}}, {"lindex", {"lindex", "k", "0"}},
    {"lrange", {"lrange", "k", "0", "-1"}}, {"lrem", {"lrem", "k", "1", "a"}},
    {"linsertbefore", {"linsert", "k", "before", "b", "a"}}, {"linsertafter", {"linsert", "k", "after", "a", "b"}},
    {"hexists", {"hexists", "k", "f"}}, {"hdel", {"hdel", "k", "f", "g"}}, {"hlen", {"hlen", "k"}},
    {"hget", {"hget", "k", "f"}}, {"hset", {"hset", "k", "f", "v"}}, {"hmget", {"hmget", "k", "f", "g"}},
    {"hmset", {"hmset", "k", "f", "1", "g", "2"}}, {"hkeys", {"hkeys", "k"}}, {"hvals", {"hvals", "k"}},
    {"hgetall", {"hgetall", "k"}}, {"hincrby", {"hincrby", "k", "f", "2"}},
    {"hincrbyfloat", {"hincrbyfloat", "k", "f", "1.5"}}, {"scard", {"scard", "k"}},
    {"sadd", {"sadd", "k", "a", "b"}}, {"srem", {"srem", "k", "a"}}, {"sismember", {"sismember", "k", "a"}},
    {"smembers", {"smembers", "k"}}, {"sdiff", {"sdiff", "k", "k:2"}},
    {"sdiffstore", {"sdiffstore", "k:d", "k", "k:2"}}, {"sinter", {"sinter", "k", "k:2"}},
    {"sinterstore", {"sinterstore", "k:d", "k", "k:2"}}, {"sunion", {"sunion", "k", "k:2"}},
    {"sunionstore", {"sunionstore", "k:d", "k", "k:2"}}, {"zcard", {"zcard", "k"}},
    {"zadd", {"zadd", "k", "1", "m"}}, {"zcount", {"zcount", "k", "0", "10"}},
    {"zincrby", {"zincrby", "k", "2", "m"}}, {"zscore", {"zscore", "k", "m"}}, {"zrank", {"zrank", "k", "m"}},
    {"zrevrank", {"zrevrank", "k", "m"}}, {"zrem", {"zrem", "k", "m"}}, {"zrange", {"zrange", "k", "0", "-1"}},
    {"zrevrange", {"zrevrange", "k", "0", "-1"}},
    {"eval", {"eval", "return redis.call('get', KEYS[1])", "1", "k"}}, {"command", {"SET", "k", "value"}},
};

TEST(RedisCommands, EveryReferenceCommandGoesOutAsRedisExpectsIt) {
  auto host = load();
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.op);
    auto http = run(host, c.op);
    EXPECT_TRUE(http.requestHeld());
    auto calls = host.redisCalls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].command(), c.command);
    EXPECT_EQ(calls[0].cluster, "outbound|6379||redis.static") << "inits carry the options, calls do not";
    ASSERT_TRUE(host.respondRedisCall(resp::integer(1)).ok());
    ASSERT_TRUE(http.localResponse().has_value());
    EXPECT_EQ(http.localResponse()->status, 200u);
  }
}

TEST(RedisCommands, InitCarriesEveryOptionalSetting) {
  auto host = load();
  ASSERT_EQ(host.redisInits().size(), 1u);
  const RedisInit init = host.redisInits()[0];  // a copy: redisInits() is a snapshot
  EXPECT_EQ(init.cluster.rfind("outbound|6379||redis.static?", 0), 0u) << init.cluster;
  EXPECT_THAT(init.cluster, HasSubstr("db=1"));
  EXPECT_THAT(init.cluster, HasSubstr("buffer_flush_timeout=3"));
  EXPECT_THAT(init.cluster, HasSubstr("max_buffer_size_before_flush=1024"));
  EXPECT_EQ(init.username, "u");
  EXPECT_EQ(init.password, "p");
  EXPECT_EQ(init.timeout_ms, 800u);

  auto unbuffered = load(R"({"serviceName": "redis.static", "timeout": 800, "disableBuffer": true})");
  EXPECT_THAT(unbuffered.redisInits().at(0).cluster, HasSubstr("buffer_flush_timeout=0"));
  EXPECT_THAT(unbuffered.redisInits().at(0).cluster, HasSubstr("max_buffer_size_before_flush=0"));
}

TEST(RedisCommands, RepliesReachTheCallbackThroughTheValueAccessors) {
  auto host = load();
  const std::vector<std::pair<std::string, std::string>> replies = {
      {resp::integer(0), "integer 0 (false)\n"},
      {resp::bulk("v"), "string \"v\"\n"},
      {resp::simple("OK"), "string \"OK\"\n"},
      {resp::null(), "null\n"},
      {resp::array({resp::bulk("a"), resp::integer(2), resp::null()}), "array [string \"a\", integer 2 (true), null]\n"},
  };
  for (const auto& [reply, body] : replies) {
    auto http = run(host, "get");
    ASSERT_TRUE(host.respondRedisCall(reply).ok());
    ASSERT_TRUE(http.localResponse().has_value());
    EXPECT_EQ(http.localResponse()->status, 200u);
    EXPECT_EQ(http.localResponse()->body, body);
  }
  auto failed = run(host, "get");
  ASSERT_TRUE(host.respondRedisCall(resp::error("ERR wrong type")).ok());
  EXPECT_EQ(failed.localResponse()->status, 502u);
  EXPECT_EQ(failed.localResponse()->body, "error ERR wrong type\n");
}

TEST(RedisCommands, NoauthReauthenticatesAndSendsAgain) {
  auto host = load();
  auto http = run(host, "incr");
  ASSERT_TRUE(host.respondRedisCall(resp::error("NOAUTH Authentication required.")).ok());
  EXPECT_EQ(host.redisInits().size(), 2u) << "the client initialised again";
  auto calls = host.redisCalls();
  ASSERT_EQ(calls.size(), 1u) << "and resent the command";
  EXPECT_EQ(calls[0].command(), (std::vector<std::string>{"incr", "k"}));
  ASSERT_TRUE(host.respondRedisCall(resp::integer(7)).ok());
  EXPECT_EQ(http.localResponse()->body, "integer 7 (true)\n");
}

TEST(RedisCommands, AClientThatFailedToInitialiseIsNotReady) {
  auto host = load(kConfig, {.clusters = {"outbound|80||elsewhere"}});
  EXPECT_TRUE(host.hasLog(LogLevel::Warn, "redis init")) << host.logDump();
  auto http = run(host, "get");
  ASSERT_TRUE(http.localResponse().has_value());
  EXPECT_EQ(http.localResponse()->status, 503u);
  EXPECT_TRUE(host.redisCalls().empty());
}

TEST(RedisCommands, AnUnknownOperationIs400) {
  auto host = load();
  auto http = run(host, "flushall");
  ASSERT_TRUE(http.localResponse().has_value());
  EXPECT_EQ(http.localResponse()->status, 400u);
  EXPECT_TRUE(host.redisCalls().empty());
}

}  // namespace
