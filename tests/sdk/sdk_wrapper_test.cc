// The wrapper end to end, natively: plugins registered with wrapper::SetCtx are driven through the
// SDK's real proxy_on_* exports against the in-memory host (support/fake_host.h).
#include <gtest/gtest.h>

#include <wasmgate/internal/exports.h>
#include <wasmgate/rule_matcher.h>
#include <wasmgate/wrapper.h>

#include "support/fake_host.h"

using wasmgate::testing::host;
using wasmgate::testing::StartPlugin;

namespace {

constexpr uint32_t kRoot = 1, kStream = 2;
constexpr uint32_t kReqHeaders = 0, kRespHeaders = 2, kReqBody = 0, kRespBody = 1;

struct Cfg {
  std::string name;
  int limit = 0;
};

wrapper::Error parseCfg(const wrapper::Json& json, Cfg& cfg) {
  cfg.name = json.get("name").asString();
  cfg.limit = static_cast<int>(json.get("limit").asInt());
  if (cfg.limit < 0) return wrapper::Errorf("field 'limit': %d is negative", cfg.limit);
  return {};
}

class SdkWrapper : public ::testing::Test {
 protected:
  void SetUp() override {
    host().reset();
    wasmgate::internal::ResetDispatchForTesting();
    log::SetPluginLog(nullptr);
    wasmgate::matcher::ClearIsolationBackups();
  }
  void TearDown() override { wasmgate::internal::ResetDispatchForTesting(); }

