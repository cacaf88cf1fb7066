// The wasm streams of one worker thread, so that a plugin VM failing outside any stream's call
// (a trap in an http call or Redis reply callback, a tick or a queue callback) can apply the
// plugin's fail strategy to the streams it was holding: FAIL_CLOSE answers them 503, FAIL_OPEN
// lets them go on. Without it they would wait for a continue that can never come.
//
// Internal header (gateway/wasm/). Thread affinity: one registry per worker thread (thread_local);
// add/remove are O(1) and allocate nothing after warm-up.
#pragma once
#include <cstddef>
#include <vector>

namespace wasmgate::runtime {
class WasmVm;
}

namespace wasmgate::gateway::wasm {

class WasmFilter;

class StreamRegistry {
 public:
  static StreamRegistry& local();

  void add(WasmFilter& filter);
  void remove(WasmFilter& filter);
  // Tells every registered stream on `vm` that it failed. Streams may end (and leave the
  // registry) while this runs; a call made while it runs does nothing (this round covers it).
  void vmFailed(const runtime::WasmVm& vm);

 private:
  bool contains(const WasmFilter& filter) const;
  std::vector<WasmFilter*> filters_;
  bool notifying_ = false;  // a stream's failure inside vmFailed() must not start another round
};

}  // namespace wasmgate::gateway::wasm
