// VmHosts' Redis services: proxy_redis_init / proxy_redis_call over the VM's RedisClientSet.
// A `.dns` service is resolved by the worker's cluster for it (the same resolution HTTP routes
// and calls use), so the Redis client always gets numeric addresses. While that cluster's first
// resolution is still running, init is accepted and completed once it ends; calls made
// meanwhile wait for it, then go out (or fail with a network error when the init failed).
#include "gateway/log.h"
#include "gateway/wasm/cluster_names.h"
#include "gateway/wasm/vm_hosts.h"

namespace wasmgate::gateway::wasm {

using abi::Status;

Result<std::vector<std::string>> VmHosts::redisEndpoints(std::string_view cluster) const {
  const ServiceConfig* service = findService(config_, cluster);
  if (!service) return makeError("no service matches cluster '" + std::string(cluster) + "'");
  std::vector<std::string> hosts;
  if (service->kind == ServiceConfig::Kind::Dns && worker_) {
    const Cluster* resolved = worker_->clusters->find(service->name);
    if (!resolved) return makeError("service '" + service->name + "' has no cluster on this worker");
    for (const auto& endpoint : resolved->endpoints()) hosts.push_back(endpoint->address);
    return hosts;  // empty when DNS failed: "no host"
  }
  for (const SocketAddress& a : service->endpoints) hosts.push_back(a.str());
  return hosts;
}

Cluster* VmHosts::resolvingDnsCluster(std::string_view cluster) const {
  const ServiceConfig* service = findService(config_, cluster);
  if (!service || service->kind != ServiceConfig::Kind::Dns) return nullptr;
  Cluster* c = worker_->clusters->find(service->name);
  return c && c->resolving() ? c : nullptr;
}

Status VmHosts::init(std::string_view cluster, std::string_view username, std::string_view password,
                     uint32_t timeout_ms) {
  if (!worker_) return findService(config_, cluster) ? Status::Ok : Status::BadArgument;
  if (Cluster* dns = resolvingDnsCluster(cluster)) {
    const std::string name(cluster.substr(0, cluster.find('?')));
    auto [it, first] = redis_waiting_.try_emplace(name);
    // The latest init's arguments win, as a re-init of a connected client would.
    it->second.init = {std::string(cluster), std::string(username), std::string(password), timeout_ms};
    if (first) {
      logf(LogLevel::Debug, "wasm %s: redis init '%s' waits for its DNS resolution", plugin_.c_str(), name.c_str());
      dns->whenResolved([this, alive = alive_, name] {
        if (*alive) onRedisClusterResolved(name);
      });
    }
    return Status::Ok;
  }
  std::string why;
  Status s = redis_->init(cluster, username, password, timeout_ms, &why);
  if (s != Status::Ok) warn("redis init '" + std::string(cluster) + "': " + why);
  return s;
}

void VmHosts::onRedisClusterResolved(const std::string& name) {
  auto node = redis_waiting_.extract(name);
  if (node.empty()) return;
  RedisWaiting& waiting = node.mapped();
  const RedisInit& i = waiting.init;
  std::string why;
  Status s = redis_->init(i.cluster, i.username, i.password, i.timeout_ms, &why);
  if (s != Status::Ok) warn("redis init '" + i.cluster + "': " + why);
  for (const RedisWaiting::Call& c : waiting.calls) {
    if (redis_->call(name, c.query, redisReply(c.root_context_id, c.token)) == Status::Ok) continue;
    counters_.redis_call_failures++;
    if (vm_) (void)vm_->onRedisCallResponse(c.root_context_id, c.token, abi::RedisStatus::NetworkError, "");
  }
}

redis::RedisReplyCallback VmHosts::redisReply(uint32_t root_context_id, uint32_t token) {
  return [this, root_context_id, token](redis::RedisCallStatus status, std::string_view reply) {
    if (status != redis::RedisCallStatus::Ok) counters_.redis_call_failures++;
    if (!vm_) return;
    auto s = status == redis::RedisCallStatus::Ok ? abi::RedisStatus::Ok : abi::RedisStatus::NetworkError;
    (void)vm_->onRedisCallResponse(root_context_id, token, s, reply);
    failHeldStreamsIfFailed(vm_);  // last: `this` may be gone after it
  };
}

Status VmHosts::call(uint32_t root_context_id, uint32_t token, std::string_view cluster, std::string_view query) {
  if (!worker_) return Status::InternalFailure;
  auto waiting = redis_waiting_.find(cluster.substr(0, cluster.find('?')));
  if (waiting != redis_waiting_.end()) {
    waiting->second.calls.push_back({root_context_id, token, std::string(query)});
    counters_.redis_calls++;
    return Status::Ok;
  }
  Status s = redis_->call(cluster, query, redisReply(root_context_id, token));
  if (s == Status::Ok) counters_.redis_calls++;
  return s;
}

}  // namespace wasmgate::gateway::wasm
