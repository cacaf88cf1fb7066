// Context functions: proxy_set_tick_period_milliseconds (per root context), proxy_set_effective_context
// (which context later host calls act on, until the current guest call returns) and proxy_done
// (completes a root retirement that proxy_on_done postponed).
#include "runtime/hostcalls/hostcalls.h"

namespace wasmgate::runtime::hostcalls {
namespace {

// proxy_set_tick_period_milliseconds(period_ms): 0 stops the ticks.
void setTickPeriod(HostCall& call) {
  VmState& vm = vmStateOf(call);
  Context* root = vm.effectiveRoot();
  if (root == nullptr) return finish(call, abi::Status::BadArgument);
  const abi::Status s = vm.timerHost().setTickPeriod(root->id, call.u32(0));
  if (s == abi::Status::Ok) root->tick_armed = call.u32(0) != 0;
  finish(call, s);
}

// proxy_set_effective_context(context_id): unknown ids answer BadArgument.
void setEffectiveContext(HostCall& call) {
  finish(call, vmStateOf(call).setEffectiveContext(call.u32(0)) ? abi::Status::Ok : abi::Status::BadArgument);
}

// proxy_done(): the root context that answered false to proxy_on_done is now done; it is deleted
// after this call returns. NotFound when no retirement is pending.
void done(HostCall& call) {
  VmState& vm = vmStateOf(call);
  Context* root = vm.effectiveRoot();
  if (root == nullptr || !root->awaiting_done) return finish(call, abi::Status::NotFound);
  root->awaiting_done = false;
  const uint32_t id = root->id;
  vm.defer([&vm, id] { vm.deleteContext(id); });
  finish(call, abi::Status::Ok);
}

}  // namespace

std::span<const Entry> contextFunctions() {
  static const Entry entries[] = {
      {{"env", "proxy_set_tick_period_milliseconds", i32Sig(1), setTickPeriod, kNoCopy, kFast}, kAllAbis},
      {{"env", "proxy_set_effective_context", i32Sig(1), setEffectiveContext, kNoCopy, kFast}, kAllAbis},
      {{"env", "proxy_done", i32Sig(0), done}, kAllAbis},
  };
  return entries;
}

}  // namespace wasmgate::runtime::hostcalls
