#include "gateway/wasm/stream_registry.h"

#include "gateway/wasm/wasm_filter.h"

namespace wasmgate::gateway::wasm {

StreamRegistry& StreamRegistry::local() {
  thread_local StreamRegistry registry;
  return registry;
}

void StreamRegistry::add(WasmFilter& filter) {
  filter.registry_slot_ = filters_.size();
  filters_.push_back(&filter);
}

bool StreamRegistry::contains(const WasmFilter& filter) const {
  return filter.registry_slot_ < filters_.size() && filters_[filter.registry_slot_] == &filter;
}

void StreamRegistry::remove(WasmFilter& filter) {
  if (!contains(filter)) return;
  // Swap with the last entry: O(1), and the moved filter learns its new slot.
  WasmFilter* last = filters_.back();
  filters_[filter.registry_slot_] = last;
  last->registry_slot_ = filter.registry_slot_;
  filters_.pop_back();
  filter.registry_slot_ = WasmFilter::kNoSlot;
}

void StreamRegistry::vmFailed(const runtime::WasmVm& vm) {
  if (notifying_) return;
  notifying_ = true;
  // A snapshot: answering a stream can end it (and others on the same connection) right here.
  std::vector<WasmFilter*> affected;
  for (WasmFilter* f : filters_) {
    if (f->onVm(vm)) affected.push_back(f);
  }
  for (WasmFilter* f : affected) {
    // Still registered means still alive: an ended stream removed itself. A new stream at the
    // same address runs on a rebuilt VM, so onVm() tells it apart.
    if (contains(*f) && f->onVm(vm)) f->onVmFailed();
  }
  notifying_ = false;
}

}  // namespace wasmgate::gateway::wasm
