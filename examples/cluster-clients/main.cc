// cluster-clients: the cluster types and HTTP methods of the http-client reference. The config
// names one upstream in any of Higress's ways; every request sends an audit record to it
// (`method` <path>, body "<METHOD> <path>" for methods with a body) without holding the request:
// the callback only logs the outcome. Config:
//   {"cluster": {"type": "k8s", "serviceName": "audit", "namespace": "ops", "port": 8080},
//    "method": "POST", "path": "/audit", "timeout": 300}
// cluster.type: fqdn (fqdn, port, host), k8s (serviceName, namespace, port, version),
// nacos (serviceName, group, namespaceID, port, isExtRegistry), static (serviceName, port),
// dns (serviceName, domain, port), route (host), target (cluster, host).
#include <string>

#include <wasmgate/wrapper.h>

struct AuditConfig {
  wrapper::ClusterClient client{wrapper::FQDNCluster{}};
  std::string method, path;
  uint32_t timeoutMs = 500;
};

wrapper::Error makeClient(const wrapper::Json& c, wrapper::ClusterClient& client) {
  std::string type = c.get("type").asString("fqdn");
  std::string name = c.get("serviceName").asString();
  int64_t port = c.get("port").asInt(80);
  if (type == "fqdn") {
    client = wrapper::NewClusterClient(wrapper::FQDNCluster{
        .FQDN = c.get("fqdn").asString(), .Host = c.get("host").asString(), .Port = port});
  } else if (type == "k8s") {
    client = wrapper::NewClusterClient(wrapper::K8sCluster{.ServiceName = name,
        .Namespace = c.get("namespace").asString(), .Port = port, .Version = c.get("version").asString()});
  } else if (type == "nacos") {
    client = wrapper::NewClusterClient(wrapper::NacosCluster{.ServiceName = name,
        .Group = c.get("group").asString(), .NamespaceID = c.get("namespaceID").asString(), .Port = port,
        .IsExtRegistry = c.get("isExtRegistry").asBool()});
  } else if (type == "static") {
    client = wrapper::NewClusterClient(wrapper::StaticIpCluster{.ServiceName = name, .Port = port});
  } else if (type == "dns") {
    client = wrapper::NewClusterClient(
        wrapper::DnsCluster{.ServiceName = name, .Domain = c.get("domain").asString(), .Port = port});
  } else if (type == "route") {
    client = wrapper::NewClusterClient(wrapper::RouteCluster{.Host = c.get("host").asString()});
  } else if (type == "target") {
    client = wrapper::NewClusterClient(
        wrapper::TargetCluster{.Host = c.get("host").asString(), .Cluster = c.get("cluster").asString()});
  } else {
    return wrapper::Errorf("field 'cluster.type': unknown type %q", type);
  }
  if (type != "route" && type != "target" && type != "fqdn" && name.empty()) {
    return wrapper::Errorf("field 'cluster.serviceName': required for type %s", type);
  }
  return {};
}

wrapper::Error parseConfig(const wrapper::Json& json, AuditConfig& config) {
  if (auto err = makeClient(json.get("cluster"), config.client)) return err;
  config.method = json.get("method").asString("POST");
  config.path = json.get("path").asString("/audit");
  config.timeoutMs = static_cast<uint32_t>(json.get("timeout").asInt(500));
  return {};
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, const AuditConfig& config) {
  auto onReply = [](int status, const types::Headers&, std::string_view) {
    if (status >= 300) log::Warnf("audit record rejected with status %d", status);
  };
  const std::string record = ctx.Method() + " " + ctx.Path();
  const std::string& m = config.method;
  wrapper::Error err;
  // Each method as the Go client spells it; Call takes any other.
  if (m == "GET") err = config.client.Get(config.path, {}, onReply, config.timeoutMs);
  else if (m == "HEAD") err = config.client.Head(config.path, {}, onReply, config.timeoutMs);
  else if (m == "OPTIONS") err = config.client.Options(config.path, {}, onReply, config.timeoutMs);
  else if (m == "POST") err = config.client.Post(config.path, {{"content-type", "text/plain"}}, record, onReply, config.timeoutMs);
  else if (m == "PUT") err = config.client.Put(config.path, {{"content-type", "text/plain"}}, record, onReply, config.timeoutMs);
  else if (m == "PATCH") err = config.client.Patch(config.path, {{"content-type", "text/plain"}}, record, onReply, config.timeoutMs);
  else if (m == "DELETE") err = config.client.Delete(config.path, {}, record, onReply, config.timeoutMs);
  else err = config.client.Call(m, config.path, {}, record, onReply, config.timeoutMs);
  if (err) log::Warnf("audit record not sent: %v", err);
  return types::HeaderContinue;  // auditing never holds the request
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<AuditConfig>("cluster-clients",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders));
}
