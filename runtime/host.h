// The host interfaces the runtime calls to serve a plugin's host-function calls. The gateway's
// wasm filter and the SDK's test harness implement them; every default answers Unimplemented, so
// an implementation overrides only what it serves.
//
// Public header. All calls arrive on the thread that owns the WasmVm.
//
// Per-stream interfaces (HeaderMapHost, BufferHost, PropertyHost, StreamControlHost) are given to
// WasmVm::createStream; per-VM ones (the rest) are given in VmConfig::services. Actions a plugin
// requests during a call (continue, close, local response) reach StreamControlHost only after the
// call into the plugin has returned, as in Envoy.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <wasmgate/abi.h>

#include "common/function_ref.h"

namespace wasmgate::runtime {

using abi::Status;
using Pairs = std::vector<std::pair<std::string, std::string>>;

class PairsWriter;  // runtime/pairs.h

// Header maps 0-3 of the current stream (request/response headers and trailers). Keys arrive
// lower-cased. A map the stream cannot offer at this point answers BadArgument.
class HeaderMapHost {
 public:
  virtual ~HeaderMapHost() = default;
  virtual Status getHeader(abi::MapType, std::string_view key, std::string* value);
  virtual Status addHeader(abi::MapType, std::string_view key, std::string_view value);
  virtual Status replaceHeader(abi::MapType, std::string_view key, std::string_view value);
  virtual Status removeHeader(abi::MapType, std::string_view key);
  virtual Status getHeaders(abi::MapType, Pairs* pairs);
  // The same entries as getHeaders(), in the same order, handed over as views without copying
  // them; the runtime serialises the map straight into guest memory this way. The default goes
  // through getHeaders(), so a host only overrides it to save the copies.
  using HeaderVisitor = FunctionRef<void(std::string_view key, std::string_view value)>;
  virtual Status visitHeaders(abi::MapType, HeaderVisitor visit);
  // The same map serialised in two steps (proxy_get_header_map_pairs): its entry count and the
  // bytes of its keys and values, then the entries written through `out`, in visitHeaders()'s
  // order. The defaults go through visitHeaders(); a host overrides both to skip the visitor's
  // call per entry.
  virtual Status measureHeaders(abi::MapType, size_t* count, size_t* bytes);
  virtual Status writeHeaders(abi::MapType, PairsWriter& out);
  virtual Status setHeaders(abi::MapType, const Pairs& pairs);
  virtual Status getHeaderMapSize(abi::MapType, uint32_t* size);
};

// Body buffers 0-3 of the current stream. (Buffers 4-9 are served by the runtime itself.)
class BufferHost {
 public:
  virtual ~BufferHost() = default;
  // Up to `max_size` bytes from `start`, clamped to what is there.
  virtual Status getBuffer(abi::BufferType, uint64_t start, uint64_t max_size, std::string* data);
  // start == 0: drop `size` bytes then prepend data; start >= length: append; else BadArgument.
  virtual Status setBuffer(abi::BufferType, uint64_t start, uint64_t size, std::string_view data);
  virtual Status getBufferStatus(abi::BufferType, uint64_t* length, uint32_t* flags);
};

// Properties. `path` segments are separated by '\0' (e.g. "request\0path").
class PropertyHost {
 public:
  virtual ~PropertyHost() = default;
  virtual Status getProperty(std::string_view path, std::string* value);
  virtual Status setProperty(std::string_view path, std::string_view value);
};

struct LocalResponse {
  uint32_t status_code = 0;
  std::string details;  // whitespace already replaced by '_'
  std::string body;
  Pairs headers;
  int32_t grpc_status = -1;  // -1: none
};

// Flow control of the current stream, and Higress's upstream and injection extensions.
class StreamControlHost {
 public:
  virtual ~StreamControlHost() = default;
  virtual Status continueStream(abi::StreamType);
  virtual Status closeStream(abi::StreamType);
  virtual Status sendLocalResponse(const LocalResponse& response);
  virtual Status injectEncodedData(std::string_view data, bool end_of_stream);
  virtual Status setUpstreamOverrideHost(std::string_view address);
  virtual Status getUpstreamHosts(Pairs* hosts);
};

struct StreamHost {
  HeaderMapHost* headers = nullptr;  // nullptr: the default (Unimplemented)
  BufferHost* buffers = nullptr;
  PropertyHost* properties = nullptr;
  StreamControlHost* control = nullptr;
};

class LogHost {
 public:
  virtual ~LogHost() = default;
  // `plugin` is the plugin (root context) name the message comes from.
  virtual void log(abi::LogLevel, std::string_view plugin, std::string_view message);
  virtual abi::LogLevel logLevel();  // default Info
};

struct HttpCallRequest {
  std::string cluster;
  Pairs headers;  // includes :method, :path, :authority
  std::string body;
  Pairs trailers;
  uint32_t timeout_ms = 0;  // 0: no timeout
};

// Outbound HTTP calls. The host answers later with WasmVm::onHttpCallResponse(token, ...).
class HttpCallHost {
 public:
  virtual ~HttpCallHost() = default;
  // BadArgument for an unknown cluster.
  virtual Status dispatch(uint32_t root_context_id, uint32_t token, const HttpCallRequest& request);
};

// Higress's Redis extension. Replies arrive with WasmVm::onRedisCallResponse(token, ...).
class RedisHost {
 public:
  virtual ~RedisHost() = default;
  // `cluster` may carry "?db=..&buffer_flush_timeout=..&max_buffer_size_before_flush=..".
  virtual Status init(std::string_view cluster, std::string_view username, std::string_view password,
                      uint32_t timeout_ms);
  virtual Status call(uint32_t root_context_id, uint32_t token, std::string_view cluster,
                      std::string_view query);
};

// Ticks: the host calls WasmVm::onTick(root_context_id) every `period_ms` (0 disables).
class TimerHost {
 public:
  virtual ~TimerHost() = default;
  virtual Status setTickPeriod(uint32_t root_context_id, uint32_t period_ms);
};

// Process-wide shared data and queues, namespaced by vm_id.
class SharedDataHost {
 public:
  virtual ~SharedDataHost() = default;
  virtual Status get(std::string_view vm_id, std::string_view key, std::string* value, uint32_t* cas);
  virtual Status set(std::string_view vm_id, std::string_view key, std::string_view value, uint32_t cas);
  virtual Status registerQueue(std::string_view vm_id, std::string_view name, uint32_t root_context_id,
                               uint32_t* queue_id);
  virtual Status resolveQueue(std::string_view vm_id, std::string_view name, uint32_t* queue_id);
  virtual Status enqueue(uint32_t queue_id, std::string_view data);
  virtual Status dequeue(uint32_t queue_id, std::string* data);
};

class MetricsHost {
 public:
  virtual ~MetricsHost() = default;
  virtual Status define(abi::MetricType, std::string_view name, uint32_t* metric_id);
  virtual Status increment(uint32_t metric_id, int64_t offset);
  virtual Status record(uint32_t metric_id, uint64_t value);
  virtual Status get(uint32_t metric_id, uint64_t* value);
};

// proxy_call_foreign_function names the runtime does not serve itself (it serves get_log_level).
class ForeignFunctionHost {
 public:
  virtual ~ForeignFunctionHost() = default;
  virtual Status call(std::string_view name, std::string_view argument, std::string* result);
};

// Time as the plugin sees it: proxy_get_current_time_nanoseconds and WASI's realtime and
// monotonic clocks. The default reads the system clocks; the test harness plays a virtual clock.
class ClockHost {
 public:
  virtual ~ClockHost() = default;
  virtual uint64_t realtimeNs();
  virtual uint64_t monotonicNs();
};

struct VmServices {
  LogHost* log = nullptr;  // nullptr: the default (Unimplemented; logs go to stderr)
  HttpCallHost* http = nullptr;
  RedisHost* redis = nullptr;
  TimerHost* timers = nullptr;
  SharedDataHost* shared_data = nullptr;
  MetricsHost* metrics = nullptr;
  PropertyHost* properties = nullptr;  // properties readable outside a stream (plugin_name, ...)
  ForeignFunctionHost* foreign = nullptr;
};

}  // namespace wasmgate::runtime
