// gRPC calls (not offered by wasmgate: Unimplemented after the usual memory checks) and Higress's
// stream extensions: proxy_inject_encoded_data_to_filter_chain, proxy_get_upstream_hosts and
// proxy_set_upstream_override_host (ABI 0.2.1 and 0.2.100 only).
#include "runtime/hostcalls/hostcalls.h"
#include "runtime/pairs.h"

namespace wasmgate::runtime::hostcalls {
namespace {

// Every (ptr, size) argument pair starting at argument `first`, `count` of them, is in memory.
bool rangesValid(HostCall& call, size_t first, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (!guestBytes(call, call.u32(first + 2 * i), call.u32(first + 2 * i + 1))) return false;
  }
  return true;
}

// proxy_grpc_call(service, service_name, method, initial_metadata, request: 5 x (ptr, size),
//                 timeout_ms, ret_token_ptr)
void grpcCall(HostCall& call) {
  finish(call, rangesValid(call, 0, 5) ? abi::Status::Unimplemented : abi::Status::InvalidMemoryAccess);
}
// proxy_grpc_stream(service, service_name, method, initial_metadata: 4 x (ptr, size), ret_token_ptr)
void grpcStream(HostCall& call) {
  finish(call, rangesValid(call, 0, 4) ? abi::Status::Unimplemented : abi::Status::InvalidMemoryAccess);
}
// proxy_grpc_send(token, message_ptr, message_size, end_of_stream)
void grpcSend(HostCall& call) {
  finish(call, rangesValid(call, 1, 1) ? abi::Status::Unimplemented : abi::Status::InvalidMemoryAccess);
}
// proxy_grpc_cancel(token), proxy_grpc_close(token)
void grpcToken(HostCall& call) { finish(call, abi::Status::Unimplemented); }

Context* extensionStream(VmState& vm) {
  Context* c = vm.effectiveContext();
  return c != nullptr && !c->isRoot() ? c : nullptr;
}

// proxy_inject_encoded_data_to_filter_chain(data_ptr, data_size, end_of_stream): response body
// bytes for the filters after this one.
void injectEncodedData(HostCall& call) {
  auto data = guestBytes(call, call.u32(0), call.u32(1));
  if (!data) return finish(call, abi::Status::InvalidMemoryAccess);
  Context* stream = extensionStream(vmStateOf(call));
  if (stream == nullptr) return finish(call, abi::Status::BadArgument);
  finish(call, VmState::control(*stream).injectEncodedData(*data, call.u32(2) != 0));
}

// proxy_set_upstream_override_host(address_ptr, address_size): "ip:port" to pin for this request.
void setUpstreamOverrideHost(HostCall& call) {
  auto address = guestBytes(call, call.u32(0), call.u32(1));
  if (!address) return finish(call, abi::Status::InvalidMemoryAccess);
  Context* stream = extensionStream(vmStateOf(call));
  if (stream == nullptr) return finish(call, abi::Status::BadArgument);
  finish(call, VmState::control(*stream).setUpstreamOverrideHost(*address));
}

// proxy_get_upstream_hosts(ret_ptr_ptr, ret_size_ptr): pairs (address, info JSON) of the route's
// upstream cluster.
void getUpstreamHosts(HostCall& call) {
  VmState& vm = vmStateOf(call);
  Context* stream = extensionStream(vm);
  if (stream == nullptr) return finish(call, abi::Status::BadArgument);
  Pairs hosts;
  const abi::Status s = VmState::control(*stream).getUpstreamHosts(&hosts);
  if (s != abi::Status::Ok) return finish(call, s);
  finish(call, vm.copyOut(call, serializePairs(hosts), call.u32(0), call.u32(1)));
}

}  // namespace

std::span<const Entry> extensionFunctions() {
  static const Entry entries[] = {
      {{"env", "proxy_grpc_call", i32Sig(12), grpcCall}, kAllAbis},
      {{"env", "proxy_grpc_stream", i32Sig(9), grpcStream}, kAllAbis},
      {{"env", "proxy_grpc_send", i32Sig(4), grpcSend}, kAllAbis},
      {{"env", "proxy_grpc_cancel", i32Sig(1), grpcToken}, kAllAbis},
      {{"env", "proxy_grpc_close", i32Sig(1), grpcToken}, kAllAbis},
      {{"env", "proxy_inject_encoded_data_to_filter_chain", i32Sig(3), injectEncodedData}, kHigressAbis},
      {{"env", "proxy_get_upstream_hosts", i32Sig(2), getUpstreamHosts, kCopiesOut}, kHigressAbis},
      {{"env", "proxy_set_upstream_override_host", i32Sig(2), setUpstreamOverrideHost}, kHigressAbis},
  };
  return entries;
}

}  // namespace wasmgate::runtime::hostcalls
