// The real `wasmgate` binary on real modules: inspect and check, their output and exit statuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct CliResult {
  int status;
  std::string output;  // stdout and stderr together
};

std::string quote(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CliResult wasmgate(std::initializer_list<std::string> args) {
  std::string command = quote(WASMGATE_BINARY);
  for (const auto& a : args) {
    command += ' ';
    command += quote(a);
  }
  command += " 2>&1";
  CliResult run{-1, ""};
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  int raw = pclose(pipe);
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return run;
}

std::string wat(const std::string& name) { return std::string(WASMGATE_WAT_DIR) + "/" + name + ".wasm"; }

// A text file named like a plugin (written here: *.wasm files are not kept in git).
const std::string& notWasmFile() {
  static const std::string path = [] {
    auto p = std::filesystem::temp_directory_path() / ("wasmgate_cli_not_wasm_" + std::to_string(getpid()) + ".wasm");
    std::ofstream(p) << "This is a text file, not a WebAssembly module.\n";
    return p.string();
  }();
  return path;
}

class CliEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { std::filesystem::remove(notWasmFile()); }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new CliEnvironment);

TEST(Cli, HelpVersionAndUnknownCommand) {
  for (const char* flag : {"help", "--help", "-h"}) {
    auto r = wasmgate({flag});
    EXPECT_EQ(r.status, 0) << flag;
    EXPECT_THAT(r.output, HasSubstr("inspect PLUGIN.wasm"));
    EXPECT_THAT(r.output, HasSubstr("check PLUGIN.wasm"));
  }
  auto version = wasmgate({"--version"});
  EXPECT_EQ(version.status, 0);
  EXPECT_THAT(version.output, HasSubstr("wasmgate 0."));
  auto unknown = wasmgate({"frobnicate"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_THAT(unknown.output, HasSubstr("unknown command 'frobnicate'"));
  EXPECT_EQ(wasmgate({}).status, 2);
}

TEST(CliInspect, GoReactor) {
  auto r = wasmgate({"inspect", wat("go_reactor")});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("abi:        0.2.100"));
  EXPECT_THAT(r.output, HasSubstr("start:      _initialize (WASI reactor)"));
  EXPECT_THAT(r.output, HasSubstr("allocator:  proxy_on_memory_allocate"));
  EXPECT_THAT(r.output, HasSubstr("memory:     2 pages (128 KiB) initial, no maximum"));
  EXPECT_THAT(r.output, HasSubstr("  wasi_snapshot_preview1.fd_prestat_get (i32, i32) -> i32\n"));
  EXPECT_THAT(r.output, HasSubstr("  wasi_snapshot_preview1.clock_time_get (i32, i64, i32) -> i32\n"));
  EXPECT_THAT(r.output, HasSubstr("  env.proxy_log (i32, i32, i32) -> i32\n"));
  EXPECT_THAT(r.output, HasSubstr("  proxy_on_configure (i32, i32) -> i32\n"));
  EXPECT_THAT(r.output, HasSubstr("  memory (memory)\n"));
  EXPECT_THAT(r.output, Not(HasSubstr("<--")));
  EXPECT_THAT(r.output, HasSubstr("verdict:    loads in wasmgate"));
}

TEST(CliInspect, TinyGoCommand) {
  auto r = wasmgate({"inspect", wat("tinygo_command")});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("abi:        0.2.0"));
  EXPECT_THAT(r.output, HasSubstr("start:      _start (WASI command)"));
  EXPECT_THAT(r.output, HasSubstr("allocator:  malloc"));
}