  void request(types::Headers headers) {
    host().maps[kReqHeaders] = std::move(headers);
    proxy_on_context_create(kStream, kRoot);
  }
};

TEST_F(SdkWrapper, ConfigureFailsWithALogNamingPluginRuleAndField) {
  wrapper::SetCtx<Cfg>("limits", wrapper::ParseConfig(parseCfg));
  EXPECT_FALSE(StartPlugin(kRoot, R"({"_rules_": [{"_match_route_": ["r1"], "limit": -2}]})"));
  EXPECT_TRUE(host().logged("[limits] [nil] [nil] parse rule config failed: _rules_[0] (_match_route_: [r1]): "
                            "field 'limit': -2 is negative"));
  EXPECT_FALSE(StartPlugin(3, R"({"limit": 1,})"));
  EXPECT_TRUE(host().logged("not valid JSON: invalid JSON at offset 12: expected a string object key"));
  EXPECT_TRUE(StartPlugin(4, R"({"limit": 1})"));
  EXPECT_TRUE(host().logged("plugin start successfully"));
}

TEST_F(SdkWrapper, HeaderHandlerGetsTheMatchedConfigAndCachedRequestInfo) {
  std::string seen;
  wrapper::SetCtx<Cfg>("hdr", wrapper::ParseConfig(parseCfg),
                       wrapper::ProcessRequestHeaders([&](wrapper::HttpContext& ctx, const Cfg& cfg) {
                         seen = cfg.name + " " + ctx.Method() + " " + ctx.Host() + ctx.Path();
                         proxywasm::AddHttpRequestHeader("x-cfg", cfg.name);
                         return types::HeaderStopIteration;
                       }));
  ASSERT_TRUE(StartPlugin(kRoot, R"({"name": "global", "_rules_": [{"_match_route_": ["r1"], "name": "rule"}]})"));
  host().setProperty("route_name", "r1");
  request({{":authority", "a.com"}, {":path", "/p"}, {":method", "GET"}, {"x-request-id", "rid-1"}});
  EXPECT_EQ(proxy_on_request_headers(kStream, 4, 1), types::HeaderStopIteration);
  EXPECT_EQ(seen, "rule GET a.com/p");
  EXPECT_EQ(host().header(kReqHeaders, "x-cfg"), "rule");
  EXPECT_EQ(host().property("x_request_id"), "rid-1");

  host().setProperty("route_name", "other");
  proxy_on_context_create(5, kRoot);
  EXPECT_EQ(proxy_on_request_headers(5, 4, 1), types::HeaderStopIteration);
  EXPECT_EQ(seen, "global GET a.com/p");
}

TEST_F(SdkWrapper, UnmatchedRequestsLeaveThePluginInactive) {
  int calls = 0;
  wrapper::SetCtx<Cfg>("inactive", wrapper::ParseConfig(parseCfg),
                       wrapper::ProcessRequestHeaders([&](wrapper::HttpContext&, Cfg&) {
                         ++calls;
                         return types::HeaderStopIteration;
                       }),
                       wrapper::ProcessStreamDone([&](wrapper::HttpContext&, Cfg&) { ++calls; }));
  ASSERT_TRUE(StartPlugin(kRoot, R"({"_rules_": [{"_match_domain_": ["*.only.com"]}]})"));
  request({{":authority", "elsewhere.com"}});
  EXPECT_EQ(proxy_on_request_headers(kStream, 1, 1), types::HeaderContinue);
  proxy_on_log(kStream);
  EXPECT_EQ(calls, 0);
  proxy_on_context_create(6, kRoot);
  host().maps[kReqHeaders] = {{":authority", "x.only.com:8080"}};
  EXPECT_EQ(proxy_on_request_headers(6, 1, 1), types::HeaderStopIteration);
  proxy_on_log(6);
  EXPECT_EQ(calls, 2);
}

TEST_F(SdkWrapper, BufferedBodyPausesUntilEndOfStreamThenSeesItWhole) {
  std::string body;
  wrapper::SetCtx<Cfg>("body", wrapper::ParseConfig(parseCfg),
                       wrapper::ProcessRequestBody([&](wrapper::HttpContext& ctx, Cfg&, std::string_view b) {
                         body = std::string(b);
                         EXPECT_EQ(ctx.GetExecutionPhase(), wrapper::ExecutionPhase::DecodeData);
                         return types::ActionContinue;
                       }));
  ASSERT_TRUE(StartPlugin(kRoot, "{}"));
  request({{":authority", "a"}, {"content-type", "application/json"}});
  EXPECT_EQ(proxy_on_request_headers(kStream, 2, 0), types::HeaderContinue);
  host().buffers[kReqBody] = "hello ";
  EXPECT_EQ(proxy_on_request_body(kStream, 6, 0), types::ActionPause);
  EXPECT_TRUE(body.empty());
  host().buffers[kReqBody] = "hello world";  // the host buffered both chunks
  EXPECT_EQ(proxy_on_request_body(kStream, 5, 1), types::ActionContinue);
  EXPECT_EQ(body, "hello world");
}

TEST_F(SdkWrapper, StreamingBodyReplacesEachChunkAndBinaryBodiesAreSkipped) {
  int calls = 0;
  wrapper::SetCtx<Cfg>("stream", wrapper::ParseConfig(parseCfg),
                       wrapper::ProcessStreamingResponseBody(
                           [&](wrapper::HttpContext& ctx, Cfg&, std::string_view chunk, bool last) {
                             ++calls;
                             if (last) ctx.NeedPauseStreamingResponse();
                             return std::string(chunk) + "!";
                           }));
  ASSERT_TRUE(StartPlugin(kRoot, "{}"));
  request({{":authority", "a"}});
  proxy_on_request_headers(kStream, 1, 1);
  host().maps[kRespHeaders] = {{":status", "200"}, {"content-type", "text/plain"}};
  EXPECT_EQ(proxy_on_response_headers(kStream, 2, 0), types::HeaderContinue);
  host().buffers[kRespBody] = "abc";
  EXPECT_EQ(proxy_on_response_body(kStream, 3, 0), types::DataContinue);
  EXPECT_EQ(host().buffers[kRespBody], "abc!");
  host().buffers[kRespBody] = "z";
  EXPECT_EQ(proxy_on_response_body(kStream, 1, 1), types::DataStopIterationNoBuffer);
  EXPECT_EQ(calls, 2);

  proxy_on_context_create(7, kRoot);
  proxy_on_request_headers(7, 1, 1);
  host().maps[kRespHeaders] = {{":status", "200"}, {"content-type", "application/octet-stream"}};
  proxy_on_response_headers(7, 2, 0);
  host().buffers[kRespBody] = "bin";
  EXPECT_EQ(proxy_on_response_body(7, 3, 1), types::DataContinue);
  EXPECT_EQ(host().buffers[kRespBody], "bin");
  EXPECT_EQ(calls, 2);
}

TEST_F(SdkWrapper, ClusterClientCallsBackOnTheCallingStream) {
  struct AuthCfg {
    wrapper::ClusterClient client{wrapper::FQDNCluster{.FQDN = "auth.svc", .Port = 8080}};
  };
  int status = 0;
  std::string body, user;
  wrapper::SetCtx<AuthCfg>(
      "auth", wrapper::ParseRawConfig([](std::string_view, AuthCfg&) { return true; }),
      wrapper::ProcessRequestHeaders([&](wrapper::HttpContext&, AuthCfg& cfg) {
        auto err = cfg.client.Get("http://override.host/check?x=1#frag", {{"x-token", "t"}, {":path", "/ignored"}},
                                  [&](int s, const types::Headers& h, std::string_view b) {
                                    status = s;
                                    body = std::string(b);
                                    user = std::string(wrapper::GetHeaderValue(h, "X-User"));
                                    proxywasm::ResumeHttpRequest();
                                  });
        EXPECT_FALSE(err);
        return types::HeaderStopAllIterationAndWatermark;
      }));
  ASSERT_TRUE(StartPlugin(kRoot, "{}"));
  request({{":authority", "a"}});
  EXPECT_EQ(proxy_on_request_headers(kStream, 1, 1), types::HeaderStopAllIterationAndWatermark);
  ASSERT_EQ(host().httpCalls.size(), 1u);
  const auto& call = host().httpCalls[0];
  EXPECT_EQ(call.cluster, "outbound|8080||auth.svc");
  EXPECT_EQ(call.timeoutMs, 500u);
  types::Headers expected{{"x-token", "t"}, {":method", "GET"}, {":path", "/check?x=1"}, {":authority", "override.host"}};
  EXPECT_EQ(call.headers, expected);

  host().maps[6] = {{":status", "200"}, {"x-user", "alice"}};
  host().buffers[4] = "ok";
  proxy_on_http_call_response(kRoot, call.token, 2, 2, 0);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "ok");
  EXPECT_EQ(user, "alice");
  ASSERT_FALSE(host().effectiveContexts.empty());
  EXPECT_EQ(host().effectiveContexts.back(), kStream);
  EXPECT_EQ(host().continued, std::vector<uint32_t>{0});

