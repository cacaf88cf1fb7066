// WasmVm::finishStreams against real plugins: the streams of several VMs (the plugins of one
// request) end in one entry into the engine, with the callbacks and their order unchanged, and a
// trap in one plugin fails that plugin only.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "runtime/vm_state.h"
#include "tests/runtime/support/fake_hosts.h"

namespace wasmgate::runtime::testing {
namespace {

using Events = std::vector<std::string>;

class VmStreamChainTest : public ::testing::Test {
 protected:
  // A VM of the probe plugin whose root is called `name`, configured with `script`, and one
  // stream on it.
  void addPlugin(const std::string& name, const std::string& script = "") {
    auto created = makeVm(*worker, "probe_abi_0_2_100", hosts, "");
    ASSERT_TRUE(created.ok()) << created.message();
    WasmVm& vm = *vms.emplace_back(std::move(created).value());
    auto root = vm.startPlugin({name, name, script});
    ASSERT_TRUE(root.ok()) << root.message() << "\n" << hosts.log.dump();
    auto stream = vm.createStream(root.value(), streams.emplace_back(std::make_unique<FakeHosts::Stream>())->host());
    ASSERT_TRUE(stream.ok()) << stream.message();
    ends.push_back({&vm, stream.value(), {}});
  }

  // The probe's callback events since the last clear, each with the plugin that logged it.
  Events events() const {
    Events out;
    for (const LogEntry& e : hosts.log.entries) {
      if (!e.message.empty() && e.message[0] == '@') out.push_back(e.plugin + " " + e.message.substr(1));
    }
    return out;
  }

  std::unique_ptr<WorkerEngine> worker = newWorker();
  FakeHosts hosts;
  std::vector<std::unique_ptr<FakeHosts::Stream>> streams;
  std::vector<std::unique_ptr<WasmVm>> vms;
  std::vector<WasmVm::StreamEnd> ends;
};

TEST_F(VmStreamChainTest, ThePluginsOfAStreamEndInOneEntryWithTheirCallbacksInOrder) {
  addPlugin("first");
  addPlugin("second");
  addPlugin("third");
  hosts.log.clear();
  std::vector<uint64_t> entries_before;
  for (auto& vm : vms) entries_before.push_back(vm->state().guestEntries());
  const uint64_t worker_entries_before = worker->guestEntries();

  WasmVm::finishStreams(ends);

  EXPECT_EQ(worker->guestEntries(), worker_entries_before + 1) << "three plugins, one entry into the engine";

  EXPECT_EQ(events(), (Events{"first log 2", "first done 2", "first delete 2", "second log 2", "second done 2",
                              "second delete 2", "third log 2", "third done 2", "third delete 2"}));
  for (size_t i = 0; i < vms.size(); ++i) {
    EXPECT_TRUE(ends[i].status.ok()) << ends[i].status.message();
    EXPECT_EQ(vms[i]->state().guestEntries(), entries_before[i] + 1) << "plugin " << i << ": one entry";
    // The stream context is gone, as after finishStream().
    EXPECT_FALSE(vms[i]->finishStream(ends[i].stream_id).ok());
  }
  // The chain is kept by the engine: the next request of the same plugins ends the same way.
  for (size_t i = 0; i < vms.size(); ++i) {
    auto again = vms[i]->createStream(1, streams[i]->host());
    ASSERT_TRUE(again.ok()) << again.message();
    ends[i] = {vms[i].get(), again.value(), {}};
  }
  hosts.log.clear();
  const uint64_t second_before = worker->guestEntries();
  WasmVm::finishStreams(ends);
  EXPECT_EQ(worker->guestEntries(), second_before + 1);
  EXPECT_EQ(events().size(), 9u) << hosts.log.dump();
  EXPECT_EQ(events().back(), "third delete 3");
}

TEST_F(VmStreamChainTest, ATrapFailsOnlyItsPluginAndThePluginsAfterItStillEnd) {
  addPlugin("first");
  addPlugin("second", "log trap");
  addPlugin("third");
  hosts.log.clear();

  WasmVm::finishStreams(ends);

  EXPECT_TRUE(ends[0].status.ok()) << ends[0].status.message();
  ASSERT_FALSE(ends[1].status.ok());
  EXPECT_EQ(ends[1].status.message().rfind("plugin 'probe_abi_0_2_100': trap in proxy_on_log: ", 0), 0u)
      << ends[1].status.message();
  EXPECT_TRUE(ends[2].status.ok()) << ends[2].status.message();
  EXPECT_FALSE(vms[0]->failed());
  EXPECT_TRUE(vms[1]->failed());
  EXPECT_FALSE(vms[2]->failed());
  const Events seen = events();
  EXPECT_EQ(seen.front(), "first log 2");
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "third delete 2"), 1) << hosts.log.dump();
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "second done 2"), 0) << "nothing runs after the trap";
  // Every stream context is gone, the failed plugin's too.
  for (size_t i = 0; i < vms.size(); ++i) EXPECT_EQ(vms[i]->state().context(ends[i].stream_id), nullptr);
}

