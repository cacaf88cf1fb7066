// The two builds of an example plugin a harness test can run: the real .wasm on V8, and the same
// sources built natively as a shared library (TestHost::loadNative, for gdb). Tests that hold for
// both are parameterised over Build, so the native build is held to the wasm build's behaviour.
//
// Test-only header.
#pragma once

#include <string>

#include <gtest/gtest.h>
#include <wasmgate/testing/plugin_test.h>

namespace harness_test {

enum class Build { Wasm, Native };

inline std::string buildName(const ::testing::TestParamInfo<Build>& info) {
  return info.param == Build::Wasm ? "Wasm" : "Native";
}

// The example `name` (e.g. "hello-world") in `build`, as TestHost::load/loadNative would load it.
template <typename Config>
wasmgate::testing::Result<wasmgate::testing::TestHost> loadExample(Build build, const std::string& name,
                                                                   const Config& configuration,
                                                                   wasmgate::testing::LoadOptions options = {}) {
  using wasmgate::testing::TestHost;
  if (build == Build::Native) {
    return TestHost::loadNative(std::string(WASMGATE_PLUGIN_DIR) + "/native/" + name + ".so", configuration,
                                std::move(options));
  }
  return TestHost::load(std::string(WASMGATE_PLUGIN_DIR) + "/" + name + ".wasm", configuration, std::move(options));
}

}  // namespace harness_test
