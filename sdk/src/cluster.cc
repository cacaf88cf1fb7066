// Cluster names; see <wasmgate/cluster.h>. "outbound|<port>|<version>|<fqdn>" is Istio's naming.
#include <wasmgate/cluster.h>

#include <wasmgate/format.h>
#include <wasmgate/proxywasm/host.h>
#include <wasmgate/proxywasm/http.h>

namespace wasmgate::wrapper {
namespace {

std::string outbound(int64_t port, std::string_view version, std::string_view host) {
  std::string out = "outbound|";
  format::AppendInt(out, port);
  out.append("|").append(version).append("|").append(host);
  return out;
}

std::string orElse(const std::string& a, std::string_view b) { return a.empty() ? std::string(b) : a; }

}  // namespace

std::string RouteCluster::ClusterName() const { return proxywasm::GetProperty({"cluster_name"}).value; }
std::string RouteCluster::HostName() const {
  if (!Host.empty()) return Host;
  return proxywasm::GetHttpRequestHeader(":authority").value;
}

std::string K8sCluster::ClusterName() const {
  return outbound(Port, Version, ServiceName + "." + orElse(Namespace, "default") + ".svc.cluster.local");
}
std::string K8sCluster::HostName() const {
  return Host.empty() ? ServiceName + "." + Namespace + ".svc.cluster.local" : Host;
}

std::string NacosCluster::ClusterName() const {
  std::string group = orElse(Group, "DEFAULT-GROUP");
  for (char& c : group) c = c == '_' ? '-' : c;
  return outbound(Port, Version,
                  ServiceName + "." + group + "." + NamespaceID + (IsExtRegistry ? ".nacos-ext" : ".nacos"));
}
std::string NacosCluster::HostName() const { return orElse(Host, ServiceName); }

std::string StaticIpCluster::ClusterName() const { return outbound(Port, "", ServiceName + ".static"); }
std::string StaticIpCluster::HostName() const { return orElse(Host, ServiceName); }

std::string DnsCluster::ClusterName() const { return outbound(Port, "", ServiceName + ".dns"); }

std::string ConsulCluster::ClusterName() const {
  return outbound(Port, "", ServiceName + "." + Datacenter + ".consul");
}
std::string ConsulCluster::HostName() const { return orElse(Host, ServiceName); }

std::string FQDNCluster::ClusterName() const { return outbound(Port, "", FQDN); }
std::string FQDNCluster::HostName() const { return orElse(Host, FQDN); }

}  // namespace wasmgate::wrapper