  // A reset delivers no headers: status 502. A response for a deleted stream is dropped.
  proxy_on_context_create(8, kRoot);
  proxy_on_request_headers(8, 1, 1);
  host().maps.erase(6);
  host().buffers.erase(4);
  proxy_on_http_call_response(kRoot, host().httpCalls[1].token, 0, 0, 0);
  EXPECT_EQ(status, 502);
  proxy_on_context_create(9, kRoot);
  proxy_on_request_headers(9, 1, 1);
  proxy_on_delete(9);
  status = 0;
  proxy_on_http_call_response(kRoot, host().httpCalls[2].token, 0, 0, 0);
  EXPECT_EQ(status, 0);
  // Unknown tokens are logged, not fatal.
  proxy_on_http_call_response(kRoot, 999, 0, 0, 0);
  EXPECT_TRUE(host().logged("unknown token 999"));
}

TEST_F(SdkWrapper, RedisClientReauthenticatesOnNoauthAndReportsFailures) {
  struct RedisCfg {
    wrapper::RedisClusterClient redis{wrapper::FQDNCluster{.FQDN = "redis.svc", .Port = 6379}};
  };
  std::vector<std::string> replies;
  wrapper::SetCtx<RedisCfg>(
      "redis", wrapper::ParseConfig([](const wrapper::Json&, RedisCfg& cfg) {
        return cfg.redis.Init("user", "pw", 1000, {wrapper::WithDataBase(2)});
      }),
      wrapper::ProcessRequestHeaders([&](wrapper::HttpContext&, RedisCfg& cfg) {
        EXPECT_FALSE(cfg.redis.SetEx("k", 42, 10, [&](const resp::Value& v) { replies.push_back(v.String()); }));
        return types::HeaderStopAllIterationAndWatermark;
      }));
  ASSERT_TRUE(StartPlugin(kRoot, "{}"));
  ASSERT_EQ(host().redisInits.size(), 1u);
  EXPECT_EQ(host().redisInits[0].cluster,
            "outbound|6379||redis.svc?db=2&buffer_flush_timeout=3&max_buffer_size_before_flush=1024");
  EXPECT_EQ(host().redisInits[0].timeoutMs, 1000u);

  request({{":authority", "a"}});
  proxy_on_request_headers(kStream, 1, 1);
  ASSERT_EQ(host().redisCalls.size(), 1u);
  EXPECT_EQ(host().redisCalls[0].cluster, "outbound|6379||redis.svc");
  EXPECT_EQ(host().redisCalls[0].query, "*5\r\n$3\r\nset\r\n$1\r\nk\r\n$2\r\n42\r\n$2\r\nex\r\n$2\r\n10\r\n");

  host().buffers[9] = "-NOAUTH Authentication required.\r\n";
  proxy_on_redis_call_response(kRoot, host().redisCalls[0].token, 0, 34);
  EXPECT_TRUE(replies.empty());  // re-initialised and resent instead
  EXPECT_EQ(host().redisInits.size(), 2u);
  ASSERT_EQ(host().redisCalls.size(), 2u);
  host().buffers[9] = "+OK\r\n";
  proxy_on_redis_call_response(kRoot, host().redisCalls[1].token, 0, 5);
  EXPECT_EQ(replies, std::vector<std::string>{"OK"});

  proxy_on_context_create(10, kRoot);
  proxy_on_request_headers(10, 1, 1);
  proxy_on_redis_call_response(kRoot, host().redisCalls[2].token, 1, 0);
  EXPECT_EQ(replies.back(), "cannot connect to redis cluster");
}

