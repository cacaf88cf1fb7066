// WasmVm: creation (import resolution, module start) and the root-context lifecycle. Stream
// callbacks and async deliveries are in vm_streams.cc and vm_deliveries.cc.
#include "runtime/vm.h"

#include <utility>

#include "runtime/hostcalls/table.h"
#include "runtime/vm_state.h"

namespace wasmgate::runtime {
namespace {

// Runs _initialize (then main, if exported) for a WASI reactor, or _start for a WASI command.
wasmgate::Status startModule(VmState& vm) {
  if (vm.hasExport(Export::Initialize)) {
    auto r = vm.call(Export::Initialize, 0, {});
    if (!r.ok()) return r.error();
    if (vm.hasExport(Export::Main)) {
      const auto main_fn = vm.instance().function("main");
      const bool takes_args = vm.instance().signature(*main_fn).params.size() == 2;
      auto m = takes_args ? vm.call(Export::Main, 0, {0, 0}) : vm.call(Export::Main, 0, {});
      if (!m.ok()) return m.error();
    }
  } else if (vm.hasExport(Export::Start)) {
    auto r = vm.call(Export::Start, 0, {});
    if (!r.ok()) return r.error();
  }
  return {};
}

std::string pluginLabel(const VmState& vm, const PluginConfig& plugin) {
  return "plugin '" + (plugin.name.empty() ? vm.name() : plugin.name) + "'";
}

}  // namespace

Result<std::unique_ptr<WasmVm>> WasmVm::create(WorkerEngine& engine, std::shared_ptr<const CompiledModule> module,
                                               VmConfig config) {
  const std::string label = "plugin '" + config.name + "'";
  if (!module) return makeError(label + ": no compiled module");
  const ModuleInfo& info = module->info();
  const abi::AbiVersion abi = info.abiVersion();
  if (abi == abi::AbiVersion::Unknown) {
    return makeError(label + ": the module exports no proxy_abi_version_* function, so it is not a proxy-wasm " +
                     "plugin (wasmgate supports ABI " + supportedAbiVersions() + ")");
  }
  std::vector<const HostFunction*> imports;
  imports.reserve(info.imports.size());
  for (const ImportInfo& import : info.imports) {
    auto fn = resolveImport(abi, import, config.name);
    if (!fn.ok()) return fn.error();
    imports.push_back(fn.value());
  }

  auto state = std::make_unique<VmState>(std::move(config), module, abi);
  auto instance = engine.instantiate(*module, imports);
  if (!instance.ok()) return makeError(label + ": cannot instantiate: " + instance.message());
  if (wasmgate::Status bound = state->bind(std::move(instance).value()); !bound.ok()) return bound.error();
  if (wasmgate::Status started = startModule(*state); !started.ok()) return started.error();
  return std::unique_ptr<WasmVm>(new WasmVm(std::move(state)));
}

WasmVm::WasmVm(std::unique_ptr<VmState> state) : state_(std::move(state)) {}

WasmVm::~WasmVm() {
  // Stop the host from ticking roots of a VM that no longer exists.
  for (uint32_t id : state_->contextIds()) {
    if (state_->context(id)->tick_armed) state_->timerHost().setTickPeriod(id, 0);
  }
}

const std::string& WasmVm::name() const { return state_->name(); }
abi::AbiVersion WasmVm::abiVersion() const { return state_->abi(); }
bool WasmVm::failed() const { return state_->failed(); }
const std::string& WasmVm::failure() const { return state_->failure(); }
uint64_t WasmVm::memoryBytes() { return state_->instance().memory().size(); }

Result<uint32_t> WasmVm::startPlugin(const PluginConfig& plugin) {
  VmState& vm = *state_;
  if (vm.failed()) return vm.failureError();
  const uint32_t id = vm.addRoot(plugin).id;
  if (auto r = vm.call(Export::OnContextCreate, id, {id, 0}); !r.ok()) {
    vm.removeContext(id);
    return r.error();
  }
  VmState::CallOptions vm_start{.windows = {}, .absent = 1};
  vm_start.windows.vm_configuration = vm.config().vm_configuration;
  auto started = vm.call(Export::OnVmStart, id, {id, vm.config().vm_configuration.size()}, vm_start);
  if (!started.ok()) {
    vm.removeContext(id);
    return started.error();
  }
  if (started.value() == 0) {
    retirePlugin(id);
    return makeError(pluginLabel(vm, plugin) + " failed to start: proxy_on_vm_start returned false");
  }
  VmState::CallOptions configure{.windows = {}, .absent = 1};
  configure.windows.plugin_configuration = plugin.configuration;
  auto configured = vm.call(Export::OnConfigure, id, {id, plugin.configuration.size()}, configure);
  if (!configured.ok()) {
    vm.removeContext(id);
    return configured.error();
  }
  if (configured.value() == 0) {
    retirePlugin(id);
    return makeError(pluginLabel(vm, plugin) + " rejected its configuration");
  }
  return id;
}

void WasmVm::retirePlugin(uint32_t root_id) {
  VmState& vm = *state_;
  Context* root = vm.context(root_id);
  if (root == nullptr || !root->isRoot() || root->awaiting_done) return;
  if (vm.failed()) return vm.removeContext(root_id);
  auto done = vm.call(Export::OnDone, root_id, {root_id}, {.windows = {}, .absent = 1});
  root = vm.context(root_id);  // deferred actions may have run
  if (root == nullptr) return;
  if (!done.ok()) return vm.removeContext(root_id);
  if (done.value() == 0) {
    root->awaiting_done = true;  // proxy_done() finishes the job
    return;
  }
  vm.deleteContext(root_id);
}

}  // namespace wasmgate::runtime
