// The V8 backend on real modules (tests/wat/engine_*.wat): compile errors, value conversions in
// both directions, host functions and host traps, guest traps, memory growth, termination from
// another thread, instances on several worker threads, and import errors.
#include <atomic>
#include <bit>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/engine.h"
#include "tests/runtime/support/wat_modules.h"

namespace wasmgate::runtime {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// What the host functions below record; reached through Instance::userData().
struct HostLog {
  std::vector<uint64_t> args;
  int calls = 0;
  Result<uint64_t> reentered = uint64_t{0};
};
HostLog& logOf(HostCall& call) { return *static_cast<HostLog*>(call.instance->userData()); }

constexpr ValType I32 = ValType::I32;
constexpr ValType I64 = ValType::I64;

const HostFunction kHostAdd{"env", "host_add", {{I32, I64}, {I64}}, [](HostCall& c) {
  logOf(c).args = {c.args[0], c.args[1]};
  c.result = c.u32(0) + c.u64(1);
}};
const HostFunction kHostU32{"env", "host_u32", {{I32}, {I32}}, [](HostCall& c) {
  ++logOf(c).calls;
  c.result = 0xfffffff0u + c.u32(0);
}};
const HostFunction kHostTrap{"env", "host_trap", {{I32}, {}}, [](HostCall& c) {
  if (c.u32(0) != 0) c.trap("proc_exit(" + std::to_string(c.u32(0)) + ")");
}};
// Calls back into the guest's allocator, as proxy-wasm host functions do to return data.
const HostFunction kHostReenter{"env", "host_reenter", {{I32}, {I32}}, [](HostCall& c) {
  auto malloc_fn = c.instance->function("malloc");
  HostLog& log = logOf(c);
  log.reentered = c.instance->call(*malloc_fn, {c.u64(0)});
  if (!log.reentered.ok()) return c.trap("allocation failed: " + log.reentered.message());
  c.result = log.reentered.value();
}};
const HostFunction* const kBasicImports[] = {&kHostAdd, &kHostU32, &kHostTrap, &kHostReenter};

class V8EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto compiled = v8Engine().compile(readWat("engine_basic"), "engine_basic");
    ASSERT_TRUE(compiled.ok()) << compiled.message();
    module_ = compiled.value();
    worker_ = v8Engine().newWorker();
    instance_ = newInstance(*worker_);
  }

  std::unique_ptr<Instance> newInstance(WorkerEngine& worker) {
    auto instance = worker.instantiate(*module_, kBasicImports);
    EXPECT_TRUE(instance.ok()) << instance.message();
    if (!instance.ok()) return nullptr;
    instance.value()->setUserData(&log_);
    return std::move(instance).value();
  }

  Result<uint64_t> call(std::string_view name, std::initializer_list<uint64_t> args) {
    return call(*instance_, name, args);
  }
  static Result<uint64_t> call(Instance& instance, std::string_view name, std::initializer_list<uint64_t> args) {
    std::optional<FunctionHandle> f = instance.function(name);
    if (!f) return makeError(std::string(name) + " is not exported");
    return instance.call(*f, args);
  }

  void expectTrap(std::string_view export_name, std::initializer_list<uint64_t> args, std::string_view message) {
    Result<uint64_t> r = call(export_name, args);
    ASSERT_FALSE(r.ok()) << export_name;
    EXPECT_THAT(r.message(), HasSubstr(message)) << export_name;
    // The same instance still runs functions that do not depend on the trapped state...
    Result<uint64_t> sum = call("add", {2, 3});
    ASSERT_TRUE(sum.ok()) << sum.message();
    EXPECT_EQ(sum.value(), 5u);
    // ...and a fresh instance from the same compiled module works.
    std::unique_ptr<Instance> fresh = newInstance(*worker_);
    ASSERT_NE(fresh, nullptr);
    EXPECT_EQ(call(*fresh, "inc", {}).value(), 1u);
  }

  HostLog log_;
  std::shared_ptr<const CompiledModule> module_;
  std::unique_ptr<WorkerEngine> worker_;
  std::unique_ptr<Instance> instance_;
};

TEST_F(V8EngineTest, CompileRejectsNonWasmAndInvalidModules) {
  const std::string text = "name: not a module";
  auto r = v8Engine().compile(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), "plugin.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "plugin.yaml: not a wasm module: bad magic");

  // Parses, but fails validation: a () -> i32 function whose body returns nothing.
  const std::vector<uint8_t> invalid = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // header
                                        0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,        // type () -> i32
                                        0x03, 0x02, 0x01, 0x00,                          // function 0: type 0
                                        0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b};             // body: end
  r = v8Engine().compile(invalid, "bad.wasm");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.message(), HasSubstr("bad.wasm: "));
  EXPECT_THAT(r.message(), HasSubstr("Compiling function #0 failed"));
}

