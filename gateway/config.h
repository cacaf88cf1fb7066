// The gateway's configuration as loaded from YAML (see docs/configuration.md): listeners, admin,
// routes, services, limits, logging, and the plugins section kept for the wasm filter. Built and
// validated once by config_loader.h, then shared read-only.
//
// Public header (gateway/, tools/). Immutable after loading: safe to read from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace wasmgate::gateway {

struct SocketAddress {
  std::string host;  // numeric IPv4/IPv6 or a DNS name
  uint16_t port = 0;
  std::string str() const;
};

struct ListenerConfig {
  std::string name;
  SocketAddress address;
};

struct HeaderMatch {
  enum class Kind { Exact, Prefix, Regex, Present };
  std::string name;  // lower-case
  Kind kind = Kind::Exact;
  std::string value;
  std::shared_ptr<const std::regex> regex;
  bool invert = false;
};

struct RouteConfig {
  enum class PathKind { Prefix, Exact, Regex };
  std::string name;                // Higress style "namespace/name"
  std::vector<std::string> hosts;  // domains: exact, "*.suffix", "prefix*", "*"
  PathKind path_kind = PathKind::Prefix;
  std::string path;                // prefix, exact path or regex source
  std::shared_ptr<const std::regex> path_regex;
  std::vector<std::string> methods;  // empty: any
  std::vector<HeaderMatch> headers;
  std::string service;
  bool has_prefix_rewrite = false;
  std::string prefix_rewrite;
  std::string host_rewrite;
  uint64_t timeout_ms = 15000;  // Envoy's route default; 0 disables
  uint32_t retries = 1;         // extra attempts on connect failure (idempotent methods only)
};

struct ServiceConfig {
  enum class Kind { Static, Dns, Builtin };
  enum class LbPolicy { RoundRobin, LeastRequest };
  std::string name;  // "outbound|80||foo.static", "outbound|80||foo.dns" or a plain name
  Kind kind = Kind::Static;
  std::vector<SocketAddress> endpoints;  // Static; Dns: one host:port to resolve
  std::string builtin;                   // Builtin: "httpbin"
  LbPolicy lb_policy = LbPolicy::RoundRobin;
  uint64_t connect_timeout_ms = 5000;
  uint64_t dns_refresh_ms = 5000;  // Envoy's dns_refresh_rate default
  uint64_t idle_timeout_ms = 60000;  // pooled upstream connection idle time
  uint32_t max_idle_per_endpoint = 1024;
  // Passive outlier detection: eject an endpoint after this many consecutive failures
  // (connect failures, resets, 5xx from it) for base_ejection_ms * times ejected.
  uint32_t consecutive_failures = 5;
  uint64_t base_ejection_ms = 30000;
};

struct LimitsConfig {
  uint32_t max_request_headers_kb = 60;
  uint32_t max_request_headers_count = 100;
  uint64_t request_headers_timeout_ms = 10000;
  uint64_t idle_timeout_ms = 300000;  // downstream keep-alive idle
  uint64_t drain_timeout_ms = 5000;   // SIGTERM: in-flight requests get this long
  uint64_t max_buffered_body_bytes = 10 * 1024 * 1024;
};

struct AccessLogConfig {
  bool enabled = false;
  std::string path;  // "stdout", "stderr" or a file path
};

struct GatewayConfig {
  std::string source;  // file name (or "<built-in demo>") for messages
  std::string path;    // the config file as opened (empty for the built-in demo): plugin urls resolve from it
  std::vector<ListenerConfig> listeners;
  bool has_admin = false;
  SocketAddress admin;
  uint32_t workers = 0;  // 0: one per core
  std::string log_level = "info";
  AccessLogConfig access_log;
  LimitsConfig limits;
  std::vector<RouteConfig> routes;
  std::vector<ServiceConfig> services;
  std::string plugins_json = "[]";  // the `plugins:` section as JSON, not run yet

  const ServiceConfig* findService(const std::string& name) const;
};

}  // namespace wasmgate::gateway
