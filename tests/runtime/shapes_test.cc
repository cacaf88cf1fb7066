// The module shapes other compilers produce, through WasmVm: a Go-1.24-like reactor without
// malloc, a TinyGo-like command module, and broken or trapping modules. Each failure must give
// an error naming the plugin and the cause, and must leave the process able to start again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "runtime/engine.h"
#include "runtime/host.h"
#include "runtime/vm.h"

namespace wasmgate::runtime {
namespace {

using ::testing::HasSubstr;

struct LogLine {
  abi::LogLevel level;
  std::string message;
};

class CapturingLog : public LogHost {
 public:
  std::vector<LogLine> lines;
  void log(abi::LogLevel level, std::string_view, std::string_view message) override {
    lines.push_back({level, std::string(message)});
  }
  abi::LogLevel logLevel() override { return abi::LogLevel::Trace; }
  bool has(std::string_view text, abi::LogLevel level) const {
    for (const auto& l : lines) {
      if (l.level == level && l.message == text) return true;
    }
    return false;
  }
};

// Request headers served from a map; additions recorded.
class Headers : public HeaderMapHost {
 public:
  Pairs request{{":path", "/shapes"}, {":method", "GET"}};
  Pairs added;
  Status getHeader(abi::MapType type, std::string_view key, std::string* value) override {
    if (type != abi::MapType::RequestHeaders) return Status::BadArgument;
    for (const auto& [k, v] : request) {
      if (k == key) {
        *value = v;
        return Status::Ok;
      }
    }
    return Status::NotFound;
  }
  Status addHeader(abi::MapType type, std::string_view key, std::string_view value) override {
    if (type != abi::MapType::RequestHeaders) return Status::BadArgument;
    added.emplace_back(key, value);
    return Status::Ok;
  }
  Status getHeaderMapSize(abi::MapType, uint32_t* size) override {
    *size = static_cast<uint32_t>(request.size());
    return Status::Ok;
  }
};

std::vector<uint8_t> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class ShapesTest : public ::testing::Test {
 protected:
  void SetUp() override { worker_ = v8Engine().newWorker(); }

  std::shared_ptr<const CompiledModule> compile(const std::string& name) {
    auto bytes = readFile(std::string(WASMGATE_WAT_DIR) + "/" + name + ".wasm");
    EXPECT_FALSE(bytes.empty()) << name << ".wasm was not built";
    auto compiled = v8Engine().compile(bytes, name);
    EXPECT_TRUE(compiled.ok()) << compiled.message();
    return compiled.ok() ? compiled.value() : nullptr;
  }

  Result<std::unique_ptr<WasmVm>> create(std::shared_ptr<const CompiledModule> module, std::string name,
                                         std::vector<std::pair<std::string, std::string>> env = {}) {
    VmConfig config;
    config.name = std::move(name);
    config.env = std::move(env);
    config.services.log = &log_;
    return WasmVm::create(*worker_, std::move(module), std::move(config));
  }

  // Creates the VM and starts the plugin with `configuration`; fails the test if either fails.
  std::unique_ptr<WasmVm> start(const std::string& module_name, const std::string& configuration) {
    auto module = compile(module_name);
    if (!module) return nullptr;
    auto vm = create(module, module_name);
    EXPECT_TRUE(vm.ok()) << vm.message();
    if (!vm.ok()) return nullptr;
    auto root = (*vm)->startPlugin({module_name, module_name, configuration});
    EXPECT_TRUE(root.ok()) << root.message();
    root_ = root.ok() ? *root : 0;
    return std::move(*vm);
  }

  // A stream through request headers; returns its result.
  Result<abi::HeaderAction> requestHeaders(WasmVm& vm) {
    auto stream = vm.createStream(root_, stream_host_);
    if (!stream.ok()) return stream.error();
    return vm.onRequestHeaders(*stream, static_cast<uint32_t>(headers_.request.size()), true);
  }

  CapturingLog log_;
  Headers headers_;
  StreamHost stream_host_{&headers_, nullptr, nullptr, nullptr};
  std::unique_ptr<WorkerEngine> worker_;
  uint32_t root_ = 0;
};

TEST_F(ShapesTest, GoReactorWithoutMallocRunsAPluginAndAStream) {
  auto module = compile("go_reactor");
  ASSERT_TRUE(module);
  EXPECT_EQ(module->info().findExport("malloc"), nullptr);
  auto vm = create(module, "go-plugin", {{"GO_ENV", "on"}});
  ASSERT_TRUE(vm.ok()) << vm.message();
  EXPECT_EQ((*vm)->abiVersion(), abi::AbiVersion::V0_2_100);
  auto root = (*vm)->startPlugin({"go-plugin", "go-plugin", R"({"a":1})"});
  ASSERT_TRUE(root.ok()) << root.message();
  root_ = *root;
  EXPECT_TRUE(log_.has("go-reactor: vm started", abi::LogLevel::Info));
  EXPECT_TRUE(log_.has("go-reactor: env GO_ENV=on", abi::LogLevel::Info));
  EXPECT_TRUE(log_.has(R"(go-reactor: configuration {"a":1})", abi::LogLevel::Info));

  auto stream = (*vm)->createStream(root_, stream_host_);
  ASSERT_TRUE(stream.ok()) << stream.message();
  auto action = (*vm)->onRequestHeaders(*stream, 2, true);
  ASSERT_TRUE(action.ok()) << action.message();
  EXPECT_EQ(*action, abi::HeaderAction::Continue);
  EXPECT_EQ(headers_.added, (Pairs{{"x-go-reactor", "1"}}));
  EXPECT_TRUE((*vm)->finishStream(*stream).ok());
  EXPECT_FALSE((*vm)->failed());
}

TEST_F(ShapesTest, GoReactorRejectsAConfigurationThatIsNotAnObject) {
  auto vm = create(compile("go_reactor"), "go-plugin");
  ASSERT_TRUE(vm.ok()) << vm.message();
  auto root = (*vm)->startPlugin({"go-plugin", "go-plugin", "[1, 2]"});
  ASSERT_FALSE(root.ok());
  EXPECT_THAT(root.message(), HasSubstr("go-plugin"));
  EXPECT_THAT(root.message(), HasSubstr("rejected"));
  EXPECT_TRUE(log_.has("go-reactor: configuration must be a JSON object", abi::LogLevel::Error));
}

TEST_F(ShapesTest, TinyGoCommandRunsStartThenServesStreams) {
  auto vm = start("tinygo_command", "tinygo-config");
  ASSERT_TRUE(vm);
  EXPECT_EQ(vm->abiVersion(), abi::AbiVersion::V0_2_0);
  EXPECT_TRUE(log_.has("tinygo: runtime started", abi::LogLevel::Info));  // its stdout, newline stripped
  EXPECT_TRUE(log_.has("tinygo-config", abi::LogLevel::Info));
  auto action = requestHeaders(*vm);
  ASSERT_TRUE(action.ok()) << action.message();
  EXPECT_EQ(*action, abi::HeaderAction::Continue);
  EXPECT_EQ(headers_.added, (Pairs{{"x-tinygo-path", "/shapes"}}));
}

TEST_F(ShapesTest, NotWasmFailsToCompileNamingTheFile) {
  const std::string text = "This is a text file, not a WebAssembly module.\n";
  std::vector<uint8_t> bytes(text.begin(), text.end());
  auto compiled = v8Engine().compile(bytes, "not-wasm-plugin");
  ASSERT_FALSE(compiled.ok());
  EXPECT_THAT(compiled.message(), HasSubstr("not-wasm-plugin"));
  EXPECT_THAT(compiled.message(), HasSubstr("magic"));
}

TEST_F(ShapesTest, NoAbiExportIsRefusedListingSupportedVersions) {
  auto vm = create(compile("shape_no_abi"), "no-abi");
  ASSERT_FALSE(vm.ok());
  EXPECT_THAT(vm.message(), HasSubstr("no-abi"));
  EXPECT_THAT(vm.message(), HasSubstr("proxy_abi_version"));
  EXPECT_THAT(vm.message(), HasSubstr("0.2.100"));
}

TEST_F(ShapesTest, MissingImportIsNamed) {
  auto vm = create(compile("shape_missing_import"), "needs-more");
  ASSERT_FALSE(vm.ok());
  EXPECT_THAT(vm.message(), HasSubstr("needs-more"));
  EXPECT_THAT(vm.message(), HasSubstr("env.proxy_does_not_exist"));
  EXPECT_THAT(vm.message(), HasSubstr("not provided"));
}

TEST_F(ShapesTest, SignatureMismatchNamesBothSignatures) {
  auto vm = create(compile("shape_bad_signature"), "bad-sig");
  ASSERT_FALSE(vm.ok());
  EXPECT_THAT(vm.message(), HasSubstr("bad-sig"));
  EXPECT_THAT(vm.message(), HasSubstr("env.proxy_log"));
  EXPECT_THAT(vm.message(), HasSubstr("(i32, i32) -> i32"));
  EXPECT_THAT(vm.message(), HasSubstr("(i32, i32, i32) -> i32"));
}

TEST_F(ShapesTest, TrapInConfigureFailsTheVmAndAFreshVmWorks) {
  auto module = compile("shape_trap_configure");
  auto vm = create(module, "trapper");
  ASSERT_TRUE(vm.ok()) << vm.message();
  auto root = (*vm)->startPlugin({"trapper", "trapper", "{}"});
  ASSERT_FALSE(root.ok());
  EXPECT_THAT(root.message(), HasSubstr("trapper"));
  EXPECT_THAT(root.message(), HasSubstr("proxy_on_configure"));
  EXPECT_THAT(root.message(), HasSubstr("unreachable"));
  EXPECT_TRUE((*vm)->failed());
  EXPECT_FALSE((*vm)->startPlugin({"trapper", "trapper", "{}"}).ok());  // later calls fail at once

  auto again = create(module, "trapper");
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_FALSE((*again)->failed());
}

TEST_F(ShapesTest, OutOfBoundsAccessInAStream) {
  auto module = compile("shape_oob");
  auto vm = start("shape_oob", "{}");
  ASSERT_TRUE(vm);
  auto action = requestHeaders(*vm);
  ASSERT_FALSE(action.ok());
  EXPECT_THAT(action.message(), HasSubstr("shape_oob"));
  EXPECT_THAT(action.message(), HasSubstr("proxy_on_request_headers"));
  EXPECT_THAT(action.message(), HasSubstr("out of bounds"));
  EXPECT_TRUE(vm->failed());
  EXPECT_THAT(vm->failure(), HasSubstr("out of bounds"));

  auto fresh = create(module, "shape_oob");
  ASSERT_TRUE(fresh.ok()) << fresh.message();
  EXPECT_TRUE((*fresh)->startPlugin({"shape_oob", "shape_oob", "{}"}).ok());
}

TEST_F(ShapesTest, RunawayRecursionIsStopped) {
  auto vm = start("shape_recursion", "{}");
  ASSERT_TRUE(vm);
  auto action = requestHeaders(*vm);
  ASSERT_FALSE(action.ok());
  EXPECT_THAT(action.message(), HasSubstr("shape_recursion"));
  EXPECT_THAT(action.message(), HasSubstr("stack"));
  EXPECT_TRUE(vm->failed());
}

TEST_F(ShapesTest, ProcExitDuringInitializeFailsCreate) {
  auto vm = create(compile("shape_exit_init"), "exits-early");
  ASSERT_FALSE(vm.ok());
  EXPECT_THAT(vm.message(), HasSubstr("exits-early"));
  EXPECT_THAT(vm.message(), HasSubstr("_initialize"));
  EXPECT_THAT(vm.message(), HasSubstr("proc_exit(2)"));
}

TEST_F(ShapesTest, ProcExitInACallbackAfterAGoStylePanic) {
  auto vm = create(compile("shape_exit_callback"), "panicker");
  ASSERT_TRUE(vm.ok()) << vm.message();
  auto root = (*vm)->startPlugin({"panicker", "panicker", "{}"});
  ASSERT_FALSE(root.ok());
  EXPECT_THAT(root.message(), HasSubstr("panicker"));
  EXPECT_THAT(root.message(), HasSubstr("proc_exit(2)"));
  EXPECT_TRUE(log_.has("panic: bad config", abi::LogLevel::Error));  // its stderr
  EXPECT_TRUE((*vm)->failed());
}

TEST_F(ShapesTest, InfiniteLoopEndsWhenTheWorkerIsTerminated) {
  auto vm = start("shape_infinite_loop", "");  // an empty configuration does not spin
  ASSERT_TRUE(vm);
  std::thread watchdog([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    worker_->terminate();
  });
  auto began = std::chrono::steady_clock::now();
  auto action = requestHeaders(*vm);
  watchdog.join();
  ASSERT_FALSE(action.ok());
  EXPECT_THAT(action.message(), HasSubstr("shape_infinite_loop"));
  EXPECT_THAT(action.message(), HasSubstr("terminated"));
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(5));
  EXPECT_TRUE(vm->failed());

  // The worker itself is fine: a new VM on it runs.
  auto again = start("go_reactor", "{}");
  ASSERT_TRUE(again);
  EXPECT_TRUE(requestHeaders(*again).ok());
}

}  // namespace
}  // namespace wasmgate::runtime