TEST_F(V8EngineTest, CompiledModuleCarriesModuleInfo) {
  EXPECT_EQ(module_->name(), "engine_basic");
  EXPECT_EQ(module_->info().abiVersion(), abi::AbiVersion::V0_2_1);
  EXPECT_EQ(module_->info().imports.size(), 4u);
}

TEST_F(V8EngineTest, ConvertsValuesIntoAndOutOfGuestCode) {
  EXPECT_EQ(call("add", {40, 2}).value(), 42u);
  // i32 results are zero-extended; arguments are truncated to 32 bits.
  EXPECT_EQ(call("echo_i32", {0xffffffffu}).value(), 0xffffffffu);
  EXPECT_EQ(call("echo_i32", {0x1'8000'0000u}).value(), 0x8000'0000u);
  EXPECT_EQ(call("add", {0x7fffffff, 1}).value(), 0x80000000u);
  EXPECT_EQ(call("add64", {0xffff'ffff'ffff'fff0u, 0x20}).value(), 0x10u);
  EXPECT_EQ(call("add64", {1ull << 62, 1ull << 62}).value(), 1ull << 63);
  EXPECT_EQ(call("echo_f64", {std::bit_cast<uint64_t>(-2.5)}).value(), std::bit_cast<uint64_t>(-2.5));
  EXPECT_EQ(call("pair", {9}).value(), 10u);  // the first of several results
}

TEST_F(V8EngineTest, HostFunctionsSeeZeroExtendedWordsAndReturnResults) {
  Result<uint64_t> r = call("call_host_add", {0x8000'0001u, 0xffff'ffff'0000'0000u});
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_EQ(log_.args.size(), 2u);
  EXPECT_EQ(log_.args[0], 0x8000'0001u);  // not sign-extended
  EXPECT_EQ(log_.args[1], 0xffff'ffff'0000'0000u);
  EXPECT_EQ(r.value(), 0xffff'ffff'8000'0001u);
  EXPECT_EQ(call("call_host_u32", {5}).value(), 0xfffffff5u);
}

TEST_F(V8EngineTest, HostTrapFailsTheOuterCallWithTheHostsMessage) {
  EXPECT_EQ(call("call_host_trap", {0}).value(), 7u);
  Result<uint64_t> r = call("call_host_trap", {3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "proc_exit(3)");
  EXPECT_EQ(call("call_host_trap", {0}).value(), 7u);
}

TEST_F(V8EngineTest, HostFunctionMayCallBackIntoTheGuest) {
  Result<uint64_t> first = call("call_host_reenter", {100});
  ASSERT_TRUE(first.ok()) << first.message();
  EXPECT_EQ(first.value(), 4096u);
  EXPECT_EQ(call("call_host_reenter", {8}).value(), 4196u);
  EXPECT_EQ(log_.reentered.value(), 4196u);
}

TEST_F(V8EngineTest, TrapsFailTheCallAndLeaveTheEngineUsable) {
  expectTrap("unreachable", {}, "unreachable");
  expectTrap("load", {0xfffffff0u}, "memory access out of bounds");
  expectTrap("div", {1, 0}, "divide by zero");
  expectTrap("recurse", {0}, "Maximum call stack size exceeded");
}

TEST_F(V8EngineTest, MemoryIsReadAfresh) {
  std::span<uint8_t> memory = instance_->memory();
  ASSERT_EQ(memory.size(), 65536u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(memory.data()) + 16, 5), "hello");
  memory[100] = 0x2a;
  EXPECT_EQ(call("load", {100}).value(), 0x2au);
  ASSERT_TRUE(call("store", {65532, 0x01020304}).ok());

  EXPECT_EQ(call("grow", {3}).value(), 1u);  // previous size in pages
  memory = instance_->memory();
  ASSERT_EQ(memory.size(), 4u * 65536);
  EXPECT_EQ(memory[65532], 0x04);
  memory[4 * 65536 - 4] = 0x7f;
  EXPECT_EQ(call("load", {4 * 65536 - 4}).value(), 0x7fu);
  EXPECT_EQ(call("grow", {1000}).value(), 0xffffffffu);  // beyond the declared maximum: -1
}

TEST_F(V8EngineTest, MemoryGrowthStopsAtTheEngineLimit) {
  auto compiled = v8Engine().compile(readWat("engine_grow"), "engine_grow");
  ASSERT_TRUE(compiled.ok()) << compiled.message();
  auto instance = worker_->instantiate(*compiled.value(), {});
  ASSERT_TRUE(instance.ok()) << instance.message();
  const uint32_t limit = EngineOptions{}.max_memory_pages;  // this process uses the defaults
  EXPECT_EQ(call(*instance.value(), "grow", {limit}).value(), 0xffffffffu);  // 1 + limit pages: refused
  EXPECT_EQ(call(*instance.value(), "grow", {15}).value(), 1u);
  EXPECT_EQ(instance.value()->memory().size(), 16u * 65536);
}

TEST_F(V8EngineTest, TerminateStopsAnEndlessLoopFromAnotherThread) {
  for (const char* loop : {"spin", "spin_host"}) {
    const auto start = std::chrono::steady_clock::now();
    std::thread watchdog([&] {
      std::this_thread::sleep_for(50ms);
      worker_->terminate();
    });
    Result<uint64_t> r = call(loop, {});
    watchdog.join();
    ASSERT_FALSE(r.ok()) << loop;
    EXPECT_EQ(r.message(), "terminated");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(call("add", {1, 2}).value(), 3u) << "after " << loop;
  }
  // A terminate() while nothing runs is not held against the next call.
  worker_->terminate();
  EXPECT_EQ(call("add", {1, 2}).value(), 3u);
}

TEST_F(V8EngineTest, OneCompileInstantiatedOnWorkersInSeveralThreads) {
  std::atomic<int> good{0};
  auto work = [&] {
    std::unique_ptr<WorkerEngine> worker = v8Engine().newWorker();
    HostLog log;
    for (int round = 0; round < 2; ++round) {
      auto instance = worker->instantiate(*module_, kBasicImports);
      if (!instance.ok()) return;
      instance.value()->setUserData(&log);
      uint64_t last = 0;
      for (int i = 0; i < 1000; ++i) last = call(*instance.value(), "inc", {}).value();
      if (last == 1000 && call(*instance.value(), "call_host_u32", {1}).value() == 0xfffffff1u) ++good;
    }
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(good.load(), 4);
}

TEST_F(V8EngineTest, ModuleCompiledOnAThreadThatExitedStillInstantiates) {
  // Each compiling thread has its own compiler isolate, disposed when the thread ends; the
  // compiled code belongs to the process and must survive it.
  std::shared_ptr<const CompiledModule> module;
  std::thread compiler([&] {
    auto compiled = v8Engine().compile(readWat("engine_bench"), "engine_bench");
    if (compiled.ok()) module = compiled.value();
  });
  compiler.join();
  ASSERT_NE(module, nullptr);
  const HostFunction noop{"env", "host_noop", {{I32}, {I32}}, [](HostCall& c) { c.result = c.u32(0); }};
  const HostFunction* imports[] = {&noop};
  auto instance = worker_->instantiate(*module, imports);
  ASSERT_TRUE(instance.ok()) << instance.message();
  EXPECT_EQ(call(*instance.value(), "call_host", {10}).value(), 55u);  // 10 + 9 + ... + 1
}

TEST_F(V8EngineTest, InstantiateRejectsMissingAndMismatchedImports) {
  const HostFunction* missing[] = {&kHostAdd, &kHostU32, nullptr, &kHostReenter};
  auto r = worker_->instantiate(*module_, missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "instantiating engine_basic: import env.host_trap is not provided");

  const HostFunction* mismatched[] = {&kHostAdd, &kHostAdd, &kHostTrap, &kHostReenter};
  r = worker_->instantiate(*module_, mismatched);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.message(), HasSubstr("import env.host_u32 has signature (i32) -> i32 but the host function has "
                                     "(i32, i64) -> i64"));

  r = worker_->instantiate(*module_, std::span(kBasicImports, 2));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.message(), HasSubstr("2 host functions given for 4 imports"));
}

TEST_F(V8EngineTest, NonFunctionImportsAreNamed) {
  auto compiled = v8Engine().compile(readWat("engine_start"), "engine_start");
  ASSERT_TRUE(compiled.ok()) << compiled.message();
  const HostFunction fd_write{"wasi_snapshot_preview1", "fd_write", {{I32, I32, I32, I32}, {I32}},
                              [](HostCall& c) { c.result = 0; }};
  const HostFunction* imports[] = {nullptr, &fd_write, nullptr};
  auto r = worker_->instantiate(*compiled.value(), imports);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "instantiating engine_start: import env.memory is a memory; only function imports can be "
                         "provided");
}

TEST_F(V8EngineTest, ExportLookupAndArgumentChecks) {
  EXPECT_FALSE(instance_->function("missing").has_value());
  EXPECT_FALSE(instance_->function("memory").has_value());
  std::optional<FunctionHandle> add = instance_->function("add");
  ASSERT_TRUE(add.has_value());
  EXPECT_EQ(instance_->function("add")->index, add->index);
  EXPECT_EQ(toString(instance_->signature(*add)), "(i32, i32) -> i32");
  Result<uint64_t> r = instance_->call(*add, {1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "add takes 2 arguments, got 1");
}

// Instance::sequence: several exports run back to back in one entry into the guest.
std::vector<FunctionHandle> handles(Instance& instance, std::initializer_list<std::string_view> names) {
  std::vector<FunctionHandle> out;
  for (std::string_view n : names) out.push_back(*instance.function(n));
  return out;
}

TEST_F(V8EngineTest, SequenceCallsItsFunctionsInOrderWithTheirOwnArguments) {
  // store(addr, value) then load(addr): the load sees the store, so the order held.
  auto fns = handles(*instance_, {"store", "load"});
  std::optional<FunctionHandle> seq = instance_->sequence(fns);
  ASSERT_TRUE(seq.has_value());
  EXPECT_EQ(toString(instance_->signature(*seq)), "(i32, i32, i32) -> i32");
  EXPECT_EQ(instance_->call(*seq, {64, 0xabcd, 64}).value(), 0xabcdu);
  // Results of all but the last are dropped; every function ran once per call.
  auto incs = handles(*instance_, {"inc", "inc", "add"});
  std::optional<FunctionHandle> three = instance_->sequence(incs);
  ASSERT_TRUE(three.has_value());
  EXPECT_EQ(instance_->call(*three, {2, 3}).value(), 5u);
  EXPECT_EQ(call("inc", {}).value(), 3u);
  EXPECT_EQ(instance_->sequenceStep(*three), 2u);
  EXPECT_FALSE(instance_->sequenceStep(incs[0]).has_value()) << "a plain export is no sequence";
}

TEST_F(V8EngineTest, SequenceStopsAtATrapAndNamesTheFunctionThatTrapped) {
  auto fns = handles(*instance_, {"inc", "call_host_trap", "inc"});
  std::optional<FunctionHandle> seq = instance_->sequence(fns);
  ASSERT_TRUE(seq.has_value());
  Result<uint64_t> r = instance_->call(*seq, {9});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "proc_exit(9)") << "the host's own message, as for a plain call";
  EXPECT_EQ(instance_->sequenceStep(*seq), 1u);
  EXPECT_EQ(call("inc", {}).value(), 2u) << "the inc after the trap did not run";
  // A guest trap, and a host function that re-enters the guest inside a sequence.
  auto reenter = handles(*instance_, {"call_host_reenter", "unreachable"});
  std::optional<FunctionHandle> second = instance_->sequence(reenter);
  ASSERT_TRUE(second.has_value());
  Result<uint64_t> trapped = instance_->call(*second, {16});
  ASSERT_FALSE(trapped.ok());
  EXPECT_THAT(trapped.message(), HasSubstr("unreachable"));
  ASSERT_TRUE(log_.reentered.ok());
  EXPECT_EQ(log_.reentered.value(), 4096u) << "the allocator ran inside the sequence";
  EXPECT_EQ(instance_->sequenceStep(*second), 1u);
}

TEST_F(V8EngineTest, SequenceOfNothingOrOfUnknownHandlesIsRefused) {
  EXPECT_FALSE(instance_->sequence({}).has_value());
  const FunctionHandle bogus[] = {FunctionHandle{9999}};
  EXPECT_FALSE(instance_->sequence(bogus).has_value());
}

// Instance::chainAcross: functions of several instances in one entry.
TEST_F(V8EngineTest, ChainAcrossInstancesRunsEachFunctionInItsOwnInstance) {
  std::unique_ptr<Instance> other = newInstance(*worker_);
  ASSERT_NE(other, nullptr);
  const InstanceFunction fns[] = {{instance_.get(), *instance_->function("inc")},
                                  {other.get(), *other->function("inc")},
                                  {instance_.get(), *instance_->function("inc")},
                                  {other.get(), *other->function("add")}};
  CrossChain* chain = instance_->chainAcross(fns);
  ASSERT_NE(chain, nullptr);
  EXPECT_EQ(chain->call(std::vector<uint64_t>{20, 22}).value(), 42u);
  EXPECT_EQ(chain->step(), 3u);
  // Each instance has its own counter: two incs here, one there.
  EXPECT_EQ(call("inc", {}).value(), 3u);
  EXPECT_EQ(other->call(*other->function("inc"), {}).value(), 2u);
  EXPECT_EQ(instance_->chainAcross(fns), chain) << "built once, then found again";
  EXPECT_FALSE(chain->call(std::vector<uint64_t>{1}).ok()) << "argument count checked";
}

TEST_F(V8EngineTest, ChainAcrossStopsAtATrapAndNamesTheFunctionThatTrapped) {
  std::unique_ptr<Instance> other = newInstance(*worker_);
  ASSERT_NE(other, nullptr);
  const InstanceFunction fns[] = {{instance_.get(), *instance_->function("inc")},
                                  {other.get(), *other->function("call_host_trap")},
                                  {instance_.get(), *instance_->function("inc")}};
  CrossChain* chain = other->chainAcross(fns);
  ASSERT_NE(chain, nullptr);
  Result<uint64_t> r = chain->call(std::vector<uint64_t>{7});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "proc_exit(7)");
  EXPECT_EQ(chain->step(), 1u);
  EXPECT_EQ(call("inc", {}).value(), 2u) << "the inc after the trap did not run";
}

TEST_F(V8EngineTest, ChainAcrossWorkersOrOfUnknownFunctionsIsRefused) {
  // Another worker's instance, made on a thread of its own as the gateway's workers are (one
  // isolate per thread); the chain only looks at it.
  std::unique_ptr<WorkerEngine> second_worker;
  std::unique_ptr<Instance> elsewhere;
  std::thread([&] {
    second_worker = v8Engine().newWorker();
    elsewhere = newInstance(*second_worker);
  }).join();
  ASSERT_NE(elsewhere, nullptr);
  const InstanceFunction mixed[] = {{instance_.get(), *instance_->function("inc")},
                                    {elsewhere.get(), *elsewhere->function("inc")}};
  EXPECT_EQ(instance_->chainAcross(mixed), nullptr) << "one isolate per chain";
  EXPECT_EQ(instance_->chainAcross(mixed), nullptr) << "and refused again from the cache";
  const InstanceFunction bogus[] = {{instance_.get(), FunctionHandle{9999}}};
  EXPECT_EQ(instance_->chainAcross(bogus), nullptr);
  EXPECT_EQ(instance_->chainAcross({}), nullptr);
  std::thread([&] {
    elsewhere.reset();
    second_worker.reset();
  }).join();
}

TEST_F(V8EngineTest, ChainAcrossIsDroppedWithAnyOfItsInstances) {
  std::unique_ptr<Instance> other = newInstance(*worker_);
  ASSERT_NE(other, nullptr);
  const InstanceFunction fns[] = {{instance_.get(), *instance_->function("inc")},
                                  {other.get(), *other->function("inc")}};
  ASSERT_NE(instance_->chainAcross(fns), nullptr);
  other.reset();
  // A new instance in the same place of the chain gets a chain of its own, which runs its code.
  std::unique_ptr<Instance> replacement = newInstance(*worker_);
  ASSERT_NE(replacement, nullptr);
  const InstanceFunction again[] = {{instance_.get(), *instance_->function("inc")},
                                    {replacement.get(), *replacement->function("inc")}};
  CrossChain* chain = instance_->chainAcross(again);
  ASSERT_NE(chain, nullptr);
  EXPECT_EQ(chain->call(std::vector<uint64_t>{}).value(), 1u) << "the replacement's own first inc";
  EXPECT_EQ(call("inc", {}).value(), 2u);
}

TEST_F(V8EngineTest, InstanceMayOutliveItsWorker) {
  worker_.reset();
  EXPECT_EQ(call("add", {20, 22}).value(), 42u);
  instance_.reset();
}

TEST_F(V8EngineTest, ManyInstancesOfOneModuleInOneWorker) {
  std::vector<std::unique_ptr<Instance>> instances;
  for (int i = 0; i < 20; ++i) instances.push_back(newInstance(*worker_));
  for (auto& instance : instances) {
    ASSERT_NE(instance, nullptr);
    EXPECT_EQ(call(*instance, "inc", {}).value(), 1u);  // each has its own globals
  }
}

}  // namespace
}  // namespace wasmgate::runtime
