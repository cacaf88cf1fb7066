// clocks: the three clocks a plugin can read, side by side. proxywasm::GetCurrentTimeNanoseconds
// (the proxy-wasm host's wall clock, what Go's time.Now() reads in a Higress plugin),
// std::chrono::system_clock (WASI's realtime clock) and std::chrono::steady_clock (WASI's
// monotonic clock). All three come from the host: in the gateway they are the machine's clocks,
// under the test harness they are its virtual clock, which the test sets and advances.
// Each request gets the readings as response headers, plus the age of the plugin in ms.
// Config: {}
#include <chrono>
#include <cstdint>
#include <string>

#include <wasmgate/wrapper.h>

struct ClocksConfig {
  int64_t startedMonotonicNs = 0;
};

int64_t nanos(auto time_point) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time_point.time_since_epoch()).count();
}

wrapper::Error parseConfig(const wrapper::Json&, ClocksConfig& config) {
  config.startedMonotonicNs = nanos(std::chrono::steady_clock::now());
  return {};
}

types::Action onHttpResponseHeaders(wrapper::HttpContext&, ClocksConfig& config) {
  const int64_t monotonic = nanos(std::chrono::steady_clock::now());
  proxywasm::AddHttpResponseHeader("x-proxy-time-ns", std::to_string(proxywasm::GetCurrentTimeNanoseconds()));
  proxywasm::AddHttpResponseHeader("x-wasi-realtime-ns", std::to_string(nanos(std::chrono::system_clock::now())));
  proxywasm::AddHttpResponseHeader("x-wasi-monotonic-ns", std::to_string(monotonic));
  proxywasm::AddHttpResponseHeader("x-plugin-age-ms", std::to_string((monotonic - config.startedMonotonicNs) / 1000000));
  return types::HeaderContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<ClocksConfig>("clocks",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders));
}
