// The clocks example through the harness: the proxy-wasm wall clock and WASI's realtime and
// monotonic clocks are all the harness's virtual clock. They start at 2024-01-01T00:00:00Z, stand
// still while the test does not move them, follow setTime() (wall clocks only) and advance()
// (all of them).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;
using std::chrono::system_clock;

struct Readings {
  uint64_t proxy_ns, realtime_ns, monotonic_ns, age_ms;
};

Readings read(TestHost& host) {
  auto http = host.newHttp();
  http.requestHeaders({{":path", "/"}}, true);
  http.responseHeaders({{":status", "200"}}, true);
  auto number = [&](const char* name) { return std::stoull(http.responseHeader(name).value_or("0")); };
  return {number("x-proxy-time-ns"), number("x-wasi-realtime-ns"), number("x-wasi-monotonic-ns"),
          number("x-plugin-age-ms")};
}

TestHost load() {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/clocks.wasm", "{}");
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

constexpr uint64_t kNewYear2024Ns = 1'704'067'200ull * 1'000'000'000ull;

TEST(Clocks, StartAtAFixedDateAndStandStill) {
  auto host = load();
  const Readings first = read(host);
  EXPECT_EQ(first.proxy_ns, kNewYear2024Ns);
  EXPECT_EQ(first.realtime_ns, kNewYear2024Ns);
  EXPECT_EQ(first.age_ms, 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // real time passes, virtual time does not
  const Readings later = read(host);
  EXPECT_EQ(later.proxy_ns, first.proxy_ns);
  EXPECT_EQ(later.monotonic_ns, first.monotonic_ns);
  EXPECT_EQ(host.now(), system_clock::time_point(std::chrono::nanoseconds(kNewYear2024Ns)));
}

TEST(Clocks, AdvanceMovesEveryClock) {
  auto host = load();
  const Readings before = read(host);
  ASSERT_TRUE(host.advance(std::chrono::milliseconds(1500)).ok());
  const Readings after = read(host);
  EXPECT_EQ(after.proxy_ns - before.proxy_ns, 1'500'000'000u);
  EXPECT_EQ(after.realtime_ns - before.realtime_ns, 1'500'000'000u);
  EXPECT_EQ(after.monotonic_ns - before.monotonic_ns, 1'500'000'000u);
  EXPECT_EQ(after.age_ms, 1500u);
  EXPECT_EQ(host.nowMs(), 1500u);
  EXPECT_FALSE(host.advance(std::chrono::milliseconds(-1)).ok()) << "time never goes back";
}

TEST(Clocks, SetTimeMovesOnlyTheWallClocks) {
  auto host = load();
  const Readings before = read(host);
  const auto date = system_clock::time_point(std::chrono::seconds(1'750'000'000));
  host.setTime(date);
  const Readings after = read(host);
  EXPECT_EQ(after.proxy_ns, 1'750'000'000ull * 1'000'000'000ull);
  EXPECT_EQ(after.realtime_ns, after.proxy_ns);
  EXPECT_EQ(after.monotonic_ns, before.monotonic_ns) << "the monotonic clock does not jump";
  ASSERT_TRUE(host.advance(std::chrono::seconds(1)).ok());
  EXPECT_EQ(read(host).proxy_ns, 1'750'000'001ull * 1'000'000'000ull);
  EXPECT_EQ(host.now(), date + std::chrono::seconds(1));
}

}  // namespace
