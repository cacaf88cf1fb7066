#include "gateway/wasm/upstream_hosts.h"

#include <charconv>

#include <uv.h>

#include "gateway/net/loop.h"

namespace wasmgate::gateway::wasm {

using abi::Status;

Status listUpstreamHosts(const ClusterSet* clusters, const RouteConfig* route, uint64_t now_ms,
                         runtime::Pairs* hosts) {
  if (clusters == nullptr || route == nullptr) return Status::NotFound;
  const Cluster* cluster = clusters->find(route->service);
  if (cluster == nullptr) return Status::NotFound;
  hosts->clear();
  for (const auto& endpoint : cluster->endpoints()) {
    // Passive ejection is the only health signal wasmgate has (no active health checks), and no
    // endpoint metrics are stored: "metrics" stays empty, as in Higress without store_metrics.
    const char* health = endpoint->ejected(now_ms) ? "Unhealthy" : "Healthy";
    hosts->emplace_back(endpoint->address, std::string("{\"health_status\":\"") + health + "\",\"metrics\":\"\"}");
  }
  return Status::Ok;
}

Status normalizeOverrideHost(std::string_view address, std::string* normalized) {
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return Status::BadArgument;
  std::string_view host = address.substr(0, colon);
  std::string_view port_text = address.substr(colon + 1);
  uint32_t port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return Status::BadArgument;
  }
  sockaddr_storage addr{};
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    const std::string ip(host.substr(1, host.size() - 2));
    if (uv_ip6_addr(ip.c_str(), static_cast<int>(port), reinterpret_cast<sockaddr_in6*>(&addr)) != 0) {
      return Status::BadArgument;
    }
  } else {
    const std::string ip(host);
    if (uv_ip4_addr(ip.c_str(), static_cast<int>(port), reinterpret_cast<sockaddr_in*>(&addr)) != 0) {
      return Status::BadArgument;
    }
  }
  *normalized = formatAddress(reinterpret_cast<const sockaddr*>(&addr));
  return Status::Ok;
}

}  // namespace wasmgate::gateway::wasm
