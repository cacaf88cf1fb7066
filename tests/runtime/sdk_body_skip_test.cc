// The SDK asks the host to skip callbacks it would only answer Continue to
// (wasmgate_skip_callbacks), on real example plugins: a header-only plugin gets no body
// callbacks, a request-only plugin no response callbacks either, a plugin with body handlers gets
// all of them, and what each plugin does is unchanged. WasmVm::bodyCallbackIsIdle, which lets the
// gateway leave such calls out, agrees with what each call does.
#include <gtest/gtest.h>

#include "runtime/vm_state.h"
#include "tests/runtime/support/fake_hosts.h"

namespace wasmgate::runtime::testing {
namespace {

class SdkBodySkipTest : public ::testing::Test {
 protected:
  void start(const std::string& plugin_name, const std::string& config) {
    auto created = makeVm(*worker, plugin_name, hosts);
    ASSERT_TRUE(created.ok()) << created.message();
    vm = std::move(created).value();
    auto r = vm->startPlugin({plugin_name, "", config});
    ASSERT_TRUE(r.ok()) << r.message() << "\n" << hosts.log.dump();
    auto s = vm->createStream(r.value(), stream.host());
    ASSERT_TRUE(s.ok()) << s.message();
    id = s.value();
  }

  // One body callback. What bodyCallbackIsIdle() said before it must be what it did: idle
  // exactly when it did not enter the guest, and then it answered Continue.
  void body(bool response, uint32_t size, bool end) {
    const bool idle = vm->bodyCallbackIsIdle(id, response);
    const uint64_t before = vm->state().guestEntries();
    auto r = response ? vm->onResponseBody(id, size, end) : vm->onRequestBody(id, size, end);
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_EQ(idle, vm->state().guestEntries() == before) << (response ? "response" : "request") << " body";
    if (idle) {
      EXPECT_EQ(r.value(), abi::DataAction::Continue);
    }
  }

  // A POST with a two-chunk body answered with a two-chunk body; the guest entries it took.
  uint64_t runStream() {
    const uint64_t before = vm->state().guestEntries();
    stream.headers.maps[0] = {{":authority", "example.com"}, {":path", "/p"}, {":method", "POST"},
                              {":scheme", "http"}, {"content-type", "text/plain"}};
    EXPECT_TRUE(vm->onRequestHeaders(id, 5, false).ok());
    body(false, 3, false);
    body(false, 0, true);
    stream.headers.maps[2] = {{":status", "200"}, {"content-type", "text/plain"}};
    EXPECT_TRUE(vm->onResponseHeaders(id, 2, false).ok());
    body(true, 5, false);
    body(true, 0, true);
    EXPECT_TRUE(vm->finishStream(id).ok());
    return vm->state().guestEntries() - before;
  }

