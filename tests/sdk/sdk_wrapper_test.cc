// The wrapper end to end, natively: plugins registered with wrapper::SetCtx are driven through the
// SDK's real proxy_on_* exports against the in-memory host (support/fake_host.h): configuration,
// matching, bodies, logs, rebuild options.
#include "support/sdk_fixture.h"

using namespace sdk_test;

namespace {

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

TEST_F(SdkWrapper, TheRequestHeaderScanKeepsTheFirstValueOfEachCachedHeader) {
  std::string seen;
  bool binary = false, websocket = false;
  wrapper::SetCtx<Cfg>("scan", wrapper::ParseConfig(parseCfg),
                       wrapper::ProcessRequestHeaders([&](wrapper::HttpContext& ctx, const Cfg&) {
                         seen = ctx.Scheme() + " " + ctx.Method() + " " + ctx.Host() + ctx.Path();
                         binary = ctx.IsBinaryRequestBody();
                         websocket = ctx.IsWebsocket();
                         return types::HeaderContinue;
                       }));
  ASSERT_TRUE(StartPlugin(kRoot, R"({"name": "n"})"));
  // Look-alikes of each size the scan dispatches on, repeats (the first value counts, as Envoy's
  // single-header read answers), and the cached headers in an unusual order.
  request({{"x-request-ix", "no"},        {":pathx", "no"},          {":paths", "no"},
           {"upgrade", "websocket"},      {":scheme", "https"},      {"x-request-id", "rid-first"},
           {":path", "/first"},           {":path", "/second"},      {":methox", "no"},
           {":method", "POST"},           {"connection", "Upgrade"}, {"content-type", "text/plain"},
           {":authority", "a.example"},   {"x-request-id", "rid-second"}, {":authority", "b.example"},
           {"content-encoding", "gzip"},  {"content-typf", "no"}});
  EXPECT_EQ(proxy_on_request_headers(kStream, 17, 1), types::HeaderContinue);
  EXPECT_EQ(seen, "https POST a.example/first");
  EXPECT_TRUE(websocket);
  EXPECT_TRUE(binary) << "an encoded body is binary";
  EXPECT_EQ(host().property("x_request_id"), "rid-first");

  // The content type alone, first value: gRPC is binary, text is not.
  proxy_on_context_create(5, kRoot);
  host().maps[kReqHeaders] = {{":authority", "a"}, {"content-type", "application/grpc"}, {"content-type", "text/plain"}};
  EXPECT_EQ(proxy_on_request_headers(5, 3, 1), types::HeaderContinue);
  EXPECT_TRUE(binary);
  EXPECT_FALSE(websocket);
  proxy_on_context_create(6, kRoot);
  host().maps[kReqHeaders] = {{":authority", "a"}, {"content-type", "text/plain"}, {"content-type", "application/grpc"}};
  EXPECT_EQ(proxy_on_request_headers(6, 3, 1), types::HeaderContinue);
  EXPECT_FALSE(binary);
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

TEST_F(SdkWrapper, AnEndedStreamsContextComesBackAsNewWithNothingOfTheOldStream) {
  struct Seen {
    const wrapper::HttpContext* address = nullptr;
    uint32_t id = 0;
    std::string path;
    bool hadValue = true, hadAttribute = true;
    size_t buffers = 99;
  };
  std::vector<Seen> seen;
  int bodyCalls = 0;
  std::weak_ptr<int> stored;
  wrapper::SetCtx<Cfg>(
      "reuse", wrapper::ParseConfig(parseCfg),
      wrapper::ProcessRequestHeaders([&](wrapper::HttpContext& ctx, Cfg&) {
        seen.push_back({&ctx, ctx.ContextID(), ctx.Path(), ctx.GetContext("k") != nullptr,
                        ctx.GetUserAttribute("a") != nullptr, ctx.BufferQueueSize()});
        auto value = std::make_shared<int>(7);
        stored = value;
        ctx.SetContext("k", value);
        ctx.SetUserAttribute("a", wrapper::AttrValue("v"));
        ctx.PushBuffer("queued");
        if (ctx.Path() != "/2") ctx.DontReadRequestBody();
        return types::HeaderContinue;
      }),
      wrapper::ProcessRequestBody([&](wrapper::HttpContext&, Cfg&, std::string_view) {
        ++bodyCalls;
        return types::DataContinue;
      }));
  ASSERT_TRUE(StartPlugin(kRoot, R"({"name": "n"})"));

  request({{":authority", "a.example"}, {":path", "/first/and/long/enough/for/the/heap"}});
  EXPECT_EQ(proxy_on_request_headers(kStream, 2, 0), types::HeaderContinue);
  EXPECT_EQ(proxy_on_request_body(kStream, 4, 1), types::DataContinue);
  proxy_on_log(kStream);
  proxy_on_done(kStream);
  proxy_on_delete(kStream);
  EXPECT_TRUE(stored.expired()) << "what a stream stored goes when it ends, even if its context is kept";

  proxy_on_context_create(9, kRoot);
  host().maps[kReqHeaders] = {{":authority", "b.example"}, {":path", "/2"}};
  EXPECT_EQ(proxy_on_request_headers(9, 2, 0), types::HeaderContinue);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].address, seen[0].address) << "the ended stream's context was not reused";
  EXPECT_EQ(seen[1].id, 9u);
  EXPECT_EQ(seen[1].path, "/2");
  EXPECT_FALSE(seen[1].hadValue);
  EXPECT_FALSE(seen[1].hadAttribute);
  EXPECT_EQ(seen[1].buffers, 0u);
  // The first stream turned its body off; the new one reads it, as every stream starts out doing.
  EXPECT_EQ(bodyCalls, 0);
  host().buffers[kReqBody] = "body";
  EXPECT_EQ(proxy_on_request_body(9, 4, 1), types::DataContinue);
  EXPECT_EQ(bodyCalls, 1);
  proxy_on_delete(9);
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

// A header-only plugin leaves the response type unread (two host calls fewer per stream) until it
// asks; then it reads it once, in the header phase where the host allows it.
TEST_F(SdkWrapper, ResponseTypeIsReadWhenAHeaderHandlerAsksForIt) {
  std::vector<bool> answers;
  wrapper::SetCtx<Cfg>("type", wrapper::ParseConfig(parseCfg),
                       wrapper::ProcessResponseHeaders([&](wrapper::HttpContext& ctx, Cfg&) {
                         answers.push_back(ctx.IsBinaryResponseBody());
                         host().maps[kRespHeaders] = {{":status", "200"}};  // a second read would see this
                         answers.push_back(ctx.IsBinaryResponseBody());
                         return types::HeaderContinue;
                       }));
  ASSERT_TRUE(StartPlugin(kRoot, "{}"));
  request({{":authority", "a"}});
  proxy_on_request_headers(kStream, 1, 1);
  host().maps[kRespHeaders] = {{":status", "200"}, {"content-type", "application/grpc"}};
  proxy_on_response_headers(kStream, 2, 0);
  proxy_on_context_create(7, kRoot);
  proxy_on_request_headers(7, 1, 1);
  host().maps[kRespHeaders] = {{":status", "200"}, {"content-type", "text/html"}};
  proxy_on_response_headers(7, 2, 0);
  EXPECT_EQ(answers, (std::vector<bool>{true, true, false, false}));
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