TEST_F(SdkWrapper, RedisInitFailureOnlyWarnsAndCommandsRetryIt) {
  host().redisInitStatus = 2;  // BadArgument
  wasmgate::wrapper::RedisClusterClient client(wrapper::FQDNCluster{.FQDN = "r", .Port = 1});
  EXPECT_FALSE(client.Init("", "", 100));
  EXPECT_FALSE(client.Ready());
  auto err = client.Get("k", nullptr);
  ASSERT_TRUE(err);
  EXPECT_NE(err.message().find("redis init of outbound|1||r failed: BadArgument"), std::string::npos);
  host().redisInitStatus = 0;
  EXPECT_FALSE(client.Get("k", nullptr));
  EXPECT_TRUE(client.Ready());
}

TEST_F(SdkWrapper, TicksRegisteredWhileParsingRunOnTheirPeriod) {
  int fast = 0, slow = 0;
  wrapper::SetCtx<Cfg>("ticks", wrapper::ParseConfig([&](const wrapper::Json&, Cfg&) {
    wrapper::RegisterTickFunc(100, [&] { ++fast; });
    wrapper::RegisterTickFunc(1000, [&] { ++slow; });
    return true;
  }));
  ASSERT_TRUE(StartPlugin(kRoot, "{}"));
  EXPECT_EQ(host().tickPeriodMs, 100u);
  proxy_on_tick(kRoot);
  EXPECT_EQ(fast, 1);
  EXPECT_EQ(slow, 1);  // everything runs on the first tick
  host().nowNs += 100'000'000;
  proxy_on_tick(kRoot);
  EXPECT_EQ(fast, 2);
  EXPECT_EQ(slow, 1);
  host().nowNs += 900'000'000;
  proxy_on_tick(kRoot);
  EXPECT_EQ(slow, 2);
}

