#include <set>

#include "gateway/config_loader.h"
#include "gateway/config_yaml.h"

namespace wasmgate::gateway {

static void readRoute(const Node& node, const std::string& path, RouteConfig& r, std::vector<std::string>& errors);
static void readService(const Node& node, const std::string& path, ServiceConfig& s, std::vector<std::string>& errors);

// A listener or admin address: IP:PORT, or HOST:PORT with HOST resolved now, since a socket binds
// to an address. Returns whether `out` was filled.
static bool readListenAddress(MapReader& m, const std::string& key, const HostResolver& resolve, SocketAddress& out) {
  std::string text;
  m.string(key, text);
  auto a = parseSocketAddress(text, 0);
  if (!a) {
    m.error(m.at(key), a.message());
    return false;
  }
  if (!isNumericAddress(a->host)) {
    auto ip = resolve(a->host);
    if (!ip) {
      m.error(m.at(key), "cannot resolve host name '" + a->host + "': " + ip.message() +
                             " (use an IP address, or a name listed in /etc/hosts)");
      return false;
    }
    a->host = *ip;
  }
  out = *a;
  return true;
}

void readGatewayConfig(const YAML::Node& root, GatewayConfig& config, const HostResolver& resolve,
                       std::vector<std::string>& errors) {
  if (!root || root.IsNull()) {
    errors.push_back("(top): the configuration is empty");
    return;
  }
  MapReader top(root, "", errors);
  Node listeners = top.get("listeners");
  if (!listeners || !listeners.IsSequence() || listeners.size() == 0) {
    top.error("listeners", "expected a non-empty list of listeners");
  } else {
    for (size_t i = 0; i < listeners.size(); ++i) {
      std::string path = "listeners[" + std::to_string(i) + "]";
      MapReader l(listeners[i], path, errors);
      ListenerConfig lc;
      lc.name = "listener_" + std::to_string(i);
      l.string("name", lc.name);
      readListenAddress(l, "address", resolve, lc.address);
      config.listeners.push_back(std::move(lc));
    }
  }
  if (top.has("admin")) {
    MapReader admin(top.get("admin"), "admin", errors);
    config.has_admin = readListenAddress(admin, "address", resolve, config.admin);
  }
  top.integer("workers", config.workers);
  top.string("log_level", config.log_level);
  static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (!levels.count(config.log_level)) top.error("log_level", "expected one of trace, debug, info, warn, error, critical, off");
  if (top.has("access_log")) {
    MapReader log(top.get("access_log"), "access_log", errors);
    log.string("path", config.access_log.path);
    config.access_log.enabled = !config.access_log.path.empty();
  }
  if (top.has("limits")) {
    MapReader lim(top.get("limits"), "limits", errors);
    LimitsConfig& l = config.limits;
    lim.integer("max_request_headers_kb", l.max_request_headers_kb);
    lim.integer("max_request_headers_count", l.max_request_headers_count);
    lim.duration("request_headers_timeout", l.request_headers_timeout_ms);
    lim.duration("idle_timeout", l.idle_timeout_ms);
    lim.duration("drain_timeout", l.drain_timeout_ms);
    lim.integer("max_buffered_body_bytes", l.max_buffered_body_bytes);
    if (l.max_request_headers_kb == 0) lim.error("limits.max_request_headers_kb", "must be at least 1");
  }
  Node services = top.get("services");
  if (services && !services.IsNull()) {
    if (!services.IsSequence()) {
      top.error("services", "expected a list of services");
    } else {
      for (size_t i = 0; i < services.size(); ++i) {
        ServiceConfig s;
        readService(services[i], "services[" + std::to_string(i) + "]", s, errors);
        config.services.push_back(std::move(s));
      }
    }
  }
  std::set<std::string> names;
  for (size_t i = 0; i < config.services.size(); ++i) {
    if (!names.insert(config.services[i].name).second) {
      errors.push_back("services[" + std::to_string(i) + "].name: duplicate service '" + config.services[i].name + "'");
    }
  }
  Node routes = top.get("routes");
  if (routes && !routes.IsNull()) {
    if (!routes.IsSequence()) {
      top.error("routes", "expected a list of routes");
    } else {
      for (size_t i = 0; i < routes.size(); ++i) {
        RouteConfig r;
        std::string path = "routes[" + std::to_string(i) + "]";
        readRoute(routes[i], path, r, errors);
        if (!r.service.empty() && !names.count(r.service)) {
          errors.push_back(path + ".service: no service named '" + r.service + "' in services");
        }
        config.routes.push_back(std::move(r));
      }
    }
  }
  Node plugins = top.get("plugins");
  if (plugins && !plugins.IsNull()) {
    if (!plugins.IsSequence()) {
      top.error("plugins", "expected a list");
    } else {
      config.plugins_json = yamlToJson(plugins);
    }
  }
}

static HeaderMatch readHeaderMatch(const Node& node, const std::string& path, std::vector<std::string>& errors) {
  MapReader m(node, path, errors);
  HeaderMatch h;
  std::string name;
  m.string("name", name);
  if (name.empty()) m.error(m.at("name"), "expected a header name");
  h.name = toLowerAscii(name);
  int kinds = 0;
  if (m.has("exact")) { m.string("exact", h.value); h.kind = HeaderMatch::Kind::Exact; ++kinds; }
  if (m.has("prefix")) { m.string("prefix", h.value); h.kind = HeaderMatch::Kind::Prefix; ++kinds; }
  if (m.has("regex")) { m.string("regex", h.value); h.kind = HeaderMatch::Kind::Regex; ++kinds; }
  if (m.has("present")) { m.get("present"); h.kind = HeaderMatch::Kind::Present; ++kinds; }
  if (kinds != 1) m.error(path, "expected exactly one of exact, prefix, regex, present");
  if (h.kind == HeaderMatch::Kind::Regex) {
    auto re = compileRegex(h.value);
    if (!re) m.error(m.at("regex"), re.message()); else h.regex = *re;
  }
  if (m.has("invert")) h.invert = m.get("invert").as<bool>(false);
  return h;
}

static void readRoute(const Node& node, const std::string& path, RouteConfig& r, std::vector<std::string>& errors) {
  MapReader m(node, path, errors);
  m.string("name", r.name);
  if (r.name.empty()) m.error(m.at("name"), "expected a route name such as default/my-route");
  r.hosts = {"*"};
  m.stringList("hosts", r.hosts);
  m.string("service", r.service);
  if (r.service.empty()) m.error(m.at("service"), "expected the name of a service");
  if (m.has("prefix_rewrite")) {
    r.has_prefix_rewrite = true;
    m.string("prefix_rewrite", r.prefix_rewrite);
  }
  m.string("host_rewrite", r.host_rewrite);
  m.duration("timeout", r.timeout_ms);
  m.integer("retries", r.retries);
  MapReader match(m.get("match"), m.at("match"), errors);
  int kinds = 0;
  if (match.has("prefix")) { match.string("prefix", r.path); r.path_kind = RouteConfig::PathKind::Prefix; ++kinds; }
  if (match.has("path")) { match.string("path", r.path); r.path_kind = RouteConfig::PathKind::Exact; ++kinds; }
  if (match.has("regex")) { match.string("regex", r.path); r.path_kind = RouteConfig::PathKind::Regex; ++kinds; }
  if (kinds != 1) match.error(m.at("match"), "expected exactly one of prefix, path, regex");
  if (r.path_kind == RouteConfig::PathKind::Regex && kinds == 1) {
    auto re = compileRegex(r.path);
    if (!re) match.error(m.at("match.regex"), re.message()); else r.path_regex = *re;
  }
  match.stringList("methods", r.methods);
  Node headers = match.get("headers");
  if (headers && !headers.IsNull()) {
    if (!headers.IsSequence()) {
      match.error(m.at("match.headers"), "expected a list of header matchers");
    } else {
      for (size_t i = 0; i < headers.size(); ++i) {
        r.headers.push_back(readHeaderMatch(headers[i], m.at("match.headers[" + std::to_string(i) + "]"), errors));
      }
    }
  }
}

static void readService(const Node& node, const std::string& path, ServiceConfig& s, std::vector<std::string>& errors) {
  MapReader m(node, path, errors);
  m.string("name", s.name);
  if (s.name.empty()) return m.error(m.at("name"), "expected a service name");
  ServiceName parsed = parseServiceName(s.name);
  m.string("builtin", s.builtin);
  std::vector<std::string> endpoints;
  m.stringList("endpoints", endpoints);
  std::string dns;
  m.string("dns", dns);
  std::string lb = "round_robin";
  m.string("lb_policy", lb);
  if (lb == "least_request") {
    s.lb_policy = ServiceConfig::LbPolicy::LeastRequest;
  } else if (lb != "round_robin") {
    m.error(m.at("lb_policy"), "expected round_robin or least_request");
  }
  m.duration("connect_timeout", s.connect_timeout_ms);
  m.duration("dns_refresh", s.dns_refresh_ms);
  m.duration("idle_timeout", s.idle_timeout_ms);
  m.integer("max_idle_per_endpoint", s.max_idle_per_endpoint);
  if (m.has("outlier_detection")) {
    MapReader o(m.get("outlier_detection"), m.at("outlier_detection"), errors);
    o.integer("consecutive_failures", s.consecutive_failures);
    o.duration("base_ejection_time", s.base_ejection_ms);
  }
  if (!s.builtin.empty()) {
    s.kind = ServiceConfig::Kind::Builtin;
    if (s.builtin != "httpbin") m.error(m.at("builtin"), "unknown built-in service '" + s.builtin + "' (known: httpbin)");
    return;
  }
  if (parsed.is_dns || !dns.empty()) {
    s.kind = ServiceConfig::Kind::Dns;
    std::string target = dns.empty() ? parsed.host : dns;
    auto a = parseSocketAddress(target, parsed.port);
    if (!a) return m.error(m.at(dns.empty() ? "name" : "dns"), a.message() + " (a DNS service needs host and port)");
    s.endpoints = {*a};
    return;
  }
  if (endpoints.empty()) return m.error(m.at("endpoints"), "expected at least one endpoint (or builtin:, dns:)");
  for (size_t i = 0; i < endpoints.size(); ++i) {
    auto a = parseSocketAddress(endpoints[i], parsed.port);
    if (!a) {
      m.error(m.at("endpoints[" + std::to_string(i) + "]"), a.message());
      continue;
    }
    if (!isNumericAddress(a->host)) {
      // As Higress's static service source: a fixed list of IP:port, never resolved.
      m.error(m.at("endpoints[" + std::to_string(i) + "]"),
              "'" + a->host + "' is a host name, but a static service takes only IP:port endpoints; "
              "use a DNS service for names (name it outbound|PORT||NAME.dns, or give dns: HOST:PORT)");
    }
    s.endpoints.push_back(*a);
  }
}

}  // namespace wasmgate::gateway
