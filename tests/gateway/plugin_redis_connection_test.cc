// Integration tests of a plugin's Redis connection through the real `wasmgate run` binary and the
// raw probe plugin, against a real redis-server the test starts with an ACL user (the default
// user disabled): `db=` in the cluster name selects the database on every worker's connection,
// the username and password authenticate it, and both are applied again on the new connection
// after redis-server restarts; calls in flight when it goes away end with status 1 (none hangs)
// and later calls succeed. Also the plugin's Redis call counters on /stats.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <iterator>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/gateway/support/gateway_harness.h"
#include "tests/gateway/support/probe_plugin.h"
#include "tests/gateway/support/redis_server.h"

namespace wasmgate::test {
namespace {

using testing::RedisServer;

const std::vector<std::string> kAclUser = {"--user", "default", "off", "--user", "alice", "on", ">pw1", "~*", "&*", "+@all"};
const std::vector<std::string> kAsAlice = {"AUTH", "alice", "pw1"};

void hello(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello");
  }
}

bool waitFor(const std::function<bool()>& done, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// A probe that sends `query` (RESP, with %0D%0A line ends) to Redis db 3 as alice on every
// request, holds the request until the reply, logs the reply and resumes the request.
std::string redisProbe(const std::string& query, int timeout_ms) {
  const std::string cluster = "outbound|6379||redis.static?db=3";
  return probePlugin("cache", "configure redis_init " + cluster + " alice pw1 " + std::to_string(timeout_ms) + "\n" +
                                  "request_headers redis_call " + cluster + " " + query + "\n"
                                  "request_headers return 4\n"
                                  "redis_call_response get_buffer 9 0 200\n"
                                  "redis_call_response set_effective caller\n"
                                  "redis_call_response continue 0");
}

struct Fixture {
  RedisServer redis{kAclUser};
  ScriptedUpstream app{hello};
  int port = freePort();
  int admin = freePort();
  GatewayProcess gw;
  bool start(const std::string& plugin, int workers) {
    if (!redis.start()) return false;
    return gw.start(gatewayConfig(port, admin,
                                  "routes:\n  - name: default/app\n    hosts: ['*']\n    match: {prefix: /}\n"
                                  "    service: outbound|80||app.static\n"
                                  "services:\n  - name: outbound|80||app.static\n    endpoints: [127.0.0.1:" +
                                      std::to_string(app.port()) + "]\n"
                                  "  - name: outbound|6379||redis.static\n    endpoints: [" + redis.endpoint() + "]\n"
                                  "plugins:\n" + plugin),
                    workers);
  }
  std::string inDb(const std::string& db, const std::vector<std::string>& command) const {
    return redis.command({kAsAlice, {"SELECT", db}, command});
  }
};

const std::string kIncrHits = "*2%0D%0A$4%0D%0AINCR%0D%0A$4%0D%0Ahits%0D%0A";

TEST(PluginRedisConnection, DbAndAclUserApplyOnEveryConnectionAndAgainAfterARestart) {
  Fixture f;
  ASSERT_TRUE(f.start(redisProbe(kIncrHits, 2000), 2)) << f.redis.error() << f.gw.logs();
  const int kRequests = 6;  // fresh connections: both workers' Redis connections are used
  for (int i = 0; i < kRequests; ++i) EXPECT_EQ(httpGet(f.port, "/x").status, 200) << f.gw.logs();
  // Every INCR was authenticated as alice (the default user is off: NOAUTH otherwise) and landed
  // in db 3, none in db 0.
  EXPECT_EQ(f.gw.logs().find("NOAUTH"), std::string::npos) << f.gw.logs();
  EXPECT_EQ(f.inDb("3", {"GET", "hits"}), "$1\r\n" + std::to_string(kRequests) + "\r\n");
  EXPECT_EQ(f.inDb("0", {"GET", "hits"}), "$-1\r\n");

  // A restart loses everything (no persistence) and drops the connections. The new connections
  // must authenticate and select db 3 again.
  f.redis.stop();
  ASSERT_TRUE(f.redis.start()) << f.redis.error();
  ASSERT_TRUE(waitFor([&] {
    httpGet(f.port, "/x");
    return f.inDb("3", {"GET", "hits"}) != "$-1\r\n";
  }, 15000)) << f.gw.logs();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(httpGet(f.port, "/x").status, 200);
  std::string after = f.inDb("3", {"GET", "hits"});
  EXPECT_TRUE(after.rfind("$1\r\n", 0) == 0 && after != "$1\r\n0\r\n") << after;
  EXPECT_EQ(f.inDb("0", {"GET", "hits"}), "$-1\r\n") << "a reconnect forgot the SELECT";
}

// BLPOP on an empty list blocks in the server until the restart: those calls are in flight when
// the connection drops. Their requests must end (the probe resumes them on any delivery) with
// status 1 in proxy_on_redis_call_response; once the server is back, a call goes through.
TEST(PluginRedisConnection, CallsInFlightAcrossARestartEndAndLaterCallsSucceed) {
  Fixture f;
  ASSERT_TRUE(f.start(redisProbe("*3%0D%0A$5%0D%0ABLPOP%0D%0A$4%0D%0Ajobs%0D%0A$1%0D%0A0%0D%0A", 60000), 1))
      << f.redis.error() << f.gw.logs();
  const int kInFlight = 3;
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kInFlight; ++i) {
    clients.push_back(std::make_unique<RawClient>(f.port));
    ASSERT_TRUE(clients.back()->send("GET /held HTTP/1.1\r\nhost: a\r\n\r\n"));
  }
  // Wait until all three calls went out and the server blocks on the first; the others are
  // pipelined behind it on the same connection, sent and unanswered too.
  auto dispatched = [&] {
    std::string logs = f.gw.logs();
    static const std::regex sent("request_headers: redis_call [^\n]* -> 0 ");
    return std::distance(std::sregex_iterator(logs.begin(), logs.end(), sent), std::sregex_iterator());
  };
  ASSERT_TRUE(waitFor([&] {
    return dispatched() == kInFlight &&
           f.redis.command({kAsAlice, {"INFO", "clients"}}).find("blocked_clients:1\r\n") != std::string::npos;
  }, 10000)) << f.redis.command({kAsAlice, {"INFO", "clients"}}) << f.gw.logs();

  f.redis.stop();
  auto t0 = std::chrono::steady_clock::now();
  for (auto& client : clients) {
    HttpResponse r = client->readResponse(10000);
    EXPECT_EQ(r.status, 200) << f.gw.logs();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  // proxy_on_redis_call_response(root 1, token, status 1, 0 bytes), once per call.
  std::string logs = f.gw.logs();
  static const std::regex failure("@redis_call_response 1 [0-9]+ 1 0\n");
  auto failed = std::distance(std::sregex_iterator(logs.begin(), logs.end(), failure), std::sregex_iterator());
  EXPECT_EQ(failed, kInFlight) << logs;
  std::string stats = httpGet(f.admin, "/stats").body;
  EXPECT_NE(stats.find("wasmgate_plugin_redis_calls_total{plugin=\"cache\"} " + std::to_string(kInFlight) + "\n"),
            std::string::npos)
      << stats;
  EXPECT_NE(stats.find("wasmgate_plugin_redis_call_failures_total{plugin=\"cache\"} " + std::to_string(kInFlight) + "\n"),
            std::string::npos)
      << stats;

  ASSERT_TRUE(f.redis.start()) << f.redis.error();
  ASSERT_EQ(f.inDb("3", {"RPUSH", "jobs", "job-1"}), ":1\r\n");
  ASSERT_TRUE(waitFor([&] {
    httpGet(f.port, "/x");
    return f.gw.logs().find("-> 0 *2\\x0d\\x0a$4\\x0d\\x0ajobs\\x0d\\x0a$5\\x0d\\x0ajob-1") != std::string::npos;
  }, 15000)) << f.gw.logs();
  EXPECT_EQ(f.gw.terminate(), 0) << f.gw.logs();
}

}  // namespace
}  // namespace wasmgate::test