TEST_F(SdkWrapper, LeaderElectionOverSharedData) {
  wrapper::PluginContext ctx(kRoot);
  EXPECT_TRUE(ctx.DoLeaderElection());
  auto lease = wrapper::Json::Parse(host().sharedData["higress_wasm_vm_lease:"].first);
  EXPECT_EQ(lease.get("vmID").asString(), wrapper::VmID());
  EXPECT_EQ(wrapper::VmID().size(), 36u);
  EXPECT_TRUE(ctx.DoLeaderElection());  // renewal
  int64_t now = static_cast<int64_t>(host().nowNs / 1'000'000'000);
  host().sharedData["higress_wasm_vm_lease:"].first =
      wasmgate::format::Sprintf("{\"vmID\":\"other\",\"timestamp\":%d}", now - 10);
  EXPECT_FALSE(ctx.DoLeaderElection());
  EXPECT_FALSE(ctx.IsLeader());
  host().sharedData["higress_wasm_vm_lease:"].first =
      wasmgate::format::Sprintf("{\"vmID\":\"other\",\"timestamp\":%d}", now - 61);
  EXPECT_TRUE(ctx.DoLeaderElection());  // expired lease taken over
}

TEST_F(SdkWrapper, LogsHonourTheHostLevelAndCarryPrefixes) {
  wrapper::SetCtx<Cfg>("logger", wrapper::ParseConfig(parseCfg),
                       wrapper::ProcessRequestHeaders([](wrapper::HttpContext&, Cfg&) {
                         log::Infof("info %d", 1);
                         log::Warnf("warn %s", "two");
                         return types::HeaderContinue;
                       }));
  ASSERT_TRUE(StartPlugin(kRoot, R"({"_plugin_id_": "pid-7", "limit": 1})"));
  host().logLevel = 3;  // warn
  host().logs.clear();
  request({{":authority", "a"}, {"x-request-id", "req-9"}});
  proxy_on_request_headers(kStream, 2, 1);
  ASSERT_EQ(host().logs.size(), 1u);
  EXPECT_EQ(host().logs[0].first, 3u);
  EXPECT_EQ(host().logs[0].second, "[logger] [pid-7] [req-9] warn two");
}

TEST_F(SdkWrapper, PluginIdIsRemovedBeforeParsing) {
  std::string raw;
  wrapper::SetCtx<Cfg>("raw", wrapper::ParseRawConfig([&](std::string_view r, Cfg&) {
    raw = std::string(r);
    return true;
  }));
  ASSERT_TRUE(StartPlugin(kRoot, R"({"_plugin_id_": "p", "a": 1})"));
  EXPECT_EQ(raw, R"({"a": 1})");
}

TEST_F(SdkWrapper, RouteCallCapturesTheUpstreamResponse) {
  int status = 0;
  std::string body;
  wrapper::SetCtx<Cfg>(
      "route", wrapper::ParseConfig(parseCfg),
      wrapper::ProcessRequestHeaders([](wrapper::HttpContext& ctx, Cfg&) {
        return ctx.HasRequestBody() ? types::HeaderStopIteration : types::HeaderContinue;
      }),
      wrapper::ProcessRequestBody([&](wrapper::HttpContext& ctx, Cfg&, std::string_view) {
        auto err = ctx.RouteCall("POST", "http://other.host/v2/x?y=1", {{"x-extra", "1"}}, "new-body",
                                 [&](int s, const types::Headers&, std::string_view b) {
                                   status = s;
                                   body = std::string(b);
                                 });
        EXPECT_FALSE(err);
        return types::ActionContinue;
      }));
  ASSERT_TRUE(StartPlugin(kRoot, "{}"));
  request({{":authority", "orig.host"}, {":path", "/v1"}, {":method", "GET"}, {"content-length", "3"}});
  EXPECT_EQ(proxy_on_request_headers(kStream, 4, 0), types::HeaderStopIteration);
  host().buffers[kReqBody] = "old";
  EXPECT_EQ(proxy_on_request_body(kStream, 3, 1), types::ActionContinue);
  EXPECT_EQ(host().header(kReqHeaders, ":path"), "/v2/x?y=1");
  EXPECT_EQ(host().header(kReqHeaders, ":authority"), "other.host");
  EXPECT_EQ(host().header(kReqHeaders, ":method"), "POST");
  EXPECT_EQ(host().header(kReqHeaders, "x-envoy-original-path"), "/v1");
  EXPECT_EQ(host().header(kReqHeaders, "x-extra"), "1");
  EXPECT_EQ(host().header(kReqHeaders, "content-length"), "");
  EXPECT_EQ(host().buffers[kReqBody], "new-body");

  host().maps[kRespHeaders] = {{":status", "201"}, {"content-length", "4"}};
  EXPECT_EQ(proxy_on_response_headers(kStream, 2, 0), types::HeaderStopIteration);
  host().buffers[kRespBody] = "done";
  EXPECT_EQ(proxy_on_response_body(kStream, 4, 0), types::ActionPause);
  EXPECT_EQ(proxy_on_response_body(kStream, 4, 1), types::ActionContinue);
  EXPECT_EQ(status, 201);
  EXPECT_EQ(body, "done");
  EXPECT_EQ(host().header(kRespHeaders, "content-length"), "");
}

TEST_F(SdkWrapper, UserAttributesMergeIntoTheLogProperty) {
  wrapper::SetCtx<Cfg>("attrs", wrapper::ParseConfig(parseCfg),
                       wrapper::ProcessStreamDone([](wrapper::HttpContext& ctx, Cfg&) {
                         ctx.SetUserAttribute("model", "qwen");
                         ctx.SetUserAttribute("tokens", 42);
                         ctx.SetUserAttribute("quote", "a\"b");
                         EXPECT_FALSE(ctx.WriteUserAttributeToLogWithKey(wrapper::AILogKey));
                         EXPECT_FALSE(ctx.WriteUserAttributeToTrace());
                       }));
  ASSERT_TRUE(StartPlugin(kRoot, "{}"));
  request({{":authority", "a"}});
  proxy_on_request_headers(kStream, 1, 1);
  host().setProperty("ai_log", wrapper::MarshalStr(R"({"earlier":"x","tokens":1})"));
  proxy_on_log(kStream);
  std::string json = wrapper::UnmarshalStr(host().property("ai_log"));
  EXPECT_EQ(json, R"({"earlier":"x","model":"qwen","quote":"a\"b","tokens":42})");
  EXPECT_EQ(host().properties[std::string("trace_span_tag.tokens")], "42");
}

