// The tick-func example through the harness: its tick functions run on the host's ticks (the
// first tick runs both, then each at its own period), the deny-list refresh goes out as an HTTP
// call whose answer changes what requests get, and a failed refresh keeps the old list.
// The SDK measures periods on the plugin's clock, which the harness makes virtual: the period
// test moves it with advance() and needs no sleep.
#include <gtest/gtest.h>

#include <chrono>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

TestHost load(int refreshMs = 60000) {
  std::string config = R"({"serviceName": "config.static", "servicePort": 80, "denylist_path": "/denylist",
    "refresh_ms": )" + std::to_string(refreshMs) + R"(, "heartbeat_ms": 60000})";
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/tick-func.wasm", config);
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

uint32_t statusOf(TestHost& host, std::string path) {
  auto http = host.newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", std::move(path)}}, true);
  return http.localResponse() ? http.localResponse()->status : 0;
}

TEST(TickFunc, TheFirstTickRunsBothFunctions) {
  auto host = load();
  EXPECT_EQ(host.tickPeriodMs(), 100u) << "the SDK checks its tick functions every 100 ms";
  EXPECT_TRUE(host.httpCalls().empty());
  EXPECT_EQ(statusOf(host, "/admin"), 0u);

  ASSERT_TRUE(host.advanceTime(100).ok());
  ASSERT_EQ(host.httpCalls().size(), 1u);
  EXPECT_EQ(host.httpCalls()[0].cluster, "outbound|80||config.static");
  EXPECT_EQ(host.httpCalls()[0].path(), "/denylist");
  EXPECT_TRUE(host.hasLog(LogLevel::Info, "heartbeat: 1 requests served, 0 paths denied")) << host.logDump();
}

TEST(TickFunc, TheRefreshedDenyListApplies) {
  auto host = load();
  ASSERT_TRUE(host.tick().ok());
  ASSERT_TRUE(host.respondHttpCall({.status = 200, .body = "/admin\n/debug\n"}).ok());
  EXPECT_TRUE(host.hasLog(LogLevel::Info, "deny list refreshed: 2 paths")) << host.logDump();
  EXPECT_EQ(statusOf(host, "/admin"), 403u);
  EXPECT_EQ(statusOf(host, "/debug?verbose=1"), 403u);
  EXPECT_EQ(statusOf(host, "/public"), 0u);
}

TEST(TickFunc, EachFunctionRunsAtItsOwnPeriod) {
  auto host = load(/*refreshMs=*/300);
  ASSERT_TRUE(host.tick().ok());
  ASSERT_TRUE(host.respondHttpCall({.status = 200, .body = "/a"}).ok());
  host.clearLogs();

  ASSERT_TRUE(host.advance(std::chrono::milliseconds(200)).ok());  // ticks at 100 and 200 ms
  EXPECT_TRUE(host.httpCalls().empty()) << "300 ms have not passed yet";
  ASSERT_TRUE(host.advance(std::chrono::milliseconds(100)).ok());  // the tick at 300 ms
  EXPECT_EQ(host.httpCalls().size(), 1u) << "the refresh is due again";
  EXPECT_FALSE(host.hasLog("heartbeat")) << "the 60 s heartbeat is not";

  ASSERT_TRUE(host.respondHttpCall({.status = 500}).ok());
  EXPECT_TRUE(host.hasLog(LogLevel::Warn, "keeping 1 entries")) << host.logDump();
  EXPECT_EQ(statusOf(host, "/a"), 403u);
}

TEST(TickFunc, PeriodsMustBePositive) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/tick-func.wasm", R"({"serviceName": "c", "refresh_ms": 0})");
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.message().find("refresh_ms"), std::string::npos) << host.message();
}

}  // namespace
