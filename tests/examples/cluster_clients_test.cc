// The cluster-clients example through the harness: each cluster type of the http-client
// reference produces Higress's cluster name and authority, each HTTP method goes out as such,
// and the audit call never holds the request.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

struct Sent {
  HeaderAction action{};
  HttpCall call;
};

Sent audit(const std::string& cluster, const std::string& method = "POST") {
  std::string config = R"({"cluster": )" + cluster + R"(, "method": ")" + method + R"(", "path": "/audit", "timeout": 300})";
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/cluster-clients.wasm", config);
  EXPECT_TRUE(host.ok()) << host.message();
  if (!host.ok()) return {};
  auto http = host->newHttp();
  http.setClusterName("outbound|9000||current.route.svc");
  Sent sent;
  sent.action = http.requestHeaders({{":method", "GET"}, {":path", "/items?id=1"}, {":authority", "shop.example.com"}}, true);
  EXPECT_EQ(host->httpCalls().size(), 1u);
  if (!host->httpCalls().empty()) sent.call = host->httpCalls()[0];
  return sent;
}

TEST(ClusterClients, TheRequestIsNeverHeld) {
  EXPECT_EQ(audit(R"({"type": "fqdn", "fqdn": "audit.dns", "port": 8080})").action, HeaderAction::Continue);
}

TEST(ClusterClients, FqdnCluster) {
  Sent s = audit(R"({"type": "fqdn", "fqdn": "audit.dns", "port": 8080, "host": "audit.internal"})");
  EXPECT_EQ(s.call.cluster, "outbound|8080||audit.dns");
  EXPECT_EQ(s.call.authority(), "audit.internal");
  EXPECT_EQ(s.call.timeout_ms, 300u);
}

TEST(ClusterClients, K8sCluster) {
  Sent s = audit(R"({"type": "k8s", "serviceName": "audit", "namespace": "ops", "port": 8080})");
  EXPECT_EQ(s.call.cluster, "outbound|8080||audit.ops.svc.cluster.local");
  EXPECT_EQ(s.call.authority(), "audit.ops.svc.cluster.local");
  Sent versioned = audit(R"({"type": "k8s", "serviceName": "audit", "port": 8080, "version": "v2"})");
  EXPECT_EQ(versioned.call.cluster, "outbound|8080|v2|audit.default.svc.cluster.local");
}

TEST(ClusterClients, NacosCluster) {
  Sent s = audit(R"({"type": "nacos", "serviceName": "audit", "group": "DEFAULT_GROUP", "namespaceID": "public", "port": 8080})");
  EXPECT_EQ(s.call.cluster, "outbound|8080||audit.DEFAULT-GROUP.public.nacos");
}

TEST(ClusterClients, StaticAndDnsClusters) {
  EXPECT_EQ(audit(R"({"type": "static", "serviceName": "audit", "port": 8080})").call.cluster,
            "outbound|8080||audit.static");
  Sent dns = audit(R"({"type": "dns", "serviceName": "audit", "domain": "audit.example.com", "port": 443})");
  EXPECT_EQ(dns.call.cluster, "outbound|443||audit.dns");
  EXPECT_EQ(dns.call.authority(), "audit.example.com");
}

TEST(ClusterClients, RouteAndTargetClusters) {
  Sent route = audit(R"({"type": "route"})");
  EXPECT_EQ(route.call.cluster, "outbound|9000||current.route.svc") << "the current request's cluster";
  EXPECT_EQ(route.call.authority(), "shop.example.com");
  Sent target = audit(R"({"type": "target", "cluster": "outbound|8080||audit.dns", "host": "api.example.com"})");
  EXPECT_EQ(target.call.cluster, "outbound|8080||audit.dns");
  EXPECT_EQ(target.call.authority(), "api.example.com");
}

TEST(ClusterClients, EachMethodGoesOutAsSuch) {
  const std::string cluster = R"({"type": "static", "serviceName": "audit", "port": 80})";
  for (std::string method : {"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "PURGE"}) {
    Sent s = audit(cluster, method);
    EXPECT_EQ(s.call.method(), method);
    EXPECT_EQ(s.call.path(), "/audit");
    bool sendsRecord = method != "GET" && method != "HEAD" && method != "OPTIONS";
    EXPECT_EQ(s.call.body, sendsRecord ? "GET /items?id=1" : "") << method;
  }
}

TEST(ClusterClients, ConfigErrorsNameTheField) {
  auto unknown = TestHost::load(WASMGATE_PLUGIN_DIR "/cluster-clients.wasm", R"({"cluster": {"type": "eureka"}})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("field 'cluster.type'"), std::string::npos) << unknown.message();
  auto unnamed = TestHost::load(WASMGATE_PLUGIN_DIR "/cluster-clients.wasm", R"({"cluster": {"type": "k8s"}})");
  ASSERT_FALSE(unnamed.ok());
  EXPECT_NE(unnamed.message().find("field 'cluster.serviceName'"), std::string::npos) << unnamed.message();
}

}  // namespace
