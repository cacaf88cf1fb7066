// WasmVm lifecycle against real plugins: start-up, context ids and callback order, retirement
// with proxy_done, effective context, and every way a plugin can fail to load or run.
#include <gtest/gtest.h>

#include <algorithm>

#include "runtime/hostcalls/table.h"
#include "tests/runtime/support/fake_hosts.h"

namespace wasmgate::runtime::testing {
namespace {

using Events = std::vector<std::string>;

class VmLifecycleTest : public ::testing::Test {
 protected:
  void start(const std::string& plugin_name, const std::string& config, const std::string& vm_script = "") {
    auto created = makeVm(*worker, plugin_name, hosts, vm_script);
    ASSERT_TRUE(created.ok()) << created.message();
    vm = std::move(created).value();
    auto r = vm->startPlugin({"probe", "probe_root", config});
    ASSERT_TRUE(r.ok()) << r.message() << "\n" << hosts.log.dump();
    root = r.value();
  }
  uint32_t newStream() {
    auto s = vm->createStream(root, stream.host());
    EXPECT_TRUE(s.ok()) << s.message();
    return s.ok() ? s.value() : 0;
  }

  std::unique_ptr<WorkerEngine> worker = newWorker();
  FakeHosts hosts;
  FakeHosts::Stream stream;
  std::unique_ptr<WasmVm> vm;
  uint32_t root = 0;
};

TEST_F(VmLifecycleTest, RunsEnvoysCallbackOrderWithIdsFromOneCounter) {
  start("probe_abi_0_2_100", "", "");
  EXPECT_EQ(vm->abiVersion(), abi::AbiVersion::V0_2_100);
  const uint32_t s = newStream();
  EXPECT_EQ(root, 1u);
  EXPECT_EQ(s, 2u);
  ASSERT_TRUE(vm->onRequestHeaders(s, 3, false).ok());
  ASSERT_TRUE(vm->onRequestBody(s, 10, true).ok());
  ASSERT_TRUE(vm->onRequestTrailers(s, 1).ok());
  ASSERT_TRUE(vm->onResponseHeaders(s, 2, false).ok());
  ASSERT_TRUE(vm->onResponseBody(s, 5, true).ok());
  ASSERT_TRUE(vm->onResponseTrailers(s, 0).ok());
  ASSERT_TRUE(vm->finishStream(s).ok());
  vm->retirePlugin(root);
  EXPECT_EQ(hosts.log.events(),
            (Events{"context_create 1 0", "vm_start 1 0", "configure 1 0", "context_create 2 1",
                    "request_headers 2 3 0", "request_body 2 10 1", "request_trailers 2 1", "response_headers 2 2 0",
                    "response_body 2 5 1", "response_trailers 2 0", "log 2", "done 2", "delete 2", "done 1",
                    "delete 1"}));
  // Ids are never reused: a new plugin and stream continue the counter.
  auto second = vm->startPlugin({"probe2", "r2", ""});
  ASSERT_TRUE(second.ok()) << second.message();
  EXPECT_EQ(second.value(), 3u);
  EXPECT_FALSE(vm->createStream(root, stream.host()).ok()) << "the retired root takes no streams";
}

TEST_F(VmLifecycleTest, VmStartSeesVmConfigurationAndConfigureSeesPluginConfiguration) {
  start("probe_abi_0_2_100", "configure get_buffer 7 0 100\nconfigure get_buffer 6 0 100",
        "vm_start get_buffer 6 0 100\nvm_start get_buffer 7 0 100");
  EXPECT_TRUE(hosts.log.has("vm_start: get_buffer 6 0 100 -> 0 vm_start get_buffer 6 0 100\\x0avm_start get_buffer 7 0 100"))
      << hosts.log.dump();
  EXPECT_TRUE(hosts.log.has("vm_start: get_buffer 7 0 100 -> 1")) << hosts.log.dump();
  EXPECT_TRUE(hosts.log.has("configure: get_buffer 7 0 100 -> 0 configure get_buffer 7 0 100\\x0aconfigure get_buffer 6 0 100"))
      << hosts.log.dump();
  EXPECT_TRUE(hosts.log.has("configure: get_buffer 6 0 100 -> 1")) << hosts.log.dump();
  // Outside those callbacks neither buffer exists.
  hosts.log.clear();
  FakeHosts::Stream s2;
  vm.reset();
  start("probe_abi_0_2_100", "request_headers get_buffer 7 0 10\nrequest_headers get_buffer 6 0 10");
  const uint32_t s = newStream();
  ASSERT_TRUE(vm->onRequestHeaders(s, 0, true).ok());
  EXPECT_TRUE(hosts.log.has("request_headers: get_buffer 7 0 10 -> 1")) << hosts.log.dump();
  EXPECT_TRUE(hosts.log.has("request_headers: get_buffer 6 0 10 -> 1")) << hosts.log.dump();
}

TEST_F(VmLifecycleTest, ConfigureReturningFalseRejectsTheConfiguration) {
  auto created = makeVm(*worker, "probe_abi_0_2_100", hosts);
  ASSERT_TRUE(created.ok()) << created.message();
  auto r = created.value()->startPlugin({"auth", "auth", "configure return 0"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "plugin 'auth' rejected its configuration");
  EXPECT_FALSE(created.value()->failed()) << "a rejected configuration does not break the VM";
  auto again = created.value()->startPlugin({"auth", "auth", ""});
  EXPECT_TRUE(again.ok()) << again.message();
  auto refused = created.value()->startPlugin({"auth", "auth", "vm_start return 0"});
  EXPECT_TRUE(refused.ok()) << "vm_start commands come from the vm configuration only";
}

TEST_F(VmLifecycleTest, VmStartReturningFalseFailsTheStart) {
  auto created = makeVm(*worker, "probe_abi_0_2_100", hosts, "vm_start return 0");
  ASSERT_TRUE(created.ok()) << created.message();
  auto r = created.value()->startPlugin({"p", "p", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "plugin 'p' failed to start: proxy_on_vm_start returned false");
}

TEST_F(VmLifecycleTest, RetirementWaitsForProxyDoneWhenOnDoneSaysFalse) {
  start("probe_abi_0_2_100", "done return 0\ntick done\ntick log 2 after-done");
  hosts.log.clear();
  vm->retirePlugin(root);
  EXPECT_EQ(hosts.log.events(), (Events{"done 1"}));
  // The host keeps ticking the pending root; the plugin finishes with proxy_done.
  ASSERT_TRUE(vm->onTick(root).ok());
  EXPECT_EQ(hosts.log.events(), (Events{"done 1", "tick 1", "delete 1"})) << hosts.log.dump();
  EXPECT_TRUE(hosts.log.has("tick: done -> 0"));
  EXPECT_FALSE(vm->onTick(root).ok()) << "the root is gone";
}

TEST_F(VmLifecycleTest, ProxyDoneWithoutPendingRetirementIsNotFound) {
  start("probe_abi_0_2_100", "configure done");
  EXPECT_TRUE(hosts.log.has("configure: done -> 1")) << hosts.log.dump();
}

TEST_F(VmLifecycleTest, EffectiveContextSwitchesAndIsRestoredAfterTheCall) {
  // In the root's tick, act on stream 2's headers; an unknown id is refused.
  start("probe_abi_0_2_100",
        "tick get_header 0 :path\ntick set_effective 2\ntick get_header 0 :path\ntick set_effective 99\n"
        "tick get_header 0 :path\nrequest_headers get_header 0 :path");
  const uint32_t s = newStream();
  stream.headers.maps[0] = {{":path", "/a"}};
  ASSERT_TRUE(vm->onTick(root).ok());
  const auto reports = hosts.log.reports();
  ASSERT_EQ(reports.size(), 5u) << hosts.log.dump();
  EXPECT_EQ(reports[0], "tick: get_header 0 :path -> 2") << "a root context has no request headers";
  EXPECT_EQ(reports[1], "tick: set_effective 2 -> 0");
  EXPECT_EQ(reports[2], "tick: get_header 0 :path -> 0 /a");
  EXPECT_EQ(reports[3], "tick: set_effective 99 -> 2");
  EXPECT_EQ(reports[4], "tick: get_header 0 :path -> 0 /a") << "the failed switch keeps the effective context";
  ASSERT_TRUE(vm->onTick(root).ok());
  EXPECT_EQ(hosts.log.reports()[5], "tick: get_header 0 :path -> 2") << "each call starts on its own context";
  ASSERT_TRUE(vm->onRequestHeaders(s, 1, true).ok());
  EXPECT_TRUE(hosts.log.has("request_headers: get_header 0 :path -> 0 /a"));
}

TEST_F(VmLifecycleTest, LogsCarryThePluginNameOfTheEffectiveRoot) {
  start("probe_abi_0_2_100", "configure log 3 warned");
  ASSERT_GE(hosts.log.entries.size(), 2u);
  const LogEntry& warned = hosts.log.entries[hosts.log.entries.size() - 2];  // before the command's report
  EXPECT_EQ(warned.message, "warned");
  EXPECT_EQ(warned.level, abi::LogLevel::Warn);
  EXPECT_EQ(warned.plugin, "probe");
}

// --- failures ---------------------------------------------------------------------------------

TEST(VmLoadTest, MissingImportIsNamed) {
  auto worker = newWorker();
  FakeHosts hosts;
  auto r = makeVm(*worker, "bad_missing_import", hosts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(),
            "plugin 'bad_missing_import': import env.proxy_does_not_exist is not provided by wasmgate (ABI 0.2.0)");
}

TEST(VmLoadTest, ImportSignatureMismatchNamesBothSignatures) {
  auto worker = newWorker();
  FakeHosts hosts;
  auto r = makeVm(*worker, "bad_import_signature", hosts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("plugin 'bad_import_signature': import env.proxy_log has signature (i32) -> i32"),
            std::string::npos)
      << r.message();
  EXPECT_NE(r.message().find("wasmgate provides (i32, i32, i32) -> i32"), std::string::npos) << r.message();
}

TEST(VmLoadTest, ExportSignatureMismatchIsNamed) {
  auto worker = newWorker();
  FakeHosts hosts;
  auto r = makeVm(*worker, "bad_export_signature", hosts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("export proxy_on_tick has signature (i32, i32) -> i32"), std::string::npos)
      << r.message();
}

TEST(VmLoadTest, NoAbiExportListsSupportedVersions) {
  auto worker = newWorker();
  FakeHosts hosts;
  auto r = makeVm(*worker, "bad_no_abi", hosts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("plugin 'bad_no_abi'"), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("no proxy_abi_version_*"), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("0.1.0, 0.2.0, 0.2.1, 0.2.100"), std::string::npos) << r.message();
}

TEST(VmLoadTest, HigressExtensionsAreNotOfferedToAbi020) {
  auto worker = newWorker();
  FakeHosts hosts;
  auto r = makeVm(*worker, "bad_higress_on_0_2_0", hosts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("is not provided by wasmgate (ABI 0.2.0)"), std::string::npos) << r.message();
  EXPECT_EQ(findHostFunction(abi::AbiVersion::V0_2_0, "env", "proxy_redis_call"), nullptr);
  EXPECT_NE(findHostFunction(abi::AbiVersion::V0_2_1, "env", "proxy_redis_call"), nullptr);
  EXPECT_NE(findHostFunction(abi::AbiVersion::V0_2_100, "env", "proxy_get_log_level"), nullptr);
  EXPECT_EQ(findHostFunction(abi::AbiVersion::V0_2_0, "env", "proxy_get_log_level"), nullptr);
  EXPECT_EQ(findHostFunction(abi::AbiVersion::V0_2_100, "env", "proxy_get_configuration"), nullptr);
  EXPECT_NE(findHostFunction(abi::AbiVersion::V0_1_0, "env", "proxy_get_configuration"), nullptr);
  EXPECT_EQ(findHostFunction(abi::AbiVersion::V0_1_0, "env", "proxy_continue_stream"), nullptr);
  EXPECT_NE(findHostFunction(abi::AbiVersion::V0_1_0, "wasi_unstable", "fd_write"), nullptr);
  EXPECT_NE(findHostFunction(abi::AbiVersion::V0_1_0, "wasi_snapshot_preview1", "fd_write"), nullptr);
}

// The probe plugins import every host function of their ABI, so the tests can reach all of them.
TEST(VmLoadTest, ProbePluginsImportEveryHostFunctionOfTheirAbi) {
  for (auto [name, abi] : {std::pair{"probe_abi_0_2_100", abi::AbiVersion::V0_2_100},
                           std::pair{"probe_abi_0_2_1", abi::AbiVersion::V0_2_1},
                           std::pair{"probe_abi_0_1_0", abi::AbiVersion::V0_1_0}}) {
    auto module = plugin(name);
    ASSERT_TRUE(module) << name;
    std::vector<std::string> imported, offered;
    for (const auto& import : module->info().imports) {
      if (import.module == "env") imported.push_back(import.name);
    }
    for (const HostFunction* fn : proxyWasmFunctions(abi)) offered.emplace_back(fn->name);
    std::sort(imported.begin(), imported.end());
    std::sort(offered.begin(), offered.end());
    EXPECT_EQ(imported, offered) << name;
  }
  EXPECT_EQ(proxyWasmFunctions(abi::AbiVersion::V0_2_100).size(), 44u);
  EXPECT_EQ(proxyWasmFunctions(abi::AbiVersion::V0_2_0).size(), 38u);
  EXPECT_EQ(proxyWasmFunctions(abi::AbiVersion::V0_1_0).size(), 40u);
}

TEST(VmLoadTest, TrapDuringInitializeFailsCreate) {
  auto worker = newWorker();
  FakeHosts hosts;
  auto r = makeVm(*worker, "bad_init_trap", hosts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("plugin 'bad_init_trap': trap in _initialize: "), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("unreachable"), std::string::npos) << r.message();
  EXPECT_TRUE(hosts.log.has("starting")) << "host functions work during _initialize";
}

struct TrapCase {
  const char* callback;
  const char* export_name;
};

class VmTrapTest : public VmLifecycleTest, public ::testing::WithParamInterface<TrapCase> {};

// A trap in any callback fails the VM with a message naming the plugin and the callback; later
// calls fail at once; a fresh VM from the same compiled module works.
TEST_P(VmTrapTest, TrapFailsTheVmAndAFreshVmWorks) {
  const TrapCase& c = GetParam();
  const std::string script = std::string(c.callback) + " trap";
  auto created = makeVm(*worker, "probe_abi_0_2_100", hosts, c.callback == std::string("vm_start") ? script : "");
  ASSERT_TRUE(created.ok()) << created.message();
  vm = std::move(created).value();
  auto started = vm->startPlugin({"probe", "probe", script});
  bool trapped = !started.ok();
  if (!trapped) {
    root = started.value();
    auto created_stream = vm->createStream(root, stream.host());
    const uint32_t s = created_stream.ok() ? created_stream.value() : 0;
    trapped = !created_stream.ok();
    auto step = [&](bool ok) { trapped = trapped || !ok; };
    if (!trapped) step(vm->onRequestHeaders(s, 1, false).ok());
    if (!trapped) step(vm->onRequestBody(s, 1, true).ok());
    if (!trapped) step(vm->onResponseHeaders(s, 1, false).ok());
    if (!trapped) step(vm->onResponseBody(s, 1, true).ok());
    if (!trapped) step(vm->onTick(root).ok());
    if (!trapped) step(vm->finishStream(s).ok());
  }
  ASSERT_TRUE(trapped) << hosts.log.dump();
  ASSERT_TRUE(vm->failed());
  EXPECT_EQ(vm->failure().rfind(std::string("plugin 'probe_abi_0_2_100': trap in ") + c.export_name + ": ", 0), 0u)
      << vm->failure();
  EXPECT_NE(vm->failure().find("unreachable"), std::string::npos) << vm->failure();
  // Later calls fail at once with the same message.
  auto later = vm->startPlugin({"probe", "probe", ""});
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.message(), vm->failure());

  auto fresh = makeVm(*worker, "probe_abi_0_2_100", hosts);
  ASSERT_TRUE(fresh.ok()) << fresh.message();
  auto fresh_root = fresh.value()->startPlugin({"probe", "probe", ""});
  ASSERT_TRUE(fresh_root.ok()) << fresh_root.message();
  auto fresh_stream = fresh.value()->createStream(fresh_root.value(), stream.host());
  ASSERT_TRUE(fresh_stream.ok());
  EXPECT_TRUE(fresh.value()->onRequestHeaders(fresh_stream.value(), 1, true).ok());
}

INSTANTIATE_TEST_SUITE_P(EachPhase, VmTrapTest,
                         ::testing::Values(TrapCase{"vm_start", "proxy_on_vm_start"},
                                           TrapCase{"configure", "proxy_on_configure"},
                                           TrapCase{"context_create", "proxy_on_context_create"},
                                           TrapCase{"request_headers", "proxy_on_request_headers"},
                                           TrapCase{"request_body", "proxy_on_request_body"},
                                           TrapCase{"response_headers", "proxy_on_response_headers"},
                                           TrapCase{"response_body", "proxy_on_response_body"},
                                           TrapCase{"tick", "proxy_on_tick"}, TrapCase{"log", "proxy_on_log"},
                                           // the last two run in one entry with log (Instance::sequence)
                                           TrapCase{"done", "proxy_on_done"}, TrapCase{"delete", "proxy_on_delete"}),
                         [](const auto& info) { return std::string(info.param.callback); });

TEST_F(VmLifecycleTest, BadGuestPointersAnswerInvalidMemoryAccess) {
  start("probe_abi_0_2_100",
        "request_headers bad_ptr log\nrequest_headers bad_ptr get_header_out\nrequest_headers bad_ptr get_buffer_out 0\n"
        "request_headers bad_ptr property_path\nrequest_headers bad_ptr set_shared\n"
        "request_headers bad_ptr http_call_token\nrequest_headers bad_ptr metric_out\n"
        "request_headers bad_ptr local_response\nrequest_headers bad_ptr foreign_name");
  const uint32_t s = newStream();
  stream.headers.maps[0] = {{":path", "/"}};
  stream.buffers.buffers[0] = "body";
  ASSERT_TRUE(vm->onRequestHeaders(s, 1, false).ok()) << vm->failure();
  for (const char* what : {"log", "get_header_out", "get_buffer_out 0", "property_path", "set_shared",
                           "http_call_token", "metric_out", "local_response", "foreign_name"}) {
    EXPECT_TRUE(hosts.log.has(std::string("request_headers: bad_ptr ") + what + " -> 6")) << what << "\n"
                                                                                         << hosts.log.dump();
  }
  EXPECT_TRUE(hosts.http.calls.empty()) << "no call starts when the token cannot be written";
  EXPECT_TRUE(stream.control.actions.empty());
  EXPECT_FALSE(vm->failed());
}

}  // namespace
}  // namespace wasmgate::runtime::testing
