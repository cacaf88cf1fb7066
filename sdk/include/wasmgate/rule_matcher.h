// Multi-level plugin configuration (Go: wasm-go pkg/matcher): a global config plus `_rules_`,
// each rule limited to routes (`_match_route_`), domains (`_match_domain_`), services
// (`_match_service_`) or route-name prefixes (`_match_route_prefix_`). The first matching rule
// wins, then the global config; with neither the plugin stays inactive for the request.
//
// Public header, used by the wrapper; pure logic (no host calls), tested natively. Configs are
// type-erased (shared_ptr<void>) so this compiles once for every config type. Single-threaded.
//
// Parsing (ParseRuleConfig): a config without keys parses as global; keys besides `_rules_` parse
// as global (a failure only disables global when rules exist); each rule is parsed by the rule
// parser with the parsed global (override parsers inherit) or else by the global parser alone.
// A rule without any `_match_*_` key is fatal. With rule-level isolation, a rule that fails is
// replaced by the last config that parsed for the same match conditions (kept per VM across
// reloads), or skipped; start fails only if every rule failed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <wasmgate/error.h>
#include <wasmgate/json.h>

namespace wasmgate::matcher {

using ConfigPtr = std::shared_ptr<void>;

enum class Category : uint8_t { Route, Host, Service, RoutePrefix, RouteAndService };

struct HostMatcher {
  enum class Type : uint8_t { Exact, Suffix, Prefix } type = Type::Exact;
  std::string host;
};

struct RuleConfig {
  Category category = Category::Route;
  std::set<std::string> routes;
  std::set<std::string> routePrefixes;
  std::vector<HostMatcher> hosts;
  std::map<std::string, uint64_t> services;  // fqdn -> port, 0 = any port
  std::string description;  // "rule #1 (_match_route_: [a, b])" for logs
  ConfigPtr config;
};

struct Parsers {
  std::function<ConfigPtr()> newConfig;
  // Parses a global (or, without `rule`, a rule) config.
  std::function<wrapper::Error(const wrapper::Json& json, void* config)> global;
  // Optional override parser: `global` is the parsed global config (a fresh default one when
  // there is no global config).
  std::function<wrapper::Error(const wrapper::Json& json, const void* global, void* config)> rule;
};

class RuleMatcher {
 public:
  wrapper::Error ParseRuleConfig(const wrapper::Json& config, const Parsers& parsers, bool isolation);

  // The config for a request, or nullptr. `authority` may carry a port; `clusterName` is Envoy's
  // ("outbound|8080||svc.ns.svc.cluster.local").
  const void* GetMatchConfig(std::string_view authority, std::string_view routeName,
                             std::string_view clusterName) const;

  bool HasGlobalConfig() const { return hasGlobal_; }
  // Whether any rule looks at the route name / the cluster name: when none does, the wrapper
  // skips reading those properties on every request.
  bool NeedsRouteName() const;
  bool NeedsClusterName() const;
  const std::vector<RuleConfig>& Rules() const { return rules_; }

 private:
  std::vector<RuleConfig> rules_;
  ConfigPtr globalConfig_;
  bool hasGlobal_ = false;
};

// Helpers, public for tests.
std::string_view StripPortFromHost(std::string_view authority);
bool MatchHost(const HostMatcher& m, std::string_view host);
bool MatchService(const std::map<std::string, uint64_t>& services, std::string_view clusterName);
// The isolation key: category plus the sorted match lists.
std::string RuleKey(const RuleConfig& rule);
// Drops every isolation backup (they live per VM, across reloads).
void ClearIsolationBackups();

}  // namespace wasmgate::matcher