  std::unique_ptr<WorkerEngine> worker = newWorker();
  FakeHosts hosts;
  FakeHosts::Stream stream;
  std::unique_ptr<WasmVm> vm;
  uint32_t id = 0;
};

TEST_F(SdkBodySkipTest, AHeaderOnlyPluginGetsNoBodyCallbacks) {
  start("hello-world", R"({"enabled": true})");
  // request headers and response headers; the stream's end goes to the module's ring.
  EXPECT_EQ(runStream(), 2u);
  EXPECT_EQ(stream.headers.maps[0].back(), (std::pair<std::string, std::string>{"x-my-header", "hello"}));
  EXPECT_EQ(stream.headers.maps[2].back(), (std::pair<std::string, std::string>{"x-hello-world", "/p"}));
}

TEST_F(SdkBodySkipTest, APluginWithBodyHandlersGetsEveryBodyCallback) {
  start("headers-bodies", R"({"tag": "t", "replace": {"from": "a", "to": "b"}})");
  EXPECT_EQ(runStream(), 6u);
}

TEST_F(SdkBodySkipTest, APluginThatStopsReadingOneBodyStillGetsTheOther) {
  // Without a rewrite, headers-bodies calls DontReadResponseBody() for text responses.
  start("headers-bodies", R"({"tag": "t"})");
  EXPECT_EQ(runStream(), 4u) << "request body twice, no response body";
}

TEST_F(SdkBodySkipTest, ARequestOnlyPluginGetsNoResponseCallbacks) {
  // disable-reroute handles request headers only: it changes a header with the route pinned.
  start("disable-reroute", R"({"header": "x-pinned", "value": "1"})");
  // request headers only: no body, no response callback, and the end goes to the ring.
  EXPECT_EQ(runStream(), 1u);
  EXPECT_EQ(stream.headers.maps[0].back(), (std::pair<std::string, std::string>{"x-pinned", "1"}));
}

// The SDK registers its ring of ended streams and skips the end callbacks of plugins without a
// done handler: the module frees each ended stream the next time the host calls it, so thousands
// of streams leave its memory where it was.
TEST_F(SdkBodySkipTest, EndedStreamsAreFreedByTheModuleWithoutEndCallbacks) {
  start("hello-world", R"({"enabled": true})");
  ASSERT_TRUE(vm->state().hasEndedStreamRing());
  auto oneStream = [&] {
    auto s = vm->createStream(vm->state().context(id)->root_id, stream.host());
    ASSERT_TRUE(s.ok()) << s.message();
    stream.headers.maps[0] = {{":authority", "example.com"}, {":path", "/p"}, {":method", "GET"}};
    ASSERT_TRUE(vm->onRequestHeaders(*s, 3, true).ok());
    stream.headers.maps[2] = {{":status", "200"}};
    ASSERT_TRUE(vm->onResponseHeaders(*s, 1, true).ok());
    ASSERT_TRUE(vm->finishStream(*s).ok());
    EXPECT_EQ(vm->state().context(*s), nullptr);
  };
  for (int i = 0; i < 100; ++i) oneStream();
  const size_t memory_before = vm->state().instance().memory().size();
  const uint64_t entries_before = vm->state().guestEntries();
  for (int i = 0; i < 3000; ++i) oneStream();
  EXPECT_EQ(vm->state().guestEntries() - entries_before, 9000u)
      << "context create, request headers, response headers: no end callbacks";
  // Kept, 3000 streams' state would take several 64 KiB pages.
  EXPECT_LE(vm->state().instance().memory().size(), memory_before + 65536);
  EXPECT_EQ(stream.headers.maps[2].back(), (std::pair<std::string, std::string>{"x-hello-world", "/p"}));
}

// A plugin with a done handler keeps its end callbacks.
TEST_F(SdkBodySkipTest, APluginWithADoneHandlerGetsItsEndCallbacks) {
  start("sdk_http_context", "{}");
  stream.headers.maps[0] = {{":authority", "example.com"}, {":path", "/p"}, {":method", "GET"}};
  ASSERT_TRUE(vm->onRequestHeaders(id, 3, true).ok());
  const uint64_t before = vm->state().guestEntries();
  ASSERT_TRUE(vm->finishStream(id).ok());
  EXPECT_EQ(vm->state().guestEntries() - before, 1u);
  EXPECT_TRUE(hosts.log.has("[sdk-http-context] [nil] [nil] phase stream_done: 4")) << hosts.log.dump();
}

TEST_F(SdkBodySkipTest, AModuleWithoutBodyCallbacksIsIdleAndAnUnknownOrFailedStreamIsNot) {
  // raw_hello exports no body callbacks at all.
  start("raw_hello", "");
  EXPECT_TRUE(vm->bodyCallbackIsIdle(id, false));
  EXPECT_TRUE(vm->bodyCallbackIsIdle(id, true));
  EXPECT_FALSE(vm->bodyCallbackIsIdle(id + 100, true)) << "an unknown stream is the call's to report";
  EXPECT_FALSE(vm->bodyCallbackIsIdle(vm->state().context(id)->root_id, true)) << "a root context has no body";
  vm->state().failIn(Export::OnRequestHeaders, "made to fail by the test");
  EXPECT_FALSE(vm->bodyCallbackIsIdle(id, true)) << "a failed VM's call reports the failure";
  EXPECT_FALSE(vm->onResponseBody(id, 5, false).ok());
}

}  // namespace
}  // namespace wasmgate::runtime::testing
