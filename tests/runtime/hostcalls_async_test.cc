// Root-side and asynchronous host functions through the probe plugin: http calls and their
// responses, Redis, ticks, shared data and queues, metrics, foreign functions, gRPC, logging,
// time and status.
#include <gtest/gtest.h>

#include "tests/runtime/support/fake_hosts.h"

namespace wasmgate::runtime::testing {
namespace {

class AsyncCallsTest : public ::testing::Test {
 protected:
  void start(const std::string& config, const std::string& plugin_name = "probe_abi_0_2_100",
             const std::string& vm_id = "") {
    auto created = makeVm(*worker, plugin_name, hosts, "", vm_id);
    ASSERT_TRUE(created.ok()) << created.message();
    vm = std::move(created).value();
    auto r = vm->startPlugin({"probe", "probe_root", config});
    ASSERT_TRUE(r.ok()) << r.message() << "\n" << hosts.log.dump();
    root = r.value();
    auto s = vm->createStream(root, stream.host());
    ASSERT_TRUE(s.ok()) << s.message();
    id = s.value();
  }
  bool logged(const std::string& line) const { return hosts.log.has(line); }

  std::unique_ptr<WorkerEngine> worker = newWorker();
  FakeHosts hosts;
  FakeHosts::Stream stream;
  std::unique_ptr<WasmVm> vm;
  uint32_t root = 0, id = 0;
};

const char* kGet = ":method=GET,:path=/check,:authority=auth.local";

TEST_F(AsyncCallsTest, HttpCallIsIssuedOnTheRootAndItsResponseIsDeliveredThere) {
  start(std::string("request_headers http_call backend ") + kGet + " payload 500 t=1\n" +
        "request_headers http_call unknown " + kGet + " \"\" 0\n" +
        "request_headers http_call backend :method=GET,:authority=a \"\" 0\n" +
        "request_headers http_call backend :path=/,:authority=a \"\" 0\n" +
        "request_headers http_call backend :path=/,:method=GET \"\" 0\n" +
        "request_headers http_call backend :path=/,:method=GET,:host=h \"\" 0\n" +
        "request_headers http_call backend " + kGet + " \"\" 4294967295\n" +
        "request_headers return 4\n" +
        "http_call_response get_headers 6\nhttp_call_response get_header 6 :STATUS\nhttp_call_response get_headers 7\n"
        "http_call_response header_size 6\nhttp_call_response get_buffer 4 0 100\nhttp_call_response status\n"
        "http_call_response set_effective caller\nhttp_call_response get_header 0 :path\n"
        "http_call_response continue 0\n");
  stream.headers.maps[0] = {{":path", "/orig"}};
  ASSERT_TRUE(vm->onRequestHeaders(id, 1, false).ok());
  EXPECT_TRUE(logged(std::string("request_headers: http_call backend ") + kGet + " payload 500 t=1 -> 0 1"))
      << hosts.log.dump();
  EXPECT_TRUE(logged(std::string("request_headers: http_call unknown ") + kGet + " \"\" 0 -> 2"));
  EXPECT_TRUE(logged("request_headers: http_call backend :method=GET,:authority=a \"\" 0 -> 2")) << "no :path";
  EXPECT_TRUE(logged("request_headers: http_call backend :path=/,:authority=a \"\" 0 -> 2")) << "no :method";
  EXPECT_TRUE(logged("request_headers: http_call backend :path=/,:method=GET \"\" 0 -> 2")) << "no authority";
  EXPECT_TRUE(logged("request_headers: http_call backend :path=/,:method=GET,:host=h \"\" 0 -> 0 3"))
      << ":host works too; tokens count up (a refused call used 2)\n" << hosts.log.dump();
  EXPECT_TRUE(logged(std::string("request_headers: http_call backend ") + kGet + " \"\" 4294967295 -> 2"))
      << "negative timeout";
  ASSERT_EQ(hosts.http.calls.size(), 2u);
  const auto& [call_root, token, request] = hosts.http.calls[0];
  EXPECT_EQ(call_root, root) << "calls belong to the root context";
  EXPECT_EQ(token, 1u);
  EXPECT_EQ(request.cluster, "backend");
  EXPECT_EQ(request.headers, (Pairs{{":method", "GET"}, {":path", "/check"}, {":authority", "auth.local"}}));
  EXPECT_EQ(request.body, "payload");
  EXPECT_EQ(request.trailers, (Pairs{{"t", "1"}}));
  EXPECT_EQ(request.timeout_ms, 500u);

  HttpCallResponse response{{{":status", "200"}, {"X-Y", "z"}}, "answer", {}};
  ASSERT_TRUE(vm->onHttpCallResponse(root, 1, response).ok());
  EXPECT_EQ(hosts.log.events().back(), "http_call_response 1 1 2 6 0");
  EXPECT_TRUE(logged("http_call_response: get_headers 6 -> 0 :status=200,X-Y=z")) << hosts.log.dump();
  EXPECT_TRUE(logged("http_call_response: get_header 6 :STATUS -> 0 200"));
  EXPECT_TRUE(logged("http_call_response: get_headers 7 -> 0 <null>"));
  EXPECT_TRUE(logged("http_call_response: header_size 6 -> 0 14"));
  EXPECT_TRUE(logged("http_call_response: get_buffer 4 0 100 -> 0 answer"));
  EXPECT_TRUE(logged("http_call_response: status -> 0 0 <null>"));
  EXPECT_TRUE(logged("http_call_response: get_header 0 :path -> 0 /orig")) << "acting on the calling stream";
  EXPECT_EQ(stream.control.actions, (std::vector<std::string>{"continue 0"}));
  EXPECT_FALSE(vm->onHttpCallResponse(root, 1, response).ok()) << "each token is answered once";
  EXPECT_FALSE(vm->onHttpCallResponse(root, 77, response).ok());
}

TEST_F(AsyncCallsTest, FailedHttpCallHasNoHeadersAndBrokenConnectionStatus) {
  start(std::string("tick http_call backend ") + kGet + " \"\" 0\nhttp_call_response status\n" +
        "http_call_response get_buffer 4 0 10\ntick status\n");
  ASSERT_TRUE(vm->onTick(root).ok());
  ASSERT_EQ(hosts.http.calls.size(), 1u);
  ASSERT_TRUE(vm->onHttpCallResponse(root, std::get<1>(hosts.http.calls[0]), HttpCallResponse{}).ok());
  EXPECT_EQ(hosts.log.events().back(), "http_call_response 1 1 0 0 0");
  EXPECT_TRUE(logged("http_call_response: status -> 0 11 reset")) << hosts.log.dump();
  EXPECT_TRUE(logged("http_call_response: get_buffer 4 0 10 -> 0 <null>"));
}

// A host that answers inside dispatch: the delivery must wait until the guest call returns.
class SynchronousHttp : public FakeHttp {
 public:
  Status dispatch(uint32_t root, uint32_t token, const HttpCallRequest& request) override {
    const Status s = FakeHttp::dispatch(root, token, request);
    answered = vm->onHttpCallResponse(root, token, HttpCallResponse{{{":status", "204"}}, "", {}}).ok();
    return s;
  }
  WasmVm* vm = nullptr;
  bool answered = false;
};

TEST_F(AsyncCallsTest, DeliveryDuringAGuestCallIsDeferred) {
  SynchronousHttp http;
  // The synchronous host replaces the fake one; everything else stays.
  VmConfig config;
  config.name = "sync";
  config.services = hosts.services();
  config.services.http = &http;
  auto sync_vm = WasmVm::create(*worker, plugin("probe_abi_0_2_100"), std::move(config));
  ASSERT_TRUE(sync_vm.ok());
  http.vm = sync_vm.value().get();
  auto r = sync_vm.value()->startPlugin(
      {"sync", "sync", std::string("tick http_call backend ") + kGet + " \"\" 0\ntick log 2 after-call"});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(sync_vm.value()->onTick(r.value()).ok());
  EXPECT_TRUE(http.answered);
  const auto& messages = hosts.log.entries;
  size_t after_call = 0, response = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].message == "after-call") after_call = i;
    if (messages[i].message.rfind("@http_call_response", 0) == 0) response = i;
  }
  EXPECT_GT(response, after_call) << "the response came after the tick finished\n" << hosts.log.dump();
}

