// RouteTable: picks the route for a request. Virtual hosts by domain (exact, then "*.suffix"
// longest first, then "prefix*" longest first, then "*"), then the first route of that virtual
// host whose path (prefix / exact / regex), methods and headers match. No match: nullptr (404).
//
// Public header (gateway/). Immutable once built: shared by every worker thread.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/config.h"
#include "gateway/http/message.h"

namespace wasmgate::gateway {

class RouteTable {
 public:
  // Keeps pointers into `config`, which must outlive the table.
  explicit RouteTable(const GatewayConfig& config);

  const RouteConfig* match(const RequestHead& request) const;
  // The request path after `route`'s prefix rewrite (query kept), or the target unchanged.
  static std::string rewritePath(const RouteConfig& route, std::string_view target);

 private:
  struct VirtualHost {
    std::string domain;
    std::vector<const RouteConfig*> routes;
  };
  const VirtualHost* findVirtualHost(std::string_view host) const;
  static bool routeMatches(const RouteConfig& route, const RequestHead& request, std::string_view path);
  VirtualHost& hostFor(const std::string& domain);

  std::unordered_map<std::string, VirtualHost> exact_;
  std::vector<VirtualHost> suffix_;  // "*.example.com": wildcard then suffix, longest first
  std::vector<VirtualHost> prefix_;  // "api.*": prefix then wildcard, longest first
  VirtualHost any_;
  bool has_any_ = false;
};

}  // namespace wasmgate::gateway