TEST_F(VmStreamChainTest, AFailedOrUnknownEntryEndsEveryStreamOneByOne) {
  addPlugin("first");
  addPlugin("second", "log trap");
  addPlugin("third");
  // The second plugin fails before the end: the others still end, each with its own result.
  ASSERT_FALSE(vms[1]->finishStream(ends[1].stream_id).ok());
  hosts.log.clear();
  WasmVm::finishStreams(ends);
  EXPECT_TRUE(ends[0].status.ok());
  EXPECT_FALSE(ends[1].status.ok());
  EXPECT_TRUE(ends[2].status.ok());
  EXPECT_EQ(events(), (Events{"first log 2", "first done 2", "first delete 2", "third log 2", "third done 2",
                              "third delete 2"}));
  // An unknown stream is reported by name, as finishStream() reports it.
  WasmVm::StreamEnd unknown[] = {{vms[0].get(), 99, {}}, {vms[2].get(), 98, {}}};
  WasmVm::finishStreams(unknown);
  ASSERT_FALSE(unknown[0].status.ok());
  EXPECT_EQ(unknown[0].status.message(), "plugin 'probe_abi_0_2_100': no stream context 99");
}

TEST_F(VmStreamChainTest, AChainIsRebuiltWhenOneOfItsVmsIsReplaced) {
  addPlugin("first");
  addPlugin("second");
  WasmVm::finishStreams(ends);
  ASSERT_TRUE(ends[0].status.ok() && ends[1].status.ok());
  // The second VM goes (as a rebuild replaces it) and a new one takes its place in the chain.
  vms[1].reset();
  vms.erase(vms.begin() + 1);
  ends.clear();
  auto again = vms[0]->createStream(1, streams[0]->host());
  ASSERT_TRUE(again.ok());
  ends.push_back({vms[0].get(), again.value(), {}});
  addPlugin("replacement");
  hosts.log.clear();
  WasmVm::finishStreams(ends);
  EXPECT_TRUE(ends[0].status.ok()) << ends[0].status.message();
  EXPECT_TRUE(ends[1].status.ok()) << ends[1].status.message();
  EXPECT_EQ(events(), (Events{"first log 3", "first done 3", "first delete 3", "replacement log 2",
                              "replacement done 2", "replacement delete 2"}));
}

// WasmVm::onResponseHeadersChained: the plugins' response header callbacks in one entry, with
// the host deciding between them.
class VmHeaderChainTest : public VmStreamChainTest {
 protected:
  std::vector<WasmVm::HeadersLink> links() {
    std::vector<WasmVm::HeadersLink> out(ends.size());
    for (size_t i = 0; i < ends.size(); ++i) {
      out[i].vm = ends[i].vm;
      out[i].stream_id = ends[i].stream_id;
    }
    return out;
  }
};