TEST_F(AsyncCallsTest, RedisInitCallAndReply) {
  start("tick redis_init redis?db=1 user pass 2000\ntick redis_init other \"\" \"\" 0\n"
        "tick redis_call redis *1%0d%0a$4%0d%0aPING%0d%0a\ntick redis_call other x\n"
        "redis_call_response get_buffer 9 0 100\nredis_call_response set_effective caller\n"
        "redis_call_response get_buffer 9 0 100\n");
  ASSERT_TRUE(vm->onTick(root).ok());
  EXPECT_EQ(hosts.redis.inits, (std::vector<std::string>{"redis?db=1 user pass 2000"}));
  EXPECT_TRUE(logged("tick: redis_init other \"\" \"\" 0 -> 2"));
  EXPECT_TRUE(logged("tick: redis_call other x -> 2"));
  ASSERT_EQ(hosts.redis.calls.size(), 1u);
  EXPECT_EQ(std::get<2>(hosts.redis.calls[0]), "*1\r\n$4\r\nPING\r\n");
  const uint32_t token = std::get<1>(hosts.redis.calls[0]);
  ASSERT_TRUE(vm->onRedisCallResponse(root, token, abi::RedisStatus::Ok, "+PONG\r\n").ok());
  EXPECT_EQ(hosts.log.events().back(), "redis_call_response 1 " + std::to_string(token) + " 0 7");
  EXPECT_TRUE(logged("redis_call_response: get_buffer 9 0 100 -> 0 +PONG\\x0d\\x0a")) << hosts.log.dump();
  EXPECT_FALSE(vm->onRedisCallResponse(root, token, abi::RedisStatus::Ok, "").ok()) << "answered already";
}

