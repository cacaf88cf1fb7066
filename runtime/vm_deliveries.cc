// WasmVm deliveries of asynchronous work to root contexts: http call responses, Redis replies,
// ticks, queue readiness and foreign-function calls. A delivery that arrives while the guest is
// running (the host answered from inside a host function) waits until the guest call returns.
#include "runtime/vm.h"
#include "runtime/vm_state.h"

namespace wasmgate::runtime {
namespace {

Result<Context*> liveRoot(VmState& vm, uint32_t root_id) {
  if (vm.failed()) return vm.failureError();
  Context* root = vm.context(root_id);
  if (root == nullptr || !root->isRoot()) {
    return makeError("plugin '" + vm.name() + "': no root context " + std::to_string(root_id));
  }
  return root;
}

wasmgate::Status deliverHttpCallResponse(VmState& vm, uint32_t root_id, uint32_t token, const HttpCallResponse& response) {
  auto root = liveRoot(vm, root_id);
  if (!root.ok()) return root.error();
  auto it = vm.httpCalls().find(token);
  if (it == vm.httpCalls().end() || it->second != root_id) {
    return makeError("plugin '" + vm.name() + "': root context " + std::to_string(root_id) +
                     " has no pending http call " + std::to_string(token));
  }
  vm.httpCalls().erase(it);
  const bool failed = response.headers.empty();  // no response at all: the connection failed
  root.value()->call_status = failed ? abi::Status::BrokenConnection : abi::Status::Ok;
  root.value()->call_status_message = failed ? "reset" : "";
  VmState::CallOptions options;
  options.windows.http_response = &response;
  auto r = vm.call(Export::OnHttpCallResponse, root_id,
                   {root_id, token, response.headers.size(), response.body.size(), response.trailers.size()}, options);
  if (Context* still = vm.context(root_id)) still->call_status_message.clear();
  if (!r.ok()) return r.error();
  return {};
}

wasmgate::Status deliverRedisCallResponse(VmState& vm, uint32_t root_id, uint32_t token, abi::RedisStatus status,
                                std::string_view reply) {
  auto root = liveRoot(vm, root_id);
  if (!root.ok()) return root.error();
  auto it = vm.redisCalls().find(token);
  if (it == vm.redisCalls().end() || it->second != root_id) {
    return makeError("plugin '" + vm.name() + "': root context " + std::to_string(root_id) +
                     " has no pending redis call " + std::to_string(token));
  }
  vm.redisCalls().erase(it);
  VmState::CallOptions options;
  options.windows.redis_reply = reply;
  auto r = vm.call(Export::OnRedisCallResponse, root_id,
                   {root_id, token, static_cast<uint32_t>(status), reply.size()}, options);
  if (!r.ok()) return r.error();
  return {};
}

wasmgate::Status deliverToRoot(VmState& vm, Export e, uint32_t root_id, uint32_t arg, bool with_arg) {
  auto root = liveRoot(vm, root_id);
  if (!root.ok()) return root.error();
  auto r = with_arg ? vm.call(e, root_id, {root_id, arg}) : vm.call(e, root_id, {root_id});
  if (!r.ok()) return r.error();
  return {};
}

}  // namespace

wasmgate::Status WasmVm::onHttpCallResponse(uint32_t root_id, uint32_t token, const HttpCallResponse& response) {
  VmState& vm = *state_;
  if (vm.inGuestCall()) {
    vm.defer([&vm, root_id, token, response] { (void)deliverHttpCallResponse(vm, root_id, token, response); });
    return {};
  }
  return deliverHttpCallResponse(vm, root_id, token, response);
}

wasmgate::Status WasmVm::onRedisCallResponse(uint32_t root_id, uint32_t token, abi::RedisStatus status, std::string_view reply) {
  VmState& vm = *state_;
  if (vm.inGuestCall()) {
    vm.defer([&vm, root_id, token, status, reply = std::string(reply)] {
      (void)deliverRedisCallResponse(vm, root_id, token, status, reply);
    });
    return {};
  }
  return deliverRedisCallResponse(vm, root_id, token, status, reply);
}

wasmgate::Status WasmVm::onTick(uint32_t root_id) {
  VmState& vm = *state_;
  if (vm.inGuestCall()) {
    vm.defer([&vm, root_id] { (void)deliverToRoot(vm, Export::OnTick, root_id, 0, false); });
    return {};
  }
  return deliverToRoot(vm, Export::OnTick, root_id, 0, false);
}

wasmgate::Status WasmVm::onQueueReady(uint32_t root_id, uint32_t queue_id) {
  VmState& vm = *state_;
  if (vm.inGuestCall()) {
    vm.defer([&vm, root_id, queue_id] { (void)deliverToRoot(vm, Export::OnQueueReady, root_id, queue_id, true); });
    return {};
  }
  return deliverToRoot(vm, Export::OnQueueReady, root_id, queue_id, true);
}

wasmgate::Status WasmVm::onForeignFunction(uint32_t root_id, uint32_t function_id, std::string_view arguments) {
  VmState& vm = *state_;
  auto root = liveRoot(vm, root_id);
  if (!root.ok()) return root.error();
  VmState::CallOptions options;
  options.windows.foreign_arguments = arguments;
  auto r = vm.call(Export::OnForeignFunction, root_id, {root_id, function_id, arguments.size()}, options);
  if (!r.ok()) return r.error();
  return {};
}

}  // namespace wasmgate::runtime
