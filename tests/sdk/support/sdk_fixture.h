// Shared fixture of the wrapper tests: a fresh fake host and dispatch per test, a small config
// type with a parser that names its field on error. Test support only.
#pragma once

#include <gtest/gtest.h>

#include <wasmgate/internal/exports.h>
#include <wasmgate/rule_matcher.h>
#include <wasmgate/wrapper.h>

#include "fake_host.h"

namespace sdk_test {

using wasmgate::testing::host;
using wasmgate::testing::StartPlugin;

constexpr uint32_t kRoot = 1, kStream = 2;
constexpr uint32_t kReqHeaders = 0, kRespHeaders = 2, kReqBody = 0, kRespBody = 1;

struct Cfg {
  std::string name;
  int limit = 0;
};

inline wrapper::Error parseCfg(const wrapper::Json& json, Cfg& cfg) {
  cfg.name = json.get("name").asString();
  cfg.limit = static_cast<int>(json.get("limit").asInt());
  if (cfg.limit < 0) return wrapper::Errorf("field 'limit': %d is negative", cfg.limit);
  return {};
}

class SdkWrapper : public ::testing::Test {
 protected:
  void SetUp() override {
    host().reset();
    wasmgate::internal::ResetDispatchForTesting();
    log::SetPluginLog(nullptr);
    log::SetSafeLogEnabled(false);  // both are per VM, and a test process is one VM
    wasmgate::matcher::ClearIsolationBackups();
  }
  void TearDown() override { wasmgate::internal::ResetDispatchForTesting(); }

  void request(types::Headers headers) {
    host().maps[kReqHeaders] = std::move(headers);
    proxy_on_context_create(kStream, kRoot);
  }
};

}  // namespace sdk_test
