// VM failure and recovery through the harness: a trap fails the VM and its streams (503 with
// wasm_fail_stream, or Continue when fail-open), rebuild() recovers, wasm_need_rebuild is
// reported, a rejected configuration explains itself, and reconfigure() swaps the root context.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/harness/support/probe.h"

namespace {

using namespace wasmgate::testing;
using harness_test::loadProbe;
using harness_test::logged;
using ::testing::HasSubstr;

TEST(Failure, ATrapFailsTheVmAndTheStreamGetsA503) {
  auto host = loadProbe("response_headers trap\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":path", "/"}}), HeaderAction::Continue);
  EXPECT_FALSE(host->failed());

  EXPECT_EQ(http.responseHeaders({{":status", "200"}}), HeaderAction::StopAllIterationAndWatermark);
  EXPECT_TRUE(host->failed());
  EXPECT_THAT(host->failure(), HasSubstr("trap in proxy_on_response_headers"));
  EXPECT_THAT(http.error(), HasSubstr("trap in proxy_on_response_headers"));
  ASSERT_TRUE(http.localResponse().has_value());
  EXPECT_EQ(http.localResponse()->status, 503u);
  EXPECT_EQ(http.localResponse()->details, "wasm_fail_stream");

  auto next = host->newHttp();
  EXPECT_EQ(next.requestHeaders({{":path", "/"}}), HeaderAction::StopAllIterationAndWatermark)
      << "every later stream fails at once";
  EXPECT_EQ(next.localResponse()->status, 503u);
  EXPECT_EQ(next.requestBody("x"), DataAction::StopIterationAndBuffer) << "held behind the failed headers";
}

TEST(Failure, RebuildGivesAFreshVm) {
  auto host = loadProbe("response_headers trap\nrequest_headers set_shared seen yes 0\n");
  ASSERT_TRUE(host.ok()) << host.message();
  {
    auto http = host->newHttp();
    http.requestHeaders({{":path", "/"}});
    http.responseHeaders({{":status", "200"}});
  }
  ASSERT_TRUE(host->failed());
  ASSERT_TRUE(host->rebuild().ok());
  EXPECT_FALSE(host->failed());
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":path", "/"}}), HeaderAction::Continue);
  EXPECT_FALSE(http.localResponse().has_value());
  EXPECT_EQ(host->sharedData("seen")->value, "yes") << "shared data outlives the VM";
}

TEST(Failure, FailOpenLetsTheStreamThrough) {
  auto host = loadProbe("request_headers trap\n", {.fail_open = true});
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":path", "/"}}), HeaderAction::Continue);
  EXPECT_TRUE(host->failed());
  EXPECT_FALSE(http.localResponse().has_value());
  EXPECT_FALSE(http.error().empty());
  EXPECT_EQ(http.requestBody("abc"), DataAction::Continue);
  EXPECT_EQ(http.request().forwarded_body_bytes, 3u);
}

TEST(Failure, ATrapInACallbackDeliveryIsReportedToTheTest) {
  auto host = loadProbe(
      "request_headers http_call backend :method=GET,:path=/,:authority=a \"\" 0\nhttp_call_response trap\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":path", "/"}});
  auto answered = host->respondHttpCall({.status = 200});
  ASSERT_FALSE(answered.ok());
  EXPECT_THAT(answered.message(), HasSubstr("trap in proxy_on_http_call_response"));
  EXPECT_TRUE(host->failed());
}

TEST(Failure, RebuildDropsTheOldVmsPendingCalls) {
  auto host = loadProbe("request_headers http_call backend :method=GET,:path=/,:authority=a \"\" 0\n");
  ASSERT_TRUE(host.ok()) << host.message();
  host->newHttp().requestHeaders({{":path", "/"}});
  ASSERT_EQ(host->httpCalls().size(), 1u);
  ASSERT_TRUE(host->rebuild().ok());
  EXPECT_TRUE(host->httpCalls().empty());
}

TEST(Failure, ThePluginCanAskForARebuild) {
  auto host = loadProbe("request_headers set_property wasm_need_rebuild true\n");
  ASSERT_TRUE(host.ok()) << host.message();
  EXPECT_FALSE(host->rebuildRequested());
  host->newHttp().requestHeaders({{":path", "/"}});
  EXPECT_TRUE(host->rebuildRequested());
  ASSERT_TRUE(host->rebuild().ok());
  EXPECT_FALSE(host->rebuildRequested());
}

TEST(Start, ARejectedConfigurationQuotesThePluginsComplaint) {
  auto host = loadProbe("configure log 4 field%20'limit'%20must%20be%20positive\nconfigure return 0\n");
  ASSERT_FALSE(host.ok());
  EXPECT_THAT(host.message(), HasSubstr("rejected its configuration"));
  EXPECT_THAT(host.message(), HasSubstr("[error] field 'limit' must be positive"));
}

TEST(Start, AModuleThatTrapsWhileStartingFailsToLoad) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/bad_init_trap.wasm");
  ASSERT_FALSE(host.ok());
  EXPECT_THAT(host.message(), HasSubstr("bad_init_trap"));
}

TEST(Reconfigure, NewStreamsUseTheNewConfiguration) {
  auto host = loadProbe("request_headers add_header 0 x-config a\n");
  ASSERT_TRUE(host.ok()) << host.message();
  const uint32_t first_root = host->rootContextId();
  auto before = host->newHttp();
  before.requestHeaders({{":path", "/"}});
  EXPECT_EQ(before.requestHeader("x-config"), "a");

  ASSERT_TRUE(host->reconfigure("request_headers add_header 0 x-config b\n").ok());
  EXPECT_NE(host->rootContextId(), first_root);
  EXPECT_TRUE(logged(*host, "@done " + std::to_string(first_root))) << "the old root is retired\n" << host->logDump();
  auto after = host->newHttp();
  after.requestHeaders({{":path", "/"}});
  EXPECT_EQ(after.requestHeader("x-config"), "b");

  auto refused = host->reconfigure("configure return 0\n");
  EXPECT_FALSE(refused.ok());
  auto still = host->newHttp();
  still.requestHeaders({{":path", "/"}});
  EXPECT_EQ(still.requestHeader("x-config"), "b") << "a refused configuration changes nothing";
}

}  // namespace
