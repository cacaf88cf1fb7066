// proxy_call_foreign_function: named host extensions. The runtime serves two itself:
// "get_log_level" (4-byte little-endian level, as Higress's wasm-go logger expects before each
// message) and "wasmgate_skip_body_callbacks" (argument "request" or "response": the calling
// stream's body callbacks of that direction would only answer Continue, so the host answers for
// the plugin and saves the calls; the SDK asks for it, other hosts answer NotFound and call as
// usual). Every other name, e.g. "set_global_max_requests_per_io_cycle", goes to
// ForeignFunctionHost. A name nobody serves answers NotFound.
#include "runtime/hostcalls/hostcalls.h"

namespace wasmgate::runtime::hostcalls {
namespace {

// proxy_call_foreign_function(name_ptr, name_size, argument_ptr, argument_size, ret_ptr_ptr,
//                             ret_size_ptr)
void callForeignFunction(HostCall& call) {
  auto name_bytes = guestBytes(call, call.u32(0), call.u32(1));
  auto argument = guestBytes(call, call.u32(2), call.u32(3));
  if (!name_bytes || !argument) return finish(call, abi::Status::InvalidMemoryAccess);
  VmState& vm = vmStateOf(call);
  std::string result;
  if (*name_bytes == "wasmgate_skip_body_callbacks") {
    Context* stream = vm.effectiveContext();
    if (stream == nullptr || stream->isRoot()) return finish(call, abi::Status::BadArgument);
    if (*argument == "request") {
      stream->skip_request_body = true;
    } else if (*argument == "response") {
      stream->skip_response_body = true;
    } else {
      return finish(call, abi::Status::BadArgument);
    }
  } else if (*name_bytes == "get_log_level") {
    const auto level = static_cast<uint32_t>(vm.logHost().logLevel());
    const char bytes[4] = {static_cast<char>(level), static_cast<char>(level >> 8), static_cast<char>(level >> 16),
                           static_cast<char>(level >> 24)};
    result.assign(bytes, 4);
  } else {
    const std::string name(*name_bytes);
    abi::Status s = vm.foreignHost().call(name, *argument, &result);
    if (s == abi::Status::Unimplemented) s = abi::Status::NotFound;
    if (s != abi::Status::Ok) return finish(call, s);
  }
  // Either out-pointer may be 0 when the caller does not want the result.
  const uint32_t ptr_ptr = call.u32(4), size_ptr = call.u32(5);
  if (ptr_ptr != 0 && size_ptr != 0) return finish(call, vm.copyOut(call, result, ptr_ptr, size_ptr));
  if (size_ptr != 0 && !storeGuest(call, size_ptr, static_cast<uint32_t>(result.size()))) {
    return finish(call, abi::Status::InvalidMemoryAccess);
  }
  finish(call, abi::Status::Ok);
}

}  // namespace

std::span<const Entry> foreignFunctions() {
  static const Entry entries[] = {
      {{"env", "proxy_call_foreign_function", i32Sig(6), callForeignFunction, kCopiesOut}, kAllAbis},
  };
  return entries;
}

}  // namespace wasmgate::runtime::hostcalls
