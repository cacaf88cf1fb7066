// Cluster: a service's endpoints as one worker sees them: load balancing (round robin or least
// request), passive ejection of failing endpoints, periodic DNS re-resolution for `.dns`
// services, and one connection pool per endpoint. ClusterSet: all clusters of one config
// generation on one worker.
//
// Internal header (gateway/). Thread affinity: the worker thread that created it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/config.h"
#include "gateway/net/loop.h"
#include "gateway/upstream/endpoint.h"

namespace wasmgate::gateway {

class Cluster {
 public:
  Cluster(Dispatcher& dispatcher, const ServiceConfig& config);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const ServiceConfig& config() const { return config_; }
  bool builtin() const { return config_.kind == ServiceConfig::Kind::Builtin; }
  // A DNS service has not resolved yet: `ready` runs once it has (or failed).
  bool resolving() const { return !resolved_once_; }
  void whenResolved(std::function<void()> ready);
  // The next endpoint by the LB policy, skipping ejected ones and `avoid` (when others exist).
  // nullptr: no healthy endpoint.
  Endpoint* pick(const Endpoint* avoid);
  void reportSuccess(Endpoint& endpoint);
  void reportFailure(Endpoint& endpoint);
  size_t endpointCount() const { return endpoints_.size(); }
  // The current endpoints (ejected ones included), for plugins' proxy_get_upstream_hosts.
  const std::vector<std::unique_ptr<Endpoint>>& endpoints() const { return endpoints_; }
  std::string lastDnsError() const { return dns_error_; }

 private:
  struct Resolve;
  void startResolve();
  void onResolved(int status, addrinfo* result);
  Endpoint& addEndpoint(const sockaddr* addr);

  Dispatcher& dispatcher_;
  const ServiceConfig& config_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  std::vector<std::unique_ptr<Endpoint>> retired_;  // gone from DNS; connections may still use them
  size_t next_ = 0;
  bool resolved_once_ = true;
  std::string dns_error_;
  std::vector<std::function<void()>> waiting_;
  std::unique_ptr<Timer> refresh_timer_;
  std::shared_ptr<bool> alive_;  // lets an in-flight uv_getaddrinfo see that the cluster is gone
};

class ClusterSet {
 public:
  ClusterSet(Dispatcher& dispatcher, const GatewayConfig& config);
  Cluster* find(const std::string& name) const;

 private:
  std::map<std::string, std::unique_ptr<Cluster>> clusters_;
};

}  // namespace wasmgate::gateway
