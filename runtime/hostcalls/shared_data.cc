// Shared data (key/value with compare-and-swap) and shared queues, served by SharedDataHost in the
// namespace VmConfig::vm_id.
#include "runtime/hostcalls/hostcalls.h"

namespace wasmgate::runtime::hostcalls {
namespace {

// proxy_get_shared_data(key_ptr, key_size, ret_value_ptr_ptr, ret_value_size_ptr, ret_cas_ptr)
void getSharedData(HostCall& call) {
  auto key = guestBytes(call, call.u32(0), call.u32(1));
  if (!key) return finish(call, abi::Status::InvalidMemoryAccess);
  VmState& vm = vmStateOf(call);
  std::string value;
  uint32_t cas = 0;
  const abi::Status s = vm.sharedDataHost().get(vm.config().vm_id, *key, &value, &cas);
  if (s != abi::Status::Ok) return finish(call, s);
  const abi::Status copied = vm.copyOut(call, value, call.u32(2), call.u32(3));
  if (copied != abi::Status::Ok) return finish(call, copied);
  finish(call, storeGuest(call, call.u32(4), cas) ? abi::Status::Ok : abi::Status::InvalidMemoryAccess);
}

// proxy_set_shared_data(key_ptr, key_size, value_ptr, value_size, cas): cas 0 always writes,
// another cas must match the current one (else CasMismatch).
void setSharedData(HostCall& call) {
  auto key = guestBytes(call, call.u32(0), call.u32(1));
  auto value = guestBytes(call, call.u32(2), call.u32(3));
  if (!key || !value) return finish(call, abi::Status::InvalidMemoryAccess);
  VmState& vm = vmStateOf(call);
  finish(call, vm.sharedDataHost().set(vm.config().vm_id, *key, *value, call.u32(4)));
}

// proxy_register_shared_queue(name_ptr, name_size, ret_queue_id_ptr): the queue's readiness is
// delivered to the registering root context.
void registerSharedQueue(HostCall& call) {
  auto name = guestBytes(call, call.u32(0), call.u32(1));
  if (!name) return finish(call, abi::Status::InvalidMemoryAccess);
  VmState& vm = vmStateOf(call);
  const Context* root = vm.effectiveRoot();
  if (root == nullptr) return finish(call, abi::Status::BadArgument);
  uint32_t queue_id = 0;
  const abi::Status s = vm.sharedDataHost().registerQueue(vm.config().vm_id, *name, root->id, &queue_id);
  if (s != abi::Status::Ok) return finish(call, s);
  finish(call, storeGuest(call, call.u32(2), queue_id) ? abi::Status::Ok : abi::Status::InvalidMemoryAccess);
}

// proxy_resolve_shared_queue(vm_id_ptr, vm_id_size, name_ptr, name_size, ret_queue_id_ptr)
void resolveSharedQueue(HostCall& call) {
  auto vm_id = guestBytes(call, call.u32(0), call.u32(1));
  auto name = guestBytes(call, call.u32(2), call.u32(3));
  if (!vm_id || !name) return finish(call, abi::Status::InvalidMemoryAccess);
  uint32_t queue_id = 0;
  const abi::Status s = vmStateOf(call).sharedDataHost().resolveQueue(*vm_id, *name, &queue_id);
  if (s != abi::Status::Ok) return finish(call, s);
  finish(call, storeGuest(call, call.u32(4), queue_id) ? abi::Status::Ok : abi::Status::InvalidMemoryAccess);
}

// proxy_enqueue_shared_queue(queue_id, data_ptr, data_size)
void enqueueSharedQueue(HostCall& call) {
  auto data = guestBytes(call, call.u32(1), call.u32(2));
  if (!data) return finish(call, abi::Status::InvalidMemoryAccess);
  finish(call, vmStateOf(call).sharedDataHost().enqueue(call.u32(0), *data));
}

// proxy_dequeue_shared_queue(queue_id, ret_data_ptr_ptr, ret_data_size_ptr): Empty when there is
// nothing queued, NotFound for an unknown queue.
void dequeueSharedQueue(HostCall& call) {
  VmState& vm = vmStateOf(call);
  std::string data;
  const abi::Status s = vm.sharedDataHost().dequeue(call.u32(0), &data);
  if (s != abi::Status::Ok) return finish(call, s);
  finish(call, vm.copyOut(call, data, call.u32(1), call.u32(2)));
}

}  // namespace

std::span<const Entry> sharedDataFunctions() {
  static const Entry entries[] = {
      {{"env", "proxy_get_shared_data", i32Sig(5), getSharedData, kCopiesOut, kFast}, kAllAbis},
      {{"env", "proxy_set_shared_data", i32Sig(5), setSharedData, kNoCopy, kFast}, kAllAbis},
      {{"env", "proxy_register_shared_queue", i32Sig(3), registerSharedQueue}, kAllAbis},
      {{"env", "proxy_resolve_shared_queue", i32Sig(5), resolveSharedQueue}, kAllAbis},
      {{"env", "proxy_enqueue_shared_queue", i32Sig(3), enqueueSharedQueue}, kAllAbis},
      {{"env", "proxy_dequeue_shared_queue", i32Sig(3), dequeueSharedQueue, kCopiesOut}, kAllAbis},
  };
  return entries;
}

}  // namespace wasmgate::runtime::hostcalls
