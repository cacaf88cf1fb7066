// Multi-level config parsing and matching; see <wasmgate/rule_matcher.h>.
#include <wasmgate/rule_matcher.h>

#include <wasmgate/format.h>
#include <wasmgate/log.h>

namespace wasmgate::matcher {
namespace {

constexpr std::string_view kRules = "_rules_";
constexpr std::string_view kMatchRoute = "_match_route_";
constexpr std::string_view kMatchDomain = "_match_domain_";
constexpr std::string_view kMatchService = "_match_service_";
constexpr std::string_view kMatchRoutePrefix = "_match_route_prefix_";

// Last config JSON that parsed, per rule key; per VM, survives reloads (rule-level isolation).
std::map<std::string, std::string>& isolationBackups() {
  static auto* backups = new std::map<std::string, std::string>();
  return *backups;
}

std::vector<std::string> nonEmptyStrings(const wrapper::Json& list) {
  std::vector<std::string> out;
  for (const auto& item : list.asArray()) {
    std::string s = item.asString();
    if (!s.empty()) out.push_back(std::move(s));
  }
  return out;
}

void describe(std::string& out, std::string_view key, const std::vector<std::string>& items) {
  if (items.empty()) return;
  if (out.back() != '(') out.append(", ");
  out.append(key).append(": [");
  for (size_t i = 0; i < items.size(); ++i) out.append(i ? ", " : "").append(items[i]);
  out.push_back(']');
}

wrapper::Error parseServices(const std::vector<std::string>& items, std::map<std::string, uint64_t>* out) {
  for (const auto& item : items) {
    size_t colon = item.rfind(':');
    unsigned long long port = 0;
    if (colon != std::string::npos) {
      if (!format::ParseUint(std::string_view(item).substr(colon + 1), &port) || port > 65535) {
        return wrapper::Errorf("_match_service_ entry %q: invalid port", item);
      }
      (*out)[item.substr(0, colon)] = port;
    } else {
      (*out)[item] = 0;
    }
  }
  return {};
}

// Reads the `_match_*_` keys of rule #index into `rule`.
wrapper::Error parseMatch(const wrapper::Json& json, size_t index, RuleConfig* rule) {
  auto routes = nonEmptyStrings(json.get(kMatchRoute));
  auto domains = nonEmptyStrings(json.get(kMatchDomain));
  auto services = nonEmptyStrings(json.get(kMatchService));
  auto prefixes = nonEmptyStrings(json.get(kMatchRoutePrefix));
  rule->description = format::Sprintf("_rules_[%d] (", index);
  describe(rule->description, kMatchRoute, routes);
  describe(rule->description, kMatchDomain, domains);
  describe(rule->description, kMatchService, services);
  describe(rule->description, kMatchRoutePrefix, prefixes);
  rule->description.push_back(')');
  if (routes.empty() && domains.empty() && services.empty() && prefixes.empty()) {
    return wrapper::Errorf("_rules_[%d]: needs at least one of _match_route_, _match_domain_, _match_service_, "
                           "_match_route_prefix_",
                           index);
  }
  rule->routes.insert(routes.begin(), routes.end());
  rule->routePrefixes.insert(prefixes.begin(), prefixes.end());
  for (const auto& d : domains) {
    HostMatcher m;
    if (d.front() == '*') m = {HostMatcher::Type::Suffix, d.substr(1)};
    else if (d.back() == '*') m = {HostMatcher::Type::Prefix, d.substr(0, d.size() - 1)};
    else m = {HostMatcher::Type::Exact, d};
    rule->hosts.push_back(std::move(m));
  }
  if (auto err = parseServices(services, &rule->services)) return wrapper::Errorf("_rules_[%d]: %v", index, err);
  if (!routes.empty()) rule->category = services.empty() ? Category::Route : Category::RouteAndService;
  else if (!domains.empty()) rule->category = Category::Host;
  else if (!services.empty()) rule->category = Category::Service;
  else rule->category = Category::RoutePrefix;
  return {};
}

}  // namespace

wrapper::Error RuleMatcher::ParseRuleConfig(const wrapper::Json& config, const Parsers& parsers, bool isolation) {
  rules_.clear();
  globalConfig_.reset();
  hasGlobal_ = false;
  size_t keys = config.isObject() ? config.size() : 0;
  if (keys == 0) {
    globalConfig_ = parsers.newConfig();
    if (auto err = parsers.global(config, globalConfig_.get())) return wrapper::Errorf("global config: %v", err);
    hasGlobal_ = true;
    return {};
  }
  wrapper::Json rulesJson = config.get(kRules);
  if (rulesJson.exists()) --keys;
  wrapper::Error globalError;
  if (keys > 0) {
    ConfigPtr global = parsers.newConfig();
    globalError = parsers.global(config, global.get());
    if (!globalError) {
      globalConfig_ = std::move(global);
      hasGlobal_ = true;
    } else {
      log::Warnf("parse global config failed: %v", globalError);
    }
  }
  if (!rulesJson.exists()) {
    if (hasGlobal_) return {};
    return wrapper::Errorf("parse config failed, no valid rules; global config parse error: %v", globalError);
  }
  ConfigPtr inherited = hasGlobal_ ? globalConfig_ : parsers.newConfig();
  auto parseOne = [&](const wrapper::Json& json, void* out) {
    return parsers.rule ? parsers.rule(json, inherited.get(), out) : parsers.global(json, out);
  };
  size_t index = 0;
  for (const auto& ruleJson : rulesJson.asArray()) {
    RuleConfig rule;
    if (auto err = parseMatch(ruleJson, index++, &rule)) return err;
    rule.config = parsers.newConfig();
    std::string key = RuleKey(rule);
    wrapper::Error err = parseOne(ruleJson, rule.config.get());
    if (!err) {
      if (isolation) isolationBackups()[key] = std::string(ruleJson.raw());
    } else if (!isolation) {
      return wrapper::Errorf("%s: %v", rule.description, err);
    } else {
      auto backup = isolationBackups().find(key);
      if (backup == isolationBackups().end()) {
        log::Warnf("%s: %v; no previous config for it, rule skipped", rule.description, err);
        continue;
      }
      rule.config = parsers.newConfig();
      if (auto again = parseOne(wrapper::Json::Parse(backup->second), rule.config.get())) {
        log::Warnf("%s: %v; previous config failed too (%v), rule skipped", rule.description, err, again);
        continue;
      }
      log::Warnf("%s: %v; keeping its previous config", rule.description, err);
    }
    rules_.push_back(std::move(rule));
  }
  if (rules_.empty()) {
    return wrapper::Errorf("parse config failed, no valid rules; global config parse error: %v", globalError);
  }
  return {};
}

const void* RuleMatcher::GetMatchConfig(std::string_view authority, std::string_view routeName,
                                        std::string_view clusterName) const {
  if (rules_.empty()) return hasGlobal_ ? globalConfig_.get() : nullptr;  // the common case: no rule
  std::string_view host = StripPortFromHost(authority);
  for (const auto& rule : rules_) {
    bool match = false;
    switch (rule.category) {
      case Category::Route: match = rule.routes.count(std::string(routeName)) > 0; break;
      case Category::RoutePrefix:
        for (const auto& p : rule.routePrefixes) match = match || routeName.substr(0, p.size()) == p;
        break;
      case Category::Host:
        for (const auto& m : rule.hosts) match = match || MatchHost(m, host);
        break;
      case Category::Service: match = MatchService(rule.services, clusterName); break;
      case Category::RouteAndService:
        match = rule.routes.count(std::string(routeName)) > 0 && MatchService(rule.services, clusterName);
        break;
    }
    if (match) return rule.config.get();
  }
  return hasGlobal_ ? globalConfig_.get() : nullptr;
}

bool RuleMatcher::NeedsRouteName() const {
  for (const auto& rule : rules_) {
    if (rule.category == Category::Route || rule.category == Category::RoutePrefix ||
        rule.category == Category::RouteAndService) {
      return true;
    }
  }
  return false;
}

bool RuleMatcher::NeedsClusterName() const {
  for (const auto& rule : rules_) {
    if (rule.category == Category::Service || rule.category == Category::RouteAndService) return true;
  }
  return false;
}

std::string_view StripPortFromHost(std::string_view authority) {
  size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) return authority;
  if (authority.find(']', colon) != std::string_view::npos) return authority;  // "[::1]" without port
  return authority.substr(0, colon);
}

