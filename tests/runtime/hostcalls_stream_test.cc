// Stream-side host functions through the probe plugin: header maps, buffers, properties,
// deferred stream actions, local responses, and the per-ABI conversion of callback results.
#include <gtest/gtest.h>

#include "runtime/vm_state.h"
#include "tests/runtime/support/fake_hosts.h"

namespace wasmgate::runtime::testing {
namespace {

class StreamCallsTest : public ::testing::Test {
 protected:
  void start(const std::string& config, const std::string& plugin_name = "probe_abi_0_2_100") {
    auto created = makeVm(*worker, plugin_name, hosts);
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

TEST_F(StreamCallsTest, HeaderMapFunctions) {
  start("request_headers get_header 0 :PATH\n"
        "request_headers get_header 0 missing\n"
        "request_headers add_header 0 X-Added one\n"
        "request_headers replace_header 0 x-added two\n"
        "request_headers remove_header 0 x-gone\n"
        "request_headers get_headers 0\n"
        "request_headers header_size 0\n"
        "request_headers get_headers 1\n"
        "request_headers get_header 4 a\n"
        "request_headers get_header 8 a\n"
        "request_headers get_header 6 a\n"
        "response_headers set_headers 2 a=1,b=2\n"
        "response_headers get_headers 2\n"
        "response_headers get_header 2 b\n");
  stream.headers.maps[0] = {{":path", "/p"}, {"x-gone", "1"}, {"x-gone", "2"}};
  ASSERT_TRUE(vm->onRequestHeaders(id, 3, false).ok());
  EXPECT_TRUE(logged("request_headers: get_header 0 :PATH -> 0 /p")) << "keys are lower-cased\n" << hosts.log.dump();
  EXPECT_TRUE(logged("request_headers: get_header 0 missing -> 1"));
  EXPECT_TRUE(logged("request_headers: add_header 0 X-Added one -> 0"));
  EXPECT_TRUE(logged("request_headers: get_headers 0 -> 0 :path=/p,x-added=two")) << hosts.log.dump();
  EXPECT_TRUE(logged("request_headers: header_size 0 -> 0 17"));
  EXPECT_TRUE(logged("request_headers: get_headers 1 -> 0 <null>")) << "an empty map is ptr 0, size 0";
  EXPECT_TRUE(logged("request_headers: get_header 4 a -> 2")) << "no gRPC metadata";
  EXPECT_TRUE(logged("request_headers: get_header 8 a -> 2")) << "no such map";
  EXPECT_TRUE(logged("request_headers: get_header 6 a -> 2")) << "http call maps only in the response callback";
  ASSERT_TRUE(vm->onResponseHeaders(id, 0, false).ok());
  EXPECT_EQ(stream.headers.maps[2], (Pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_TRUE(logged("response_headers: get_header 2 b -> 0 2"));
}

TEST_F(StreamCallsTest, UnavailableMapAnswersTheHostsStatus) {
  start("request_trailers add_header 1 t v");
  stream.headers.available[1] = false;
  ASSERT_TRUE(vm->onRequestTrailers(id, 0).ok());
  EXPECT_TRUE(logged("request_trailers: add_header 1 t v -> 2"));
}

TEST_F(StreamCallsTest, BufferFunctions) {
  start("request_body get_buffer 0 0 100\n"
        "request_body get_buffer 0 2 3\n"
        "request_body get_buffer 0 50 3\n"
        "request_body buffer_status 0\n"
        "request_body set_buffer 0 0 5 HELLO\n"
        "request_body set_buffer 0 99 0 !\n"
        "request_body set_buffer 0 3 0 x\n"
        "request_body get_buffer 10 0 1\n"
        "request_body get_buffer 4 0 1\n"
        "request_body get_buffer 9 0 1\n"
        "request_body get_buffer 8 0 1\n"
        "request_body set_buffer 7 0 0 x\n"
        "configure get_buffer 0 0 1\n");
  EXPECT_TRUE(logged("configure: get_buffer 0 0 1 -> 1")) << "a root context has no body";
  stream.buffers.buffers[0] = "hello world";
  ASSERT_TRUE(vm->onRequestBody(id, 11, true).ok());
  EXPECT_TRUE(logged("request_body: get_buffer 0 0 100 -> 0 hello world")) << hosts.log.dump();
  EXPECT_TRUE(logged("request_body: get_buffer 0 2 3 -> 0 llo"));
  EXPECT_TRUE(logged("request_body: get_buffer 0 50 3 -> 0 <null>")) << "nothing there: ptr 0, size 0";
  EXPECT_TRUE(logged("request_body: buffer_status 0 -> 0 11 0"));
  EXPECT_TRUE(logged("request_body: set_buffer 0 99 0 ! -> 0"));
  EXPECT_TRUE(logged("request_body: set_buffer 0 3 0 x -> 2")) << "only replace-from-0 or append";
  EXPECT_EQ(stream.buffers.buffers[0], "HELLO world!");
  EXPECT_TRUE(logged("request_body: get_buffer 10 0 1 -> 2"));
  EXPECT_TRUE(logged("request_body: get_buffer 4 0 1 -> 1"));
  EXPECT_TRUE(logged("request_body: get_buffer 9 0 1 -> 1"));
  EXPECT_TRUE(logged("request_body: get_buffer 8 0 1 -> 1"));
  EXPECT_TRUE(logged("request_body: set_buffer 7 0 0 x -> 1"));
}

TEST_F(StreamCallsTest, PropertiesFromStreamVmAndRuntime) {
  start("request_headers get_property request/path\n"
        "request_headers get_property plugin_name\n"
        "request_headers get_property plugin_root_id\n"
        "request_headers get_property plugin_vm_id\n"
        "request_headers get_property plugin_vm_memory\n"
        "request_headers get_property cluster_name\n"
        "request_headers get_property nothing\n"
        "request_headers get_property \"\"\n"
        "request_headers set_property wasm_need_rebuild true\n"
        "request_headers set_property \"\" x\n"
        "configure set_property x y\n"
        "configure get_property plugin_name\n");
  EXPECT_TRUE(logged("configure: set_property x y -> 1")) << "no property writes from a root context";
  EXPECT_TRUE(logged("configure: get_property plugin_name -> 0 probe"));
  stream.properties.values[std::string("request\0path", 12)] = "/from-stream";
  hosts.vm_properties.values["cluster_name"] = "outbound|80||svc";
  ASSERT_TRUE(vm->onRequestHeaders(id, 0, true).ok());
  EXPECT_TRUE(logged("request_headers: get_property request/path -> 0 /from-stream")) << hosts.log.dump();
  EXPECT_TRUE(logged("request_headers: get_property plugin_name -> 0 probe"));
  EXPECT_TRUE(logged("request_headers: get_property plugin_root_id -> 0 probe_root"));
  EXPECT_TRUE(logged("request_headers: get_property plugin_vm_id -> 0 <null>")) << "empty vm_id, as under Higress";
  EXPECT_TRUE(logged("request_headers: get_property cluster_name -> 0 outbound|80||svc"));
  EXPECT_TRUE(logged("request_headers: get_property nothing -> 1"));
  EXPECT_TRUE(logged("request_headers: get_property \"\" -> 2"));
  EXPECT_TRUE(logged("request_headers: set_property wasm_need_rebuild true -> 0"));
  EXPECT_TRUE(logged("request_headers: set_property \"\" x -> 2"));
  EXPECT_EQ(stream.properties.values["wasm_need_rebuild"], "true");
  // plugin_vm_memory: 8 bytes, little-endian, the linear memory size.
  const uint64_t bytes = vm->memoryBytes();
  std::string expected = "request_headers: get_property plugin_vm_memory -> 0 ";
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    const unsigned byte = (bytes >> (8 * i)) & 0xff;
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      expected.push_back(static_cast<char>(byte));
    } else {
      expected += std::string("\\x") + hex[byte >> 4] + hex[byte & 15];
    }
  }
  EXPECT_GT(bytes, 0u);
  EXPECT_TRUE(logged(expected)) << expected << "\n" << hosts.log.dump();
}

TEST_F(StreamCallsTest, StreamActionsAreDeferredUntilTheCallReturns) {
  start("request_headers continue 0\nrequest_headers close 1\nrequest_headers continue 2\n"
        "request_headers continue 7\nconfigure continue 0\n");
  EXPECT_TRUE(logged("configure: continue 0 -> 2")) << "a root context has no stream";
  ASSERT_TRUE(vm->onRequestHeaders(id, 0, true).ok());
  EXPECT_TRUE(logged("request_headers: continue 0 -> 0"));
  EXPECT_TRUE(logged("request_headers: close 1 -> 0"));
  EXPECT_TRUE(logged("request_headers: continue 2 -> 12")) << "no L4 streams";
  EXPECT_TRUE(logged("request_headers: continue 7 -> 2"));
  EXPECT_EQ(stream.control.actions, (std::vector<std::string>{"continue 0", "close 1"}));
}

TEST_F(StreamCallsTest, LocalResponseOncePerStreamAndForcesStop) {
  start("request_headers local_response 403 access%20denied%09now body x-a=1 -1\n"
        "request_headers local_response 500 again \"\" \"\" -1\n"
        "request_headers return 0\n"
        "request_body local_response 200 \"\" \"\" \"\" 3\n");
  auto action = vm->onRequestHeaders(id, 1, false);
  ASSERT_TRUE(action.ok());
  EXPECT_EQ(action.value(), abi::HeaderAction::StopAllIterationAndWatermark) << "forced stop after a local response";
  EXPECT_TRUE(logged("request_headers: local_response 403 access%20denied%09now body x-a=1 -1 -> 0"));
  EXPECT_TRUE(logged("request_headers: local_response 500 again \"\" \"\" -1 -> 2")) << "only one per stream";
  ASSERT_EQ(stream.control.local_responses.size(), 1u);
  const LocalResponse& r = stream.control.local_responses[0];
  EXPECT_EQ(r.status_code, 403u);
  EXPECT_EQ(r.details, "access_denied_now");
  EXPECT_EQ(r.body, "body");
  EXPECT_EQ(r.headers, (Pairs{{"x-a", "1"}}));
  EXPECT_EQ(r.grpc_status, -1);
  auto data = vm->onRequestBody(id, 0, true);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data.value(), abi::DataAction::StopIterationNoBuffer) << "a second local response still stops the callback";
  EXPECT_TRUE(logged("request_body: local_response 200 \"\" \"\" \"\" 3 -> 2"));
  EXPECT_EQ(stream.control.local_responses.size(), 1u);
}

struct ConversionCase {
  const char* plugin;
  uint32_t headers_result;
  abi::HeaderAction expected;
};

class ActionConversionTest : public StreamCallsTest, public ::testing::WithParamInterface<ConversionCase> {};

TEST_P(ActionConversionTest, HeaderResultsFollowEnvoyPerAbi) {
  const ConversionCase& c = GetParam();
  start("request_headers return " + std::to_string(c.headers_result), c.plugin);
  auto action = vm->onRequestHeaders(id, 0, false);
  ASSERT_TRUE(action.ok()) << action.message();
  EXPECT_EQ(action.value(), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    PerAbi, ActionConversionTest,
    ::testing::Values(
        ConversionCase{"probe_abi_0_2_100", 1, abi::HeaderAction::StopIteration},
        ConversionCase{"probe_abi_0_2_1", 1, abi::HeaderAction::StopAllIterationAndWatermark},
        ConversionCase{"probe_abi_0_2_0", 1, abi::HeaderAction::StopAllIterationAndWatermark},
        ConversionCase{"probe_abi_0_1_0", 1, abi::HeaderAction::StopAllIterationAndWatermark},
        ConversionCase{"probe_abi_0_2_100", 0, abi::HeaderAction::Continue},
        ConversionCase{"probe_abi_0_2_100", 2, abi::HeaderAction::ContinueAndEndStream},
        ConversionCase{"probe_abi_0_2_100", 3, abi::HeaderAction::StopAllIterationAndBuffer},
        ConversionCase{"probe_abi_0_2_100", 4, abi::HeaderAction::StopAllIterationAndWatermark},
        ConversionCase{"probe_abi_0_2_100", 77, abi::HeaderAction::StopAllIterationAndWatermark},
        ConversionCase{"probe_abi_0_2_1", 77, abi::HeaderAction::StopAllIterationAndWatermark}),
    [](const auto& info) {
      return std::string(info.param.plugin).substr(10) + "_returns_" + std::to_string(info.param.headers_result);
    });

TEST_F(StreamCallsTest, DataAndTrailerResultsAreClamped) {
  start("request_body return 1\nresponse_body return 9\nrequest_trailers return 1\nresponse_trailers return 5\n"
        "response_headers return 1");
  EXPECT_EQ(vm->onRequestBody(id, 1, false).value(), abi::DataAction::StopIterationAndBuffer);
  EXPECT_EQ(vm->onResponseBody(id, 1, false).value(), abi::DataAction::StopIterationNoBuffer);
  EXPECT_EQ(vm->onRequestTrailers(id, 1).value(), abi::TrailerAction::StopIteration);
  EXPECT_EQ(vm->onResponseTrailers(id, 1).value(), abi::TrailerAction::StopIteration);
  EXPECT_EQ(vm->onResponseHeaders(id, 1, false).value(), abi::HeaderAction::StopIteration) << "0.2.100 keeps it";
}

TEST_F(StreamCallsTest, Abi010CallbacksAndFunctions) {
  start("request_headers get_configuration\nrequest_headers continue_request\nrequest_headers continue_response\n"
        "request_headers clear_route_cache\n",
        "probe_abi_0_1_0");
  EXPECT_EQ(vm->abiVersion(), abi::AbiVersion::V0_1_0);
  ASSERT_TRUE(vm->onRequestHeaders(id, 2, true).ok());
  EXPECT_EQ(hosts.log.events().back(), "request_headers 2 2") << "0.1.0 headers callbacks take no end_of_stream";
  EXPECT_TRUE(logged("request_headers: get_configuration -> 0 request_headers get_configuration\\x0arequest_headers "
                     "continue_request\\x0arequest_headers continue_response\\x0arequest_headers clear_route_cache\\x0a"))
      << hosts.log.dump();
  EXPECT_TRUE(logged("request_headers: clear_route_cache -> 0"));
  EXPECT_EQ(stream.control.actions, (std::vector<std::string>{"continue 0", "continue 1"}));
}

TEST_F(StreamCallsTest, HigressStreamExtensions) {
  start("response_body inject chunk 1\nresponse_body override_host 10.0.0.1:8080\nresponse_body upstream_hosts\n"
        "configure inject x 0\nconfigure upstream_hosts\n");
  EXPECT_TRUE(logged("configure: inject x 0 -> 2"));
  EXPECT_TRUE(logged("configure: upstream_hosts -> 2"));
  stream.control.upstream_hosts = {{"10.0.0.1:8080", "{\"health_status\":\"Healthy\"}"}};
  ASSERT_TRUE(vm->onResponseBody(id, 0, true).ok());
  EXPECT_EQ(stream.control.actions, (std::vector<std::string>{"inject chunk 1", "override 10.0.0.1:8080"}));
  EXPECT_TRUE(logged("response_body: upstream_hosts -> 0 10.0.0.1:8080={\"health_status\":\"Healthy\"}"))
      << hosts.log.dump();
}

// wasmgate_skip_body_callbacks: the SDK's promise that a direction's body callbacks would only
// answer Continue. The host answers for the plugin from then on, for that stream only.
TEST_F(StreamCallsTest, SkippedBodyCallbacksAreAnsweredContinueWithoutACall) {
  start("configure foreign wasmgate_skip_body_callbacks request\n"
        "request_headers foreign wasmgate_skip_body_callbacks request\n"
        "response_headers foreign wasmgate_skip_body_callbacks sideways\n");
  EXPECT_TRUE(logged("configure: foreign wasmgate_skip_body_callbacks request -> 2")) << "a root context has no body";
  ASSERT_TRUE(vm->onRequestHeaders(id, 2, false).ok());
  EXPECT_TRUE(logged("request_headers: foreign wasmgate_skip_body_callbacks request -> 0 <null>")) << hosts.log.dump();
  auto body = vm->onRequestBody(id, 5, false);
  ASSERT_TRUE(body.ok()) << body.message();
  EXPECT_EQ(*body, abi::DataAction::Continue);
  body = vm->onRequestBody(id, 0, true);
  ASSERT_TRUE(body.ok()) << body.message();
  EXPECT_EQ(hosts.log.events().back(), "request_headers " + std::to_string(id) + " 2 0") << "no request_body call";

  // An argument other than request or response is refused and changes nothing.
  ASSERT_TRUE(vm->onResponseHeaders(id, 1, false).ok());
  EXPECT_TRUE(logged("response_headers: foreign wasmgate_skip_body_callbacks sideways -> 2"));
  ASSERT_TRUE(vm->onResponseBody(id, 3, true).ok());
  EXPECT_EQ(hosts.log.events().back(), "response_body " + std::to_string(id) + " 3 1");

  // Another stream of the same plugin still gets its request body.
  auto other = vm->createStream(root, stream.host());
  ASSERT_TRUE(other.ok()) << other.message();
  ASSERT_TRUE(vm->onRequestBody(*other, 4, true).ok());
  EXPECT_EQ(hosts.log.events().back(), "request_body " + std::to_string(*other) + " 4 1");
}


// wasmgate_skip_callbacks from a root context: every stream the root creates afterwards starts
// with those callbacks answered Continue by the host ("response" is every response callback);
// wasmgate_want_callbacks gives one stream its callbacks back (the SDK's RouteCall).
TEST_F(StreamCallsTest, CallbacksSkippedByTheRootApplyToItsNewStreams) {
  start("configure foreign wasmgate_skip_callbacks response\n"
        "configure foreign wasmgate_skip_callbacks sideways\n"
        "request_trailers foreign wasmgate_want_callbacks response\n");
  EXPECT_TRUE(logged("configure: foreign wasmgate_skip_callbacks response -> 0 <null>")) << hosts.log.dump();
  EXPECT_TRUE(logged("configure: foreign wasmgate_skip_callbacks sideways -> 2")) << "an unknown argument is refused";
  const std::string last_before = hosts.log.events().back();
  auto headers = vm->onResponseHeaders(id, 1, false);
  ASSERT_TRUE(headers.ok()) << headers.message();
  EXPECT_EQ(*headers, abi::HeaderAction::Continue);
  auto body = vm->onResponseBody(id, 3, false);
  ASSERT_TRUE(body.ok()) << body.message();
  EXPECT_EQ(*body, abi::DataAction::Continue);
  auto trailers = vm->onResponseTrailers(id, 1);
  ASSERT_TRUE(trailers.ok()) << trailers.message();
  EXPECT_EQ(*trailers, abi::TrailerAction::Continue);
  EXPECT_EQ(hosts.log.events().back(), last_before) << "no response callback reached the plugin";

  // The request side is untouched.
  ASSERT_TRUE(vm->onRequestBody(id, 4, true).ok());
  EXPECT_EQ(hosts.log.events().back(), "request_body " + std::to_string(id) + " 4 1");

  // A stream that asks for its response back gets every response callback; the first keeps
  // skipping them.
  auto wanting = vm->createStream(root, stream.host());
  ASSERT_TRUE(wanting.ok()) << wanting.message();
  ASSERT_TRUE(vm->onRequestTrailers(*wanting, 0).ok());
  EXPECT_TRUE(logged("request_trailers: foreign wasmgate_want_callbacks response -> 0 <null>")) << hosts.log.dump();
  ASSERT_TRUE(vm->onResponseHeaders(*wanting, 1, false).ok());
  EXPECT_EQ(hosts.log.events().back(), "response_headers " + std::to_string(*wanting) + " 1 0");
  ASSERT_TRUE(vm->onResponseBody(*wanting, 2, true).ok());
  EXPECT_EQ(hosts.log.events().back(), "response_body " + std::to_string(*wanting) + " 2 1");
  const std::string last = hosts.log.events().back();
  ASSERT_TRUE(vm->onResponseHeaders(id, 1, true).ok());
  EXPECT_EQ(hosts.log.events().back(), last);
}

// The same promise made by one stream covers that stream only, and a root that takes it back
// (wasmgate_want_callbacks) leaves later streams with every callback.
TEST_F(StreamCallsTest, CallbacksSkippedByAStreamOrTakenBackByTheRootApplyAsScoped) {
  start("request_headers foreign wasmgate_skip_callbacks request_body\n"
        "configure foreign wasmgate_skip_callbacks response_body\n"
        "configure foreign wasmgate_want_callbacks response_body\n");
  ASSERT_TRUE(vm->onRequestHeaders(id, 2, false).ok());
  const std::string skipped_last = hosts.log.events().back();
  ASSERT_TRUE(vm->onRequestBody(id, 5, true).ok());
  EXPECT_EQ(hosts.log.events().back(), skipped_last) << "this stream skipped its request body";
  ASSERT_TRUE(vm->onResponseBody(id, 3, true).ok());
  EXPECT_EQ(hosts.log.events().back(), "response_body " + std::to_string(id) + " 3 1")
      << "the root took its response-body skip back before any stream was created";

  auto other = vm->createStream(root, stream.host());
  ASSERT_TRUE(other.ok()) << other.message();
  ASSERT_TRUE(vm->onRequestBody(*other, 4, true).ok());
  EXPECT_EQ(hosts.log.events().back(), "request_body " + std::to_string(*other) + " 4 1");
}

// wasmgate_stream_end_ring and the "stream_end" skip: a stream of a root that skips its end
// callbacks ends without a call into the module; its id goes to the module's ring, which the
// module reads the next time it runs. When the ring is full, the stream ends the usual way.
TEST_F(StreamCallsTest, StreamsThatSkipTheirEndGoToTheRing) {
  start("configure foreign wasmgate_skip_callbacks stream_end\n"
        "configure ring static 4\n"
        "configure foreign wasmgate_skip_callbacks stream_end\n"
        "request_headers ring_take\n");
  EXPECT_TRUE(logged("configure: foreign wasmgate_skip_callbacks stream_end -> 2")) << "refused without a ring";
  EXPECT_TRUE(logged("configure: ring static 4 -> 0")) << hosts.log.dump();
  EXPECT_TRUE(logged("configure: foreign wasmgate_skip_callbacks stream_end -> 0 <null>")) << hosts.log.dump();

  const uint64_t entries = vm->state().guestEntries();
  ASSERT_TRUE(vm->finishStream(id).ok());
  EXPECT_EQ(vm->state().guestEntries(), entries) << "no call into the module";
  EXPECT_EQ(vm->state().context(id), nullptr) << "the host's context is gone";
  EXPECT_FALSE(logged("@log " + std::to_string(id)));
  EXPECT_FALSE(logged("@delete " + std::to_string(id)));

  // The next stream's first callback finds the id in the ring.
  auto next = vm->createStream(root, stream.host());
  ASSERT_TRUE(next.ok()) << next.message();
  ASSERT_TRUE(vm->onRequestHeaders(*next, 0, true).ok());
  EXPECT_TRUE(logged("request_headers: ring_take -> 0 1:" + std::to_string(id))) << hosts.log.dump();

  // Four streams fill the ring; the probe takes ids only when its script says so, so the fifth
  // and the sixth end the usual way.
  std::vector<uint32_t> ids;
  for (int i = 0; i < 6; ++i) {
    auto s = vm->createStream(root, stream.host());
    ASSERT_TRUE(s.ok()) << s.message();
    ids.push_back(*s);
  }
  for (uint32_t s : ids) ASSERT_TRUE(vm->finishStream(s).ok());
  EXPECT_FALSE(logged("@log " + std::to_string(ids[3])));
  EXPECT_TRUE(logged("@log " + std::to_string(ids[4]))) << hosts.log.dump();
  EXPECT_TRUE(logged("@done " + std::to_string(ids[4])));
  EXPECT_TRUE(logged("@delete " + std::to_string(ids[4])));
  EXPECT_TRUE(logged("@log " + std::to_string(ids[5])));
  auto last = vm->createStream(root, stream.host());
  ASSERT_TRUE(last.ok()) << last.message();
  ASSERT_TRUE(vm->onRequestHeaders(*last, 0, true).ok());
  std::string expected = "request_headers: ring_take -> 0 5:";
  for (int i = 0; i < 4; ++i) expected += (i ? "," : "") + std::to_string(ids[static_cast<size_t>(i)]);
  EXPECT_TRUE(logged(expected)) << expected << "\n" << hosts.log.dump();
}

// A ring outside memory, misaligned or of no or too large a capacity is refused; a ring whose
// count the module set to nonsense only makes streams end the usual way.
TEST_F(StreamCallsTest, AnUnusableStreamEndRingIsRefusedOrBypassed) {
  start("configure ring end 4\n"
        "configure ring 4294967040 4\n"
        "configure ring 1026 4\n"
        "configure ring static 0\n"
        "configure ring static 70000\n"
        "configure foreign wasmgate_stream_end_ring short\n"
        "configure ring static 4\n"
        "configure foreign wasmgate_skip_callbacks stream_end\n"
        "request_headers ring_take 3000000000\n");
  EXPECT_TRUE(logged("configure: ring end 4 -> 6")) << "past the end of memory\n" << hosts.log.dump();
  EXPECT_TRUE(logged("configure: ring 4294967040 4 -> 6"));
  EXPECT_TRUE(logged("configure: ring 1026 4 -> 2")) << "misaligned";
  EXPECT_TRUE(logged("configure: ring static 0 -> 2"));
  EXPECT_TRUE(logged("configure: ring static 70000 -> 2"));
  EXPECT_TRUE(logged("configure: foreign wasmgate_stream_end_ring short -> 2"));
  EXPECT_TRUE(logged("configure: ring static 4 -> 0"));
  ASSERT_TRUE(vm->onRequestHeaders(id, 0, true).ok());
  auto other = vm->createStream(root, stream.host());
  ASSERT_TRUE(other.ok()) << other.message();
  ASSERT_TRUE(vm->finishStream(*other).ok());
  EXPECT_TRUE(logged("@log " + std::to_string(*other))) << "the module's count is ahead of the host's\n"
                                                        << hosts.log.dump();
  EXPECT_TRUE(logged("@delete " + std::to_string(*other)));
}

// wasmgate_copy_scratch: a result that fits the module's scratch is written there, with no
// allocation by the module; a bigger one is allocated as before. A scratch outside memory, or of
// no or too large a capacity, is refused.
TEST_F(StreamCallsTest, SmallResultsGoToTheModulesCopyScratch) {
  start("configure scratch end 8\n"
        "configure scratch 4294967040 4\n"
        "configure scratch static 0\n"
        "configure scratch static 2000000\n"
        "configure foreign wasmgate_copy_scratch short\n"
        "configure scratch static 16\n"
        "request_headers get_header 0 :path\n"
        "request_headers get_headers 0\n"
        "request_headers get_header 0 :path\n"
        "request_headers get_header 0 missing\n");
  EXPECT_TRUE(logged("configure: scratch end 8 -> 6")) << "past the end of memory\n" << hosts.log.dump();
  EXPECT_TRUE(logged("configure: scratch 4294967040 4 -> 6"));
  EXPECT_TRUE(logged("configure: scratch static 0 -> 2"));
  EXPECT_TRUE(logged("configure: scratch static 2000000 -> 2"));
  EXPECT_TRUE(logged("configure: foreign wasmgate_copy_scratch short -> 2"));
  EXPECT_TRUE(logged("configure: scratch static 16 -> 0"));
  stream.headers.maps[0] = {{":path", "/p"}, {"x-long", "more than sixteen bytes"}};
  ASSERT_TRUE(vm->onRequestHeaders(id, 2, true).ok());
  std::vector<std::string> reports;
  for (const std::string& line : hosts.log.reports()) {
    if (line.starts_with("request_headers: ")) reports.push_back(line);
  }
  ASSERT_EQ(reports.size(), 4u) << hosts.log.dump();
  EXPECT_EQ(reports[0], "request_headers: get_header 0 :path -> 0 [scratch] /p");
  // The whole map is more than 16 bytes: allocated by the module, as on any host.
  EXPECT_TRUE(reports[1].starts_with("request_headers: get_headers 0 -> 0 ")) << reports[1];
  EXPECT_EQ(reports[1].find("[scratch]"), std::string::npos) << reports[1];
  EXPECT_EQ(reports[2], reports[0]) << "the scratch serves every result that fits";
  EXPECT_EQ(reports[3], "request_headers: get_header 0 missing -> 1");
}

}  // namespace
}  // namespace wasmgate::runtime::testing
