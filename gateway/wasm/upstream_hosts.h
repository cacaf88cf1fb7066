// Higress's upstream extensions as the gateway serves them to a plugin's stream:
// proxy_get_upstream_hosts lists the endpoints of the current route's cluster as pairs
// (address "ip:port", info JSON {"health_status": "Healthy"|"Unhealthy", "metrics": ""}), the shape
// Higress's load-balancing plugins parse; proxy_set_upstream_override_host pins the endpoint the
// router uses for the held request (StreamInfo::upstream_override_host).
//
// Pinning follows Envoy's non-strict override host: the address must be a numeric "ip:port"
// (else BadArgument), and at routing time it is used when it is a healthy endpoint of the route's
// cluster; otherwise the cluster's load balancer picks as usual.
//
// Internal header (gateway/wasm/). Thread affinity: the stream's worker thread.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <wasmgate/abi.h>

#include "gateway/config.h"
#include "gateway/upstream/cluster.h"
#include "runtime/host.h"

namespace wasmgate::gateway::wasm {

// The hosts of `route`'s cluster. NotFound: no route (or no cluster for it). A built-in service
// or a DNS service not resolved yet has no endpoint: an empty list.
abi::Status listUpstreamHosts(const ClusterSet* clusters, const RouteConfig* route, uint64_t now_ms,
                              runtime::Pairs* hosts);

// `address` in the form endpoints are named ("127.0.0.1:8080", "[::1]:8080"); BadArgument when it
// is not a numeric address with a port.
abi::Status normalizeOverrideHost(std::string_view address, std::string* normalized);

}  // namespace wasmgate::gateway::wasm
