// The external-call example (the seed guide's pattern) through the harness: the request waits
// for GET /api/check, 200 resumes it, anything else (or no answer) is a 403 Forbidden, and a call
// that cannot be dispatched lets the request through.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

const char* kConfig = R"({"serviceName": "policy.default.svc.cluster.local", "servicePort": 8080})";

TestHost load(LoadOptions options = {}) {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/external-call.wasm", kConfig, std::move(options));
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

TEST(ExternalCall, WaitsForTheCheckAndResumesOn200) {
  auto host = load();
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/orders"}}, true),
            HeaderAction::StopAllIterationAndWatermark);
  ASSERT_EQ(host.httpCalls().size(), 1u);
  HttpCall call = host.httpCalls()[0];  // httpCalls() returns a copy
  EXPECT_EQ(call.cluster, "outbound|8080||policy.default.svc.cluster.local");
  EXPECT_EQ(call.method(), "GET");
  EXPECT_EQ(call.path(), "/api/check");
  EXPECT_EQ(call.authority(), "policy.default.svc.cluster.local");
  EXPECT_EQ(call.timeout_ms, 3000u);
  EXPECT_TRUE(http.requestHeld());

  ASSERT_TRUE(host.respondHttpCall({.status = 200}).ok());
  EXPECT_TRUE(http.requestContinued());
  EXPECT_FALSE(http.localResponse());
}

TEST(ExternalCall, ANon200CheckIsForbidden) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/orders"}}, true);
  ASSERT_TRUE(host.respondHttpCall({.status = 401}).ok());
  ASSERT_TRUE(http.localResponse());
  EXPECT_EQ(http.localResponse()->status, 403u);
  EXPECT_EQ(http.localResponse()->body, "Forbidden");
  EXPECT_FALSE(http.requestContinued());
}

TEST(ExternalCall, AFailedCheckIsForbiddenToo) {
  auto host = load();
  auto http = host.newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", "/orders"}}, true);
  ASSERT_TRUE(host.failHttpCall().ok());  // the SDK reports 502
  ASSERT_TRUE(http.localResponse());
  EXPECT_EQ(http.localResponse()->status, 403u);
}

TEST(ExternalCall, AnUndispatchableCallFailsOpen) {
  auto host = load({.clusters = {"outbound|80||other"}});  // the policy cluster does not exist
  auto http = host.newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "GET"}, {":path", "/orders"}}, true), HeaderAction::Continue);
  EXPECT_TRUE(host.httpCalls().empty());
  EXPECT_TRUE(host.hasLog(LogLevel::Warn, "policy check not sent")) << host.logDump();
}

}  // namespace