TEST_F(AsyncCallsTest, TicksAreSetPerRootAndCancelledWhenItGoes) {
  start("configure set_tick 100\ntick log 2 ticked\nrequest_headers set_tick 5\n");
  EXPECT_EQ(hosts.timers.periods[root], 100u);
  ASSERT_TRUE(vm->onRequestHeaders(id, 0, true).ok());
  EXPECT_EQ(hosts.timers.periods[root], 5u) << "a stream sets its root's period";
  ASSERT_TRUE(vm->onTick(root).ok());
  EXPECT_TRUE(logged("ticked"));
  EXPECT_FALSE(vm->onTick(id).ok()) << "streams do not tick";
  ASSERT_TRUE(vm->finishStream(id).ok());
  vm->retirePlugin(root);
  EXPECT_EQ(hosts.timers.periods[root], 0u);
}

TEST_F(AsyncCallsTest, SharedDataWithCompareAndSwap) {
  start("tick get_shared k\ntick set_shared k v1 0\ntick get_shared k\ntick set_shared k v2 99\n"
        "tick set_shared k v2 1\ntick get_shared k\n",
        "probe_abi_0_2_100", "vm-a");
  ASSERT_TRUE(vm->onTick(root).ok());
  EXPECT_TRUE(logged("tick: get_shared k -> 1"));
  EXPECT_TRUE(logged("tick: set_shared k v1 0 -> 0"));
  EXPECT_TRUE(logged("tick: get_shared k -> 0 v1 1"));
  EXPECT_TRUE(logged("tick: set_shared k v2 99 -> 8")) << "CasMismatch";
  EXPECT_TRUE(logged("tick: set_shared k v2 1 -> 0"));
  EXPECT_TRUE(logged("tick: get_shared k -> 0 v2 2")) << hosts.log.dump();
  EXPECT_EQ(hosts.shared.data.count("vm-a/k"), 1u) << "namespaced by vm_id";
}

TEST_F(AsyncCallsTest, SharedQueues) {
  start("configure register_queue jobs\nconfigure resolve_queue \"\" jobs\nconfigure resolve_queue \"\" none\n"
        "tick enqueue 1 job-1\ntick enqueue 9 x\nqueue_ready dequeue 1\nqueue_ready dequeue 1\n");
  EXPECT_TRUE(logged("configure: register_queue jobs -> 0 1"));
  EXPECT_TRUE(logged("configure: resolve_queue \"\" jobs -> 0 1"));
  EXPECT_TRUE(logged("configure: resolve_queue \"\" none -> 1"));
  ASSERT_TRUE(vm->onTick(root).ok());
  EXPECT_TRUE(logged("tick: enqueue 9 x -> 1"));
  ASSERT_EQ(hosts.shared.ready.size(), 1u);
  EXPECT_EQ(hosts.shared.ready[0], (std::pair<uint32_t, uint32_t>{root, 1}));
  ASSERT_TRUE(vm->onQueueReady(root, 1).ok());
  EXPECT_EQ(hosts.log.events().back(), "queue_ready 1 1");
  EXPECT_TRUE(logged("queue_ready: dequeue 1 -> 0 job-1"));
  EXPECT_TRUE(logged("queue_ready: dequeue 1 -> 7")) << "Empty";
}

