// Upstream cluster descriptions and the Envoy/Higress cluster names they map to (Go:
// wasm-go pkg/wrapper cluster_wrapper.go). Used with wrapper::NewClusterClient and
// wrapper::NewRedisClusterClient:
//   wrapper::FQDNCluster{.FQDN = "auth.example.com", .Port = 80}
//     -> ClusterName() "outbound|80||auth.example.com", HostName() "auth.example.com"
//
// Public header. Plain aggregates (designated initialisers, like Go struct literals); names are
// computed on each call, so RouteCluster follows the current request. Single-threaded.
#pragma once

#include <cstdint>
#include <string>

namespace wasmgate::wrapper {

// The cluster the current request is routed to (property cluster_name).
struct RouteCluster {
  std::string Host;
  std::string ClusterName() const;
  std::string HostName() const;  // Host, else the request's :authority
};

// A cluster named verbatim.
struct TargetCluster {
  std::string Host;
  std::string Cluster;
  std::string ClusterName() const { return Cluster; }
  std::string HostName() const { return Host; }
};

struct K8sCluster {
  std::string ServiceName;
  std::string Namespace;  // default "default" in the cluster name
  int64_t Port = 0;
  std::string Version;
  std::string Host;
  std::string ClusterName() const;
  std::string HostName() const;
};

struct NacosCluster {
  std::string ServiceName;
  std::string Group;  // "_" becomes "-"; default DEFAULT-GROUP
  std::string NamespaceID;
  int64_t Port = 0;
  bool IsExtRegistry = false;
  std::string Version;
  std::string Host;
  std::string ClusterName() const;
  std::string HostName() const;
};

struct StaticIpCluster {
  std::string ServiceName;
  int64_t Port = 0;
  std::string Host;
  std::string ClusterName() const;
  std::string HostName() const;
};

struct DnsCluster {
  std::string ServiceName;
  std::string Domain;
  int64_t Port = 0;
  std::string ClusterName() const;
  std::string HostName() const { return Domain; }
};

struct ConsulCluster {
  std::string ServiceName;
  std::string Datacenter;
  int64_t Port = 0;
  std::string Host;
  std::string ClusterName() const;
  std::string HostName() const;
};

struct FQDNCluster {
  std::string FQDN;
  std::string Host;
  int64_t Port = 0;
  std::string ClusterName() const;
  std::string HostName() const;
};

}  // namespace wasmgate::wrapper
