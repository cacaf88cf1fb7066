// The state behind a TestHost: the worker engine, the VMs (the current one and those replaced by
// rebuild(), kept while old streams may still refer to them), and the runtime host interfaces the
// harness implements for them, with what they recorded.
//
// Harness-internal header. Thread affinity: the test's thread.
#pragma once

#include <cassert>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <wasmgate/testing/test_host.h>

#include "runtime/engine.h"
#include "runtime/host.h"
#include "runtime/vm.h"
#include "shared_store.h"

namespace wasmgate::testing {

class HostState;
class StreamState;
struct VmSlot;

// Per-VM adapters: they know which VM issued a call, so the answer goes back to that VM.
class SlotHttp final : public runtime::HttpCallHost {
 public:
  SlotHttp(HostState& host, VmSlot& slot) : host_(host), slot_(slot) {}
  abi::Status dispatch(uint32_t root_context_id, uint32_t token, const runtime::HttpCallRequest& request) override;

 private:
  HostState& host_;
  VmSlot& slot_;
};

class SlotRedis final : public runtime::RedisHost {
 public:
  SlotRedis(HostState& host, VmSlot& slot) : host_(host), slot_(slot) {}
  abi::Status init(std::string_view cluster, std::string_view username, std::string_view password,
                   uint32_t timeout_ms) override;
  abi::Status call(uint32_t root_context_id, uint32_t token, std::string_view cluster,
                   std::string_view query) override;

 private:
  HostState& host_;
  VmSlot& slot_;
};

class SlotTimers final : public runtime::TimerHost {
 public:
  SlotTimers(HostState& host, VmSlot& slot) : host_(host), slot_(slot) {}
  abi::Status setTickPeriod(uint32_t root_context_id, uint32_t period_ms) override;

 private:
  HostState& host_;
  VmSlot& slot_;
};

class SlotSharedData final : public runtime::SharedDataHost {
 public:
  SlotSharedData(HostState& host, VmSlot& slot) : host_(host), slot_(slot) {}
  abi::Status get(std::string_view vm_id, std::string_view key, std::string* value, uint32_t* cas) override;
  abi::Status set(std::string_view vm_id, std::string_view key, std::string_view value, uint32_t cas) override;
  abi::Status registerQueue(std::string_view vm_id, std::string_view name, uint32_t root_context_id,
                            uint32_t* queue_id) override;
  abi::Status resolveQueue(std::string_view vm_id, std::string_view name, uint32_t* queue_id) override;
  abi::Status enqueue(uint32_t queue_id, std::string_view data) override;
  abi::Status dequeue(uint32_t queue_id, std::string* data) override;

 private:
  HostState& host_;
  VmSlot& slot_;
};

struct VmSlot {
  explicit VmSlot(HostState& host) : http(host, *this), redis(host, *this), timers(host, *this), shared(host, *this) {}
  SlotHttp http;
  SlotRedis redis;
  SlotTimers timers;
  SlotSharedData shared;
  std::unique_ptr<runtime::WasmVm> vm;  // after the adapters: its destructor disarms ticks through them
  uint32_t root_id = 0;                 // the current configuration's root context
};

class LogService final : public runtime::LogHost {
 public:
  void log(abi::LogLevel level, std::string_view plugin, std::string_view message) override;
  abi::LogLevel logLevel() override { return threshold; }
  abi::LogLevel threshold = abi::LogLevel::Trace;
  bool echo = false;
  std::vector<LogLine> lines;
};

// Envoy's stats rules: ids carry the type in their low two bits; defining a name again gives a
// new id for the same stat; counters only grow; histograms only record.
class MetricsService final : public runtime::MetricsHost {
 public:
  abi::Status define(abi::MetricType type, std::string_view name, uint32_t* metric_id) override;
  abi::Status increment(uint32_t metric_id, int64_t offset) override;
  abi::Status record(uint32_t metric_id, uint64_t value) override;
  abi::Status get(uint32_t metric_id, uint64_t* value) override;

  struct Stat {
    abi::MetricType type;
    std::string name;
    uint64_t value = 0;  // gauges wrap like Envoy's uint64 gauges
    std::vector<uint64_t> samples;
  };
  const Stat* find(std::string_view name, bool histogram) const;
  std::vector<Stat> stats;

