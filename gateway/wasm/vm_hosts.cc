#include "gateway/wasm/vm_hosts.h"

#include "gateway/log.h"
#include "gateway/metrics/plugin_metrics.h"
#include "gateway/shared/shared_data.h"
#include "gateway/wasm/builtin_http_call.h"
#include "gateway/wasm/cluster_names.h"
#include "gateway/wasm/stream_registry.h"

namespace wasmgate::gateway::wasm {

// A VM that failed in a delivery (http call or Redis reply, tick, queue) can never resume the
// streams it holds: they get the plugin's fail strategy now instead of waiting forever. Callers
// call it last, since ending those streams can release the VM and these hosts with it.
void failHeldStreamsIfFailed(runtime::WasmVm* vm) {
  if (vm != nullptr && vm->failed()) StreamRegistry::local().vmFailed(*vm);
}

using abi::Status;

VmHosts::VmHosts(const GatewayConfig& config, const WorkerServices* worker, std::string plugin, std::string vm_id)
    : config_(config), worker_(worker), plugin_(std::move(plugin)), vm_id_(std::move(vm_id)),
      counters_(pluginCounters(plugin_)) {
  if (!worker_) return;
  uv_loop_t* loop = worker_->dispatcher->loop();
  redis_ = std::make_unique<redis::RedisClientSet>(
      loop, [this](std::string_view cluster) { return redisEndpoints(cluster); });
  queue_notifier_ = std::make_unique<shared::QueueNotifier>(
      loop, shared::SharedQueues::process(), [this](uint32_t root, uint32_t queue) {
        if (!vm_) return;
        (void)vm_->onQueueReady(root, queue);
        failHeldStreamsIfFailed(vm_);  // last: `this` may be gone after it
      });
  shared::SharedData::process().retainVm(vm_id_);
}

VmHosts::~VmHosts() {
  *alive_ = false;  // DNS resolutions still pending call nothing
  vm_ = nullptr;
  http_calls_.clear();
  redis_.reset();
  ticks_.clear();
  queue_notifier_.reset();
  if (worker_) shared::SharedData::process().releaseVm(vm_id_);
}

runtime::VmServices VmHosts::services(runtime::LogHost* log) {
  runtime::VmServices s;
  s.log = log;
  s.http = this;
  s.redis = this;
  s.timers = this;
  s.metrics = this;
  if (worker_) s.shared_data = this;  // a canary must not take leases or leave data behind
  return s;
}

void VmHosts::warn(const std::string& message) const {
  logf(LogLevel::Warn, "wasm %s: %s", plugin_.c_str(), message.c_str());
}

// ---- HTTP calls

Status VmHosts::dispatch(uint32_t root_context_id, uint32_t token, const runtime::HttpCallRequest& request) {
  const ServiceConfig* service = findService(config_, request.cluster);
  if (!service) {
    warn("http call: no service matches cluster '" + request.cluster + "'");
    return Status::BadArgument;
  }
  auto head = OutboundHttpCall::requestHead(request);
  if (!head) {
    warn(head.message());
    return Status::BadArgument;
  }
  if (!worker_) return Status::InternalFailure;  // the configuration check calls nobody
  Cluster* cluster = worker_->clusters->find(service->name);
  if (!cluster) {
    warn("http call: service '" + service->name + "' has no cluster on this worker");
    return Status::BadArgument;
  }
  auto done = [this, root_context_id, token](runtime::HttpCallResponse&& response, bool failed) {
    onHttpCallDone(root_context_id, token, std::move(response), failed);
  };
  if (cluster->builtin() && service->builtin != "httpbin") {
    warn("http call: built-in service '" + service->name + "' cannot take plugin calls");
    return Status::BadArgument;
  }
  counters_.http_calls++;  // accepted; counted before start(), since a call without an endpoint fails inside it
  if (cluster->builtin()) {
    auto call = std::make_unique<BuiltinHttpCall>(*worker_->dispatcher, std::move(*head), request.body,
                                                  request.timeout_ms, std::move(done));
    BuiltinHttpCall* started = call.get();
    http_calls_[token] = std::move(call);
    started->start();
    return Status::Ok;
  }
  auto call = std::make_unique<OutboundHttpCall>(*worker_->dispatcher, *cluster, std::move(*head), request.body,
                                                 request.timeout_ms, std::move(done));
  OutboundHttpCall* started = call.get();
  http_calls_[token] = std::move(call);
  started->start();
  return Status::Ok;
}

void VmHosts::onHttpCallDone(uint32_t root_context_id, uint32_t token, runtime::HttpCallResponse&& response,
                             bool failed) {
  if (failed) counters_.http_call_failures++;
  auto node = http_calls_.extract(token);
  // The call object is still on the stack: destroy it after this loop iteration, not here.
  if (!node.empty()) worker_->dispatcher->deferDelete(std::move(node.mapped()));
  if (!vm_) return;
  (void)vm_->onHttpCallResponse(root_context_id, token, response);
  failHeldStreamsIfFailed(vm_);  // last: `this` may be gone after it
}

// ---- Ticks

Status VmHosts::setTickPeriod(uint32_t root_context_id, uint32_t period_ms) {
  if (!worker_) return Status::Ok;  // accepted; a canary never ticks
  auto it = ticks_.find(root_context_id);
  if (period_ms == 0) {
    if (it != ticks_.end()) {
      it->second.period_ms = 0;
      it->second.timer->stop();
    }
    return Status::Ok;
  }
  if (it == ticks_.end()) {
    Tick tick;
    tick.timer = std::make_unique<Timer>(worker_->dispatcher->loop(), [this, root_context_id] { onTick(root_context_id); });
    it = ticks_.emplace(root_context_id, std::move(tick)).first;
  }
  it->second.period_ms = period_ms;
  it->second.timer->start(period_ms);  // a new period replaces the old timer
  return Status::Ok;
}

void VmHosts::onTick(uint32_t root_context_id) {
  if (vm_) (void)vm_->onTick(root_context_id);
  auto it = ticks_.find(root_context_id);
  // Re-armed from the end of the callback, unless it changed or cancelled the period meanwhile.
  if (it != ticks_.end() && it->second.period_ms > 0 && !it->second.timer->active()) {
    it->second.timer->start(it->second.period_ms);
  }
  failHeldStreamsIfFailed(vm_);  // last: `this` may be gone after it
}

// ---- Shared data and queues

Status VmHosts::get(std::string_view vm_id, std::string_view key, std::string* value, uint32_t* cas) {
  return shared::SharedData::process().get(vm_id, key, value, cas);
}

Status VmHosts::set(std::string_view vm_id, std::string_view key, std::string_view value, uint32_t cas) {
  return shared::SharedData::process().set(vm_id, key, value, cas);
}

Status VmHosts::registerQueue(std::string_view vm_id, std::string_view name, uint32_t root_context_id,
                              uint32_t* queue_id) {
  if (!queue_notifier_) return Status::Unimplemented;
  *queue_id = shared::SharedQueues::process().registerQueue(vm_id, name, queue_notifier_.get(), root_context_id);
  return Status::Ok;
}

Status VmHosts::resolveQueue(std::string_view vm_id, std::string_view name, uint32_t* queue_id) {
  return shared::SharedQueues::process().resolve(vm_id, name, queue_id);
}

Status VmHosts::enqueue(uint32_t queue_id, std::string_view data) {
  return shared::SharedQueues::process().enqueue(queue_id, data);
}

Status VmHosts::dequeue(uint32_t queue_id, std::string* data) {
  return shared::SharedQueues::process().dequeue(queue_id, data);
}

// ---- Metrics

Status VmHosts::define(abi::MetricType type, std::string_view name, uint32_t* metric_id) {
  return metrics::PluginMetrics::process().define(type, name, metric_id);
}

Status VmHosts::increment(uint32_t metric_id, int64_t offset) {
  return metrics::PluginMetrics::process().increment(metric_id, offset);
}

Status VmHosts::record(uint32_t metric_id, uint64_t value) {
  return metrics::PluginMetrics::process().record(metric_id, value);
}

Status VmHosts::get(uint32_t metric_id, uint64_t* value) {
  return metrics::PluginMetrics::process().get(metric_id, value);
}

}  // namespace wasmgate::gateway::wasm
