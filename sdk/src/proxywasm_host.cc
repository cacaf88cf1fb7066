// Typed VM-wide host calls; see <wasmgate/proxywasm/host.h>.
#include <wasmgate/proxywasm/host.h>

#include <wasmgate/internal/exports.h>

#include "hostcall.h"

namespace wasmgate::proxywasm {
namespace {

using internal::readBytes;
using internal::toStatus;
using internal::u32;

Result<std::string> getBuffer(abi::BufferType t, size_t start, size_t maxSize) {
  return readBytes([&](char** d, size_t* n) {
    return proxy_get_buffer_bytes(static_cast<uint32_t>(t), u32(start), u32(maxSize), d, n);
  });
}

Result<std::string> getPropertyRaw(std::string_view path) {
  return readBytes([&](char** d, size_t* n) { return proxy_get_property(path.data(), path.size(), d, n); });
}

Status setPropertyRaw(std::string_view path, std::string_view value) {
  return toStatus(proxy_set_property(path.data(), path.size(), value.data(), value.size()));
}

Status log(abi::LogLevel level, std::string_view message) {
  return toStatus(proxy_log(static_cast<uint32_t>(level), message.data(), message.size()));
}

uint32_t defineMetric(abi::MetricType type, std::string_view name) {
  uint32_t id = 0;
  proxy_define_metric(static_cast<uint32_t>(type), name.data(), name.size(), &id);
  return id;
}

uint64_t metricValue(uint32_t id) {
  uint64_t v = 0;
  proxy_get_metric(id, &v);
  return v;
}

}  // namespace

Result<std::string> GetPluginConfiguration() { return getBuffer(abi::BufferType::PluginConfiguration, 0, 0x7fffffff); }
Result<std::string> GetVMConfiguration() { return getBuffer(abi::BufferType::VmConfiguration, 0, 0x7fffffff); }

// A path of one segment is its own wire form: no string to build (plugins read and write such
// properties on every request, e.g. x_request_id).
Result<std::string> GetProperty(std::initializer_list<std::string_view> path) {
  if (path.size() == 1) return getPropertyRaw(*path.begin());
  return getPropertyRaw(internal::SerializePropertyPath(path));
}
Result<std::string> GetProperty(const std::vector<std::string>& path) {
  return getPropertyRaw(internal::SerializePropertyPath(path));
}
Status SetProperty(std::initializer_list<std::string_view> path, std::string_view value) {
  if (path.size() == 1) return setPropertyRaw(*path.begin(), value);
  return setPropertyRaw(internal::SerializePropertyPath(path), value);
}
Status SetProperty(const std::vector<std::string>& path, std::string_view value) {
  return setPropertyRaw(internal::SerializePropertyPath(path), value);
}
Result<Headers> GetPropertyMap(std::initializer_list<std::string_view> path) {
  std::string wire = internal::SerializePropertyPath(path);
  return internal::readPairs([&](char** d, size_t* n) { return proxy_get_property(wire.data(), wire.size(), d, n); });
}

Status LogTrace(std::string_view m) { return log(abi::LogLevel::Trace, m); }
Status LogDebug(std::string_view m) { return log(abi::LogLevel::Debug, m); }
Status LogInfo(std::string_view m) { return log(abi::LogLevel::Info, m); }
Status LogWarn(std::string_view m) { return log(abi::LogLevel::Warn, m); }
Status LogError(std::string_view m) { return log(abi::LogLevel::Error, m); }
Status LogCritical(std::string_view m) { return log(abi::LogLevel::Critical, m); }

uint64_t GetCurrentTimeNanoseconds() {
  uint64_t ns = 0;
  return proxy_get_current_time_nanoseconds(&ns) == 0 ? ns : 0;
}

Status SetTickPeriodMilliSeconds(uint32_t periodMs) { return toStatus(proxy_set_tick_period_milliseconds(periodMs)); }

SharedData GetSharedData(std::string_view key) {
  SharedData out;
  char* data = nullptr;
  size_t size = 0;
  out.status = toStatus(proxy_get_shared_data(key.data(), key.size(), &data, &size, &out.cas));
  out.value = internal::TakeHostBytes(data, size);
  return out;
}

Status SetSharedData(std::string_view key, std::string_view value, uint32_t cas) {
  return toStatus(proxy_set_shared_data(key.data(), key.size(), value.data(), value.size(), cas));
}

Result<uint32_t> RegisterSharedQueue(std::string_view name) {
  Result<uint32_t> r;
  r.status = toStatus(proxy_register_shared_queue(name.data(), name.size(), &r.value));
  return r;
}

Result<uint32_t> ResolveSharedQueue(std::string_view vmId, std::string_view name) {
  Result<uint32_t> r;
  r.status = toStatus(proxy_resolve_shared_queue(vmId.data(), vmId.size(), name.data(), name.size(), &r.value));
  return r;
}

Result<std::string> DequeueSharedQueue(uint32_t queueId) {
  char* data = nullptr;
  size_t size = 0;
  Status s = toStatus(proxy_dequeue_shared_queue(queueId, &data, &size));
  return {internal::TakeHostBytes(data, size), s};
}

Status EnqueueSharedQueue(uint32_t queueId, std::string_view data) {
  return toStatus(proxy_enqueue_shared_queue(queueId, data.data(), data.size()));
}

Status MetricCounter::Increment(uint64_t offset) const {
  return toStatus(proxy_increment_metric(id_, static_cast<int64_t>(offset)));
}
uint64_t MetricCounter::Value() const { return metricValue(id_); }
Status MetricGauge::Add(int64_t offset) const { return toStatus(proxy_increment_metric(id_, offset)); }
Status MetricGauge::Set(uint64_t value) const { return toStatus(proxy_record_metric(id_, value)); }
uint64_t MetricGauge::Value() const { return metricValue(id_); }
Status MetricHistogram::Record(uint64_t value) const { return toStatus(proxy_record_metric(id_, value)); }

MetricCounter DefineCounterMetric(std::string_view n) { return MetricCounter(defineMetric(abi::MetricType::Counter, n)); }
MetricGauge DefineGaugeMetric(std::string_view n) { return MetricGauge(defineMetric(abi::MetricType::Gauge, n)); }
MetricHistogram DefineHistogramMetric(std::string_view n) {
  return MetricHistogram(defineMetric(abi::MetricType::Histogram, n));
}

Result<std::string> CallForeignFunction(std::string_view name, std::string_view argument) {
  char* data = nullptr;
  size_t size = 0;
  Status s = toStatus(proxy_call_foreign_function(name.data(), name.size(), argument.data(), argument.size(),
                                                  &data, &size));
  return {internal::TakeHostBytes(data, size), s};
}

Result<uint32_t> DispatchHttpCall(std::string_view cluster, const Headers& headers, std::string_view body,
                                  const Headers& trailers, uint32_t timeoutMs, HttpCallCallback callback) {
  std::string h = internal::SerializePairs(headers);
  std::string t = internal::SerializePairs(trailers);
  Result<uint32_t> r;
  r.status = toStatus(proxy_http_call(cluster.data(), cluster.size(), h.data(), h.size(), body.data(), body.size(),
                                      t.data(), t.size(), timeoutMs, &r.value));
  if (r.ok()) internal::RegisterHttpCallout(r.value, std::move(callback));
  return r;
}

Result<Headers> GetHttpCallResponseHeaders() {
  return internal::readPairs([](char** d, size_t* n) {
    return proxy_get_header_map_pairs(static_cast<uint32_t>(abi::MapType::HttpCallResponseHeaders), d, n);
  });
}
Result<std::string> GetHttpCallResponseBody(size_t start, size_t maxSize) {
  return getBuffer(abi::BufferType::HttpCallResponseBody, start, maxSize);
}
Result<Headers> GetHttpCallResponseTrailers() {
  return internal::readPairs([](char** d, size_t* n) {
    return proxy_get_header_map_pairs(static_cast<uint32_t>(abi::MapType::HttpCallResponseTrailers), d, n);
  });
}

Status RedisInit(std::string_view cluster, std::string_view username, std::string_view password,
                 uint32_t timeoutMs) {
  return toStatus(proxy_redis_init(cluster.data(), cluster.size(), username.data(), username.size(),
                                   password.data(), password.size(), timeoutMs));
}

Result<uint32_t> DispatchRedisCall(std::string_view cluster, std::string_view query, RedisCallCallback callback) {
  Result<uint32_t> r;
  r.status = toStatus(proxy_redis_call(cluster.data(), cluster.size(), query.data(), query.size(), &r.value));
  if (r.ok()) internal::RegisterRedisCallout(r.value, std::move(callback));
  return r;
}

Result<std::string> GetRedisCallResponse(size_t start, size_t maxSize) {
  return getBuffer(abi::BufferType::RedisCallResponse, start, maxSize);
}

}  // namespace wasmgate::proxywasm