TEST_F(SdkWrapper, RebuildAfterRequestsAndMemory) {
  wrapper::SetCtx<Cfg>("rebuild", wrapper::ParseConfig(parseCfg), wrapper::WithRebuildAfterRequests(2),
                       wrapper::WithRebuildMaxMemBytes(1000), wrapper::WithMaxRequestsPerIoCycle(7));
  std::string ioArg;
  host().foreign["set_global_max_requests_per_io_cycle"] = [&](const std::string& a, std::string*) {
    ioArg = a;
    return 0u;
  };
  ASSERT_TRUE(StartPlugin(kRoot, "{}"));
  EXPECT_EQ(ioArg, std::string("\x07\0\0\0\0\0\0\0", 8));
  request({{":authority", "a"}});
  proxy_on_request_headers(kStream, 1, 1);
  EXPECT_EQ(host().property("wasm_need_rebuild"), "");
  proxy_on_context_create(11, kRoot);
  proxy_on_request_headers(11, 1, 1);
  EXPECT_EQ(host().property("wasm_need_rebuild"), "true");
  host().properties.erase("wasm_need_rebuild");
  host().setProperty("plugin_vm_memory", std::string("\xe8\x03\0\0\0\0\0\0", 8));  // 1000
  proxy_on_context_create(12, kRoot);
  proxy_on_request_headers(12, 1, 1);
  EXPECT_EQ(host().property("wasm_need_rebuild"), "true");
}

}  // namespace