bool MatchHost(const HostMatcher& m, std::string_view host) {
  switch (m.type) {
    case HostMatcher::Type::Suffix:
      return host.size() >= m.host.size() && host.substr(host.size() - m.host.size()) == m.host;
    case HostMatcher::Type::Prefix: return host.substr(0, m.host.size()) == m.host;
    case HostMatcher::Type::Exact: return host == m.host;
  }
  return false;
}

bool MatchService(const std::map<std::string, uint64_t>& services, std::string_view clusterName) {
  std::string_view parts[4];
  size_t n = 0, start = 0;
  for (size_t i = 0; i <= clusterName.size(); ++i) {
    if (i < clusterName.size() && clusterName[i] != '|') continue;
    if (n == 4) return false;
    parts[n++] = clusterName.substr(start, i - start);
    start = i + 1;
  }
  if (n != 4) return false;
  auto it = services.find(std::string(parts[3]));
  if (it == services.end()) return false;
  unsigned long long port = 0;
  return it->second == 0 || (format::ParseUint(parts[1], &port) && port == it->second);
}

std::string RuleKey(const RuleConfig& rule) {
  std::string key = format::Sprintf("cat:%d|routes:", static_cast<int>(rule.category));
  for (const auto& r : rule.routes) key.append(r).push_back(',');
  key.append("|services:");
  for (const auto& [fqdn, port] : rule.services) key.append(format::Sprintf("%s:%d,", fqdn, port));
  key.append("|prefixes:");
  for (const auto& p : rule.routePrefixes) key.append(p).push_back(',');
  std::set<std::string> hosts;  // sorted (a std::set, not std::sort: smaller plugins)
  for (const auto& h : rule.hosts) hosts.insert(format::Sprintf("%d:%s", static_cast<int>(h.type), h.host));
  key.append("|hosts:");
  for (const auto& h : hosts) key.append(h).push_back(',');
  return key;
}

void ClearIsolationBackups() { isolationBackups().clear(); }

}  // namespace wasmgate::matcher
