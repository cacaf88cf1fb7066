// PluginSpec: one plugin of the `plugins:` section, declared like a Higress WasmPlugin resource,
// with its configuration already turned into the JSON Higress's control plane pushes (the
// `_rules_` form), and the list ordered as Higress orders its wasm filters.
//
// Internal header (gateway/wasm/). Plain values: no thread affinity.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "gateway/config.h"

namespace wasmgate::gateway::wasm {

enum class Phase { Authn = 0, Authz = 1, Stats = 2, Unspecified = 3 };

struct PluginSpec {
  std::string name;         // plugin_name property and the name in logs and stats
  std::string root_id;      // `pluginName` (Higress's root_id), default: name
  std::string file;         // absolute or config-relative path resolved from `url: file://...`
  Phase phase = Phase::Unspecified;
  int32_t priority = 0;
  bool fail_open = false;
  std::string configuration;  // what proxy_on_configure reads ("" when nothing is configured)
  std::vector<std::pair<std::string, std::string>> env;
};

// Parses `config.plugins_json`. Relative file:// paths resolve against the config file's folder
// (config.path), or against `builtin_base` for the built-in demo. Errors name the source, the path
// (plugins[2].matchRules[0]) and the problem. Plugins Higress would not push (every rule disabled
// and defaultConfigDisable) are left out. The result is in filter order.
Result<std::vector<PluginSpec>> parsePluginSpecs(const GatewayConfig& config, const std::string& builtin_base);

// Higress's order: AUTHN, AUTHZ, STATS, then UNSPECIFIED; higher priority first; ties by name.
void sortPluginSpecs(std::vector<PluginSpec>& specs);

const char* phaseName(Phase phase);

}  // namespace wasmgate::gateway::wasm
