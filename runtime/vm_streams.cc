// WasmVm stream contexts: creation, the six HTTP callbacks with Envoy's conversion of their
// results, and the end of a stream (proxy_on_log, proxy_on_done, proxy_on_delete).
#include "runtime/vm.h"
#include "runtime/vm_state.h"
#include "runtime/vm_streams.h"

namespace wasmgate::runtime {
namespace {

Result<Context*> streamContext(VmState& vm, uint32_t stream_id) {
  if (vm.failed()) return vm.failureError();
  Context* ctx = vm.context(stream_id);
  if (ctx == nullptr || ctx->isRoot()) {
    return makeError("plugin '" + vm.name() + "': no stream context " + std::to_string(stream_id));
  }
  return ctx;
}

abi::DataAction dataAction(uint64_t result, bool stopped) {
  if (stopped || result > static_cast<uint64_t>(abi::DataAction::StopIterationNoBuffer)) {
    return abi::DataAction::StopIterationNoBuffer;
  }
  return static_cast<abi::DataAction>(result);
}

abi::TrailerAction trailerAction(uint64_t result, bool stopped) {
  if (stopped || result > static_cast<uint64_t>(abi::TrailerAction::StopIteration)) {
    return abi::TrailerAction::StopIteration;
  }
  return static_cast<abi::TrailerAction>(result);
}

// The plugin said this callback would only answer Continue (Context::skipped), so the host
// answers for it without a call.
bool skipped(const Context& ctx, Export e) {
  switch (e) {
    case Export::OnRequestBody: return ctx.skipped.request_body;
    case Export::OnResponseBody: return ctx.skipped.response_body;
    case Export::OnResponseHeaders:
    case Export::OnResponseTrailers: return ctx.skipped.response_headers;
    default: return false;
  }
}

Result<abi::HeaderAction> onHeaders(VmState& vm, Export e, uint32_t id, uint32_t num_headers, bool end_of_stream) {
  auto ctx = streamContext(vm, id);
  if (!ctx.ok()) return ctx.error();
  if (skipped(**ctx, e)) return abi::HeaderAction::Continue;
  bool stopped = false;
  VmState::CallOptions options{.windows = {}, .absent = 0, .stop_forced = &stopped};
  // ABI 0.1.0's header callbacks take no end_of_stream.
  auto r = vm.abi() == abi::AbiVersion::V0_1_0 ? vm.call(e, id, {id, num_headers}, options)
                                               : vm.call(e, id, {id, num_headers, end_of_stream}, options);
  if (!r.ok()) return r.error();
  return headerAction(vm, r.value(), stopped);
}

Result<abi::DataAction> onBody(VmState& vm, Export e, uint32_t id, uint32_t body_size, bool end_of_stream) {
  auto ctx = streamContext(vm, id);
  if (!ctx.ok()) return ctx.error();
  if (skipped(**ctx, e)) return abi::DataAction::Continue;
  bool stopped = false;
  auto r = vm.call(e, id, {id, body_size, end_of_stream}, {.windows = {}, .absent = 0, .stop_forced = &stopped});
  if (!r.ok()) return r.error();
  return dataAction(r.value(), stopped);
}

Result<abi::TrailerAction> onTrailers(VmState& vm, Export e, uint32_t id, uint32_t num_trailers) {
  auto ctx = streamContext(vm, id);
  if (!ctx.ok()) return ctx.error();
  if (skipped(**ctx, e)) return abi::TrailerAction::Continue;
  bool stopped = false;
  auto r = vm.call(e, id, {id, num_trailers}, {.windows = {}, .absent = 0, .stop_forced = &stopped});
  if (!r.ok()) return r.error();
  return trailerAction(r.value(), stopped);
}

}  // namespace

// Envoy's FilterHeadersStatus from the guest's answer. A local response forces a stop; values
// past the enum stop everything; StopIteration becomes StopAllIterationAndWatermark except for
// Higress's ABI 0.2.100, whose plugins hold headers while reading the body.
abi::HeaderAction headerAction(const VmState& vm, uint64_t result, bool stopped) {
  if (stopped || result > static_cast<uint64_t>(abi::HeaderAction::StopAllIterationAndWatermark)) {
    return abi::HeaderAction::StopAllIterationAndWatermark;
  }
  if (result == static_cast<uint64_t>(abi::HeaderAction::StopIteration) && vm.abi() != abi::AbiVersion::V0_2_100) {
    return abi::HeaderAction::StopAllIterationAndWatermark;
  }
  return static_cast<abi::HeaderAction>(result);
}

// A new stream needs a working VM and a root context that is not retiring.
wasmgate::Status requireLiveRoot(VmState& vm, uint32_t root_id) {
  if (vm.failed()) return vm.failureError();
  const Context* root = vm.context(root_id);
  if (root == nullptr || !root->isRoot() || root->awaiting_done) {
    return makeError("plugin '" + vm.name() + "': no live root context " + std::to_string(root_id));
  }
  return {};
}

Result<uint32_t> WasmVm::createStream(uint32_t root_id, const StreamHost& host) {
  VmState& vm = *state_;
  if (auto live = requireLiveRoot(vm, root_id); !live.ok()) return live.error();
  const uint32_t id = vm.addStream(root_id, host).id;
  if (auto r = vm.call(Export::OnContextCreate, id, {id, root_id}); !r.ok()) {
    vm.removeContext(id);
    return r.error();
  }
  return id;
}

Result<WasmVm::StartedStream> WasmVm::startStream(uint32_t root_id, const StreamHost& host, uint32_t num_headers,
                                                  bool end_of_stream) {
  VmState& vm = *state_;
  if (!vm.hasStreamStart()) {
    auto id = createStream(root_id, host);
    if (!id.ok()) return id.error();
    auto action = onRequestHeaders(*id, num_headers, end_of_stream);
    if (!action.ok()) return action.error();
    return StartedStream{*id, *action};
  }
  if (auto live = requireLiveRoot(vm, root_id); !live.ok()) return live.error();
  const uint32_t id = vm.addStream(root_id, host).id;
  bool stopped = false;
  auto r = vm.startStream(id, root_id, num_headers, end_of_stream, &stopped);
  if (!r.ok()) return r.error();
  return StartedStream{id, headerAction(vm, r.value(), stopped)};
}

Result<abi::HeaderAction> WasmVm::onRequestHeaders(uint32_t id, uint32_t num_headers, bool end_of_stream) {
  return onHeaders(*state_, Export::OnRequestHeaders, id, num_headers, end_of_stream);
}
Result<abi::DataAction> WasmVm::onRequestBody(uint32_t id, uint32_t body_size, bool end_of_stream) {
  return onBody(*state_, Export::OnRequestBody, id, body_size, end_of_stream);
}
Result<abi::TrailerAction> WasmVm::onRequestTrailers(uint32_t id, uint32_t num_trailers) {
  return onTrailers(*state_, Export::OnRequestTrailers, id, num_trailers);
}
Result<abi::HeaderAction> WasmVm::onResponseHeaders(uint32_t id, uint32_t num_headers, bool end_of_stream) {
  return onHeaders(*state_, Export::OnResponseHeaders, id, num_headers, end_of_stream);
}
bool WasmVm::bodyCallbackIsIdle(uint32_t id, bool response) {
  VmState& vm = *state_;
  if (vm.failed()) return false;
  const Export e = response ? Export::OnResponseBody : Export::OnRequestBody;
  const Context* ctx = vm.context(id);
  return ctx != nullptr && !ctx->isRoot() && (skipped(*ctx, e) || !vm.exportHandle(e));
}

Result<abi::DataAction> WasmVm::onResponseBody(uint32_t id, uint32_t body_size, bool end_of_stream) {
  return onBody(*state_, Export::OnResponseBody, id, body_size, end_of_stream);
}
Result<abi::TrailerAction> WasmVm::onResponseTrailers(uint32_t id, uint32_t num_trailers) {
  return onTrailers(*state_, Export::OnResponseTrailers, id, num_trailers);
}

wasmgate::Status WasmVm::finishStream(uint32_t id) {
  VmState& vm = *state_;
  const Context* ctx = vm.context(id);
  if (ctx == nullptr || ctx->isRoot()) {
    return makeError("plugin '" + vm.name() + "': no stream context " + std::to_string(id));
  }
  if (vm.failed()) {
    vm.removeContext(id);
    return vm.failureError();
  }
  if (vm.reportEndedStream(id)) return {};
  auto ended = vm.endStream(id);
  if (!ended.ok()) return ended.error();
  if (vm.failed()) return vm.failureError();
  return {};
}

}  // namespace wasmgate::runtime
