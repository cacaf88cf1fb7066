// The pieces of the `wasmgate` command: one function per subcommand, and the argument and file
// helpers they share. Each subcommand takes the arguments after its name and returns the
// process exit status (0 success, 1 the plugin failed the check, 2 bad usage).
//
// Internal to tools/. Single-threaded (the check watchdog keeps its own thread).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace wasmgate::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

using Args = std::span<char* const>;

int runInspect(Args args);
int runCheck(Args args);
int runGatewayCommand(int argc, char** argv);  // `wasmgate run ...`, argv[0] is "run"

// Whole file as bytes; the error names the file and the cause.
Result<std::vector<uint8_t>> readBinaryFile(const std::string& path);
// An option value: "@path" means the contents of that file, anything else is the value itself.
Result<std::string> optionValue(std::string_view option, std::string_view value);
// "KEY=VALUE" -> pair; the error names the option and what is wrong.
Result<std::pair<std::string, std::string>> parseEnvAssignment(std::string_view text);
// "plugins/auth.wasm" -> "auth"
std::string pluginNameFromPath(std::string_view path);

// One-line advice for a load or trap message ("" when there is nothing to add).
std::string explainFailure(std::string_view message);

// Prints "wasmgate <command>: <message>" to stderr and returns kExitUsage.
int usageError(std::string_view command, std::string_view message);

}  // namespace wasmgate::tools
