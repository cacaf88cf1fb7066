// TestHost's simulated gateway services, through the runtime's probe plugin: Redis calls, ticks on
// the virtual clock, shared data with cas (also across two hosts), queues, metrics, log levels
// and foreign functions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/harness/support/probe.h"

namespace {

using namespace wasmgate::testing;
using harness_test::loadProbe;
using harness_test::logged;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Redis, CallsWaitForTheTestsReply) {
  auto host = loadProbe(
      "request_headers redis_init redis.cluster?db=1 user secret 300\n"
      "request_headers redis_call redis.cluster *2%0D%0A$3%0D%0AGET%0D%0A$1%0D%0Ak%0D%0A\n"
      "request_headers return 4\n"
      "redis_call_response get_buffer 9 0 100\n"
      "redis_call_response set_effective caller\nredis_call_response continue 0\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":path", "/"}}), HeaderAction::StopAllIterationAndWatermark);
  ASSERT_EQ(host->redisInits().size(), 1u);
  EXPECT_EQ(host->redisInits()[0].cluster, "redis.cluster?db=1");
  EXPECT_EQ(host->redisInits()[0].password, "secret");
  EXPECT_EQ(host->redisInits()[0].timeout_ms, 300u);
  ASSERT_EQ(host->redisCalls().size(), 1u);
  EXPECT_EQ(host->redisCalls()[0].cluster, "redis.cluster");
  EXPECT_THAT(host->redisCalls()[0].command(), ElementsAre("GET", "k"));

  ASSERT_TRUE(host->respondRedisCall(resp::bulk("v")).ok());
  EXPECT_TRUE(logged(*host, "redis_call_response: get_buffer 9 0 100 -> 0 $1\\x0d\\x0av\\x0d\\x0a")) << host->logDump();
  EXPECT_TRUE(http.requestContinued());
  EXPECT_TRUE(host->redisCalls().empty());
}

TEST(Redis, ANetworkErrorReachesThePlugin) {
  auto host = loadProbe("request_headers redis_call r *1%0D%0A$4%0D%0APING%0D%0A\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":path", "/"}});
  const uint32_t token = host->redisCalls().at(0).token;
  ASSERT_TRUE(host->failRedisCall(token).ok());
  EXPECT_TRUE(logged(*host, "@redis_call_response " + std::to_string(host->rootContextId()) + " " +
                                std::to_string(token) + " 1 0"))
      << host->logDump();
  EXPECT_FALSE(host->failRedisCall(token).ok()) << "answered already";
}

TEST(Ticks, FollowThePeriodOnTheVirtualClock) {
  auto host = loadProbe("configure set_tick 100\ntick log 2 tick!\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto ticks = [&] { return std::count_if(host->logs().begin(), host->logs().end(), [](const LogLine& l) { return l.message == "tick!"; }); };
  EXPECT_EQ(host->tickPeriodMs(), 100u);
  ASSERT_TRUE(host->advanceTime(99).ok());
  EXPECT_EQ(ticks(), 0);
  ASSERT_TRUE(host->advanceTime(251).ok());
  EXPECT_EQ(ticks(), 3);  // at 100, 200 and 300
  EXPECT_EQ(host->nowMs(), 350u);
  ASSERT_TRUE(host->advanceTime(50).ok());
  EXPECT_EQ(ticks(), 4);  // at 400
  ASSERT_TRUE(host->tick().ok());
  EXPECT_EQ(ticks(), 5);
}

TEST(Ticks, APluginThatStopsTickingIsNotTickedAgain) {
  auto host = loadProbe("configure set_tick 10\ntick set_tick 0\n");
  ASSERT_TRUE(host.ok()) << host.message();
  ASSERT_TRUE(host->advanceTime(100).ok());
  EXPECT_EQ(host->tickPeriodMs(), 0u);
  auto again = host->tick();
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.message(), HasSubstr("no tick is armed"));
}

TEST(SharedData, CasRulesAndVisibilityToTheTest) {
  auto host = loadProbe("request_headers set_shared counter 1 0\nrequest_headers get_shared counter\n");
  ASSERT_TRUE(host.ok()) << host.message();
  EXPECT_EQ(host->sharedData("counter"), std::nullopt);
  host->newHttp().requestHeaders({{":path", "/"}});
  auto value = host->sharedData("counter");
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(value->value, "1");
  EXPECT_TRUE(logged(*host, "request_headers: get_shared counter -> 0 1 " + std::to_string(value->cas)));

  auto stale = host->setSharedData("counter", "2", value->cas + 1);
  ASSERT_FALSE(stale.ok());
  EXPECT_THAT(stale.message(), HasSubstr("CasMismatch"));
  ASSERT_TRUE(host->setSharedData("counter", "2", value->cas).ok());
  EXPECT_EQ(host->sharedData("counter")->value, "2");
}

TEST(SharedData, TwoHostsCanShareOneStoreLikeTwoWorkers) {
  auto first = loadProbe("request_headers set_shared leader vm-1 0\n");
  ASSERT_TRUE(first.ok()) << first.message();
  auto second = loadProbe("request_headers get_shared leader\n", {.shared_data = first->sharedDataStore()});
  ASSERT_TRUE(second.ok()) << second.message();
  first->newHttp().requestHeaders({{":path", "/"}});
  second->newHttp().requestHeaders({{":path", "/"}});
  EXPECT_TRUE(second->hasLog("request_headers: get_shared leader -> 0 vm-1")) << second->logDump();
  auto isolated = loadProbe("request_headers get_shared leader\n");
  ASSERT_TRUE(isolated.ok());
  isolated->newHttp().requestHeaders({{":path", "/"}});
  EXPECT_TRUE(logged(*isolated, "request_headers: get_shared leader -> 1")) << "a store of its own by default";
}

TEST(Queues, EnqueueNotifiesTheRegisteringPlugin) {
  auto host = loadProbe(
      "configure register_queue jobs\nconfigure register_queue out\n"
      "queue_ready dequeue 1\nrequest_headers enqueue 2 hello\n");
  ASSERT_TRUE(host.ok()) << host.message();
  ASSERT_TRUE(host->enqueue("jobs", "job-1").ok());
  EXPECT_TRUE(logged(*host, "queue_ready: dequeue 1 -> 0 job-1")) << host->logDump();
  EXPECT_TRUE(host->queueItems("jobs").empty());

  host->newHttp().requestHeaders({{":path", "/"}});
  EXPECT_THAT(host->queueItems("out"), ElementsAre("hello"));
  EXPECT_TRUE(logged(*host, "@queue_ready " + std::to_string(host->rootContextId()) + " 2"));
  EXPECT_FALSE(host->enqueue("missing", "x").ok());
}

TEST(Metrics, CountersGaugesAndHistogramsByName) {
  auto host = loadProbe(
      "configure define_metric 0 requests_total\nconfigure define_metric 1 in_flight\n"
      "configure define_metric 2 latency_ms\n"
      "request_headers increment_metric 4 1\nrequest_headers increment_metric 4 0\n"
      "request_headers increment_metric 9 5\nrequest_headers increment_metric 9 -2\n"
      "request_headers record_metric 14 42\nrequest_headers get_metric 14\n");
  ASSERT_TRUE(host.ok()) << host.message();
  EXPECT_TRUE(logged(*host, "configure: define_metric 0 requests_total -> 0 4")) << "ids carry the type\n" << host->logDump();
  EXPECT_TRUE(logged(*host, "configure: define_metric 2 latency_ms -> 0 14"));
  host->newHttp().requestHeaders({{":path", "/"}});
  host->newHttp().requestHeaders({{":path", "/"}});
  EXPECT_TRUE(logged(*host, "request_headers: increment_metric 4 0 -> 2")) << "counters only grow";
  EXPECT_TRUE(logged(*host, "request_headers: get_metric 14 -> 2")) << "histograms cannot be read";
  EXPECT_EQ(host->metric("requests_total"), 2u);
  EXPECT_EQ(host->metric("in_flight"), 6u);
  EXPECT_THAT(host->histogram("latency_ms"), ElementsAre(42u, 42u));
  EXPECT_EQ(host->metric("latency_ms"), std::nullopt);
  EXPECT_THAT(host->metricNames(), ElementsAre("requests_total", "in_flight", "latency_ms"));
}

TEST(Logs, TheLevelFiltersLinesAndAnswersGetLogLevel) {
  auto host = loadProbe(
      "request_headers log_level\nrequest_headers foreign get_log_level \"\"\n"
      "request_headers log 1 hidden\nrequest_headers log 3 shown\n",
      {.log_level = LogLevel::Info});
  ASSERT_TRUE(host.ok()) << host.message();
  host->newHttp().requestHeaders({{":path", "/"}});
  EXPECT_TRUE(logged(*host, "request_headers: log_level -> 0 2")) << host->logDump();
  EXPECT_TRUE(logged(*host, "request_headers: foreign get_log_level \"\" -> 0 \\x02\\x00\\x00\\x00"));
  EXPECT_FALSE(logged(*host, "hidden")) << "the debug line itself is dropped (its info report stays)";
  EXPECT_TRUE(host->hasLog(LogLevel::Warn, "shown"));
  EXPECT_FALSE(host->hasLog("@request_headers")) << "debug events are below the level";

  host->setLogLevel(LogLevel::Trace);
  host->clearLogs();
  host->newHttp().requestHeaders({{":path", "/"}});
  EXPECT_TRUE(logged(*host, "request_headers: log_level -> 0 0"));
  EXPECT_TRUE(logged(*host, "hidden"));
}

TEST(Foreign, RecordsCallsServesRegisteredFunctionsAndKnowsHigressOnes) {
  auto host = loadProbe(
      "configure foreign set_global_max_requests_per_io_cycle %0A%00%00%00%00%00%00%00\n"
      "configure foreign set_global_max_requests_per_io_cycle %01\n"
      "request_headers foreign reverse abc\nrequest_headers foreign nothing x\n");
  ASSERT_TRUE(host.ok()) << host.message();
  EXPECT_EQ(host->maxRequestsPerIoCycle(), 10u);
  EXPECT_TRUE(host->hasLog("set_global_max_requests_per_io_cycle %01 -> 2")) << "needs 8 bytes\n" << host->logDump();
  host->registerForeignFunction("reverse", [](std::string_view arg) { return std::string(arg.rbegin(), arg.rend()); });
  host->newHttp().requestHeaders({{":path", "/"}});
  EXPECT_TRUE(logged(*host, "request_headers: foreign reverse abc -> 0 cba"));
  EXPECT_TRUE(logged(*host, "request_headers: foreign nothing x -> 1"));
  ASSERT_EQ(host->foreignCalls().size(), 4u);
  EXPECT_EQ(host->foreignCalls()[2].name, "reverse");
  EXPECT_EQ(host->foreignCalls()[2].argument, "abc");
}

}  // namespace