TEST_F(VmHeaderChainTest, CallbacksRunInOneEntryEachWithTheHeaderCountTheHostGives) {
  addPlugin("first");
  addPlugin("second");
  addPlugin("third");
  hosts.log.clear();
  auto chain = links();
  std::vector<size_t> asked;
  const uint64_t before = worker->guestEntries();
  const uint64_t fast_before = worker->fastCheckpoints();
  const size_t ran = WasmVm::onResponseHeadersChained(chain, 5, false, [&](size_t i) -> std::optional<uint32_t> {
    asked.push_back(i);
    EXPECT_TRUE(chain[i].action.ok()) << "the answer is there when the host is asked";
    return 10 + static_cast<uint32_t>(i);
  });
  EXPECT_EQ(ran, 3u);
  EXPECT_EQ(worker->guestEntries(), before + 1);
  EXPECT_EQ(worker->fastCheckpoints(), fast_before + 3) << "nothing was deferred: every checkpoint took the fast path";
  EXPECT_EQ(asked, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(events(), (Events{"first response_headers 2 5 0", "second response_headers 2 10 0",
                              "third response_headers 2 11 0"}));
  for (auto& link : chain) EXPECT_EQ(link.action.value(), abi::HeaderAction::Continue);
  // Called again (the next response), the cached chain does the same.
  hosts.log.clear();
  EXPECT_EQ(WasmVm::onResponseHeadersChained(chain, 7, true, [](size_t) { return std::optional<uint32_t>(8); }), 3u);
  EXPECT_EQ(events(), (Events{"first response_headers 2 7 1", "second response_headers 2 8 1",
                              "third response_headers 2 8 1"}));
}

TEST_F(VmHeaderChainTest, TheHostStopsTheChainAndAStopOrLocalResponseIsSeenFirst) {
  addPlugin("first");
  addPlugin("second", "response_headers local_response 403 no body \"\" -1");
  addPlugin("third");
  hosts.log.clear();
  auto chain = links();
  const uint64_t fast_before = worker->fastCheckpoints();
  const size_t ran = WasmVm::onResponseHeadersChained(chain, 5, false, [&](size_t i) -> std::optional<uint32_t> {
    // The local response already reached the stream (deferred actions ran) when the host is asked.
    if (i == 1) {
      EXPECT_EQ(streams[1]->control.actions, (std::vector<std::string>{"local 403"}));
      return std::nullopt;
    }
    return 6;
  });
  EXPECT_EQ(ran, 2u);
  // The first checkpoint had nothing deferred; the second had the local response, which may run
  // guest code, so it took the engine's usual path.
  EXPECT_EQ(worker->fastCheckpoints(), fast_before + 1);
  EXPECT_EQ(chain[1].action.value(), abi::HeaderAction::StopAllIterationAndWatermark) << "a local response stops";
  EXPECT_EQ(events(), (Events{"first response_headers 2 5 0", "second response_headers 2 6 0"}));
  EXPECT_TRUE(streams[2]->control.actions.empty());
}

TEST_F(VmHeaderChainTest, ATrapFailsItsPluginAndTheLaterOnesDoNotRun) {
  addPlugin("first");
  addPlugin("second", "response_headers trap");
  addPlugin("third");
  hosts.log.clear();
  auto chain = links();
  std::vector<size_t> asked;
  const size_t ran = WasmVm::onResponseHeadersChained(chain, 5, false, [&](size_t i) -> std::optional<uint32_t> {
    asked.push_back(i);
    return 6;
  });
  EXPECT_EQ(ran, 2u);
  EXPECT_EQ(asked, (std::vector<size_t>{0, 1}));
  ASSERT_FALSE(chain[1].action.ok());
  EXPECT_EQ(chain[1].action.message().rfind("plugin 'probe_abi_0_2_100': trap in proxy_on_response_headers: ", 0), 0u)
      << chain[1].action.message();
  EXPECT_TRUE(vms[1]->failed());
  EXPECT_FALSE(vms[0]->failed());
  EXPECT_FALSE(vms[2]->failed());
  EXPECT_EQ(events(), (Events{"first response_headers 2 5 0", "second response_headers 2 6 0"}));
  // The stream of the plugin that did not run is untouched and still ends normally.
  EXPECT_TRUE(vms[2]->finishStream(ends[2].stream_id).ok());
}

// WasmVm::startStreamsChained: each plugin's stream created and shown the request headers, all
// plugins in one entry, each stream context created only when the chain reaches it.
class VmStartChainTest : public VmStreamChainTest {
 protected:
  // A VM of the probe plugin with its root `name`, configured with `script`, and no stream yet.
  void addRoot(const std::string& name, const std::string& script = "") {
    auto created = makeVm(*worker, "probe_abi_0_2_100", hosts, "");
    ASSERT_TRUE(created.ok()) << created.message();
    WasmVm& vm = *vms.emplace_back(std::move(created).value());
    auto root = vm.startPlugin({name, name, script});
    ASSERT_TRUE(root.ok()) << root.message();
    links.push_back({&vm, root.value(), streams.emplace_back(std::make_unique<FakeHosts::Stream>())->host()});
  }
  std::vector<WasmVm::StartLink> links;
};

TEST_F(VmStartChainTest, PluginsStartTheirStreamsInOneEntryEachWithTheHeaderCountTheHostGives) {
  addRoot("first");
  addRoot("second");
  addRoot("third");
  hosts.log.clear();
  std::vector<size_t> asked;
  const uint64_t before = worker->guestEntries();
  const uint64_t fast_before = worker->fastCheckpoints();
  const size_t ran = WasmVm::startStreamsChained(links, 4, true, [&](size_t i) -> std::optional<uint32_t> {
    asked.push_back(i);
    EXPECT_TRUE(links[i].started.ok()) << links[i].started.message();
    return 5 + static_cast<uint32_t>(i);
  });
  EXPECT_EQ(ran, 3u);
  EXPECT_EQ(worker->guestEntries(), before + 1);
  EXPECT_EQ(worker->fastCheckpoints(), fast_before + 3);
  EXPECT_EQ(asked, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(events(), (Events{"first context_create 2 1", "first request_headers 2 4 1", "second context_create 2 1",
                              "second request_headers 2 5 1", "third context_create 2 1",
                              "third request_headers 2 6 1"}));
  for (size_t i = 0; i < links.size(); ++i) {
    ASSERT_TRUE(links[i].started.ok());
    EXPECT_EQ(links[i].started->id, 2u);
    EXPECT_EQ(links[i].started->action, abi::HeaderAction::Continue);
    EXPECT_TRUE(vms[i]->finishStream(2).ok()) << "a stream that ends normally";
  }
}

TEST_F(VmStartChainTest, AStopLeavesTheLaterPluginsWithoutAStream) {
  addRoot("first");
  addRoot("second", "request_headers return 1");
  addRoot("third");
  hosts.log.clear();
  const size_t ran = WasmVm::startStreamsChained(links, 4, false, [&](size_t i) -> std::optional<uint32_t> {
    const bool go_on = links[i].started.ok() && links[i].started->action == abi::HeaderAction::Continue;
    return go_on ? std::optional<uint32_t>(4) : std::nullopt;
  });
  EXPECT_EQ(ran, 2u);
  ASSERT_TRUE(links[1].started.ok());
  EXPECT_NE(links[1].started->action, abi::HeaderAction::Continue);
  EXPECT_EQ(events(), (Events{"first context_create 2 1", "first request_headers 2 4 0", "second context_create 2 1",
                              "second request_headers 2 4 0"}));
  EXPECT_EQ(vms[2]->state().context(2), nullptr) << "no context for a plugin the chain did not reach";
  // Started later, on its own, the third plugin gets the next id as if nothing had happened.
  auto later = vms[2]->startStream(links[2].root_id, links[2].host, 4, false);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->id, 2u);
}

TEST_F(VmStartChainTest, ATrapInContextCreateOrHeadersFailsThatPluginOnly) {
  for (const char* callback : {"context_create", "request_headers"}) {
    SCOPED_TRACE(callback);
    vms.clear();
    links.clear();
    streams.clear();
    addRoot("first");
    addRoot("second", std::string(callback) + " trap");
    addRoot("third");
    hosts.log.clear();
    std::vector<size_t> asked;
    const size_t ran = WasmVm::startStreamsChained(links, 4, false, [&](size_t i) -> std::optional<uint32_t> {
      asked.push_back(i);
      return 4;
    });
    EXPECT_EQ(ran, 2u);
    EXPECT_EQ(asked, (std::vector<size_t>{0, 1}));
    ASSERT_FALSE(links[1].started.ok());
    EXPECT_EQ(links[1].started.message().rfind(std::string("plugin 'probe_abi_0_2_100': trap in proxy_on_") + callback,
                                               0),
              0u)
        << links[1].started.message();
    EXPECT_TRUE(vms[1]->failed());
    EXPECT_FALSE(vms[0]->failed());
    EXPECT_FALSE(vms[2]->failed());
    EXPECT_EQ(vms[1]->state().context(2), nullptr) << "the failed start left no stream behind";
    EXPECT_EQ(vms[2]->state().context(2), nullptr);
  }
}

TEST_F(VmStartChainTest, ACheckpointWithDeferredActionsTakesTheUsualPathAndTheChainGoesOn) {
  addRoot("first");
  addRoot("second", "request_headers local_response 403 no body \"\" -1");
  addRoot("third");
  hosts.log.clear();
  const uint64_t fast_before = worker->fastCheckpoints();
  // This host lets the chain go on after the local response, to show the answer of the usual
  // path (the next stream's id and header count) reaching the module as the fast path's does.
  const size_t ran = WasmVm::startStreamsChained(links, 4, false, [&](size_t i) -> std::optional<uint32_t> {
    if (i == 1) {
      EXPECT_EQ(streams[1]->control.actions, (std::vector<std::string>{"local 403"}));
    }
    return 7 + static_cast<uint32_t>(i);
  });
  EXPECT_EQ(ran, 3u);
  EXPECT_EQ(worker->fastCheckpoints(), fast_before + 2) << "the first and third checkpoints had nothing deferred";
  EXPECT_EQ(events(), (Events{"first context_create 2 1", "first request_headers 2 4 0", "second context_create 2 1",
                              "second request_headers 2 7 0", "third context_create 2 1",
                              "third request_headers 2 8 0"}));
  for (size_t i = 0; i < links.size(); ++i) {
    ASSERT_TRUE(links[i].started.ok()) << i;
    EXPECT_EQ(links[i].started->id, 2u);
  }
}

TEST_F(VmStartChainTest, ARetiringRootOnTheWayIsLeftToThePlainPath) {
  addRoot("first");
  addRoot("second");
  hosts.log.clear();
  // The second root goes away while the first plugin runs (as a reload retires it): the chain
  // stops there and the plain path reports it.
  vms[1]->retirePlugin(links[1].root_id);
  const size_t ran = WasmVm::startStreamsChained(links, 4, false, [](size_t) { return std::optional<uint32_t>(4); });
  EXPECT_EQ(ran, 2u);
  EXPECT_TRUE(links[0].started.ok());
  ASSERT_FALSE(links[1].started.ok());
  EXPECT_EQ(links[1].started.message(), "plugin 'probe_abi_0_2_100': no live root context 1");
}

}  // namespace
}  // namespace wasmgate::runtime::testing
