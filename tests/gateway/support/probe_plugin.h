// Plugin entries for gateway test configs: a built plugin's file:// URL, and the probe plugin
// (tests/plugins/probe.cc) driven by a command script given as its plugin configuration.
//
// Test-only header.
#pragma once

#include <string>

namespace wasmgate::test {

inline std::string pluginUrl(const std::string& name) { return "file://" WASMGATE_PLUGIN_DIR "/" + name + ".wasm"; }

// A `plugins:` list entry running the 0.2.100 probe with `script` (one command per line) as a
// YAML double-quoted string; `extra` is appended as further keys of the entry (e.g.
// "    failStrategy: FAIL_OPEN\n").
inline std::string probePlugin(const std::string& name, const std::string& script, const std::string& extra = "") {
  std::string escaped;
  for (char c : script) {
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return "  - name: " + name + "\n    url: " + pluginUrl("probe_abi_0_2_100") + "\n    pluginConfig: \"" + escaped +
         "\"\n" + extra;
}

}  // namespace wasmgate::test
