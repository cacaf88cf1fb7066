// Loading the runtime's probe plugin (tests/plugins/probe.cc) into a TestHost. The probe runs a
// script given as its plugin configuration: one "<callback> <command> <args>" per line; each
// command reports "<callback>: <command> <args> -> <status>[ <value>]" at info, and each callback
// logs "@<callback> <arguments>" at debug.
//
// Test-only header.
#pragma once

#include <string>

#include <wasmgate/testing/plugin_test.h>

namespace harness_test {

inline std::string probePlugin(const std::string& abi = "0_2_100") {
  return std::string(WASMGATE_PLUGIN_DIR) + "/probe_abi_" + abi + ".wasm";
}

// The probe under `abi` with `script`; fails the test if it does not start.
inline wasmgate::testing::Result<wasmgate::testing::TestHost> loadProbe(
    const std::string& script, wasmgate::testing::LoadOptions options = {}, const std::string& abi = "0_2_100") {
  return wasmgate::testing::TestHost::load(probePlugin(abi), script, std::move(options));
}

// Whether some log line is exactly `line`.
inline bool logged(const wasmgate::testing::TestHost& host, const std::string& line) {
  for (const auto& l : host.logs()) {
    if (l.message == line) return true;
  }
  return false;
}

}  // namespace harness_test
