// The test modules of tests/wat/, as the build compiled them (WASMGATE_WAT_DIR).
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace wasmgate::runtime {

// The bytes of tests/wat/<name>.wat; a test expectation fails if it was not built.
inline std::vector<uint8_t> readWat(const std::string& name) {
  std::ifstream in(std::string(WASMGATE_WAT_DIR) + "/" + name + ".wasm", std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace wasmgate::runtime