TEST_F(AsyncCallsTest, Metrics) {
  start("configure define_metric 0 requests\nconfigure increment_metric $ 2\nconfigure increment_metric 4 0\n"
        "configure record_metric 4 3\nconfigure get_metric 4\n"
        "configure define_metric 1 inflight\nconfigure increment_metric 9 -1\nconfigure get_metric 9\n"
        "configure record_metric 9 42\nconfigure get_metric 9\n"
        "configure define_metric 2 latency\nconfigure record_metric 14 7\nconfigure increment_metric 14 1\n"
        "configure define_metric 3 bad\nconfigure get_metric 1000\n");
  EXPECT_TRUE(logged("configure: define_metric 0 requests -> 0 4")) << hosts.log.dump();
  EXPECT_TRUE(logged("configure: increment_metric $ 2 -> 0"));
  EXPECT_TRUE(logged("configure: increment_metric 4 0 -> 2")) << "counters only grow";
  EXPECT_TRUE(logged("configure: get_metric 4 -> 0 5"));
  EXPECT_TRUE(logged("configure: define_metric 1 inflight -> 0 9"));
  EXPECT_TRUE(logged("configure: increment_metric 9 -1 -> 0")) << "i64 offsets reach the host signed";
  EXPECT_TRUE(logged("configure: get_metric 9 -> 0 18446744073709551615"));
  EXPECT_TRUE(logged("configure: get_metric 9 -> 0 42"));
  EXPECT_TRUE(logged("configure: record_metric 14 7 -> 0"));
  EXPECT_TRUE(logged("configure: increment_metric 14 1 -> 2"));
  EXPECT_TRUE(logged("configure: define_metric 3 bad -> 2"));
  EXPECT_TRUE(logged("configure: get_metric 1000 -> 1"));
  EXPECT_EQ(hosts.metrics.values["latency"], 7u);
}

TEST_F(AsyncCallsTest, ForeignFunctions) {
  hosts.log.level = abi::LogLevel::Warn;
  hosts.foreign.results["set_global_max_requests_per_io_cycle"] = "";
  start("configure foreign get_log_level \"\"\n"
        "configure foreign set_global_max_requests_per_io_cycle %0a%00%00%00%00%00%00%00\n"
        "configure foreign no_such_function x\n"
        "foreign_function get_buffer 8 0 100\nconfigure get_buffer 8 0 100\n");
  EXPECT_TRUE(logged("configure: foreign get_log_level \"\" -> 0 \\x03\\x00\\x00\\x00")) << hosts.log.dump();
  EXPECT_TRUE(logged("configure: foreign set_global_max_requests_per_io_cycle %0a%00%00%00%00%00%00%00 -> 0 <null>"));
  EXPECT_TRUE(logged("configure: foreign no_such_function x -> 1"));
  ASSERT_EQ(hosts.foreign.calls.size(), 2u);
  EXPECT_EQ(hosts.foreign.calls[0].second, std::string("\x0a\0\0\0\0\0\0\0", 8));
  EXPECT_TRUE(logged("configure: get_buffer 8 0 100 -> 1")) << "buffer 8 only inside the foreign callback";
  ASSERT_TRUE(vm->onForeignFunction(root, 3, "args").ok());
  EXPECT_EQ(hosts.log.events().back(), "foreign_function 1 3 4");
  EXPECT_TRUE(logged("foreign_function: get_buffer 8 0 100 -> 0 args"));
}

TEST_F(AsyncCallsTest, LogTimeStatusAndGrpc) {
  hosts.log.level = abi::LogLevel::Debug;
  start("configure log 6 too-high\nconfigure log 0 trace-line\nconfigure log_level\nconfigure time\n"
        "configure status\nconfigure grpc_call\nconfigure grpc_stream\nconfigure grpc_send\nconfigure grpc_cancel\n"
        "configure grpc_close\n");
  EXPECT_TRUE(logged("configure: log 6 too-high -> 2"));
  EXPECT_TRUE(logged("trace-line"));
  EXPECT_TRUE(logged("configure: log_level -> 0 1"));
  EXPECT_TRUE(logged("configure: time -> 0 plausible"));
  EXPECT_TRUE(logged("configure: status -> 0 0 <null>"));
  for (const char* grpc : {"grpc_call", "grpc_stream", "grpc_send", "grpc_cancel", "grpc_close"}) {
    EXPECT_TRUE(logged(std::string("configure: ") + grpc + " -> 12")) << grpc;
  }
}

TEST_F(AsyncCallsTest, Abi020PluginRunsWithoutHigressExtensions) {
  start(std::string("request_headers continue 1\nrequest_headers http_call backend ") + kGet + " \"\" 0\n",
        "probe_abi_0_2_0");
  EXPECT_EQ(vm->abiVersion(), abi::AbiVersion::V0_2_0);
  ASSERT_TRUE(vm->onRequestHeaders(id, 0, true).ok());
  EXPECT_EQ(stream.control.actions, (std::vector<std::string>{"continue 1"}));
  EXPECT_EQ(hosts.http.calls.size(), 1u);
}

TEST_F(AsyncCallsTest, Abi021PluginHasHigressExtensions) {
  start("tick redis_call redis x\ntick log_level\n", "probe_abi_0_2_1");
  EXPECT_EQ(vm->abiVersion(), abi::AbiVersion::V0_2_1);
  ASSERT_TRUE(vm->onTick(root).ok());
  EXPECT_EQ(hosts.redis.calls.size(), 1u);
  EXPECT_TRUE(logged("tick: log_level -> 0 2"));
}

}  // namespace
}  // namespace wasmgate::runtime::testing
