// VmHosts: the per-VM host services of one plugin VM on one worker: proxy_http_call over the
// worker's clusters (the built-in httpbin answered in-process), Redis (one RedisClientSet per VM,
// `.dns` services resolved by the worker's cluster, see vm_hosts_redis.cc), ticks (uv timers per
// root context), shared data and queues (the process-wide stores) and metrics (the process-wide
// registry).
// Everything asynchronous is delivered back to the VM on this worker; destroying VmHosts (right
// after its VM) cancels pending calls, timers and queue notifications, so late replies are dropped.
//
// A canary VmHosts (no WorkerServices) serves the main-thread configuration check: Redis init is
// validated against the configured services but connects nowhere, ticks are accepted but never
// fire, http calls and shared state are refused, so a canary leaves no trace in shared data.
//
// Internal header (gateway/wasm/). Thread affinity: the worker thread that built it.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "gateway/config.h"
#include "gateway/net/loop.h"
#include "gateway/redis/redis_client_set.h"
#include "gateway/shared/shared_queues.h"
#include "gateway/upstream/cluster.h"
#include "gateway/wasm/outbound_http_call.h"
#include "gateway/wasm/plugin_stats.h"
#include "runtime/host.h"
#include "runtime/vm.h"

namespace wasmgate::gateway::wasm {

// What a worker lends its plugin VMs for outbound work.
// See vm_hosts.cc; shared with vm_hosts_redis.cc.
void failHeldStreamsIfFailed(runtime::WasmVm* vm);

struct WorkerServices {
  Dispatcher* dispatcher = nullptr;
  ClusterSet* clusters = nullptr;
};

class VmHosts final : public runtime::HttpCallHost,
                      public runtime::RedisHost,
                      public runtime::TimerHost,
                      public runtime::SharedDataHost,
                      public runtime::MetricsHost {
 public:
  // `worker` nullptr: canary mode (see above).
  VmHosts(const GatewayConfig& config, const WorkerServices* worker, std::string plugin, std::string vm_id);
  ~VmHosts() override;
  VmHosts(const VmHosts&) = delete;
  VmHosts& operator=(const VmHosts&) = delete;

  // The services for VmConfig; `log` is passed through.
  runtime::VmServices services(runtime::LogHost* log);
  // Deliveries go to `vm` from now on (nullptr: dropped). Set once the VM exists, cleared first
  // thing when it is destroyed.
  void bind(runtime::WasmVm* vm) { vm_ = vm; }

  // HttpCallHost
  abi::Status dispatch(uint32_t root_context_id, uint32_t token, const runtime::HttpCallRequest& request) override;
  // RedisHost
  abi::Status init(std::string_view cluster, std::string_view username, std::string_view password,
                   uint32_t timeout_ms) override;
  abi::Status call(uint32_t root_context_id, uint32_t token, std::string_view cluster, std::string_view query) override;
  // TimerHost
  abi::Status setTickPeriod(uint32_t root_context_id, uint32_t period_ms) override;
  // SharedDataHost
  abi::Status get(std::string_view vm_id, std::string_view key, std::string* value, uint32_t* cas) override;
  abi::Status set(std::string_view vm_id, std::string_view key, std::string_view value, uint32_t cas) override;
  abi::Status registerQueue(std::string_view vm_id, std::string_view name, uint32_t root_context_id,
                            uint32_t* queue_id) override;
  abi::Status resolveQueue(std::string_view vm_id, std::string_view name, uint32_t* queue_id) override;
  abi::Status enqueue(uint32_t queue_id, std::string_view data) override;
  abi::Status dequeue(uint32_t queue_id, std::string* data) override;
  // MetricsHost
  abi::Status define(abi::MetricType, std::string_view name, uint32_t* metric_id) override;
  abi::Status increment(uint32_t metric_id, int64_t offset) override;
  abi::Status record(uint32_t metric_id, uint64_t value) override;
  abi::Status get(uint32_t metric_id, uint64_t* value) override;

 private:
  struct Tick {
    std::unique_ptr<Timer> timer;
    uint32_t period_ms = 0;
  };
  // A Redis init made while its `.dns` service was still resolving, and the calls behind it.
  struct RedisInit {
    std::string cluster, username, password;
    uint32_t timeout_ms = 0;
  };
  struct RedisWaiting {
    struct Call {
      uint32_t root_context_id = 0, token = 0;
      std::string query;
    };
    RedisInit init;
    std::vector<Call> calls;
  };
  // "ip:port" list for a Redis cluster name (a `.dns` service: its worker cluster's addresses).
  Result<std::vector<std::string>> redisEndpoints(std::string_view cluster) const;
  Cluster* resolvingDnsCluster(std::string_view cluster) const;
  void onRedisClusterResolved(const std::string& name);
  redis::RedisReplyCallback redisReply(uint32_t root_context_id, uint32_t token);
  void onTick(uint32_t root_context_id);
  void onHttpCallDone(uint32_t root_context_id, uint32_t token, runtime::HttpCallResponse&& response, bool failed);
  void warn(const std::string& message) const;

  const GatewayConfig& config_;
  const WorkerServices* worker_;
  std::string plugin_;
  std::string vm_id_;
  PluginCounters& counters_;  // the plugin's outbound call counts on /stats
  runtime::WasmVm* vm_ = nullptr;
  std::map<uint32_t, std::unique_ptr<Deletable>> http_calls_;  // by token: network or built-in calls
  std::unique_ptr<redis::RedisClientSet> redis_;
  std::map<std::string, RedisWaiting, std::less<>> redis_waiting_;  // by cluster name, until resolved
  std::map<uint32_t, Tick> ticks_;  // by root context id
  std::unique_ptr<shared::QueueNotifier> queue_notifier_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for pending DNS resolutions
};

}  // namespace wasmgate::gateway::wasm
