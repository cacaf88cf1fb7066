// Costs of the engine layer (runtime/engine.h on V8): a call from host into guest, a call from
// guest into host (through the JS API, and through the fast path), a new instance in an existing worker, a new worker with an instance, and a
// memory() view. Module: tests/wat/engine_bench.wat. Set WASMGATE_BENCH_MODULE=<file.wasm> to
// also time instantiating that module (every import bound to a no-op host function; in the
// "AsWasmgate" variant marked copies_out and fast as wasmgate marks them, or only copies_out with
// WASMGATE_BENCH_NO_FAST=1).
// Figures and the command line are recorded in docs/performance.md.
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "runtime/engine.h"
#include "runtime/hostcalls/table.h"

namespace wasmgate::runtime {
namespace {

std::vector<uint8_t> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

const HostFunction kHostNoop{"env", "host_noop", {{ValType::I32}, {ValType::I32}},
                             [](HostCall& call) { call.result = call.u32(0) & 1; }};
const HostFunction* const kImports[] = {&kHostNoop};
// The same function marked fast (HostFunction::fast): called without V8's JS-API machinery.
const HostFunction kHostNoopFast = [] {
  HostFunction f = kHostNoop;
  f.fast = true;
  return f;
}();
const HostFunction* const kFastImports[] = {&kHostNoopFast};

std::shared_ptr<const CompiledModule> benchModule() {
  static std::shared_ptr<const CompiledModule> module = [] {
    auto compiled = v8Engine().compile(readFile(std::string(WASMGATE_WAT_DIR) + "/engine_bench.wasm"), "engine_bench");
    if (!compiled.ok()) {
      std::fprintf(stderr, "%s\n", compiled.message().c_str());
      std::abort();
    }
    return compiled.value();
  }();
  return module;
}

std::unique_ptr<Instance> mustInstantiate(WorkerEngine& worker, const CompiledModule& module,
                                          std::span<const HostFunction* const> imports) {
  auto instance = worker.instantiate(module, imports);
  if (!instance.ok()) {
    std::fprintf(stderr, "%s\n", instance.message().c_str());
    std::abort();
  }
  return std::move(instance).value();
}

void BM_HostToGuestCall(benchmark::State& state) {
  auto worker = v8Engine().newWorker();
  auto instance = mustInstantiate(*worker, *benchModule(), kImports);
  const FunctionHandle noop = *instance->function("noop");
  uint64_t arg = 0;
  for (auto _ : state) {
    Result<uint64_t> r = instance->call(noop, {arg});
    arg = r.value();
  }
  benchmark::DoNotOptimize(arg);
}
BENCHMARK(BM_HostToGuestCall);

// Three exports called back to back (as proxy_on_log, proxy_on_done, proxy_on_delete are), one
// entry each, against the same three in one entry through Instance::sequence.
void BM_ThreeCallsOneByOne(benchmark::State& state) {
  auto worker = v8Engine().newWorker();
  auto instance = mustInstantiate(*worker, *benchModule(), kImports);
  const FunctionHandle noop = *instance->function("noop");
  uint64_t arg = 0;
  for (auto _ : state) {
    arg = instance->call(noop, {arg}).value();
    arg = instance->call(noop, {arg}).value();
    arg = instance->call(noop, {arg}).value();
  }
  benchmark::DoNotOptimize(arg);
}
BENCHMARK(BM_ThreeCallsOneByOne);

void BM_ThreeCallsInSequence(benchmark::State& state) {
  auto worker = v8Engine().newWorker();
  auto instance = mustInstantiate(*worker, *benchModule(), kImports);
  const FunctionHandle noop = *instance->function("noop");
  const FunctionHandle three[] = {noop, noop, noop};
  const FunctionHandle sequence = *instance->sequence(three);
  uint64_t arg = 0;
  for (auto _ : state) arg = instance->call(sequence, {arg, arg, arg}).value();
  benchmark::DoNotOptimize(arg);
}
BENCHMARK(BM_ThreeCallsInSequence);

// A host function returning 16 bytes to the guest (as proxy_get_header_map_value does), from a
// guest loop of kCalls: with the copy deferred to the import wrapper module (copies_out), and the old
// way, re-entering the guest's allocator from the host function. "per_call" is one of them.
void copyOut16(HostCall& call) {
  static constexpr char kValue[] = "0123456789abcdef";
  std::span<uint8_t> later = call.deferCopyOut(16, call.u32(0), call.u32(1), 1);
  if (!later.empty()) {
    std::memcpy(later.data(), kValue, 16);
    return;
  }
  const std::optional<FunctionHandle> malloc_fn = call.instance->function("malloc");  // a short scan
  auto allocated = call.instance->call(*malloc_fn, {16});
  if (!allocated.ok()) return call.trap(allocated.message());
  const auto address = static_cast<uint32_t>(allocated.value());
  std::span<uint8_t> memory = call.instance->memory();
  std::memcpy(memory.data() + address, kValue, 16);
  std::memcpy(memory.data() + call.u32(0), &address, 4);
  const uint32_t size = 16;
  std::memcpy(memory.data() + call.u32(1), &size, 4);
}
const HostFunction kGiveDeferred{"env", "give", {{ValType::I32, ValType::I32}, {ValType::I32}}, copyOut16, true};
const HostFunction kGiveReentrant{"env", "give", {{ValType::I32, ValType::I32}, {ValType::I32}}, copyOut16, false};
const HostFunction kGiveTwice{"env", "give_twice", {std::vector<ValType>(4, ValType::I32), {ValType::I32}},
                              [](HostCall& call) { call.result = 1; }};

void copyOutLoop(benchmark::State& state, const HostFunction& give) {
  constexpr uint64_t kCalls = 1000;
  auto compiled = v8Engine().compile(readFile(std::string(WASMGATE_WAT_DIR) + "/engine_copy_out.wasm"), "copy_out");
  auto worker = v8Engine().newWorker();
  const HostFunction* imports[] = {&give, &kGiveTwice};
  auto instance = mustInstantiate(*worker, *compiled.value(), imports);
  instance->call(*instance->function("set_mode"), {3}).value();  // one block, handed out again and again
  const FunctionHandle loop = *instance->function("give_loop");
  for (auto _ : state) {
    auto failed = instance->call(loop, {kCalls});
    if (!failed.ok() || failed.value() != 0) {
      state.SkipWithError(failed.ok() ? "a copy failed" : failed.message().c_str());
      break;
    }
  }
  state.counters["per_call"] =
      benchmark::Counter(kCalls, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
void BM_CopyOutDeferred(benchmark::State& state) { copyOutLoop(state, kGiveDeferred); }
void BM_CopyOutReentrant(benchmark::State& state) { copyOutLoop(state, kGiveReentrant); }
BENCHMARK(BM_CopyOutDeferred);
BENCHMARK(BM_CopyOutReentrant);

// One iteration is one guest loop making kCalls imports; "per_call" is the cost of one.
void guestToHostLoop(benchmark::State& state, std::span<const HostFunction* const> imports) {
  constexpr uint64_t kCalls = 1000;
  auto worker = v8Engine().newWorker();
  auto instance = mustInstantiate(*worker, *benchModule(), imports);
  const FunctionHandle loop = *instance->function("call_host");
  for (auto _ : state) benchmark::DoNotOptimize(instance->call(loop, {kCalls}).value());
  state.counters["per_call"] =
      benchmark::Counter(kCalls, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["fast_calls"] = static_cast<double>(worker->fastHostCalls());
}

void BM_GuestToHostCall(benchmark::State& state) { guestToHostLoop(state, kImports); }
BENCHMARK(BM_GuestToHostCall);

// The same loop with the import marked fast.
void BM_GuestToHostFastCall(benchmark::State& state) { guestToHostLoop(state, kFastImports); }
BENCHMARK(BM_GuestToHostFastCall);

void BM_MemoryView(benchmark::State& state) {
  auto worker = v8Engine().newWorker();
  auto instance = mustInstantiate(*worker, *benchModule(), kImports);
  for (auto _ : state) benchmark::DoNotOptimize(instance->memory().data());
}
BENCHMARK(BM_MemoryView);

void BM_NewInstanceInExistingWorker(benchmark::State& state) {
  auto worker = v8Engine().newWorker();
  auto module = benchModule();
  for (auto _ : state) benchmark::DoNotOptimize(mustInstantiate(*worker, *module, kImports));
}
BENCHMARK(BM_NewInstanceInExistingWorker)->Unit(benchmark::kMicrosecond);

void BM_NewWorkerAndInstance(benchmark::State& state) {
  auto module = benchModule();
  for (auto _ : state) {
    auto worker = v8Engine().newWorker();
    benchmark::DoNotOptimize(mustInstantiate(*worker, *module, kImports));
  }
}
BENCHMARK(BM_NewWorkerAndInstance)->Unit(benchmark::kMicrosecond);

// WASMGATE_BENCH_MODULE: a real plugin, its imports bound to a host function doing nothing; with
// `as_wasmgate`, marked as wasmgate marks its own (copies_out, fast: the import wrapper module and
// the fast calls' wrappers are part of the instance then).
void newInstanceOfGivenModule(benchmark::State& state, bool as_wasmgate) {
  const char* path = std::getenv("WASMGATE_BENCH_MODULE");
  auto compiled = v8Engine().compile(readFile(path), path);
  if (!compiled.ok()) return state.SkipWithError(compiled.message().c_str());
  const CompiledModule& module = *compiled.value();
  std::vector<HostFunction> stubs;
  for (const ImportInfo& imp : module.info().imports) {
    HostFunction stub{imp.module, imp.name, imp.sig, [](HostCall&) {}};
    if (const HostFunction* real = findHostFunction(abi::AbiVersion::V0_2_100, imp.module, imp.name);
        as_wasmgate && real != nullptr) {
      stub.copies_out = real->copies_out;
      stub.fast = real->fast && std::getenv("WASMGATE_BENCH_NO_FAST") == nullptr;
    }
    stubs.push_back(stub);
  }
  std::vector<const HostFunction*> imports;
  for (const HostFunction& stub : stubs) imports.push_back(&stub);
  auto worker = v8Engine().newWorker();
  if (auto first = worker->instantiate(module, imports); !first.ok()) return state.SkipWithError(first.message().c_str());
  for (auto _ : state) benchmark::DoNotOptimize(mustInstantiate(*worker, module, imports));
}
void BM_NewInstanceOfGivenModule(benchmark::State& state) { newInstanceOfGivenModule(state, false); }
void BM_NewInstanceOfGivenModuleAsWasmgate(benchmark::State& state) { newInstanceOfGivenModule(state, true); }

}  // namespace
}  // namespace wasmgate::runtime

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (std::getenv("WASMGATE_BENCH_MODULE") != nullptr) {
    benchmark::RegisterBenchmark("BM_NewInstanceOfGivenModule", wasmgate::runtime::BM_NewInstanceOfGivenModule)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_NewInstanceOfGivenModuleAsWasmgate",
                                 wasmgate::runtime::BM_NewInstanceOfGivenModuleAsWasmgate)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
