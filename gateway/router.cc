#include "gateway/router.h"

#include <algorithm>

namespace wasmgate::gateway {

RouteTable::RouteTable(const GatewayConfig& config) {
  for (const RouteConfig& route : config.routes) {
    for (const std::string& domain : route.hosts) hostFor(toLower(domain)).routes.push_back(&route);
  }
  auto longestFirst = [](const VirtualHost& a, const VirtualHost& b) { return a.domain.size() > b.domain.size(); };
  std::stable_sort(suffix_.begin(), suffix_.end(), longestFirst);
  std::stable_sort(prefix_.begin(), prefix_.end(), longestFirst);
}

RouteTable::VirtualHost& RouteTable::hostFor(const std::string& domain) {
  if (domain == "*") {
    has_any_ = true;
    any_.domain = domain;
    return any_;
  }
  std::vector<VirtualHost>* wildcard = nullptr;
  if (domain.front() == '*') wildcard = &suffix_;
  else if (domain.back() == '*') wildcard = &prefix_;
  if (!wildcard) {
    VirtualHost& vh = exact_[domain];
    vh.domain = domain;
    return vh;
  }
  for (VirtualHost& vh : *wildcard) {
    if (vh.domain == domain) return vh;
  }
  wildcard->push_back(VirtualHost{domain, {}});
  return wildcard->back();
}

const RouteTable::VirtualHost* RouteTable::findVirtualHost(std::string_view host) const {
  if (auto it = exact_.find(std::string(host)); it != exact_.end()) return &it->second;
  for (const VirtualHost& vh : suffix_) {
    std::string_view suffix = std::string_view(vh.domain).substr(1);
    if (host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix) return &vh;
  }
  for (const VirtualHost& vh : prefix_) {
    std::string_view prefix = std::string_view(vh.domain).substr(0, vh.domain.size() - 1);
    if (host.size() > prefix.size() && host.substr(0, prefix.size()) == prefix) return &vh;
  }
  return has_any_ ? &any_ : nullptr;
}

static bool headerMatches(const HeaderMatch& m, const HeaderMap& headers) {
  const std::string* value = headers.get(m.name);
  bool hit = false;
  if (value) {
    switch (m.kind) {
      case HeaderMatch::Kind::Present: hit = true; break;
      case HeaderMatch::Kind::Exact: hit = *value == m.value; break;
      case HeaderMatch::Kind::Prefix: hit = value->rfind(m.value, 0) == 0; break;
      case HeaderMatch::Kind::Regex: hit = std::regex_match(*value, *m.regex); break;
    }
  }
  return hit != m.invert;
}

bool RouteTable::routeMatches(const RouteConfig& route, const RequestHead& request, std::string_view path) {
  switch (route.path_kind) {
    case RouteConfig::PathKind::Prefix:
      if (path.substr(0, route.path.size()) != route.path) return false;
      break;
    case RouteConfig::PathKind::Exact:
      if (path != route.path) return false;
      break;
    case RouteConfig::PathKind::Regex:
      if (!std::regex_match(path.begin(), path.end(), *route.path_regex)) return false;
      break;
  }
  if (!route.methods.empty() &&
      std::find(route.methods.begin(), route.methods.end(), request.method) == route.methods.end()) {
    return false;
  }
  for (const HeaderMatch& h : route.headers) {
    if (!headerMatches(h, request.headers)) return false;
  }
  return true;
}

const RouteConfig* RouteTable::match(const RequestHead& request) const {
  std::string host = toLower(request.authority());
  // Domains are matched without the port (":8080"), leaving IPv6 literals ("[::1]") intact.
  if (size_t colon = host.rfind(':'); colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    host.resize(colon);
  }
  const VirtualHost* vh = findVirtualHost(host);
  if (!vh) return nullptr;
  std::string_view path = request.path();
  for (const RouteConfig* route : vh->routes) {
    if (routeMatches(*route, request, path)) return route;
  }
  return nullptr;
}

std::string RouteTable::rewritePath(const RouteConfig& route, std::string_view target) {
  if (!route.has_prefix_rewrite) return std::string(target);
  std::string_view path = target.substr(0, target.find('?'));
  std::string_view rest = target.substr(path.size());
  if (route.path_kind == RouteConfig::PathKind::Prefix) {
    return route.prefix_rewrite + std::string(path.substr(route.path.size())) + std::string(rest);
  }
  return route.prefix_rewrite + std::string(rest);  // exact and regex routes replace the whole path
}

}  // namespace wasmgate::gateway