TEST(CliInspect, CxxTestPlugins) {
  // The C++ test plugins: probe_abi_* load; bad_* are built broken on purpose and must be refused
  // with the reason (an import, an export signature, a trap in _initialize).
  int good = 0, bad = 0;
  for (const auto& entry : std::filesystem::directory_iterator(WASMGATE_PLUGIN_DIR)) {
    std::string name = entry.path().stem().string();
    if (entry.path().extension() != ".wasm") continue;
    auto r = wasmgate({"inspect", entry.path().string()});
    if (name.rfind("probe_abi_", 0) == 0) {
      ++good;
      EXPECT_EQ(r.status, 0) << name << "\n" << r.output;
      EXPECT_THAT(r.output, HasSubstr("verdict:    loads in wasmgate")) << name;
    } else if (name.rfind("bad_", 0) == 0) {
      ++bad;
      EXPECT_EQ(r.status, 1) << name << "\n" << r.output;
      EXPECT_THAT(r.output, HasSubstr("verdict:    cannot load in wasmgate:\n  - ")) << name;
    }
  }
  EXPECT_GE(good, 4) << "C++ plugins missing from " << WASMGATE_PLUGIN_DIR;
  EXPECT_GE(bad, 1);
  auto trap = wasmgate({"inspect", std::string(WASMGATE_PLUGIN_DIR) + "/bad_init_trap.wasm"});
  EXPECT_THAT(trap.output, HasSubstr("_initialize"));
}

TEST(CliInspect, FlagsMissingAndMismatchedImports) {
  auto missing = wasmgate({"inspect", wat("shape_missing_import")});
  EXPECT_EQ(missing.status, 1);
  EXPECT_THAT(missing.output,
              HasSubstr("env.proxy_does_not_exist (i32) -> i32  <-- not provided by wasmgate (ABI 0.2.1)"));
  EXPECT_THAT(missing.output, HasSubstr("cannot load in wasmgate"));
  EXPECT_THAT(missing.output, HasSubstr("hint: "));

  auto mismatch = wasmgate({"inspect", wat("shape_bad_signature")});
  EXPECT_EQ(mismatch.status, 1);
  EXPECT_THAT(mismatch.output,
              HasSubstr("env.proxy_log (i32, i32) -> i32  <-- wasmgate provides (i32, i32, i32) -> i32"));
}

TEST(CliInspect, NoAbiNotWasmAndMissingFile) {
  auto no_abi = wasmgate({"inspect", wat("shape_no_abi")});
  EXPECT_EQ(no_abi.status, 1);
  EXPECT_THAT(no_abi.output, HasSubstr("no proxy_abi_version_* export"));

  auto not_wasm = wasmgate({"inspect", notWasmFile()});
  EXPECT_EQ(not_wasm.status, 1);
  EXPECT_THAT(not_wasm.output, HasSubstr("cannot load in wasmgate"));
  EXPECT_THAT(not_wasm.output, HasSubstr("hint: the file is not a WebAssembly module"));

  auto absent = wasmgate({"inspect", "/nonexistent/plugin.wasm"});
  EXPECT_EQ(absent.status, 1);
  EXPECT_THAT(absent.output, HasSubstr("cannot read /nonexistent/plugin.wasm"));

  auto usage = wasmgate({"inspect"});
  EXPECT_EQ(usage.status, 2);
  EXPECT_THAT(usage.output, HasSubstr("missing PLUGIN.wasm"));
}

TEST(CliCheck, AcceptsAGoodConfigurationAndPrintsLogs) {
  auto r = wasmgate({"check", wat("go_reactor"), "--config", R"({"a":1})", "--env", "GO_ENV=on"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("plugin 'go_reactor'"));
  EXPECT_THAT(r.output, HasSubstr("[info] go-reactor: vm started\n"));
  EXPECT_THAT(r.output, HasSubstr("[info] go-reactor: env GO_ENV=on\n"));
  EXPECT_THAT(r.output, HasSubstr("[info] go-reactor: configuration {\"a\":1}\n"));
  EXPECT_THAT(r.output, HasSubstr("configuration accepted"));
}

TEST(CliCheck, ConfigurationFromAFileAndAName) {
  auto path = std::filesystem::temp_directory_path() / ("wasmgate_cli_config_" + std::to_string(getpid()) + ".json");
  std::ofstream(path) << R"({"from":"file"})";
  auto r = wasmgate({"check", wat("go_reactor"), "--config=@" + path.string(), "--name", "renamed"});
  std::filesystem::remove(path);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("plugin 'renamed'"));
  EXPECT_THAT(r.output, HasSubstr(R"(configuration {"from":"file"})"));
}

