// WasmVm's chains across the plugins of one request (runtime/vm.h: finishStreams,
// onResponseHeadersChained, startStreamsChained): each plugin's VM is entered and left as for a
// call of its own (VmState::enterChained / leaveChained) around one engine entry for all of them
// (Instance::chainAcross), with a host checkpoint between the plugins of the header chains.
#include <algorithm>
#include <optional>
#include <vector>

#include "runtime/vm.h"
#include "runtime/vm_state.h"
#include "runtime/vm_streams.h"

namespace wasmgate::runtime {
namespace {

// The callbacks that end a stream, in the order the host makes them.
constexpr Export kEndExports[] = {Export::OnLog, Export::OnDone, Export::OnDelete};

// finishStreams()'s working lists, kept per thread so that ending a request allocates nothing
// once they have grown to the size of its plugin chain.
struct ChainScratch {
  std::vector<InstanceFunction> fns;
  std::vector<uint64_t> args;
  std::vector<size_t> owner;     // per link: the index in `ends` of the stream it ends
  std::vector<Export> callback;  // per link: which callback it is
  std::vector<VmState::ChainedCall> saved;

  void clear() {
    fns.clear();
    args.clear();
    owner.clear();
    callback.clear();
    saved.clear();
  }
};
thread_local ChainScratch t_chain;

}  // namespace

void WasmVm::finishStreams(std::span<StreamEnd> ends) {
  // Streams whose plugin takes their ends from its ring need no call: they end here, and the
  // others (in their order) go to the chain. In windows of kWindow ends, so the list of the
  // others stays on the stack.
  constexpr size_t kWindow = 16;
  if (ends.size() > kWindow) {
    for (size_t from = 0; from < ends.size(); from += kWindow) {
      finishStreams(ends.subspan(from, std::min(kWindow, ends.size() - from)));
    }
    return;
  }
  size_t rest_at[kWindow];
  size_t rest_count = 0;
  for (size_t i = 0; i < ends.size(); ++i) {
    if (ends[i].vm->state_->reportEndedStream(ends[i].stream_id)) {
      ends[i].status = {};
    } else {
      rest_at[rest_count++] = i;
    }
  }
  if (rest_count == ends.size()) return chainStreamEnds(ends);
  if (rest_count == 0) return;
  StreamEnd rest[kWindow];
  for (size_t k = 0; k < rest_count; ++k) rest[k] = std::move(ends[rest_at[k]]);
  chainStreamEnds({rest, rest_count});
  for (size_t k = 0; k < rest_count; ++k) ends[rest_at[k]] = std::move(rest[k]);
}

void WasmVm::chainStreamEnds(std::span<StreamEnd> ends) {
  auto one_by_one = [](std::span<StreamEnd> rest) {
    for (StreamEnd& end : rest) end.status = end.vm->finishStream(end.stream_id);
  };
  if (ends.size() < 2) return one_by_one(ends);
  ChainScratch& c = t_chain;
  c.clear();
  for (size_t i = 0; i < ends.size(); ++i) {
    VmState& vm = *ends[i].vm->state_;
    const Context* ctx = vm.context(ends[i].stream_id);
    // Anything unusual (a failed VM, an unknown stream, a VM that is inside a call or appears
    // twice) takes the plain path, which reports it as finishStream() does.
    if (vm.failed() || vm.inGuestCall() || ctx == nullptr || ctx->isRoot()) return one_by_one(ends);
    for (size_t j = 0; j < i; ++j) {
      if (ends[j].vm == ends[i].vm) return one_by_one(ends);
    }
    for (Export e : kEndExports) {
      if (std::optional<FunctionHandle> fn = vm.exportHandle(e)) {
        c.fns.push_back({&vm.instance(), *fn});
        c.args.push_back(ends[i].stream_id);
        c.owner.push_back(i);
        c.callback.push_back(e);
      }
    }
  }
  CrossChain* chain = c.fns.size() < 2 ? nullptr : c.fns.front().instance->chainAcross(c.fns);
  if (chain == nullptr) return one_by_one(ends);

  for (StreamEnd& end : ends) c.saved.push_back(end.vm->state_->enterChained(end.stream_id));
  Result<uint64_t> r = chain->call(c.args);
  for (size_t i = 0; i < ends.size(); ++i) ends[i].vm->state_->leaveChained(c.saved[i]);

  size_t completed = ends.size();  // ends[0, completed) ran all their callbacks
  if (!r.ok()) {
    const size_t link = std::min<size_t>(chain->step().value_or(0), c.fns.size() - 1);
    completed = c.owner[link];
    VmState& vm = *ends[completed].vm->state_;
    vm.failIn(c.callback[link], r.message());
    vm.removeContext(ends[completed].stream_id);
    ends[completed].status = vm.failureError();
  }
  for (size_t i = 0; i < completed; ++i) {
    VmState& vm = *ends[i].vm->state_;
    vm.afterOutermostCall();
    vm.removeContext(ends[i].stream_id);
    ends[i].status = vm.failed() ? wasmgate::Status(vm.failureError()) : wasmgate::Status{};
  }
  if (completed < ends.size()) one_by_one(ends.subspan(completed + 1));
}

namespace {

// The plain path of a chain of header callbacks: link `i` from `from` on, one engine entry each,
// asking `between` after each as the chain's checkpoint would. Returns how many links ran.
template <typename CallOne>
size_t linkByLink(size_t links, size_t from, uint32_t headers, FunctionRef<std::optional<uint32_t>(size_t)> between,
                  CallOne call_one) {
  for (size_t i = from; i < links; ++i) {
    call_one(i, headers);
    std::optional<uint32_t> next = between(i);
    if (!next) return i + 1;
    headers = *next;
  }
  return links;
}

// The state of one WasmVm::onResponseHeadersChained call, for its checkpoint.
struct HeadersRun {
  HeadersRun(std::span<WasmVm::HeadersLink> links, FunctionRef<std::optional<uint32_t>(size_t)> between)
      : links(links), between(between) {}
  std::span<WasmVm::HeadersLink> links;
  FunctionRef<std::optional<uint32_t>(size_t)> between;
  size_t ran = 0;           // links that ran to their end
  bool in_link = false;     // link `ran` is running (its VM entered)
  VmState::ChainedCall saved{};
  std::optional<uint32_t> left_over;  // the host wanted link `ran` to run, but it cannot in the chain
};

uint64_t headersCheckpoint(void* data, uint32_t index, uint32_t result) {
  HeadersRun& run = *static_cast<HeadersRun*>(data);
  if (!run.in_link || index != run.ran) return 0;  // not the link this run entered: stop
  VmState& vm = run.links[index].vm->state();
  const bool stopped = vm.stopForced();
  vm.leaveChained(run.saved);
  run.in_link = false;
  vm.afterOutermostCall();
  // As for a plain call, a VM that fails in a deferred action still gives this answer.
  run.links[index].action = headerAction(vm, result, stopped);
  run.ran = index + 1;
  std::optional<uint32_t> next = run.between(index);
  if (!next || run.ran == run.links.size()) return 0;
  VmState& next_vm = run.links[run.ran].vm->state();
  const Context* ctx = next_vm.context(run.links[run.ran].stream_id);
  if (next_vm.failed() || next_vm.inGuestCall() || ctx == nullptr || ctx->skipped.response_headers) {
    run.left_over = next;  // ended by the caller, outside the chain
    return 0;
  }
  run.saved = next_vm.enterChained(run.links[run.ran].stream_id);
  run.in_link = true;
  return *next + 1;
}

// Whether headersCheckpoint() would enter guest code: only the deferred actions of the link that
// just returned can (the filter's `between` only records answers).
bool headersCheckpointNeedsGuest(void* data, uint32_t index) {
  const HeadersRun& run = *static_cast<const HeadersRun*>(data);
  return run.in_link && index == run.ran && run.links[index].vm->state().hasDeferred();
}

}  // namespace

size_t WasmVm::onResponseHeadersChained(std::span<HeadersLink> links, uint32_t num_headers, bool end_of_stream,
                                        FunctionRef<std::optional<uint32_t>(size_t)> between) {
  auto one_by_one = [&](size_t from, uint32_t headers) {
    return linkByLink(links.size(), from, headers, between, [&](size_t i, uint32_t count) {
      links[i].action = links[i].vm->onResponseHeaders(links[i].stream_id, count, end_of_stream);
    });
  };
  if (links.size() < 2) return one_by_one(0, num_headers);
  ChainScratch& c = t_chain;
  c.clear();
  HeadersRun run(links, between);
  c.args = {num_headers, end_of_stream};
  for (size_t i = 0; i < links.size(); ++i) {
    VmState& vm = *links[i].vm->state_;
    const Context* ctx = vm.context(links[i].stream_id);
    std::optional<FunctionHandle> fn = vm.exportHandle(Export::OnResponseHeaders);
    if (vm.failed() || vm.inGuestCall() || ctx == nullptr || ctx->isRoot() || ctx->skipped.response_headers || !fn) {
      return one_by_one(0, num_headers);
    }
    for (size_t j = 0; j < i; ++j) {
      if (links[j].vm == links[i].vm) return one_by_one(0, num_headers);
    }
    c.fns.push_back({&vm.instance(), *fn});
    c.args.push_back(links[i].stream_id);
  }
  CrossChain* chain = c.fns.front().instance->chainAcross(c.fns, ChainKind::HeaderCallbacks);
  if (chain == nullptr) return one_by_one(0, num_headers);

  run.saved = links[0].vm->state_->enterChained(links[0].stream_id);
  run.in_link = true;
  const ChainCheckpoint checkpoint{headersCheckpoint, &run, headersCheckpointNeedsGuest};
  Result<uint64_t> r = chain->call(c.args, &checkpoint);
  if (!r.ok() && run.in_link) {
    // The link that was running trapped: its VM fails, the links after it do not run.
    VmState& vm = *links[run.ran].vm->state_;
    vm.leaveChained(run.saved);
    run.in_link = false;
    vm.failIn(Export::OnResponseHeaders, r.message());
    links[run.ran].action = vm.failureError();
    (void)between(run.ran++);
    return run.ran;
  }
  if (run.left_over) return one_by_one(run.ran, *run.left_over);
  return run.ran;
}

namespace {

// The state of one WasmVm::startStreamsChained call, for its checkpoint.
struct StartRun {
  StartRun(std::span<WasmVm::StartLink> links, FunctionRef<std::optional<uint32_t>(size_t)> between)
      : links(links), between(between) {}
  std::span<WasmVm::StartLink> links;
  FunctionRef<std::optional<uint32_t>(size_t)> between;
  size_t ran = 0;        // plugins whose start ran to its end
  bool in_link = false;  // plugin `ran` is running (its VM entered, its stream `id` created)
  uint32_t id = 0;
  VmState::ChainedCall saved{};
  std::optional<uint32_t> left_over;  // the host wanted plugin `ran` to start, but not in the chain
};

uint64_t startCheckpoint(void* data, uint32_t index, uint32_t result) {
  StartRun& run = *static_cast<StartRun*>(data);
  if (!run.in_link || index != run.ran) return 0;
  WasmVm::StartLink& link = run.links[index];
  VmState& vm = link.vm->state();
  const bool stopped = vm.stopForced();
  vm.leaveChained(run.saved);
  run.in_link = false;
  vm.afterOutermostCall();
  link.started = WasmVm::StartedStream{run.id, headerAction(vm, result, stopped)};
  run.ran = index + 1;
  std::optional<uint32_t> next = run.between(index);
  if (!next || run.ran == run.links.size()) return 0;
  WasmVm::StartLink& following = run.links[run.ran];
  VmState& next_vm = following.vm->state();
  if (next_vm.inGuestCall() || !requireLiveRoot(next_vm, following.root_id).ok()) {
    run.left_over = next;  // started by the caller, outside the chain, which reports why
    return 0;
  }
  run.id = next_vm.addStream(following.root_id, following.host).id;
  run.saved = next_vm.enterChained(run.id);
  run.in_link = true;
  return uint64_t{run.id} << 32 | (uint64_t{*next} + 1);
}

// As headersCheckpointNeedsGuest, for startCheckpoint().
bool startCheckpointNeedsGuest(void* data, uint32_t index) {
  const StartRun& run = *static_cast<const StartRun*>(data);
  return run.in_link && index == run.ran && run.links[index].vm->state().hasDeferred();
}

}  // namespace

size_t WasmVm::startStreamsChained(std::span<StartLink> links, uint32_t num_headers, bool end_of_stream,
                                   FunctionRef<std::optional<uint32_t>(size_t)> between) {
  auto one_by_one = [&](size_t from, uint32_t headers) {
    return linkByLink(links.size(), from, headers, between, [&](size_t i, uint32_t count) {
      links[i].started = links[i].vm->startStream(links[i].root_id, links[i].host, count, end_of_stream);
    });
  };
  if (links.size() < 2) return one_by_one(0, num_headers);
  ChainScratch& c = t_chain;
  c.clear();
  c.args = {num_headers, end_of_stream, 0};  // the first stream's id is filled in below
  for (size_t i = 0; i < links.size(); ++i) {
    VmState& vm = *links[i].vm->state_;
    std::optional<FunctionHandle> create = vm.exportHandle(Export::OnContextCreate);
    std::optional<FunctionHandle> headers = vm.exportHandle(Export::OnRequestHeaders);
    if (vm.inGuestCall() || !requireLiveRoot(vm, links[i].root_id).ok() || !create || !headers) {
      return one_by_one(0, num_headers);
    }
    for (size_t j = 0; j < i; ++j) {
      if (links[j].vm == links[i].vm) return one_by_one(0, num_headers);
    }
    c.fns.push_back({&vm.instance(), *create});
    c.fns.push_back({&vm.instance(), *headers});
    c.args.push_back(links[i].root_id);
  }
  CrossChain* chain = c.fns.front().instance->chainAcross(c.fns, ChainKind::StreamStarts);
  if (chain == nullptr) return one_by_one(0, num_headers);

  StartRun run(links, between);
  VmState& first = *links[0].vm->state_;
  run.id = first.addStream(links[0].root_id, links[0].host).id;
  c.args[2] = run.id;
  run.saved = first.enterChained(run.id);
  run.in_link = true;
  const ChainCheckpoint checkpoint{startCheckpoint, &run, startCheckpointNeedsGuest};
  Result<uint64_t> r = chain->call(c.args, &checkpoint);
  if (!r.ok() && run.in_link) {
    // The plugin that was starting trapped: its VM fails, its stream never started, the plugins
    // after it do not run.
    VmState& vm = *links[run.ran].vm->state_;
    vm.leaveChained(run.saved);
    run.in_link = false;
    const bool in_headers = chain->step().value_or(0) % 2 == 1;
    vm.failIn(in_headers ? Export::OnRequestHeaders : Export::OnContextCreate, r.message());
    vm.removeContext(run.id);
    links[run.ran].started = vm.failureError();
    (void)between(run.ran++);
    return run.ran;
  }
  if (run.left_over) return one_by_one(run.ran, *run.left_over);
  return run.ran;
}

}  // namespace wasmgate::runtime
