// The VM-wide host interfaces of the harness: logs, metrics, foreign functions, root-context
// properties, and the per-VM adapters that record outbound HTTP and Redis calls, tick periods and
// shared-data use.
#include <cstdio>
#include <cstring>

#include "host_state.h"

namespace wasmgate::testing {


void LogService::log(abi::LogLevel level, std::string_view plugin, std::string_view message) {
  if (level < threshold) return;  // Envoy's logger drops what its level hides
  lines.push_back(LogLine{level, std::string(plugin), std::string(message)});
  if (echo) {
    std::fprintf(stderr, "[%s] [%.*s] %.*s\n", levelName(level), static_cast<int>(plugin.size()), plugin.data(),
                 static_cast<int>(message.size()), message.data());
  }
}

abi::Status MetricsService::define(abi::MetricType type, std::string_view name, uint32_t* metric_id) {
  size_t index = stats.size();
  for (size_t i = 0; i < stats.size(); ++i) {
    if (stats[i].type == type && stats[i].name == name) index = i;
  }
  if (index == stats.size()) stats.push_back(Stat{type, std::string(name), 0, {}});
  *metric_id = next_id_++ << 2 | static_cast<uint32_t>(type);
  ids_[*metric_id] = index;
  return abi::Status::Ok;
}

MetricsService::Stat* MetricsService::byId(uint32_t metric_id) {
  auto it = ids_.find(metric_id);
  return it == ids_.end() ? nullptr : &stats[it->second];
}

abi::Status MetricsService::increment(uint32_t metric_id, int64_t offset) {
  Stat* stat = byId(metric_id);
  if (stat == nullptr) return abi::Status::NotFound;
  switch (stat->type) {
    case abi::MetricType::Counter:
      if (offset <= 0) return abi::Status::BadArgument;  // counters only grow
      stat->value += static_cast<uint64_t>(offset);
      return abi::Status::Ok;
    case abi::MetricType::Gauge:
      stat->value += static_cast<uint64_t>(offset);
      return abi::Status::Ok;
    case abi::MetricType::Histogram:
      break;
  }
  return abi::Status::BadArgument;
}

abi::Status MetricsService::record(uint32_t metric_id, uint64_t value) {
  Stat* stat = byId(metric_id);
  if (stat == nullptr) return abi::Status::NotFound;
  switch (stat->type) {
    case abi::MetricType::Counter: stat->value += value; break;
    case abi::MetricType::Gauge: stat->value = value; break;
    case abi::MetricType::Histogram: stat->samples.push_back(value); break;
  }
  return abi::Status::Ok;
}

abi::Status MetricsService::get(uint32_t metric_id, uint64_t* value) {
  Stat* stat = byId(metric_id);
  if (stat == nullptr) return abi::Status::NotFound;
  if (stat->type == abi::MetricType::Histogram) return abi::Status::BadArgument;
  *value = stat->value;
  return abi::Status::Ok;
}

const MetricsService::Stat* MetricsService::find(std::string_view name, bool histogram) const {
  for (const Stat& stat : stats) {
    if (stat.name == name && (stat.type == abi::MetricType::Histogram) == histogram) return &stat;
  }
  return nullptr;
}

abi::Status ForeignService::call(std::string_view name, std::string_view argument, std::string* result) {
  calls.push_back(ForeignCall{std::string(name), std::string(argument)});
  if (name == "set_global_max_requests_per_io_cycle") {
    if (argument.size() != 8) return abi::Status::BadArgument;  // an 8-byte little-endian count
    uint64_t value = 0;
    std::memcpy(&value, argument.data(), 8);
    max_requests_per_io_cycle = value;
    return abi::Status::Ok;
  }
  auto it = functions.find(name);
  if (it == functions.end()) return abi::Status::NotFound;
  *result = it->second(argument);
  return abi::Status::Ok;
}

abi::Status VmPropertyService::getProperty(std::string_view path, std::string* value) {
  auto it = values.find(path);
  if (it == values.end()) return abi::Status::NotFound;
  *value = it->second;
  return abi::Status::Ok;
}

abi::Status SlotHttp::dispatch(uint32_t root_context_id, uint32_t token, const runtime::HttpCallRequest& request) {
  if (!host_.knownCluster(request.cluster)) return abi::Status::BadArgument;  // Envoy: unknown cluster
  HttpCall call{.token = token, .cluster = request.cluster, .headers = request.headers, .body = request.body,
                .trailers = request.trailers, .timeout_ms = request.timeout_ms};
  host_.http_calls.push_back(PendingHttpCall{&slot_, root_context_id, std::move(call)});
  return abi::Status::Ok;
}

abi::Status SlotRedis::init(std::string_view cluster, std::string_view username, std::string_view password,
                       uint32_t timeout_ms) {
  if (!host_.knownCluster(cluster.substr(0, cluster.find('?')))) return abi::Status::BadArgument;
  host_.redis_inits.push_back(
      RedisInit{std::string(cluster), std::string(username), std::string(password), timeout_ms});
  return abi::Status::Ok;
}

abi::Status SlotRedis::call(uint32_t root_context_id, uint32_t token, std::string_view cluster, std::string_view query) {
  if (!host_.knownCluster(cluster)) return abi::Status::BadArgument;
  host_.redis_calls.push_back(
      PendingRedisCall{&slot_, root_context_id, RedisCall{token, std::string(cluster), std::string(query)}});
  return abi::Status::Ok;
}

// Envoy re-arms a root's timer on every change; 0 disarms it.
abi::Status SlotTimers::setTickPeriod(uint32_t root_context_id, uint32_t period_ms) {
  std::erase_if(host_.timers, [&](const TickTimer& t) { return t.slot == &slot_ && t.root_id == root_context_id; });
  if (period_ms > 0) host_.timers.push_back(TickTimer{&slot_, root_context_id, period_ms, host_.clock.elapsedMs() + period_ms});
  return abi::Status::Ok;
}

abi::Status SlotSharedData::get(std::string_view vm_id, std::string_view key, std::string* value, uint32_t* cas) {
  return host_.shared->get(vm_id, key, value, cas);
}

abi::Status SlotSharedData::set(std::string_view vm_id, std::string_view key, std::string_view value, uint32_t cas) {
  return host_.shared->set(vm_id, key, value, cas);
}

abi::Status SlotSharedData::registerQueue(std::string_view vm_id, std::string_view name, uint32_t root_context_id,
                                     uint32_t* queue_id) {
  VmSlot* slot = &slot_;
  // The runtime defers the delivery if the VM is busy (an enqueue from its own callback).
  auto notify = [slot, root_context_id](uint32_t id) {
    if (slot->vm) (void)slot->vm->onQueueReady(root_context_id, id);
  };
  return host_.shared->registerQueue(vm_id, name, &host_, std::move(notify), queue_id);
}

abi::Status SlotSharedData::resolveQueue(std::string_view vm_id, std::string_view name, uint32_t* queue_id) {
  return host_.shared->resolveQueue(vm_id, name, queue_id);
}

abi::Status SlotSharedData::enqueue(uint32_t queue_id, std::string_view data) { return host_.shared->enqueue(queue_id, data); }

abi::Status SlotSharedData::dequeue(uint32_t queue_id, std::string* data) { return host_.shared->dequeue(queue_id, data); }

}  // namespace wasmgate::testing
