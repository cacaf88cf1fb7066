#include "gateway/wasm/cluster_names.h"

#include <charconv>
#include <vector>

namespace wasmgate::gateway::wasm {
namespace {

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::vector<std::string_view> splitBars(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t bar = s.find('|', start);
    parts.push_back(s.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (bar == std::string_view::npos) return parts;
    start = bar + 1;
  }
}

std::string_view firstLabel(std::string_view s) { return s.substr(0, s.find('.')); }

}  // namespace

std::string canonicalServiceName(std::string_view cluster, uint32_t* port) {
  if (port) *port = 0;
  std::string_view host = cluster.substr(0, cluster.find('?'));  // Redis clusters carry options
  auto parts = splitBars(host);
  if (parts.size() == 4 && parts[0] == "outbound") {
    host = parts[3];
    uint32_t p = 0;
    auto [end, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), p);
    if (ec == std::errc() && end == parts[1].data() + parts[1].size() && port) *port = p;
  }
  for (std::string_view suffix : {".static", ".dns"}) {
    if (endsWith(host, suffix)) return std::string(host.substr(0, host.size() - suffix.size()));
  }
  // Kubernetes and Nacos names start with the service's own name.
  if (endsWith(host, ".svc.cluster.local") || endsWith(host, ".nacos")) return std::string(firstLabel(host));
  return std::string(host);
}

const ServiceConfig* findService(const GatewayConfig& config, std::string_view cluster) {
  std::string_view name = cluster.substr(0, cluster.find('?'));
  for (const ServiceConfig& s : config.services) {
    if (s.name == name) return &s;
  }
  uint32_t port = 0;
  const std::string wanted = canonicalServiceName(name, &port);
  if (wanted.empty()) return nullptr;
  const ServiceConfig* fallback = nullptr;
  for (const ServiceConfig& s : config.services) {
    uint32_t service_port = 0;
    if (canonicalServiceName(s.name, &service_port) != wanted) continue;
    if (port == 0 || service_port == 0 || port == service_port) return &s;
    if (!fallback) fallback = &s;  // same service, other port: still the best guess
  }
  return fallback;
}

}  // namespace wasmgate::gateway::wasm
