// The wrapper's asynchronous parts end to end on the in-memory host: cluster HTTP calls, the Redis
// client (NOAUTH re-auth, init retry), tick functions, leader election and RouteCall.
#include "support/sdk_fixture.h"

using namespace sdk_test;

namespace {

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

}  // namespace
