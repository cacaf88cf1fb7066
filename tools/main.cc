// Entry point of the `wasmgate` command: dispatches to a subcommand.
#include <iostream>
#include <string_view>

#include "tools/cli.h"

namespace {

constexpr std::string_view kUsage = R"(usage: wasmgate <command> [arguments]

commands:
  inspect PLUGIN.wasm
      Show a plugin's ABI version, start function, allocator, memory, imports (flagging any
      wasmgate does not provide or declares differently) and exports. Exit 1 if wasmgate
      cannot load it, saying why.
  check PLUGIN.wasm [--config JSON|@FILE] [--vm-config TEXT|@FILE] [--env KEY=VALUE]...
                    [--name NAME] [--log-level LEVEL] [--timeout-ms N]
      Load the plugin, run proxy_on_vm_start and proxy_on_configure with the configuration,
      print its log lines, and say whether the configuration was accepted (exit 0) or
      rejected (exit 1). LEVEL: trace, debug, info (default), warn, error, critical.
      Guest code running longer than N ms (default 10000) is stopped.
  run [gateway arguments]
      Run the gateway (when built with it).
  help, --help, -h
      Show this text.
  --version
      Show the version.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace wasmgate::tools;
  if (argc < 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  std::string_view command = argv[1];
  Args rest(argv + 2, static_cast<size_t>(argc - 2));
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (command == "--version" || command == "version") {
    std::cout << "wasmgate " << WASMGATE_VERSION << "\n";
    return kExitOk;
  }
  if (command == "inspect") return runInspect(rest);
  if (command == "check") return runCheck(rest);
  if (command == "run") return runGatewayCommand(argc - 1, argv + 1);
  std::cerr << "wasmgate: unknown command '" << command << "'\n" << kUsage;
  return kExitUsage;
}
