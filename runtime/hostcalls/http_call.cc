// proxy_http_call: an outbound HTTP request issued on behalf of the caller's root context; the
// response arrives later through WasmVm::onHttpCallResponse as proxy_on_http_call_response.
#include <algorithm>

#include "runtime/hostcalls/hostcalls.h"
#include "runtime/pairs.h"

namespace wasmgate::runtime::hostcalls {
namespace {

bool hasHeader(const Pairs& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& p) { return p.first == name; });
}

// proxy_http_call(upstream_ptr, upstream_size, headers_ptr, headers_size, body_ptr, body_size,
//                 trailers_ptr, trailers_size, timeout_ms, ret_token_ptr)
void httpCall(HostCall& call) {
  auto upstream = guestBytes(call, call.u32(0), call.u32(1));
  auto header_bytes = guestBytes(call, call.u32(2), call.u32(3));
  auto body = guestBytes(call, call.u32(4), call.u32(5));
  auto trailer_bytes = guestBytes(call, call.u32(6), call.u32(7));
  if (!upstream || !header_bytes || !body || !trailer_bytes) return finish(call, abi::Status::InvalidMemoryAccess);
  // Check the token's address before starting anything asynchronous.
  if (!storeGuest<uint32_t>(call, call.u32(9), 0)) return finish(call, abi::Status::InvalidMemoryAccess);

  auto headers = parsePairs(*header_bytes);
  auto trailers = parsePairs(*trailer_bytes);
  if (!headers || !trailers) return finish(call, abi::Status::BadArgument);
  if (!hasHeader(*headers, ":path") || !hasHeader(*headers, ":method") ||
      !(hasHeader(*headers, ":authority") || hasHeader(*headers, ":host"))) {
    return finish(call, abi::Status::BadArgument);
  }
  if (static_cast<int32_t>(call.u32(8)) < 0) return finish(call, abi::Status::BadArgument);

  VmState& vm = vmStateOf(call);
  const Context* root = vm.effectiveRoot();
  if (root == nullptr) return finish(call, abi::Status::BadArgument);
  HttpCallRequest request;
  request.cluster.assign(*upstream);
  request.headers = std::move(*headers);
  request.body.assign(*body);
  request.trailers = std::move(*trailers);
  request.timeout_ms = call.u32(8);

  const uint32_t token = vm.nextToken();
  const uint32_t root_id = root->id;
  vm.httpCalls()[token] = root_id;  // before dispatch: a host may answer at once (then deferred)
  const abi::Status s = vm.httpHost().dispatch(root_id, token, request);
  if (s != abi::Status::Ok) {
    vm.httpCalls().erase(token);
    return finish(call, s);
  }
  storeGuest<uint32_t>(call, call.u32(9), token);
  finish(call, abi::Status::Ok);
}

}  // namespace

std::span<const Entry> httpCallFunctions() {
  static const Entry entries[] = {
      {{"env", "proxy_http_call", i32Sig(10), httpCall}, kAllAbis},
  };
  return entries;
}

}  // namespace wasmgate::runtime::hostcalls
