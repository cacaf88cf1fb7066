#include "gateway/wasm/plugin_spec.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

namespace wasmgate::gateway::wasm {
namespace {

using Json = nlohmann::json;

// Collects errors for one plugin entry, each prefixed with its path.
struct Checker {
  std::string source;
  std::vector<std::string>& errors;
  void error(const std::string& path, const std::string& problem) { errors.push_back(source + ": " + path + ": " + problem); }
};

// The folder of the config file, absolute (the process may be started from anywhere).
std::string folderOf(const std::string& file) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(file, ec);
  if (ec) abs = file;
  return abs.parent_path().lexically_normal().string();
}

// A list of non-empty strings (ingress/domain/service), or an error.
std::vector<std::string> stringList(const Json& node, const std::string& path, Checker& check) {
  std::vector<std::string> out;
  if (!node.is_array()) {
    check.error(path, "expected a list of strings");
    return out;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    if (!node[i].is_string() || node[i].get<std::string>().empty()) {
      check.error(path + "[" + std::to_string(i) + "]", "expected a non-empty string");
      continue;
    }
    out.push_back(node[i].get<std::string>());
  }
  return out;
}

// One matchRules entry as Higress's control plane turns it into a `_rules_` element; nullopt when
// the rule is disabled.
std::optional<Json> convertRule(const Json& rule, const std::string& path, Checker& check) {
  static const std::set<std::string> known = {"ingress", "domain", "service", "config", "configDisable", "routeType"};
  if (!rule.is_object()) {
    check.error(path, "expected a mapping");
    return std::nullopt;
  }
  for (const auto& [key, _] : rule.items()) {
    if (!known.count(key)) check.error(path + "." + key, "unknown field (expected ingress, domain, service, config, configDisable)");
  }
  if (rule.value("configDisable", false)) return std::nullopt;
  Json out = Json::object();
  if (rule.contains("config") && !rule["config"].is_null()) {
    if (!rule["config"].is_object()) {
      check.error(path + ".config", "expected a mapping");
    } else {
      out = rule["config"];
    }
  }
  bool any = false;
  auto copy = [&](const char* field, const char* key) {
    if (!rule.contains(field)) return;
    std::vector<std::string> list = stringList(rule[field], path + "." + field, check);
    if (list.empty()) return;
    out[key] = list;
    any = true;
  };
  copy("ingress", "_match_route_");
  copy("service", "_match_service_");
  copy("domain", "_match_domain_");
  if (!any) check.error(path, "a rule needs at least one of ingress, domain or service (Higress rejects the plugin)");
  return out;
}

Phase parsePhase(const Json& node, const std::string& path, Checker& check) {
  if (node.is_null()) return Phase::Unspecified;
  std::string v = node.is_string() ? node.get<std::string>() : "";
  if (v == "AUTHN") return Phase::Authn;
  if (v == "AUTHZ") return Phase::Authz;
  if (v == "STATS") return Phase::Stats;
  if (v == "UNSPECIFIED" || v == "UNSPECIFIED_PHASE" || (v.empty() && node.is_string())) return Phase::Unspecified;
  check.error(path, "expected AUTHN, AUTHZ, STATS or UNSPECIFIED_PHASE, got " + node.dump());
  return Phase::Unspecified;
}

std::optional<PluginSpec> convertPlugin(const Json& p, const std::string& path, const std::string& base, Checker& check) {
  static const std::set<std::string> known = {"name", "pluginName", "url", "phase", "priority", "failStrategy",
                                              "defaultConfig", "defaultConfigDisable", "matchRules", "vmConfig",
                                              "pluginConfig", "sha256", "imagePullPolicy"};
  if (!p.is_object()) {
    check.error(path, "expected a mapping");
    return std::nullopt;
  }
  for (const auto& [key, _] : p.items()) {
    if (!known.count(key)) check.error(path + "." + key, "unknown field");
  }
  PluginSpec spec;
  if (!p.contains("name") || !p["name"].is_string() || p["name"].get<std::string>().empty()) {
    check.error(path + ".name", "required: a non-empty string");
  } else {
    spec.name = p["name"];
  }
  spec.root_id = p.contains("pluginName") && p["pluginName"].is_string() ? p["pluginName"].get<std::string>() : spec.name;
  std::string url = p.contains("url") && p["url"].is_string() ? p["url"].get<std::string>() : "";
  if (url.rfind("file://", 0) != 0 || url.size() == 7) {
    check.error(path + ".url", url.empty() ? "required: file://path/to/plugin.wasm"
                                           : "'" + url + "': only file:// URLs are supported (oci:// and http:// need a registry)");
  } else {
    std::string file = url.substr(7);
    spec.file = file[0] == '/' ? file : base + "/" + file;
  }
  spec.phase = parsePhase(p.value("phase", Json()), path + ".phase", check);
  if (p.contains("priority")) {
    if (!p["priority"].is_number_integer()) {
      check.error(path + ".priority", "expected an integer");
    } else {
      spec.priority = p["priority"].get<int32_t>();
    }
  }
  std::string strategy = p.value("failStrategy", std::string("FAIL_CLOSE"));
  if (strategy != "FAIL_CLOSE" && strategy != "FAIL_OPEN") check.error(path + ".failStrategy", "expected FAIL_CLOSE or FAIL_OPEN");
  spec.fail_open = strategy == "FAIL_OPEN";
  if (p.contains("vmConfig")) {
    const Json& vm = p["vmConfig"];
    const Json env = vm.is_object() ? vm.value("env", Json::array()) : Json();
    if (!env.is_array()) check.error(path + ".vmConfig.env", "expected a list of {name, value}");
    for (size_t i = 0; env.is_array() && i < env.size(); ++i) {
      const Json& e = env[i];
      if (!e.is_object() || !e.contains("name") || !e["name"].is_string()) {
        check.error(path + ".vmConfig.env[" + std::to_string(i) + "]", "expected {name, value}");
        continue;
      }
      const Json v = e.value("value", Json(""));
      spec.env.emplace_back(e["name"].get<std::string>(), v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
  if (p.contains("pluginConfig")) {  // passed through unchanged, no rules (as Higress)
    spec.configuration = p["pluginConfig"].is_string() ? p["pluginConfig"].get<std::string>() : p["pluginConfig"].dump();
    return spec;
  }
  const bool default_disabled = p.value("defaultConfigDisable", false);
  Json config = Json::object();
  bool has_default = false;
  if (!default_disabled && p.contains("defaultConfig") && !p["defaultConfig"].is_null()) {
    if (!p["defaultConfig"].is_object()) {
      check.error(path + ".defaultConfig", "expected a mapping");
    } else {
      config = p["defaultConfig"];
      has_default = true;
    }
  }
  Json rules = Json::array();
  if (p.contains("matchRules")) {
    const Json& list = p["matchRules"];
    if (!list.is_array()) check.error(path + ".matchRules", "expected a list");
    for (size_t i = 0; list.is_array() && i < list.size(); ++i) {
      if (auto rule = convertRule(list[i], path + ".matchRules[" + std::to_string(i) + "]", check)) rules.push_back(*rule);
    }
  }
  if (rules.empty() && default_disabled) return std::nullopt;  // Higress does not push it
  if (!rules.empty()) config["_rules_"] = rules;
  spec.configuration = has_default || !rules.empty() ? config.dump() : "";
  return spec;
}

}  // namespace

const char* phaseName(Phase phase) {
  switch (phase) {
    case Phase::Authn: return "AUTHN";
    case Phase::Authz: return "AUTHZ";
    case Phase::Stats: return "STATS";
    case Phase::Unspecified: break;
  }
  return "UNSPECIFIED_PHASE";
}

void sortPluginSpecs(std::vector<PluginSpec>& specs) {
  std::stable_sort(specs.begin(), specs.end(), [](const PluginSpec& a, const PluginSpec& b) {
    if (a.phase != b.phase) return a.phase < b.phase;
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.name < b.name;
  });
}

Result<std::vector<PluginSpec>> parsePluginSpecs(const GatewayConfig& config, const std::string& builtin_base) {
  Json list = Json::parse(config.plugins_json, nullptr, false);
  if (list.is_discarded() || !list.is_array()) return makeError(config.source + ": plugins: expected a list");
  const std::string base = config.path.empty() ? builtin_base : folderOf(config.path);
  std::vector<std::string> errors;
  Checker check{config.source, errors};
  std::vector<PluginSpec> specs;
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string path = "plugins[" + std::to_string(i) + "]";
    auto spec = convertPlugin(list[i], path, base, check);
    if (!spec) continue;
    if (!spec->name.empty() && !names.insert(spec->name).second) check.error(path + ".name", "duplicate plugin name '" + spec->name + "'");
    specs.push_back(std::move(*spec));
  }
  if (!errors.empty()) {
    std::string message;
    for (const std::string& e : errors) message += (message.empty() ? "" : "\n") + e;
    return makeError(message);
  }
  sortPluginSpecs(specs);
  return specs;
}

}  // namespace wasmgate::gateway::wasm
