// Maps the cluster names plugins pass to proxy_http_call / proxy_redis_init onto the gateway's
// configured services. The SDK's cluster types produce Envoy/Istio names
// ("outbound|8080||auth.default.svc.cluster.local", "outbound|80||auth.static", "auth.dns",
// Nacos' "outbound|80||auth.DEFAULT-GROUP.public.nacos"); a service matches by its exact name
// first, then by the service name those forms share (port preferred when both carry one).
//
// Internal header (gateway/wasm/). Pure functions; any thread.
#pragma once
#include <string>
#include <string_view>

#include "gateway/config.h"

namespace wasmgate::gateway::wasm {

// The service name a cluster name designates: "auth" for the K8s and Nacos forms, "auth" for
// "auth.static"/"auth.dns", "api.example.com" for an FQDN; `port` gets the outbound port (0: none).
std::string canonicalServiceName(std::string_view cluster, uint32_t* port = nullptr);

// The configured service for `cluster`, or nullptr.
const ServiceConfig* findService(const GatewayConfig& config, std::string_view cluster);

}  // namespace wasmgate::gateway::wasm
