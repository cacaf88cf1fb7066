// Fake host interfaces for the runtime tests (the one file of fakes), plus loading of the test
// plugins built into WASMGATE_PLUGIN_DIR. The fakes record what the runtime asks of them and
// answer like a simple gateway would.
//
// Test-only header. Thread affinity: the test's thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "runtime/engine.h"
#include "runtime/host.h"
#include "runtime/vm.h"

namespace wasmgate::runtime::testing {

struct LogEntry {
  abi::LogLevel level;
  std::string plugin;
  std::string message;
};

class FakeLog : public LogHost {
 public:
  void log(abi::LogLevel level, std::string_view plugin, std::string_view message) override;
  abi::LogLevel logLevel() override { return level; }
  bool has(std::string_view message) const;             // some entry equals `message`
  std::vector<std::string> events() const;              // the probe's "@callback ..." lines, in order
  std::vector<std::string> reports() const;             // the probe's command reports, in order
  std::string dump() const;                             // everything, for failure messages
  void clear() { entries.clear(); }
  abi::LogLevel level = abi::LogLevel::Info;
  std::vector<LogEntry> entries;
};

class FakeHeaders : public HeaderMapHost {
 public:
  Status getHeader(abi::MapType, std::string_view key, std::string* value) override;
  Status addHeader(abi::MapType, std::string_view key, std::string_view value) override;
  Status replaceHeader(abi::MapType, std::string_view key, std::string_view value) override;
  Status removeHeader(abi::MapType, std::string_view key) override;
  Status getHeaders(abi::MapType, Pairs* pairs) override;
  Status setHeaders(abi::MapType, const Pairs& pairs) override;
  Status getHeaderMapSize(abi::MapType, uint32_t* size) override;
  Pairs maps[4];
  bool available[4] = {true, true, true, true};
};

class FakeBuffers : public BufferHost {
 public:
  Status getBuffer(abi::BufferType, uint64_t start, uint64_t max_size, std::string* data) override;
  Status setBuffer(abi::BufferType, uint64_t start, uint64_t size, std::string_view data) override;
  Status getBufferStatus(abi::BufferType, uint64_t* length, uint32_t* flags) override;
  std::string buffers[4];
};

class FakeProperties : public PropertyHost {
 public:
  Status getProperty(std::string_view path, std::string* value) override;
  Status setProperty(std::string_view path, std::string_view value) override;
  std::map<std::string, std::string> values;
};

class FakeControl : public StreamControlHost {
 public:
  Status continueStream(abi::StreamType) override;
  Status closeStream(abi::StreamType) override;
  Status sendLocalResponse(const LocalResponse& response) override;
  Status injectEncodedData(std::string_view data, bool end_of_stream) override;
  Status setUpstreamOverrideHost(std::string_view address) override;
  Status getUpstreamHosts(Pairs* hosts) override;
  std::vector<std::string> actions;  // "continue 0", "close 1", "local 403", "inject abc 1", "override 1.2.3.4:80"
  std::vector<LocalResponse> local_responses;
  Pairs upstream_hosts;
};

class FakeHttp : public HttpCallHost {
 public:
  Status dispatch(uint32_t root_context_id, uint32_t token, const HttpCallRequest& request) override;
  std::vector<std::tuple<uint32_t, uint32_t, HttpCallRequest>> calls;  // root, token, request
  std::vector<std::string> clusters = {"backend"};
};

class FakeRedis : public RedisHost {
 public:
  Status init(std::string_view cluster, std::string_view username, std::string_view password,
              uint32_t timeout_ms) override;
  Status call(uint32_t root_context_id, uint32_t token, std::string_view cluster, std::string_view query) override;
  std::vector<std::string> inits;                                  // "cluster user pass timeout"
  std::vector<std::tuple<uint32_t, uint32_t, std::string>> calls;  // root, token, query
};

class FakeTimers : public TimerHost {
 public:
  Status setTickPeriod(uint32_t root_context_id, uint32_t period_ms) override;
  std::map<uint32_t, uint32_t> periods;  // root -> latest period
};

// A working in-memory store: cas from a counter starting at 1, queues with FIFO order.
class FakeSharedData : public SharedDataHost {
 public:
  Status get(std::string_view vm_id, std::string_view key, std::string* value, uint32_t* cas) override;
  Status set(std::string_view vm_id, std::string_view key, std::string_view value, uint32_t cas) override;
  Status registerQueue(std::string_view vm_id, std::string_view name, uint32_t root_context_id,
                       uint32_t* queue_id) override;
  Status resolveQueue(std::string_view vm_id, std::string_view name, uint32_t* queue_id) override;
  Status enqueue(uint32_t queue_id, std::string_view data) override;
  Status dequeue(uint32_t queue_id, std::string* data) override;
  std::map<std::string, std::pair<std::string, uint32_t>> data;  // "vm_id/key" -> value, cas
  uint32_t next_cas = 1;
  struct Queue {
    std::string key;  // "vm_id/name"
    uint32_t root;
    std::vector<std::string> items;
  };
  std::map<uint32_t, Queue> queues;
  std::vector<std::pair<uint32_t, uint32_t>> ready;  // (root, queue) notifications to deliver
};

// Metric ids carry the type in their low two bits, as Envoy's do.
class FakeMetrics : public MetricsHost {
 public:
  Status define(abi::MetricType, std::string_view name, uint32_t* metric_id) override;
  Status increment(uint32_t metric_id, int64_t offset) override;
  Status record(uint32_t metric_id, uint64_t value) override;
  Status get(uint32_t metric_id, uint64_t* value) override;
  std::map<uint32_t, std::string> names;
  std::map<std::string, uint64_t> values;
  uint32_t next = 1;
};

class FakeForeign : public ForeignFunctionHost {
 public:
  Status call(std::string_view name, std::string_view argument, std::string* result) override;
  std::map<std::string, std::string> results;               // name -> result
  std::vector<std::pair<std::string, std::string>> calls;  // name, argument
};

// Every fake, wired together.
struct FakeHosts {
  FakeLog log;
  FakeHttp http;
  FakeRedis redis;
  FakeTimers timers;
  FakeSharedData shared;
  FakeMetrics metrics;
  FakeProperties vm_properties;
  FakeForeign foreign;
  VmServices services();

  // One stream's hosts.
  struct Stream {
    FakeHeaders headers;
    FakeBuffers buffers;
    FakeProperties properties;
    FakeControl control;
    StreamHost host() { return {&headers, &buffers, &properties, &control}; }
  };
};

// The compiled test plugin WASMGATE_PLUGIN_DIR/<name>.wasm (compiled once per process).
std::shared_ptr<const CompiledModule> plugin(const std::string& name);

// A VM of `plugin_name` on `worker` with the fakes, whose vm configuration is `vm_script`.
Result<std::unique_ptr<WasmVm>> makeVm(WorkerEngine& worker, const std::string& plugin_name, FakeHosts& hosts,
                                       std::string vm_script = "", std::string vm_id = "");

// A worker engine for the current test.
std::unique_ptr<WorkerEngine> newWorker();

}  // namespace wasmgate::runtime::testing
