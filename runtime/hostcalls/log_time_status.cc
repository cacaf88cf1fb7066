// proxy_log, proxy_get_log_level, proxy_get_current_time_nanoseconds, proxy_get_status and
// ABI 0.1.0's proxy_get_configuration.
#include "runtime/hostcalls/hostcalls.h"

namespace wasmgate::runtime::hostcalls {
namespace {

// proxy_log(level, message_ptr, message_size)
void proxyLog(HostCall& call) {
  if (call.u32(0) > abi::kMaxLogLevel) return finish(call, abi::Status::BadArgument);
  auto message = guestBytes(call, call.u32(1), call.u32(2));
  if (!message) return finish(call, abi::Status::InvalidMemoryAccess);
  vmStateOf(call).log(static_cast<abi::LogLevel>(call.u32(0)), *message);
  finish(call, abi::Status::Ok);
}

// proxy_get_log_level(ret_level_ptr): the level below which the host drops messages.
void getLogLevel(HostCall& call) {
  const auto level = static_cast<uint32_t>(vmStateOf(call).logHost().logLevel());
  finish(call, storeGuest(call, call.u32(0), level) ? abi::Status::Ok : abi::Status::InvalidMemoryAccess);
}

// proxy_get_current_time_nanoseconds(ret_u64_ptr): wall-clock time (VmConfig::clock).
void getCurrentTime(HostCall& call) {
  const uint64_t ns = vmStateOf(call).clock().realtimeNs();
  finish(call, storeGuest(call, call.u32(0), ns) ? abi::Status::Ok : abi::Status::InvalidMemoryAccess);
}

// proxy_get_status(ret_code_ptr, ret_message_ptr_ptr, ret_message_size_ptr): the outcome of the
// async call being delivered to the root context (BrokenConnection "reset" for a failed http call).
void getStatus(HostCall& call) {
  VmState& vm = vmStateOf(call);
  const Context* root = vm.effectiveRoot();
  const uint32_t code = root ? static_cast<uint32_t>(root->call_status) : 0;
  const std::string message = root ? root->call_status_message : std::string();
  if (!storeGuest(call, call.u32(0), code)) return finish(call, abi::Status::InvalidMemoryAccess);
  finish(call, vm.copyOut(call, message, call.u32(1), call.u32(2)));
}

// proxy_get_configuration(ret_ptr_ptr, ret_size_ptr), ABI 0.1.0: the plugin configuration of the
// root context, at any time.
void getConfiguration(HostCall& call) {
  VmState& vm = vmStateOf(call);
  const Context* root = vm.effectiveRoot();
  if (root == nullptr) return finish(call, abi::Status::NotFound);
  const std::string configuration = root->plugin.configuration;  // copy: allocation may run guest code
  finish(call, vm.copyOut(call, configuration, call.u32(0), call.u32(1)));
}

}  // namespace

std::span<const Entry> logTimeStatusFunctions() {
  static const Entry entries[] = {
      {{"env", "proxy_log", i32Sig(3), proxyLog, kNoCopy, kFast}, kAllAbis},
      {{"env", "proxy_get_log_level", i32Sig(1), getLogLevel, kNoCopy, kFast}, kHigressAbis},
      {{"env", "proxy_get_current_time_nanoseconds", i32Sig(1), getCurrentTime, kNoCopy, kFast}, kAllAbis},
      {{"env", "proxy_get_status", i32Sig(3), getStatus, kCopiesOut, kFast}, kAllAbis},
      {{"env", "proxy_get_configuration", i32Sig(2), getConfiguration, kCopiesOut}, kAbi010},
  };
  return entries;
}

}  // namespace wasmgate::runtime::hostcalls
