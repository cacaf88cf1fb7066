// HttpStream's host behaviour, through the runtime's probe plugin: Envoy's body buffering and
// forwarding, data waiting behind StopAllIteration, header StopIteration under ABI 0.2.100 and
// older ABIs, header access windows, local responses, close, properties and Higress's upstream
// and injection extensions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/harness/support/probe.h"

namespace {

using namespace wasmgate::testing;
using harness_test::loadProbe;
using harness_test::logged;

std::string event(const HttpStream& http, const std::string& callback, const std::string& args) {
  return "@" + callback + " " + std::to_string(http.contextId()) + " " + args;
}

TEST(Body, BufferedChunksAccumulateAndTheNextCallbackSeesThemAll) {
  auto host = loadProbe("request_body get_buffer 0 0 1000\nrequest_body return 1\nrequest_trailers continue 0\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "POST"}, {":path", "/"}}), HeaderAction::Continue);
  EXPECT_EQ(http.requestBody("abc", false), DataAction::StopIterationAndBuffer);
  EXPECT_TRUE(logged(*host, event(http, "request_body", "3 0"))) << host->logDump();
  EXPECT_TRUE(logged(*host, "request_body: get_buffer 0 0 1000 -> 0 abc"));
  EXPECT_EQ(http.requestBody("de", false), DataAction::StopIterationAndBuffer);
  EXPECT_TRUE(logged(*host, event(http, "request_body", "5 0"))) << "body_size includes the new chunk";
  EXPECT_TRUE(logged(*host, "request_body: get_buffer 0 0 1000 -> 0 abcde"));
  EXPECT_TRUE(http.requestHeld());
  EXPECT_EQ(http.request().forwarded_body_bytes, 0u);

  EXPECT_EQ(http.requestTrailers({{"x-checksum", "1"}}), TrailerAction::Continue);
  EXPECT_TRUE(http.requestContinued());
  EXPECT_FALSE(http.requestHeld());
  EXPECT_EQ(http.request().body, "abcde");
  EXPECT_EQ(http.request().forwarded_body_bytes, 5u);
  EXPECT_EQ(http.request().trailers, (Headers{{"x-checksum", "1"}}));
}

TEST(Body, ContinueForwardsWhatThePluginLeft) {
  auto host = loadProbe("response_body set_buffer 1 0 100 XYZ\nresponse_body set_buffer 1 1000 0 !\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":path", "/"}}, true);
  http.responseHeaders({{":status", "200"}});
  EXPECT_EQ(http.responseBody("hello", false), DataAction::Continue);
  EXPECT_EQ(http.responseBody("world", true), DataAction::Continue);
  EXPECT_EQ(http.response().body, "XYZ!XYZ!") << "each chunk replaced, then appended to";
  EXPECT_EQ(http.response().forwarded_body_bytes, 8u);
}

TEST(Body, StopIterationNoBufferDropsTheChunkAndInjectedDataGoesOn) {
  auto host = loadProbe("response_body inject [chunk] 0\nresponse_body return 3\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":path", "/"}}, true);
  http.responseHeaders({{":status", "200"}});
  EXPECT_EQ(http.responseBody("raw1", false), DataAction::StopIterationNoBuffer);
  EXPECT_EQ(http.responseBody("raw2", true), DataAction::StopIterationNoBuffer);
  EXPECT_EQ(http.response().body, "[chunk][chunk]");
  EXPECT_EQ(http.injectedData(), "[chunk][chunk]");
}

TEST(Body, DataWaitsBehindStopAllIterationUntilThePluginResumes) {
  auto host = loadProbe(
      "request_headers http_call backend :method=GET,:path=/auth,:authority=auth \"\" 100\n"
      "request_headers return 4\n"
      "http_call_response set_effective caller\nhttp_call_response continue 0\n"
      "request_body get_buffer 0 0 100\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":method", "POST"}, {":path", "/"}}), HeaderAction::StopAllIterationAndWatermark);
  EXPECT_EQ(http.requestBody("part1-", false), DataAction::StopIterationAndBuffer);
  EXPECT_EQ(http.requestBody("part2", true), DataAction::StopIterationAndBuffer);
  EXPECT_EQ(http.requestTrailers({{"t", "1"}}), TrailerAction::StopIteration);
  EXPECT_FALSE(host->hasLog("@request_body")) << "the plugin does not see data while it holds everything";

  ASSERT_TRUE(host->respondHttpCall({.status = 200}).ok());
  EXPECT_TRUE(logged(*host, event(http, "request_body", "11 1"))) << "all waiting data at once\n" << host->logDump();
  EXPECT_TRUE(logged(*host, "request_body: get_buffer 0 0 100 -> 0 part1-part2"));
  EXPECT_TRUE(logged(*host, event(http, "request_trailers", "1")));
  EXPECT_FALSE(http.requestHeld());
  EXPECT_EQ(http.request().forwarded_body_bytes, 11u);
}

TEST(Headers, StopIterationUnderAbi0_2_100HoldsHeadersButLetsBodyThrough) {
  auto host = loadProbe("request_headers return 1\nrequest_body add_header 0 x-from-body yes\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":path", "/"}}), HeaderAction::StopIteration);
  EXPECT_TRUE(http.requestHeld());
  EXPECT_EQ(http.requestBody("x", true), DataAction::Continue);
  EXPECT_TRUE(logged(*host, "request_body: add_header 0 x-from-body yes -> 0")) << "held headers stay writable";
  EXPECT_EQ(http.requestHeader("x-from-body"), "yes");
  EXPECT_FALSE(http.requestHeld()) << "the body's Continue released the headers";
}

TEST(Headers, OlderAbisTurnStopIterationIntoStopAll) {
  auto host = loadProbe("request_headers return 1\n", {}, "0_2_1");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":path", "/"}}), HeaderAction::StopAllIterationAndWatermark);
  EXPECT_EQ(http.requestBody("x", true), DataAction::StopIterationAndBuffer);
  EXPECT_FALSE(host->hasLog("@request_body"));
}

TEST(Headers, AreReachableOnlyInTheirWindow) {
  auto host = loadProbe(
      "request_body get_header 0 :path\n"
      "response_headers get_header 0 :path\nresponse_headers get_header 2 :status\n"
      "log get_header 0 :path\nlog add_header 0 x-late 1\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":path", "/p"}});
  http.requestBody("b");
  EXPECT_TRUE(logged(*host, "request_body: get_header 0 :path -> 2")) << "continued headers are gone (BadArgument)";
  http.responseHeaders({{":status", "200"}});
  EXPECT_TRUE(logged(*host, "response_headers: get_header 0 :path -> 2"));
  EXPECT_TRUE(logged(*host, "response_headers: get_header 2 :status -> 0 200"));
  ASSERT_TRUE(http.complete().ok());
  EXPECT_TRUE(logged(*host, "log: get_header 0 :path -> 0 /p")) << "the access-log maps are readable";
  EXPECT_TRUE(logged(*host, "log: add_header 0 x-late 1 -> 2")) << "...but not writable";
  EXPECT_TRUE(logged(*host, "@delete " + std::to_string(http.contextId()))) << host->logDump();
}

TEST(Stream, LocalResponseIsRecordedOnceAndStopsTheCallback) {
  auto host = loadProbe(
      "request_headers local_response 403 not%20allowed denied x-reason=blocked -1\n"
      "request_headers local_response 500 again again \"\" -1\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  EXPECT_EQ(http.requestHeaders({{":path", "/"}}), HeaderAction::StopAllIterationAndWatermark);
  ASSERT_TRUE(http.localResponse().has_value());
  EXPECT_EQ(http.localResponse()->status, 403u);
  EXPECT_EQ(http.localResponse()->details, "not_allowed");
  EXPECT_EQ(http.localResponse()->body, "denied");
  EXPECT_EQ(http.localResponse()->headers, (Headers{{"x-reason", "blocked"}}));
  EXPECT_TRUE(logged(*host, "request_headers: local_response 500 again again \"\" -1 -> 2"));
}

TEST(Stream, CloseIsRecorded) {
  auto host = loadProbe("request_headers close 0\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.requestHeaders({{":path", "/"}});
  EXPECT_TRUE(http.closed());
}

TEST(Properties, DefaultsTestValuesDerivedAttributesAndThePluginsWrites) {
  auto host = loadProbe(
      "request_headers get_property route_name\nrequest_headers get_property cluster_name\n"
      "request_headers get_property x_request_id\nrequest_headers get_property request/path\n"
      "request_headers get_property plugin_name\nrequest_headers get_property node/id\n"
      "request_headers set_property custom_log {\"k\":1}\nrequest_headers get_property custom_log\n"
      "request_headers set_property trace_span_tag.model qwen\n",
      {.name = "my-plugin"});
  ASSERT_TRUE(host.ok()) << host.message();
  host->setProperty({"node", "id"}, "node-1");
  auto http = host->newHttp();
  http.setRouteName("default/api").setProperty("source.address", "10.0.0.9:5000");
  http.requestHeaders({{":path", "/items?id=1"}});
  EXPECT_TRUE(logged(*host, "request_headers: get_property route_name -> 0 default/api")) << host->logDump();
  EXPECT_TRUE(logged(*host, "request_headers: get_property cluster_name -> 0 test-cluster-default"));
  EXPECT_TRUE(logged(*host, "request_headers: get_property x_request_id -> 0 test-request-id-default"));
  EXPECT_TRUE(logged(*host, "request_headers: get_property request/path -> 0 /items?id=1"));
  EXPECT_TRUE(logged(*host, "request_headers: get_property plugin_name -> 0 my-plugin"));
  EXPECT_TRUE(logged(*host, "request_headers: get_property node/id -> 0 node-1"));
  EXPECT_TRUE(logged(*host, "request_headers: get_property custom_log -> 0 {\"k\":1}"));
  EXPECT_EQ(http.property("custom_log"), "{\"k\":1}");
  EXPECT_EQ(http.property({"source.address"}), "10.0.0.9:5000");
  EXPECT_EQ(http.traceSpanTags().at("model"), "qwen");
  EXPECT_EQ(http.property("trace_span_tag.model"), std::nullopt) << "span tags are not filter state";
  ASSERT_EQ(http.propertyWrites().size(), 2u);
  EXPECT_EQ(http.propertyWrites()[1].path, (std::vector<std::string>{"trace_span_tag.model"}));
}

TEST(Stream, HigressUpstreamExtensions) {
  auto host = loadProbe("request_headers override_host 10.0.0.1:8080\nrequest_headers upstream_hosts\n");
  ASSERT_TRUE(host.ok()) << host.message();
  auto http = host->newHttp();
  http.setUpstreamHosts({{"10.0.0.1:8080", R"({"health_status":"Healthy"})"}});
  http.requestHeaders({{":path", "/"}});
  EXPECT_EQ(http.upstreamOverrideHost(), "10.0.0.1:8080");
  EXPECT_TRUE(logged(*host, R"(request_headers: upstream_hosts -> 0 10.0.0.1:8080={"health_status":"Healthy"})"))
      << host->logDump();
}

}  // namespace
