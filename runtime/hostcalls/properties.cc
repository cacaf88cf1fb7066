// proxy_get_property / proxy_set_property. Paths are segments joined by '\0'. A stream asks its
// StreamHost first, then the VM's PropertyHost; a root context asks the VM's PropertyHost. What
// neither answers, the runtime answers for plugin_name, plugin_root_id, plugin_vm_id and
// plugin_vm_memory (8-byte little-endian). Writing needs a stream context (NotFound from a root,
// as Higress's Envoy does).
#include <cstring>

#include "runtime/hostcalls/hostcalls.h"

namespace wasmgate::runtime::hostcalls {
namespace {

bool answered(abi::Status s) { return s != abi::Status::NotFound && s != abi::Status::Unimplemented; }

// What the runtime itself knows about the plugin, or NotFound.
abi::Status runtimeProperty(VmState& vm, std::string_view path, std::string* value) {
  const Context* root = vm.effectiveRoot();
  if (path == "plugin_vm_id") {
    *value = vm.config().vm_id;
  } else if (path == "plugin_vm_memory") {
    const uint64_t bytes = vm.instance().memory().size();
    value->assign(reinterpret_cast<const char*>(&bytes), sizeof bytes);  // wasm and x86-64 are little-endian
  } else if (path == "plugin_name" && root != nullptr) {
    *value = root->plugin.name;
  } else if (path == "plugin_root_id" && root != nullptr) {
    *value = root->plugin.root_id;
  } else {
    return abi::Status::NotFound;
  }
  return abi::Status::Ok;
}

// proxy_get_property(path_ptr, path_size, ret_value_ptr_ptr, ret_value_size_ptr)
void getProperty(HostCall& call) {
  auto path_bytes = guestBytes(call, call.u32(0), call.u32(1));
  if (!path_bytes) return finish(call, abi::Status::InvalidMemoryAccess);
  if (path_bytes->empty()) return finish(call, abi::Status::BadArgument);
  const std::string path(*path_bytes);
  VmState& vm = vmStateOf(call);
  const Context* ctx = vm.effectiveContext();
  std::string value;
  abi::Status s = abi::Status::NotFound;
  if (ctx != nullptr && !ctx->isRoot() && ctx->host.properties != nullptr) {
    s = ctx->host.properties->getProperty(path, &value);
  }
  if (!answered(s) && vm.vmProperties() != nullptr) {
    value.clear();
    s = vm.vmProperties()->getProperty(path, &value);
  }
  if (!answered(s)) {
    value.clear();
    s = runtimeProperty(vm, path, &value);
  }
  if (s != abi::Status::Ok) return finish(call, s);
  finish(call, vm.copyOut(call, value, call.u32(2), call.u32(3)));
}

// proxy_set_property(path_ptr, path_size, value_ptr, value_size)
void setProperty(HostCall& call) {
  auto path = guestBytes(call, call.u32(0), call.u32(1));
  auto value = guestBytes(call, call.u32(2), call.u32(3));
  if (!path || !value) return finish(call, abi::Status::InvalidMemoryAccess);
  if (path->empty()) return finish(call, abi::Status::BadArgument);
  const Context* ctx = vmStateOf(call).effectiveContext();
  if (ctx == nullptr || ctx->isRoot()) return finish(call, abi::Status::NotFound);
  if (ctx->host.properties == nullptr) return finish(call, abi::Status::Unimplemented);
  finish(call, ctx->host.properties->setProperty(*path, *value));
}

}  // namespace

std::span<const Entry> propertyFunctions() {
  static const Entry entries[] = {
      {{"env", "proxy_get_property", i32Sig(4), getProperty, kCopiesOut, kFast}, kAllAbis},
      {{"env", "proxy_set_property", i32Sig(4), setProperty, kNoCopy, kFast}, kAllAbis},
  };
  return entries;
}

}  // namespace wasmgate::runtime::hostcalls
