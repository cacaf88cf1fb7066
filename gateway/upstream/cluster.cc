#include "gateway/upstream/cluster.h"

#include <cstring>

#include <netdb.h>

#include "gateway/log.h"

namespace wasmgate::gateway {

struct Cluster::Resolve {
  uv_getaddrinfo_t req;
  Cluster* cluster;
  std::shared_ptr<bool> alive;
};

Cluster::Cluster(Dispatcher& dispatcher, const ServiceConfig& config)
    : dispatcher_(dispatcher), config_(config), alive_(std::make_shared<bool>(true)) {
  if (config_.kind == ServiceConfig::Kind::Static) {
    for (const SocketAddress& a : config_.endpoints) {
      sockaddr_storage addr{};
      if (uv_ip4_addr(a.host.c_str(), a.port, reinterpret_cast<sockaddr_in*>(&addr)) != 0) {
        uv_ip6_addr(a.host.c_str(), a.port, reinterpret_cast<sockaddr_in6*>(&addr));
      }
      addEndpoint(reinterpret_cast<sockaddr*>(&addr));
    }
  } else if (config_.kind == ServiceConfig::Kind::Dns) {
    resolved_once_ = false;
    refresh_timer_ = std::make_unique<Timer>(dispatcher_.loop(), [this] { startResolve(); });
    startResolve();
  }
}

Cluster::~Cluster() { *alive_ = false; }

Endpoint& Cluster::addEndpoint(const sockaddr* addr) {
  auto ep = std::make_unique<Endpoint>();
  std::memcpy(&ep->addr, addr, addr->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
  ep->address = formatAddress(addr);
  PoolSettings settings{config_.connect_timeout_ms, config_.idle_timeout_ms, config_.max_idle_per_endpoint};
  ep->pool = std::make_unique<ConnPool>(dispatcher_, *ep, settings);
  endpoints_.push_back(std::move(ep));
  return *endpoints_.back();
}

void Cluster::startResolve() {
  const SocketAddress& target = config_.endpoints.front();
  auto* r = new Resolve{{}, this, alive_};
  r->req.data = r;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  std::string port = std::to_string(target.port);
  int rc = uv_getaddrinfo(dispatcher_.loop(), &r->req, [](uv_getaddrinfo_t* req, int status, addrinfo* res) {
    auto* r = static_cast<Resolve*>(req->data);
    if (*r->alive) r->cluster->onResolved(status, res);
    uv_freeaddrinfo(res);
    delete r;
  }, target.host.c_str(), port.c_str(), &hints);
  if (rc != 0) {
    delete r;
    onResolved(rc, nullptr);
  }
}

namespace {

// Moves the endpoint for `address` out of `from` (nullptr when none); `from` keeps no empty slot.
std::unique_ptr<Endpoint> takeEndpoint(std::vector<std::unique_ptr<Endpoint>>& from, const std::string& address) {
  for (auto it = from.begin(); it != from.end(); ++it) {
    if ((*it)->address == address) {
      std::unique_ptr<Endpoint> taken = std::move(*it);
      from.erase(it);
      return taken;
    }
  }
  return nullptr;
}

}  // namespace

void Cluster::onResolved(int status, addrinfo* result) {
  if (status != 0) {
    dns_error_ = std::string("DNS resolution of ") + config_.endpoints.front().host + " failed: " + uv_strerror(status);
  } else {
    dns_error_.clear();
    // Keep endpoints (and their pools and health) that are still listed; retire the rest.
    std::vector<std::unique_ptr<Endpoint>> previous;
    previous.swap(endpoints_);
    const size_t previous_count = previous.size();
    for (addrinfo* ai = result; ai; ai = ai->ai_next) {
      std::string address = formatAddress(ai->ai_addr);
      bool listed = false;
      for (auto& ep : endpoints_) listed |= ep->address == address;
      if (listed) continue;  // getaddrinfo may repeat an address
      // A returning address takes back its retired endpoint, so a name whose answers rotate keeps
      // one endpoint per distinct address instead of growing retired_ on every refresh.
      std::unique_ptr<Endpoint> known = takeEndpoint(previous, address);
      if (!known) known = takeEndpoint(retired_, address);
      if (known) {
        endpoints_.push_back(std::move(known));
      } else {
        addEndpoint(ai->ai_addr);
      }
    }
    // What is left of `previous` is no longer listed: retired, since connections may still use it.
    const bool changed = !resolved_once_ || endpoints_.size() != previous_count || !previous.empty();
    for (auto& ep : previous) retired_.push_back(std::move(ep));
    // Only changes are logged: a refresh runs every dns_refresh on every worker.
    if (changed && logEnabled(LogLevel::Debug)) {
      std::string list;
      for (auto& ep : endpoints_) list += (list.empty() ? "" : ", ") + ep->address;
      logf(LogLevel::Debug, "service %s: %s resolved to %s", config_.name.c_str(),
           config_.endpoints.front().host.c_str(), list.empty() ? "no address" : list.c_str());
    }
  }
  resolved_once_ = true;
  refresh_timer_->start(config_.dns_refresh_ms);
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& ready : waiting) ready();
}

void Cluster::whenResolved(std::function<void()> ready) {
  if (resolved_once_) {
    ready();
    return;
  }
  waiting_.push_back(std::move(ready));
}

Endpoint* Cluster::pick(const Endpoint* avoid) {
  uint64_t now = dispatcher_.nowMs();
  const size_t n = endpoints_.size();
  if (n == 0) return nullptr;
  auto usable = [&](const Endpoint& ep, bool allow_avoided) {
    return !ep.ejected(now) && (allow_avoided || &ep != avoid);
  };
  for (bool allow_avoided : {false, true}) {
    if (config_.lb_policy == ServiceConfig::LbPolicy::LeastRequest) {
      // Least request over all endpoints, ties broken round-robin so load spreads evenly.
      Endpoint* best = nullptr;
      for (size_t i = 0; i < n; ++i) {
        Endpoint& ep = *endpoints_[(next_ + i) % n];
        if (!usable(ep, allow_avoided)) continue;
        if (!best || ep.active_requests < best->active_requests) best = &ep;
      }
      next_ = (next_ + 1) % n;
      if (best) return best;
    } else {
      for (size_t i = 0; i < n; ++i) {
        Endpoint& ep = *endpoints_[next_];
        next_ = (next_ + 1) % n;
        if (usable(ep, allow_avoided)) return &ep;
      }
    }
  }
  return nullptr;
}

void Cluster::reportSuccess(Endpoint& endpoint) { endpoint.consecutive_failures = 0; }

void Cluster::reportFailure(Endpoint& endpoint) {
  if (config_.consecutive_failures == 0) return;
  if (++endpoint.consecutive_failures < config_.consecutive_failures) return;
  endpoint.consecutive_failures = 0;
  ++endpoint.times_ejected;
  endpoint.ejected_until_ms = dispatcher_.nowMs() + config_.base_ejection_ms * endpoint.times_ejected;
}

ClusterSet::ClusterSet(Dispatcher& dispatcher, const GatewayConfig& config) {
  for (const ServiceConfig& s : config.services) {
    clusters_.emplace(s.name, std::make_unique<Cluster>(dispatcher, s));
  }
}

Cluster* ClusterSet::find(const std::string& name) const {
  auto it = clusters_.find(name);
  return it == clusters_.end() ? nullptr : it->second.get();
}

}  // namespace wasmgate::gateway
