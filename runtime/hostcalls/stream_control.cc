// Stream control: proxy_continue_stream, proxy_close_stream, proxy_send_local_response, and ABI
// 0.1.0's proxy_continue_request / proxy_continue_response / proxy_clear_route_cache. The actions
// reach the stream's StreamControlHost after the guest call returns (Envoy's after-VM-call
// actions), so the host never re-enters the plugin from inside the plugin.
#include <cctype>

#include "runtime/hostcalls/hostcalls.h"
#include "runtime/pairs.h"

namespace wasmgate::runtime::hostcalls {
namespace {

Context* actionStream(VmState& vm) {
  Context* c = vm.effectiveContext();
  return c != nullptr && !c->isRoot() ? c : nullptr;
}

abi::Status deferStreamAction(VmState& vm, uint32_t type, bool close) {
  if (type > static_cast<uint32_t>(abi::StreamType::Upstream)) return abi::Status::BadArgument;
  // wasmgate runs HTTP filters only; there is no L4 (downstream/upstream data) stream to resume.
  if (type > static_cast<uint32_t>(abi::StreamType::Response)) return abi::Status::Unimplemented;
  Context* stream = actionStream(vm);
  if (stream == nullptr) return abi::Status::BadArgument;
  const uint32_t id = stream->id;
  const auto stream_type = static_cast<abi::StreamType>(type);
  vm.defer([&vm, id, stream_type, close] {
    if (Context* c = vm.context(id)) {
      StreamControlHost& control = VmState::control(*c);
      close ? control.closeStream(stream_type) : control.continueStream(stream_type);
    }
  });
  return abi::Status::Ok;
}

// proxy_continue_stream(stream_type)
void continueStream(HostCall& call) { finish(call, deferStreamAction(vmStateOf(call), call.u32(0), false)); }
// proxy_close_stream(stream_type)
void closeStream(HostCall& call) { finish(call, deferStreamAction(vmStateOf(call), call.u32(0), true)); }
// proxy_continue_request() / proxy_continue_response(), ABI 0.1.0
void continueRequest(HostCall& call) { finish(call, deferStreamAction(vmStateOf(call), 0, false)); }
void continueResponse(HostCall& call) { finish(call, deferStreamAction(vmStateOf(call), 1, false)); }

// proxy_clear_route_cache(), ABI 0.1.0: wasmgate picks the route after the filter chain has seen
// the request headers, so there is no cached route to clear.
void clearRouteCache(HostCall& call) { finish(call, abi::Status::Ok); }

// proxy_send_local_response(status_code, details_ptr, details_size, body_ptr, body_size,
//                           headers_ptr, headers_size, grpc_status)
void sendLocalResponse(HostCall& call) {
  auto details = guestBytes(call, call.u32(1), call.u32(2));
  auto body = guestBytes(call, call.u32(3), call.u32(4));
  auto header_bytes = guestBytes(call, call.u32(5), call.u32(6));
  if (!details || !body || !header_bytes) return finish(call, abi::Status::InvalidMemoryAccess);
  auto headers = parsePairs(*header_bytes);
  if (!headers) return finish(call, abi::Status::BadArgument);
  VmState& vm = vmStateOf(call);
  Context* stream = actionStream(vm);
  if (stream == nullptr) return finish(call, abi::Status::BadArgument);
  if (stream->local_response_sent) {
    vm.forceStop();  // as Envoy: the stream is replying already, so this callback stops too
    return finish(call, abi::Status::BadArgument);
  }
  stream->local_response_sent = true;

  LocalResponse response;
  response.status_code = call.u32(0);
  response.details.assign(*details);
  for (char& c : response.details) {
    if (std::isspace(static_cast<unsigned char>(c))) c = '_';
  }
  response.body.assign(*body);
  response.headers = std::move(*headers);
  response.grpc_status = static_cast<int32_t>(call.u32(7));
  vm.forceStop();  // the callback's own result no longer matters: the stream stops here
  const uint32_t id = stream->id;
  vm.defer([&vm, id, response = std::move(response)] {
    if (Context* c = vm.context(id)) VmState::control(*c).sendLocalResponse(response);
  });
  finish(call, abi::Status::Ok);
}

}  // namespace

std::span<const Entry> streamControlFunctions() {
  static const Entry entries[] = {
      {{"env", "proxy_continue_stream", i32Sig(1), continueStream}, kAbi02x},
      {{"env", "proxy_close_stream", i32Sig(1), closeStream}, kAbi02x},
      {{"env", "proxy_send_local_response", i32Sig(8), sendLocalResponse}, kAllAbis},
      {{"env", "proxy_continue_request", i32Sig(0), continueRequest}, kAbi010},
      {{"env", "proxy_continue_response", i32Sig(0), continueResponse}, kAbi010},
      {{"env", "proxy_clear_route_cache", i32Sig(0), clearRouteCache}, kAbi010},
  };
  return entries;
}

}  // namespace wasmgate::runtime::hostcalls
