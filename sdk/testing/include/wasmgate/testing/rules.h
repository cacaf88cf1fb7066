// Builders for Higress plugin configurations with per-route/domain/service rules: the JSON the
// Higress control plane produces from a WasmPlugin's defaultConfig and matchRules,
//   {"<global keys>": ..., "_rules_": [{"_match_route_": ["r1"], "<rule keys>": ...}, ...]}.
//
// Public header (plugin authors' tests). Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace wasmgate::testing {

// One entry of _rules_: the rule's own config (a JSON object) and what it matches. A rule must
// match on something, as in Higress.
struct Rule {
  std::vector<std::string> routes = {};          // _match_route_: route_name equals one of them
  std::vector<std::string> domains = {};         // _match_domain_: ":authority" (port ignored), "*.a.com" or "a.*"
  std::vector<std::string> services = {};        // _match_service_: "fqdn" or "fqdn:port" of cluster_name
  std::vector<std::string> route_prefixes = {};  // _match_route_prefix_
  std::string config = "{}";

  static Rule route(std::vector<std::string> routes, std::string config = "{}");
  static Rule domain(std::vector<std::string> domains, std::string config = "{}");
  static Rule service(std::vector<std::string> services, std::string config = "{}");
  static Rule routePrefix(std::vector<std::string> prefixes, std::string config = "{}");
};

// `global` (a JSON object, "" meaning {}) with `rules` as its _rules_ array. Fails, naming the
// rule, if a config is not a JSON object or a rule matches on nothing.
Result<std::string> configWithRules(std::string_view global, const std::vector<Rule>& rules);

}  // namespace wasmgate::testing
