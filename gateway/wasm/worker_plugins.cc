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

WorkerPlugins::WorkerPlugins(std::shared_ptr<const PluginSet> set, const GatewayConfig& config,
                             const RouteTable& routes, WorkerServices worker)
    : set_(std::move(set)), routes_(routes), buffer_limit_(config.limits.max_buffered_body_bytes), worker_(worker),
      engine_(runtime::v8Engine().newWorker()) {
  for (const LoadedPlugin& p : set_->plugins()) {
    auto rt = std::make_unique<PluginRuntime>(p, *engine_, &log_, config, &worker_);
    // The canary already proved the plugin starts; a failure here is retried per stream.
    if (Status s = rt->build(); !s.ok()) logf(LogLevel::Error, "wasm %s: %s", p.spec.name.c_str(), s.message().c_str());
    plugins_.push_back(std::move(rt));
  }
}

WorkerPlugins::~WorkerPlugins() {
  plugins_.clear();  // VMs before the engine that owns their isolate
}

void WorkerPlugins::addFilters(std::vector<std::unique_ptr<StreamFilter>>& filters) {
  auto shared = std::make_shared<StreamShared>();
  shared->routes = &routes_;
  shared->decoder_buffer_limit = buffer_limit_;
  shared->encoder_buffer_limit = buffer_limit_;
  for (auto& p : plugins_) filters.push_back(std::make_unique<WasmFilter>(*p, shared));
}

}  // namespace wasmgate::gateway::wasm