 private:
  Stat* byId(uint32_t metric_id);
  std::map<uint32_t, size_t> ids_;
  uint32_t next_id_ = 1;
};

class ForeignService final : public runtime::ForeignFunctionHost {
 public:
  abi::Status call(std::string_view name, std::string_view argument, std::string* result) override;
  std::vector<ForeignCall> calls;
  std::optional<uint64_t> max_requests_per_io_cycle;
  std::map<std::string, std::function<std::string(std::string_view)>, std::less<>> functions;
};

// Properties a root context can read (streams ask their own first).
class VmPropertyService final : public runtime::PropertyHost {
 public:
  abi::Status getProperty(std::string_view path, std::string* value) override;
  std::map<std::string, std::string, std::less<>> values;
};

// The plugin's clocks (proxy_get_current_time_nanoseconds, WASI realtime and monotonic): virtual,
// moved only by the test, so time-dependent plugins (per-minute windows, expiries) are
// deterministic. Elapsed time also drives ticks.
class VirtualClock final : public runtime::ClockHost {
 public:
  // 2024-01-01T00:00:00Z: a fixed, recognisable start, not the machine's clock.
  static constexpr uint64_t kDefaultWallStartNs = 1'704'067'200ull * 1'000'000'000ull;
  // Monotonic time at load; non-zero, as a real host's would be.
  static constexpr uint64_t kMonotonicStartNs = 1'000'000'000ull;

  uint64_t realtimeNs() override { return wall_start_ns + elapsed_ns; }
  uint64_t monotonicNs() override { return kMonotonicStartNs + elapsed_ns; }
  uint64_t elapsedMs() const { return elapsed_ns / 1'000'000u; }

  uint64_t elapsed_ns = 0;                        // since load; only grows
  uint64_t wall_start_ns = kDefaultWallStartNs;  // wall time at elapsed 0 (setTime moves it)
};

struct PendingHttpCall {
  VmSlot* slot;
  uint32_t root_id;
  HttpCall call;
};

struct PendingRedisCall {
  VmSlot* slot;
  uint32_t root_id;
  RedisCall call;
};

struct TickTimer {
  VmSlot* slot;
  uint32_t root_id;
  uint32_t period_ms;
  uint64_t next_at_ms;
};

class HostState {
 public:
  HostState() = default;
  HostState(const HostState&) = delete;
  HostState& operator=(const HostState&) = delete;
  ~HostState();  // orphans live streams and leaves the shared store

  // Everything here belongs to the thread that loaded the host (V8 isolates do not move).
  void assertOwnerThread() const { assert(std::this_thread::get_id() == owner_thread); }

  VmSlot& current() { return *slots.back(); }
  const VmSlot& current() const { return *slots.back(); }

  // A new VM from `module`, started with `configuration`; becomes current on success.
  wasmgate::Status startVm();
  // Drops calls and ticks of VMs other than the current one.
  void forgetOldVms();
  bool knownCluster(std::string_view cluster) const;
  // Applies the resumes plugins asked for (continue_stream); may call into the plugin again.
  void pump();

  wasmgate::Status deliverHttpResponse(uint32_t token, const runtime::HttpCallResponse& response);
  wasmgate::Status deliverRedisReply(uint32_t token, abi::RedisStatus status, std::string_view reply);
  wasmgate::Status fireTimer(VmSlot* slot, uint32_t root_id);
  TickTimer* timer(VmSlot* slot, uint32_t root_id);

  LoadOptions options;
  std::string configuration;
  std::thread::id owner_thread = std::this_thread::get_id();

  // Members are destroyed bottom-up: the slots (VMs) first, then the records and services they
  // call into, and the worker engine their instances live in last.
  std::unique_ptr<runtime::WorkerEngine> worker;
  std::shared_ptr<const runtime::CompiledModule> module;
  LogService log;
  MetricsService metrics;
  ForeignService foreign;
  VmPropertyService properties;
  std::shared_ptr<SharedDataStore> shared;

  std::vector<PendingHttpCall> http_calls;
  std::vector<PendingRedisCall> redis_calls;
  std::vector<RedisInit> redis_inits;
  std::vector<TickTimer> timers;
  VirtualClock clock;
  bool rebuild_requested = false;
  std::set<StreamState*> streams;

  std::vector<std::unique_ptr<VmSlot>> slots;  // the current VM last
};

}  // namespace wasmgate::testing
