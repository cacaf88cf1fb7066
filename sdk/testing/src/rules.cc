// configWithRules: the _rules_ shape Higress's control plane gives a plugin (see rules.h).
#include <wasmgate/testing/rules.h>

#include <nlohmann/json.hpp>

namespace wasmgate::testing {
namespace {

using nlohmann::json;

// `text` as a JSON object ("" meaning {}), or why not.
Result<json> parseObject(std::string_view text, const std::string& what) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return makeError(what + " is not valid JSON: " + std::string(text));
  if (!value.is_object()) return makeError(what + " must be a JSON object, got " + std::string(value.type_name()));
  return value;
}

}  // namespace

Rule Rule::route(std::vector<std::string> routes, std::string config) {
  Rule rule;
  rule.routes = std::move(routes);
  rule.config = std::move(config);
  return rule;
}
Rule Rule::domain(std::vector<std::string> domains, std::string config) {
  Rule rule;
  rule.domains = std::move(domains);
  rule.config = std::move(config);
  return rule;
}
Rule Rule::service(std::vector<std::string> services, std::string config) {
  Rule rule;
  rule.services = std::move(services);
  rule.config = std::move(config);
  return rule;
}
Rule Rule::routePrefix(std::vector<std::string> prefixes, std::string config) {
  Rule rule;
  rule.route_prefixes = std::move(prefixes);
  rule.config = std::move(config);
  return rule;
}

Result<std::string> configWithRules(std::string_view global, const std::vector<Rule>& rules) {
  auto root = parseObject(global, "the global config");
  if (!root.ok()) return root.error();
  json array = json::array();
  for (size_t i = 0; i < rules.size(); ++i) {
    const Rule& rule = rules[i];
    const std::string what = "rule " + std::to_string(i);
    auto entry = parseObject(rule.config, what + "'s config");
    if (!entry.ok()) return entry.error();
    if (rule.routes.empty() && rule.domains.empty() && rule.services.empty() && rule.route_prefixes.empty()) {
      return makeError(what + " matches nothing: give it routes, domains, services or route prefixes");
    }
    if (!rule.routes.empty()) entry.value()["_match_route_"] = rule.routes;
    if (!rule.domains.empty()) entry.value()["_match_domain_"] = rule.domains;
    if (!rule.services.empty()) entry.value()["_match_service_"] = rule.services;
    if (!rule.route_prefixes.empty()) entry.value()["_match_route_prefix_"] = rule.route_prefixes;
    array.push_back(std::move(entry).value());
  }
  if (!rules.empty()) root.value()["_rules_"] = std::move(array);
  // replace: invalid UTF-8 in a test string must not throw.
  return root.value().dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace wasmgate::testing
