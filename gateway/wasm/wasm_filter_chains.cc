// WasmFilter's side of the chains across the plugins of one stream: the plugins' request starts,
// response headers and stream ends, each in one engine entry for all of them (WasmVm::
// startStreamsChained, onResponseHeadersChained, finishStreams). The first plugin to be called
// runs the plugins after it; each one's answer waits in its filter until the filter chain gets
// there, so statuses, local replies and fail strategies apply exactly when they did unchained.
#include "gateway/wasm/wasm_filter.h"

#include "gateway/log.h"
#include "gateway/wasm/stream_registry.h"

namespace wasmgate::gateway::wasm {
namespace {

// The most plugins one engine entry serves; a longer chain takes one entry per this many.
constexpr size_t kMaxChain = 16;

// A stream start's answer as a header callback's.
Result<abi::HeaderAction> actionOf(const Result<runtime::WasmVm::StartedStream>& started) {
  return started ? Result<abi::HeaderAction>(started->action) : Result<abi::HeaderAction>(started.error());
}

}  // namespace

void WasmFilter::linkAfter(WasmFilter& previous) {
  previous_plugin_ = &previous;
  next_plugin_ = previous.next_plugin_;
  if (next_plugin_ != nullptr) next_plugin_->previous_plugin_ = this;
  previous.next_plugin_ = this;
}

bool WasmFilter::chainableForRequest() const {
  return !started_ && !skipped_ && !in_call_ && !chained_request_;
}

Result<abi::HeaderAction> WasmFilter::startRequestHeaders(RequestHead& head, bool end_stream, uint32_t root_id,
                                                          uint32_t num_headers) {
  // A stream the plugin has not seen: its context is created and shown the headers in one entry
  // into the guest (WasmVm::startStream), together with the plugins after it when the headers go
  // from plugin to plugin with nothing in between and their VMs are ready.
  uint32_t next_root = 0;
  if (next_plugin_ == nullptr || !next_plugin_->chainableForRequest() ||
      next_plugin_->plugin_.readyVm(&next_root) == nullptr || !callbacks_->headersOnlyPass(true)) {
    auto started = vm_->startStream(root_id, streamHost(), num_headers, end_stream);
    in_call_ = false;
    if (started) onStarted(started->id);
    return actionOf(started);
  }
  runtime::WasmVm::StartLink links[kMaxChain];
  WasmFilter* members[kMaxChain];
  std::shared_ptr<runtime::WasmVm> vms[kMaxChain];  // held for the chain, whatever a callback does
  size_t count = 0;
  links[count] = {vm_.get(), root_id, streamHost()};
  members[count++] = this;
  for (WasmFilter* f = next_plugin_; f != nullptr && count < kMaxChain && f->chainableForRequest();
       f = f->next_plugin_) {
    const std::shared_ptr<runtime::WasmVm>* vm = f->plugin_.readyVm(&next_root);
    if (vm == nullptr) break;
    vms[count] = *vm;
    links[count] = {vm->get(), next_root, f->streamHost()};
    members[count++] = f;
  }
  // After each plugin: the next one starts only if this one simply continued (as in
  // callResponseHeaders); its answer waits in chained_request_.
  auto between = [&](size_t i) -> std::optional<uint32_t> {
    WasmFilter& done = *members[i];
    done.in_call_ = false;
    if (links[i].started) done.onStarted(links[i].started->id);
    const Result<abi::HeaderAction> r = actionOf(links[i].started);
    if (i > 0) done.chained_request_ = r;
    if (!done.simplyContinued(r, true) || i + 1 == count) return std::nullopt;
    WasmFilter& next = *members[i + 1];
    next.vm_ = vms[i + 1];
    next.beginRequestHeaders(head, end_stream);
    return requestHeaderCount(head);
  };
  runtime::WasmVm::startStreamsChained({links, count}, num_headers, end_stream, between);
  return actionOf(links[0].started);
}

bool WasmFilter::simplyContinued(const Result<abi::HeaderAction>& r, bool decoding) const {
  const bool continue_pending = decoding ? pending_continue_request_ : pending_continue_response_;
  return r.ok() && r.value() == abi::HeaderAction::Continue && !pending_reply_ && !pending_close_ &&
         !continue_pending && !vm_->failed();
}

bool WasmFilter::chainableForResponse() const {
  return started_ && !skipped_ && !in_call_ && !chained_response_ && vm_ && !vm_->failed();
}

Result<abi::HeaderAction> WasmFilter::callResponseHeaders(ResponseHead& head, bool end_stream) {
  // The response meets the plugins in reverse order, so the ones it meets next are the earlier
  // ones. With nothing between their headers calls, they run in this one engine entry.
  if (previous_plugin_ == nullptr || !previous_plugin_->chainableForResponse() || !callbacks_->headersOnlyPass(false)) {
    auto r = vm_->onResponseHeaders(stream_id_, responseHeaderCount(head), end_stream);
    in_call_ = false;
    return r;
  }
  runtime::WasmVm::HeadersLink links[kMaxChain];
  WasmFilter* members[kMaxChain];
  size_t count = 0;
  links[count] = {vm_.get(), stream_id_};
  members[count++] = this;
  for (WasmFilter* f = previous_plugin_; f != nullptr && count < kMaxChain && f->chainableForResponse();
       f = f->previous_plugin_) {
    links[count] = {f->vm_.get(), f->stream_id_};
    members[count++] = f;
  }
  // After each plugin: the next one runs only if this one simply continued (no local reply, no
  // stop, no stream action), exactly when the filter chain would go on to it with nothing else
  // happening. Its answer waits in chained_response_ until the chain reaches its filter.
  auto between = [&](size_t i) -> std::optional<uint32_t> {
    WasmFilter& done = *members[i];
    done.in_call_ = false;
    const Result<abi::HeaderAction>& r = links[i].action;
    if (i > 0) done.chained_response_ = r;
    if (!done.simplyContinued(r, false) || i + 1 == count) return std::nullopt;
    members[i + 1]->beginResponseHeaders(head, end_stream);
    return responseHeaderCount(head);
  };
  runtime::WasmVm::onResponseHeadersChained({links, count}, responseHeaderCount(head), end_stream, between);
  return std::move(links[0].action);
}

void WasmFilter::onStreamComplete() {
  if (!started_ || finished_) return;
  if (next_plugin_ == nullptr) {
    beginFinish();
    endFinish(vm_->finishStream(stream_id_));
    return;
  }
  // This plugin's stream and those of the plugins after it end together: one engine entry for
  // all of them instead of one each. The chain then finds the later ones already finished.
  runtime::WasmVm::StreamEnd ends[kMaxChain];  // longer chains end in batches of this many
  WasmFilter* members[kMaxChain];
  size_t count = 0;
  for (WasmFilter* f = this; f != nullptr && count < kMaxChain; f = f->next_plugin_) {
    if (!f->started_ || f->finished_) continue;
    f->beginFinish();
    members[count] = f;
    ends[count] = {f->vm_.get(), f->stream_id_, {}};
    ++count;
  }
  runtime::WasmVm::finishStreams({ends, count});
  for (size_t i = 0; i < count; ++i) members[i]->endFinish(ends[i].status);
}

void WasmFilter::beginFinish() {
  finished_ = true;
  StreamRegistry::local().remove(*this);
  request_headers_open_ = response_headers_open_ = false;
  plugin_.counters().calls++;
}

void WasmFilter::endFinish(const wasmgate::Status& ended) {
  if (!ended.ok() && !vm_->failed()) {
    logf(LogLevel::Warn, "wasm %s: %s", plugin_.spec().name.c_str(), ended.message().c_str());
  }
  if (vm_->failed()) plugin_.markForRebuild(vm_.get());
}

}  // namespace wasmgate::gateway::wasm
