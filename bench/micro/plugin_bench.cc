// The per-request cost of a real plugin module in the runtime, without the network: one stream
// through the test harness's simulated host (create, request headers, response headers, log,
// done, delete), the same guest calls and host calls the gateway makes for a request. The
// harness's own bookkeeping is included, so this is an upper bound for the runtime + SDK part.
//
//   build/bench/plugin_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//   WASMGATE_BENCH_PLUGIN=build/plugins/key-auth.wasm WASMGATE_BENCH_CONFIG='{...}' build/bench/plugin_bench
//   WASMGATE_BENCH_NATIVE=build/plugins/native/hello-world.so build/bench/plugin_bench   (the native
//   build of the plugin, for profiling the SDK's logic with symbols)
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include <wasmgate/testing/plugin_test.h>

namespace {

using wasmgate::testing::Headers;
using wasmgate::testing::TestHost;

std::string envOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

void BM_PluginRequest(benchmark::State& state) {
  const std::string path = envOr("WASMGATE_BENCH_PLUGIN", WASMGATE_PLUGIN_DIR "/hello-world.wasm");
  const std::string native = envOr("WASMGATE_BENCH_NATIVE", "");
  const std::string config = envOr("WASMGATE_BENCH_CONFIG", R"({"enabled": true})");
  auto host = native.empty() ? TestHost::load(path, config) : TestHost::loadNative(native, config);
  if (!host.ok()) {
    state.SkipWithError(host.message().c_str());
    return;
  }
  const Headers request = {{":method", "GET"}, {":path", "/status/200"}, {":authority", "127.0.0.1:18080"},
                           {":scheme", "http"}, {"user-agent", "wrk"}, {"x-request-id", "4f0c2a1e-5b7d-4e58-9a35-0c1d2e3f4a5b"}};
  const Headers response = {{":status", "200"}, {"content-type", "text/plain"}, {"content-length", "0"}};
  for (auto _ : state) {
    auto http = host->newHttp();
    benchmark::DoNotOptimize(http.requestHeaders(request, true));
    benchmark::DoNotOptimize(http.responseHeaders(response, true));
    benchmark::DoNotOptimize(http.complete());
  }
}
BENCHMARK(BM_PluginRequest);

}  // namespace

BENCHMARK_MAIN();
