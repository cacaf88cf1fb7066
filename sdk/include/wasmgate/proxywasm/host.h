// Typed host calls that do not belong to one HTTP stream: plugin configuration, properties,
// logging, time, ticks, shared data and queues, metrics, foreign functions, and the raw HTTP and
// Redis call dispatchers (the cluster and Redis clients in <wasmgate/wrapper.h> build on them).
//
// Public header. Single-threaded. Callbacks given here run later from the SDK's export dispatch,
// with the context that issued the call made effective again.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <wasmgate/format.h>
#include <wasmgate/types.h>

namespace wasmgate::proxywasm {

using types::Headers;
using types::Result;
using types::Status;

// Only inside OnPluginStart / OnVMStart. An empty configuration is NotFound.
Result<std::string> GetPluginConfiguration();
Result<std::string> GetVMConfiguration();

// Properties: GetProperty({"route_name"}), GetProperty({"request", "path"}).
Result<std::string> GetProperty(std::initializer_list<std::string_view> path);
Result<std::string> GetProperty(const std::vector<std::string>& path);
Status SetProperty(std::initializer_list<std::string_view> path, std::string_view value);
Status SetProperty(const std::vector<std::string>& path, std::string_view value);
// A map-valued property (serialized pairs), e.g. GetPropertyMap({"request", "headers"}).
Result<Headers> GetPropertyMap(std::initializer_list<std::string_view> path);

// Log without the plugin prefix (log::Infof & co. add it).
Status LogTrace(std::string_view message);
Status LogDebug(std::string_view message);
Status LogInfo(std::string_view message);
Status LogWarn(std::string_view message);
Status LogError(std::string_view message);
Status LogCritical(std::string_view message);
template <typename... A> Status LogInfof(std::string_view fmt, const A&... a) { return LogInfo(format::Sprintf(fmt, a...)); }
template <typename... A> Status LogWarnf(std::string_view fmt, const A&... a) { return LogWarn(format::Sprintf(fmt, a...)); }
template <typename... A> Status LogErrorf(std::string_view fmt, const A&... a) { return LogError(format::Sprintf(fmt, a...)); }
template <typename... A> Status LogDebugf(std::string_view fmt, const A&... a) { return LogDebug(format::Sprintf(fmt, a...)); }

uint64_t GetCurrentTimeNanoseconds();  // wall clock; 0 if the host cannot tell
Status SetTickPeriodMilliSeconds(uint32_t periodMs);  // 0 disables proxy_on_tick

// Shared data, process-wide per vm_id; cas 0 writes unconditionally, else CasMismatch on conflict.
struct SharedData {
  std::string value;
  uint32_t cas = 0;
  Status status = Status::Ok;
};
SharedData GetSharedData(std::string_view key);
Status SetSharedData(std::string_view key, std::string_view value, uint32_t cas);

Result<uint32_t> RegisterSharedQueue(std::string_view name);
Result<uint32_t> ResolveSharedQueue(std::string_view vmId, std::string_view name);
Result<std::string> DequeueSharedQueue(uint32_t queueId);  // Empty when nothing is queued
Status EnqueueSharedQueue(uint32_t queueId, std::string_view data);

// Metrics, named wasmcustom.<name> by the host.
class MetricCounter {
 public:
  explicit MetricCounter(uint32_t id = 0) : id_(id) {}
  Status Increment(uint64_t offset) const;
  uint64_t Value() const;
  uint32_t ID() const { return id_; }
 private:
  uint32_t id_;
};
class MetricGauge {
 public:
  explicit MetricGauge(uint32_t id = 0) : id_(id) {}
  Status Add(int64_t offset) const;
  Status Set(uint64_t value) const;
  uint64_t Value() const;
  uint32_t ID() const { return id_; }
 private:
  uint32_t id_;
};
class MetricHistogram {
 public:
  explicit MetricHistogram(uint32_t id = 0) : id_(id) {}
  Status Record(uint64_t value) const;
  uint32_t ID() const { return id_; }
 private:
  uint32_t id_;
};
MetricCounter DefineCounterMetric(std::string_view name);
MetricGauge DefineGaugeMetric(std::string_view name);
MetricHistogram DefineHistogramMetric(std::string_view name);

// Host functions by name (get_log_level, set_global_max_requests_per_io_cycle, ...). Unknown: NotFound.
Result<std::string> CallForeignFunction(std::string_view name, std::string_view argument);

// proxy_http_call. `callback(numHeaders, bodySize, numTrailers)` runs when the answer arrives;
// read it with GetHttpCallResponseHeaders/Body/Trailers inside the callback. Returns the token.
using HttpCallCallback = std::function<void(uint32_t numHeaders, uint32_t bodySize, uint32_t numTrailers)>;
Result<uint32_t> DispatchHttpCall(std::string_view cluster, const Headers& headers, std::string_view body,
                                  const Headers& trailers, uint32_t timeoutMs, HttpCallCallback callback);
Result<Headers> GetHttpCallResponseHeaders();
Result<std::string> GetHttpCallResponseBody(size_t start, size_t maxSize);
Result<Headers> GetHttpCallResponseTrailers();

// Higress Redis. `cluster` may carry "?db=..&buffer_flush_timeout=..". The callback gets the host
// status (0 ok, 1 network error) and the RESP reply size (read with GetRedisCallResponse).
using RedisCallCallback = std::function<void(int status, uint32_t responseSize)>;
Status RedisInit(std::string_view cluster, std::string_view username, std::string_view password,
                 uint32_t timeoutMs);
Result<uint32_t> DispatchRedisCall(std::string_view cluster, std::string_view query, RedisCallCallback callback);
Result<std::string> GetRedisCallResponse(size_t start, size_t maxSize);

}  // namespace wasmgate::proxywasm