TEST(CliCheck, RejectsABadConfiguration) {
  auto r = wasmgate({"check", wat("go_reactor"), "--config", "[1]"});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("[error] go-reactor: configuration must be a JSON object"));
  EXPECT_THAT(r.output, HasSubstr("configuration rejected: "));
  EXPECT_THAT(r.output, HasSubstr("go_reactor"));
}

TEST(CliCheck, TinyGoStdoutIsShown) {
  auto r = wasmgate({"check", wat("tinygo_command"), "--config", "cfg"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("[info] tinygo: runtime started\n"));
  EXPECT_THAT(r.output, HasSubstr("configuration accepted"));
}

TEST(CliCheck, TrapsAreExplained) {
  auto trap = wasmgate({"check", wat("shape_trap_configure"), "--config", "{}"});
  EXPECT_EQ(trap.status, 1);
  EXPECT_THAT(trap.output, HasSubstr("configuration rejected: "));
  EXPECT_THAT(trap.output, HasSubstr("unreachable"));
  EXPECT_THAT(trap.output, HasSubstr("hint: the plugin aborted"));

  auto panic = wasmgate({"check", wat("shape_exit_callback")});
  EXPECT_EQ(panic.status, 1);
  EXPECT_THAT(panic.output, HasSubstr("[error] panic: bad config\n"));
  EXPECT_THAT(panic.output, HasSubstr("proc_exit(2)"));
  EXPECT_THAT(panic.output, HasSubstr("hint: the plugin exited"));

  auto early = wasmgate({"check", wat("shape_exit_init")});
  EXPECT_EQ(early.status, 1);
  EXPECT_THAT(early.output, HasSubstr("cannot load plugin: "));
  EXPECT_THAT(early.output, HasSubstr("proc_exit(2)"));
}

TEST(CliCheck, SpinningConfigureIsStoppedByTheTimeout) {
  auto r = wasmgate({"check", wat("shape_infinite_loop"), "--config", "spin", "--timeout-ms", "200"});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("terminated"));
  EXPECT_THAT(r.output, HasSubstr("hint: the plugin ran longer than the time limit"));
}

TEST(CliCheck, LoadErrorsAreExplained) {
  auto missing = wasmgate({"check", wat("shape_missing_import")});
  EXPECT_EQ(missing.status, 1);
  EXPECT_THAT(missing.output, HasSubstr("cannot load plugin: "));
  EXPECT_THAT(missing.output, HasSubstr("env.proxy_does_not_exist"));

  auto not_wasm = wasmgate({"check", notWasmFile()});
  EXPECT_EQ(not_wasm.status, 1);
  EXPECT_THAT(not_wasm.output, HasSubstr("hint: the file is not a WebAssembly module"));
}

TEST(CliCheck, BadArgumentsAreNamed) {
  const std::string go = wat("go_reactor");
  auto expectUsage = [](const CliResult& r, const char* expected) {
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr(expected));
  };
  expectUsage(wasmgate({"check"}), "missing PLUGIN.wasm");
  expectUsage(wasmgate({"check", go, "--env", "NOEQUALS"}), "--env: expected KEY=VALUE, got 'NOEQUALS'");
  expectUsage(wasmgate({"check", go, "--env", "=v"}), "--env: empty variable name");
  expectUsage(wasmgate({"check", go, "--bogus"}), "unknown option '--bogus'");
  expectUsage(wasmgate({"check", go, "--config"}), "--config needs a value");
  expectUsage(wasmgate({"check", go, "--config", "@/nonexistent.json"}), "--config: cannot read /nonexistent.json");
  expectUsage(wasmgate({"check", go, "--log-level", "loud"}), "--log-level: unknown level 'loud'");
  expectUsage(wasmgate({"check", go, "--timeout-ms", "soon"}), "--timeout-ms: expected a positive number");
  expectUsage(wasmgate({"check", go, go}), "unexpected argument");
}

TEST(CliRun, SaysWhetherTheGatewayIsBuiltIn) {
  auto r = wasmgate({"run", "--help"});
  // Either the gateway's own usage, or the sentence saying it is not built in.
  if (r.output.find("not built into this binary") != std::string::npos) {
    EXPECT_EQ(r.status, 1);
  } else {
    EXPECT_THAT(r.output, Not(HasSubstr("unknown command")));
  }
}

}  // namespace
