// Argument and file helpers shared by the subcommands, and the advice printed after a failure.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

#include "tools/cli.h"

namespace wasmgate::tools {

Result<std::vector<uint8_t>> readBinaryFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError("cannot read " + path + ": " + std::strerror(errno));
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return makeError("cannot read " + path + ": read error");
  return bytes;
}

Result<std::string> optionValue(std::string_view option, std::string_view value) {
  if (value.empty() || value.front() != '@') return std::string(value);
  std::string path(value.substr(1));
  if (path.empty()) return makeError(std::string(option) + ": '@' must be followed by a file name");
  auto bytes = readBinaryFile(path);
  if (!bytes.ok()) return makeError(std::string(option) + ": " + bytes.message());
  return std::string(bytes->begin(), bytes->end());
}

Result<std::pair<std::string, std::string>> parseEnvAssignment(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos) return makeError("--env: expected KEY=VALUE, got '" + std::string(text) + "'");
  if (eq == 0) return makeError("--env: empty variable name in '" + std::string(text) + "'");
  return std::pair{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

std::string pluginNameFromPath(std::string_view path) {
  size_t slash = path.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (base.size() > 5 && base.substr(base.size() - 5) == ".wasm") base.remove_suffix(5);
  return std::string(base);
}

std::string explainFailure(std::string_view message) {
  auto has = [&](std::string_view s) { return message.find(s) != std::string_view::npos; };
  if (has("not a wasm") || has("magic")) return "the file is not a WebAssembly module";
  if (has("not provided by wasmgate"))
    return "the plugin needs a host function wasmgate does not offer for its ABI version; "
           "`wasmgate inspect` lists every import";
  if (has("export") && has("signature"))
    return "the plugin exports a proxy_on_* callback with parameter or result types its ABI version does not use";
  if (has("signature") || has("wasmgate provides")) return "the plugin declares a host function with the wrong parameter or result types";
  if (has("proxy_abi_version")) return "the module is not a proxy-wasm plugin (no proxy_abi_version_* export)";
  if (has("proc_exit"))
    return "the plugin exited; a Go plugin does this after a panic (its stderr lines are logged above)";
  if (has("unreachable"))
    return "the plugin aborted: a C++ abort or failed check, a Go or Rust panic, or an explicit trap";
  if (has("out of bounds")) return "the plugin accessed memory outside its linear memory (a bad pointer or a stack overflow)";
  if (has("call stack") || has("stack overflow")) return "the plugin recursed too deeply";
  if (has("terminated")) return "the plugin ran longer than the time limit and was stopped";
  if (has("rejected its configuration")) return "proxy_on_configure returned false; the plugin's log lines say why";
  return "";
}

int usageError(std::string_view command, std::string_view message) {
  std::cerr << "wasmgate " << command << ": " << message << "\n"
            << "Run 'wasmgate help' for usage.\n";
  return kExitUsage;
}

}  // namespace wasmgate::tools
