#include "gateway/wasm/worker_plugins.h"

#include "gateway/log.h"
#include "gateway/wasm/wasm_filter.h"

namespace wasmgate::gateway::wasm {

static LogLevel gatewayLevel(abi::LogLevel level) {
  switch (level) {
    case abi::LogLevel::Trace: return LogLevel::Trace;
    case abi::LogLevel::Debug: return LogLevel::Debug;
    case abi::LogLevel::Info: return LogLevel::Info;
    case abi::LogLevel::Warn: return LogLevel::Warn;
    case abi::LogLevel::Error: return LogLevel::Error;
    case abi::LogLevel::Critical: break;
  }
  return LogLevel::Critical;
}

void GatewayLogHost::log(abi::LogLevel level, std::string_view plugin, std::string_view message) {
  LogLevel l = gatewayLevel(level);
  if (!logEnabled(l)) return;
  logf(l, "wasm %.*s: %.*s", static_cast<int>(plugin.size()), plugin.data(), static_cast<int>(message.size()),
       message.data());
}

abi::LogLevel GatewayLogHost::logLevel() {
  for (auto l : {abi::LogLevel::Trace, abi::LogLevel::Debug, abi::LogLevel::Info, abi::LogLevel::Warn,
                 abi::LogLevel::Error}) {
    if (logEnabled(gatewayLevel(l))) return l;
  }
  return abi::LogLevel::Critical;
}

PluginRuntime::PluginRuntime(const LoadedPlugin& plugin, runtime::WorkerEngine& engine, runtime::LogHost* log,
                             const GatewayConfig& config, const WorkerServices* worker)
    : plugin_(plugin), engine_(engine), log_(log), config_(config), worker_(worker),
      counters_(pluginCounters(plugin.spec.name)) {}

Status PluginRuntime::build() {
  if (built_once_) counters_.rebuilds++;
  built_once_ = true;
  rebuild_ = false;
  adopted_ = false;
  vm_.reset();
  runtime::VmConfig config;
  config.name = plugin_.spec.name;
  config.env = plugin_.spec.env;
  auto hosts = std::make_shared<VmHosts>(config_, worker_, plugin_.spec.name, config.vm_id);
  config.services = hosts->services(log_);
  auto created = runtime::WasmVm::create(engine_, plugin_.module, std::move(config));
  if (!created) {
    counters_.failures++;
    return makeError("cannot start the VM: " + created.message());
  }
  hosts->bind(created->get());
  // The hosts outlive the VM (its teardown may still cancel ticks) and stop delivering first.
  std::shared_ptr<runtime::WasmVm> vm(created->release(), [hosts](runtime::WasmVm* dying) {
    hosts->bind(nullptr);
    delete dying;
  });
  auto root = vm->startPlugin(runtime::PluginConfig{plugin_.spec.name, plugin_.spec.root_id, plugin_.spec.configuration});
  if (!root) {
    counters_.failures++;
    return makeError("configure failed: " + root.message());
  }
  root_id_ = *root;
  vm_ = std::move(vm);
  return {};
}

Result<std::shared_ptr<runtime::WasmVm>> PluginRuntime::vmForStream(uint32_t* root_id) {
  if (!vm_ || rebuild_ || vm_->failed()) {
    if (Status s = build(); !s.ok()) {
      logf(LogLevel::Error, "wasm %s: %s", plugin_.spec.name.c_str(), s.message().c_str());
      return makeError(s.message());
    }
  }
  *root_id = root_id_;
  return vm_;
}

void PluginRuntime::markForRebuild(const runtime::WasmVm* vm) {
  if (vm == vm_.get()) rebuild_ = true;
}

bool PluginRuntime::adoptVm(const PluginRuntime& previous, const std::shared_ptr<const void>& home) {
  const PluginSpec& a = plugin_.spec;
  const PluginSpec& b = previous.plugin_.spec;
  bool same = plugin_.digest == previous.plugin_.digest && a.name == b.name && a.root_id == b.root_id &&
              a.configuration == b.configuration && a.env == b.env;
  const auto& vm = previous.vm_;
  if (!same || !vm || previous.rebuild_ || vm->failed()) return false;
  if (previous.adopted_) {
    vm_ = vm;  // already carries the generation it was built in
  } else {
    // The VM's hosts point into the generation that built it: whoever holds the VM holds that
    // generation too (an aliasing pointer over both). The VM goes first, then its home.
    struct KeptVm {
      std::shared_ptr<const void> home;
      std::shared_ptr<runtime::WasmVm> vm;
    };
    auto kept = std::make_shared<KeptVm>(KeptVm{home, vm});
    vm_ = std::shared_ptr<runtime::WasmVm>(kept, vm.get());
  }
  root_id_ = previous.root_id_;
  built_once_ = true;
  adopted_ = true;
  return true;
}

// Outbound calls of a VM resolve services in the configuration it was built with, so a VM is
// only kept when the services it can reach are the same.
static bool sameServices(const GatewayConfig& a, const GatewayConfig& b) {
  auto key = [](const ServiceConfig& s) {
    std::string k = s.name + '\n' + std::to_string(static_cast<int>(s.kind)) + '\n' + s.builtin + '\n' +
                    std::to_string(static_cast<int>(s.lb_policy));
    for (const SocketAddress& e : s.endpoints) k += '\n' + e.str();
    for (uint64_t v : {s.connect_timeout_ms, s.dns_refresh_ms, s.idle_timeout_ms, uint64_t{s.max_idle_per_endpoint},
                       uint64_t{s.consecutive_failures}, s.base_ejection_ms}) {
      k += '\n' + std::to_string(v);
    }
    return k;
  };
  if (a.services.size() != b.services.size()) return false;
  for (size_t i = 0; i < a.services.size(); ++i) {
    if (key(a.services[i]) != key(b.services[i])) return false;
  }
  return true;
}

WorkerPlugins::WorkerPlugins(std::shared_ptr<const PluginSet> set, const GatewayConfig& config,
                             WorkerServices worker, WorkerPlugins* previous, std::shared_ptr<const void> previous_home)
    : config_(config), set_(std::move(set)), buffer_limit_(config.limits.max_buffered_body_bytes), worker_(worker),
      engine_(previous ? previous->engine_ : std::shared_ptr<runtime::WorkerEngine>(runtime::v8Engine().newWorker())) {
  const bool may_adopt = previous != nullptr && sameServices(previous->config_, config);
  for (const LoadedPlugin& p : set_->plugins()) {
    auto rt = std::make_unique<PluginRuntime>(p, *engine_, &log_, config, &worker_);
    bool adopted = false;
    if (may_adopt) {
      for (const auto& old : previous->plugins_) {
        if (old->spec().name == p.spec.name && rt->adoptVm(*old, previous_home)) {
          adopted = true;
          ++adopted_vms_;
          break;
        }
      }
    }
    // The canary already proved the plugin starts; a failure here is retried per stream.
    if (Status s = adopted ? Status{} : rt->build(); !s.ok()) {
      logf(LogLevel::Error, "wasm %s: %s", p.spec.name.c_str(), s.message().c_str());
    }
    plugins_.push_back(std::move(rt));
  }
  if (previous) {
    logf(LogLevel::Info, "plugins reloaded on a worker: %zu VM(s) kept, %zu built", adopted_vms_,
         plugins_.size() - adopted_vms_);
    previous->retire();
  }
}

void WorkerPlugins::retire() {
  retired_ = true;
  if (live_streams_ == 0) {
    for (auto& p : plugins_) p->releaseVm();
  }
}

void WorkerPlugins::onStreamDone() {
  if (--live_streams_ == 0 && retired_) {
    for (auto& p : plugins_) p->releaseVm();
  }
}

WorkerPlugins::~WorkerPlugins() {
  plugins_.clear();  // VMs before the engine that owns their isolate
}

StreamShared::~StreamShared() {
  if (owner) owner->onStreamDone();
}

void WorkerPlugins::addFilters(std::vector<std::unique_ptr<StreamFilter>>& filters) {
  auto shared = std::make_shared<StreamShared>();
  shared->owner = this;
  ++live_streams_;
  shared->decoder_buffer_limit = buffer_limit_;
  shared->encoder_buffer_limit = buffer_limit_;
  WasmFilter* previous = nullptr;
  for (auto& p : plugins_) {
    auto filter = std::make_unique<WasmFilter>(*p, shared);
    if (previous != nullptr) filter->linkAfter(*previous);
    previous = filter.get();
    filters.push_back(std::move(filter));
  }
}

}  // namespace wasmgate::gateway::wasm
