// Higress's Redis extension: proxy_redis_init and proxy_redis_call (ABI 0.2.1 and 0.2.100 only).
// Replies arrive through WasmVm::onRedisCallResponse as proxy_on_redis_call_response with the raw
// RESP bytes in buffer 9.
#include "runtime/hostcalls/hostcalls.h"

namespace wasmgate::runtime::hostcalls {
namespace {

// proxy_redis_init(cluster_ptr, cluster_size, username_ptr, username_size, password_ptr,
//                  password_size, timeout_ms)
void redisInit(HostCall& call) {
  auto cluster = guestBytes(call, call.u32(0), call.u32(1));
  auto username = guestBytes(call, call.u32(2), call.u32(3));
  auto password = guestBytes(call, call.u32(4), call.u32(5));
  if (!cluster || !username || !password) return finish(call, abi::Status::InvalidMemoryAccess);
  if (cluster->empty()) return finish(call, abi::Status::BadArgument);
  finish(call, vmStateOf(call).redisHost().init(*cluster, *username, *password, call.u32(6)));
}

// proxy_redis_call(cluster_ptr, cluster_size, query_ptr, query_size, ret_token_ptr)
void redisCall(HostCall& call) {
  auto cluster = guestBytes(call, call.u32(0), call.u32(1));
  auto query = guestBytes(call, call.u32(2), call.u32(3));
  if (!cluster || !query) return finish(call, abi::Status::InvalidMemoryAccess);
  if (!storeGuest<uint32_t>(call, call.u32(4), 0)) return finish(call, abi::Status::InvalidMemoryAccess);
  VmState& vm = vmStateOf(call);
  const Context* root = vm.effectiveRoot();
  if (root == nullptr || cluster->empty()) return finish(call, abi::Status::BadArgument);
  const uint32_t token = vm.nextToken();
  const uint32_t root_id = root->id;
  vm.redisCalls()[token] = root_id;
  const abi::Status s = vm.redisHost().call(root_id, token, *cluster, *query);
  if (s != abi::Status::Ok) {
    vm.redisCalls().erase(token);
    return finish(call, s);
  }
  storeGuest<uint32_t>(call, call.u32(4), token);
  finish(call, abi::Status::Ok);
}

}  // namespace

std::span<const Entry> redisFunctions() {
  static const Entry entries[] = {
      {{"env", "proxy_redis_init", i32Sig(7), redisInit}, kHigressAbis},
      {{"env", "proxy_redis_call", i32Sig(5), redisCall}, kHigressAbis},
  };
  return entries;
}

}  // namespace wasmgate::runtime::hostcalls
