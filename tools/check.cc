// `wasmgate check PLUGIN.wasm [options]`: loads a plugin the way the gateway would (compile,
// instantiate, _initialize/_start, proxy_on_vm_start, proxy_on_configure with the given
// configuration), printing the plugin's log lines as they come, then whether the configuration
// was accepted. Exit status 0 if it was, 1 if anything failed.
#include <charconv>
#include <iostream>
#include <optional>
#include <string>

#include "runtime/engine.h"
#include "runtime/vm.h"
#include "tools/cli.h"
#include "tools/watchdog.h"

namespace wasmgate::tools {
namespace {

struct CheckOptions {
  std::string path;
  std::string name;
  std::string config;
  std::string vm_config;
  std::vector<std::pair<std::string, std::string>> env;
  abi::LogLevel log_level = abi::LogLevel::Info;
  uint32_t timeout_ms = 10'000;
};

const char* levelName(abi::LogLevel level) {
  static const char* names[] = {"trace", "debug", "info", "warn", "error", "critical"};
  auto i = static_cast<uint32_t>(level);
  return i <= abi::kMaxLogLevel ? names[i] : "?";
}

std::optional<abi::LogLevel> parseLevel(std::string_view text) {
  for (uint32_t i = 0; i <= abi::kMaxLogLevel; ++i) {
    if (text == levelName(static_cast<abi::LogLevel>(i))) return static_cast<abi::LogLevel>(i);
  }
  return std::nullopt;
}

// Prints the plugin's log lines (and its stdout/stderr, which the runtime logs) as they come.
class PrintingLog : public runtime::LogHost {
 public:
  explicit PrintingLog(abi::LogLevel level) : level_(level) {}
  void log(abi::LogLevel level, std::string_view, std::string_view message) override {
    if (level < level_) return;
    std::cout << "[" << levelName(level) << "] " << message << "\n" << std::flush;
  }
  abi::LogLevel logLevel() override { return level_; }

 private:
  abi::LogLevel level_;
};

// Parses the arguments after "check". Returns an error naming the offending argument.
Result<CheckOptions> parseCheckArgs(Args args) {
  CheckOptions opts;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg.substr(0, 2) != "--") {
      if (!opts.path.empty()) return makeError("unexpected argument '" + std::string(arg) + "'");
      opts.path = arg;
      continue;
    }
    std::string_view option = arg, value;
    bool inline_value = false;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      option = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inline_value = true;
    }
    if (option != "--config" && option != "--vm-config" && option != "--env" && option != "--name" &&
        option != "--log-level" && option != "--timeout-ms") {
      return makeError("unknown option '" + std::string(option) + "'");
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return makeError(std::string(option) + " needs a value");
      value = args[++i];
    }
    if (option == "--config" || option == "--vm-config") {
      auto v = optionValue(option, value);
      if (!v.ok()) return v.error();
      (option == "--config" ? opts.config : opts.vm_config) = std::move(*v);
    } else if (option == "--env") {
      auto kv = parseEnvAssignment(value);
      if (!kv.ok()) return kv.error();
      opts.env.push_back(std::move(*kv));
    } else if (option == "--name") {
      if (value.empty()) return makeError("--name must not be empty");
      opts.name = value;
    } else if (option == "--log-level") {
      auto level = parseLevel(value);
      if (!level) return makeError("--log-level: unknown level '" + std::string(value) +
                                   "' (trace, debug, info, warn, error, critical)");
      opts.log_level = *level;
    } else {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), opts.timeout_ms);
      if (ec != std::errc() || end != value.data() + value.size() || opts.timeout_ms == 0)
        return makeError("--timeout-ms: expected a positive number of milliseconds, got '" + std::string(value) + "'");
    }
  }
  if (opts.path.empty()) return makeError("missing PLUGIN.wasm");
  if (opts.name.empty()) opts.name = pluginNameFromPath(opts.path);
  return opts;
}

int fail(std::string_view what, const std::string& message, bool timed_out) {
  std::cout << what << ": " << message << "\n";
  std::string hint = timed_out ? explainFailure("terminated") : explainFailure(message);
  if (!hint.empty()) std::cout << "hint: " << hint << "\n";
  return kExitFailed;
}

}  // namespace

int runCheck(Args args) {
  auto parsed = parseCheckArgs(args);
  if (!parsed.ok()) return usageError("check", parsed.message());
  const CheckOptions& opts = *parsed;

  auto bytes = readBinaryFile(opts.path);
  if (!bytes.ok()) return fail("cannot load plugin", bytes.message(), false);
  auto compiled = runtime::v8Engine().compile(*bytes, opts.name);
  if (!compiled.ok()) return fail("cannot load plugin", compiled.message(), false);
  const auto& info = (*compiled)->info();
  std::cout << "plugin '" << opts.name << "': " << opts.path << ", ABI " << abi::abiVersionName(info.abiVersion())
            << ", " << info.size_bytes << " bytes\n";

  PrintingLog log(opts.log_level);
  runtime::VmConfig vm_config;
  vm_config.name = opts.name;
  vm_config.vm_configuration = opts.vm_config;
  vm_config.env = opts.env;
  vm_config.services.log = &log;
  std::unique_ptr<runtime::WorkerEngine> worker = runtime::v8Engine().newWorker();

  std::unique_ptr<runtime::WasmVm> vm;
  {
    Watchdog watchdog(*worker, std::chrono::milliseconds(opts.timeout_ms));
    auto created = runtime::WasmVm::create(*worker, *compiled, std::move(vm_config));
    if (!created.ok()) return fail("cannot load plugin", created.message(), watchdog.fired());
    vm = std::move(*created);
  }
  runtime::PluginConfig plugin{opts.name, opts.name, opts.config};
  Watchdog watchdog(*worker, std::chrono::milliseconds(opts.timeout_ms));
  auto root = vm->startPlugin(plugin);
  if (!root.ok()) return fail("configuration rejected", root.message(), watchdog.fired());
  std::cout << "configuration accepted\n";
  return kExitOk;
}

}  // namespace wasmgate::tools
