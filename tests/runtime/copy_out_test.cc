// Deferred copies (HostCall::deferCopyOut) on real modules (tests/wat/engine_copy_out*.wat): a
// copying import hands its bytes over and the engine allocates through the import wrapper module; a
// failed or trapping allocation; a second copy in one call; imports and modules that cannot defer.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/import_wrapper_module.h"
#include "runtime/engine.h"
#include "runtime/guest_memory.h"
#include "tests/runtime/support/wat_modules.h"

namespace wasmgate::runtime {
namespace {

using ::testing::HasSubstr;

constexpr ValType I32 = ValType::I32;
constexpr uint32_t kOk = 0;
constexpr uint32_t kNoMemory = 99;  // the failure result the host functions below give

struct Recorded {
  std::string payload = "hello";
  int calls = 0;
  int deferred = 0;  // calls that could defer their copy
  int refused = 0;   // deferCopyOut answers that were empty
};
Recorded& recordedOf(HostCall& call) { return *static_cast<Recorded*>(call.instance->userData()); }

// Copies `payload` out as VmState::copyOutWith does: deferred when the engine can, else by calling
// the guest's allocator from here.
bool copyOut(HostCall& c, uint32_t ptr_ptr, uint32_t size_ptr) {
  Recorded& r = recordedOf(c);
  std::span<uint8_t> later = c.deferCopyOut(r.payload.size(), ptr_ptr, size_ptr, kNoMemory);
  if (!later.empty()) {
    std::memcpy(later.data(), r.payload.data(), r.payload.size());
    return true;
  }
  ++r.refused;
  std::optional<FunctionHandle> malloc_fn = c.instance->function("malloc");
  if (!malloc_fn) return false;
  auto address = c.instance->call(*malloc_fn, {uint64_t{r.payload.size()}});
  if (!address.ok() || address.value() == 0) return false;
  GuestMemory memory(*c.instance);
  return memory.write(address.value(), r.payload) && memory.store<uint32_t>(ptr_ptr, uint32_t(address.value())) &&
         memory.store<uint32_t>(size_ptr, uint32_t(r.payload.size()));
}

void give(HostCall& c) {
  Recorded& r = recordedOf(c);
  ++r.calls;
  if (c.deferral != nullptr) ++r.deferred;
  c.result = copyOut(c, c.u32(0), c.u32(1)) ? kOk : kNoMemory;
}

const HostFunction kGive{"env", "give", {{I32, I32}, {I32}}, give, /*copies_out=*/true};
const HostFunction kGiveUnmarked{"env", "give", {{I32, I32}, {I32}}, give};
const HostFunction kGiveTwice{"env", "give_twice", {{I32, I32, I32, I32}, {I32}},
                              [](HostCall& c) {
                                const bool first = copyOut(c, c.u32(0), c.u32(1));
                                const bool second = copyOut(c, c.u32(2), c.u32(3));
                                c.result = first && second ? kOk : kNoMemory;
                              },
                              /*copies_out=*/true};

class CopyOutTest : public ::testing::Test {
 protected:
  void SetUp() override { worker_ = v8Engine().newWorker(); }

  std::unique_ptr<Instance> instantiate(const std::string& wat, std::vector<const HostFunction*> imports) {
    auto compiled = v8Engine().compile(readWat(wat), wat);
    EXPECT_TRUE(compiled.ok()) << compiled.message();
    if (!compiled.ok()) return nullptr;
    module_ = compiled.value();
    auto instance = worker_->instantiate(*module_, imports);
    EXPECT_TRUE(instance.ok()) << instance.message();
    if (!instance.ok()) return nullptr;
    instance.value()->setUserData(&recorded_);
    return std::move(instance).value();
  }

  static Result<uint64_t> call(Instance& instance, std::string_view name, std::initializer_list<uint64_t> args) {
    std::optional<FunctionHandle> f = instance.function(name);
    if (!f) return makeError(std::string(name) + " is not exported");
    return instance.call(*f, args);
  }

  // The bytes a copy left at the guest words ptr_ptr and size_ptr, or "" if they were not set.
  static std::string copied(Instance& instance, uint32_t ptr_ptr, uint32_t size_ptr) {
    GuestMemory memory(instance);
    uint32_t address = memory.load<uint32_t>(ptr_ptr).value_or(0);
    uint32_t size = memory.load<uint32_t>(size_ptr).value_or(0);
    if (address == 0) return "";
    return std::string(memory.read(address, size).value_or(""));
  }

  Recorded recorded_;
  std::unique_ptr<WorkerEngine> worker_;
  std::shared_ptr<const CompiledModule> module_;
};

TEST_F(CopyOutTest, ACopyingImportHandsItsBytesOverAndTheGuestAllocatorRunsFromWasm) {
  auto instance = instantiate("engine_copy_out", {&kGive, &kGiveTwice});
  ASSERT_NE(instance, nullptr);
  Result<uint64_t> r = call(*instance, "call_give", {100, 104});
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r.value(), kOk);
  EXPECT_EQ(recorded_.deferred, 1);
  EXPECT_EQ(recorded_.refused, 0) << "the host did not allocate itself";
  EXPECT_EQ(copied(*instance, 100, 104), "hello");
  EXPECT_EQ(call(*instance, "mallocs", {}).value(), 1u);

  // Again, with a longer value: each copy gets its own allocation.
  recorded_.payload = std::string(300, 'x');
  ASSERT_EQ(call(*instance, "call_give", {200, 204}).value(), kOk);
  EXPECT_EQ(copied(*instance, 200, 204), recorded_.payload);
  EXPECT_EQ(copied(*instance, 100, 104), "hello") << "the first copy is untouched";
  EXPECT_EQ(call(*instance, "mallocs", {}).value(), 2u);
}

TEST_F(CopyOutTest, AnAllocatorAnsweringZeroGivesTheFailureResultAndLeavesTheWordsAlone) {
  auto instance = instantiate("engine_copy_out", {&kGive, &kGiveTwice});
  ASSERT_NE(instance, nullptr);
  ASSERT_TRUE(call(*instance, "set_mode", {1}).ok());
  Result<uint64_t> r = call(*instance, "call_give", {100, 104});
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r.value(), kNoMemory);
  EXPECT_EQ(GuestMemory(*instance).load<uint32_t>(100).value_or(1), 0u);
  EXPECT_EQ(GuestMemory(*instance).load<uint32_t>(104).value_or(1), 0u);
  // Words outside memory: also the failure result, not a crash.
  ASSERT_TRUE(call(*instance, "set_mode", {0}).ok());
  EXPECT_EQ(call(*instance, "call_give", {0xfffffff0u, 104}).value(), kNoMemory);
}

TEST_F(CopyOutTest, ATrappingAllocatorFailsTheCallAndTheNextCopyStillDefers) {
  auto instance = instantiate("engine_copy_out", {&kGive, &kGiveTwice});
  ASSERT_NE(instance, nullptr);
  ASSERT_TRUE(call(*instance, "set_mode", {2}).ok());
  Result<uint64_t> r = call(*instance, "call_give", {100, 104});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.message(), HasSubstr("unreachable"));
  ASSERT_TRUE(call(*instance, "set_mode", {0}).ok());
  ASSERT_EQ(call(*instance, "call_give", {100, 104}).value(), kOk);
  EXPECT_EQ(copied(*instance, 100, 104), "hello");
  EXPECT_EQ(recorded_.refused, 0) << "the trapped copy did not stay pending";
}

TEST_F(CopyOutTest, ASecondCopyInOneCallAllocatesTheOldWay) {
  auto instance = instantiate("engine_copy_out", {&kGive, &kGiveTwice});
  ASSERT_NE(instance, nullptr);
  Result<uint64_t> r = call(*instance, "call_give_twice", {100, 104, 108, 112});
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r.value(), kOk);
  EXPECT_EQ(recorded_.refused, 1);
  EXPECT_EQ(copied(*instance, 100, 104), "hello");
  EXPECT_EQ(copied(*instance, 108, 112), "hello");
  EXPECT_EQ(call(*instance, "mallocs", {}).value(), 2u);
}

TEST_F(CopyOutTest, UnmarkedImportsAndModulesWithoutAnAllocatorDoNotDefer) {
  auto unmarked = instantiate("engine_copy_out", {&kGiveUnmarked, &kGiveTwice});
  ASSERT_NE(unmarked, nullptr);
  ASSERT_EQ(call(*unmarked, "call_give", {100, 104}).value(), kOk);
  EXPECT_EQ(copied(*unmarked, 100, 104), "hello");
  EXPECT_EQ(recorded_.deferred, 0);

  auto no_allocator = instantiate("engine_copy_out_no_allocator", {&kGive});
  ASSERT_NE(no_allocator, nullptr);
  Result<uint64_t> r = call(*no_allocator, "call_give", {100, 104});
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r.value(), kNoMemory) << "no malloc export: the old path finds nothing to call";
  EXPECT_EQ(recorded_.deferred, 0);
}

TEST(ImportWrapperModuleTest, IsAValidModuleForAnyMixOfImports) {
  using W = WrappedImport;
  const std::vector<std::vector<W>> cases = {
      {},
      {W{2, true, true, false, 0}},
      {W{5, true, true, false, 0}, W{3, true, true, false, 1}, W{12, true, true, false, 2}},
      // Fast ones: with and without a copy or a result, of every parameter count up to kFastParams,
      // beside one that is not fast.
      {W{3, true, false, true, 7}, W{5, true, true, true, 2}, W{0, false, false, true, 9}, W{3, false, false, true, 4},
       W{1, true, true, true, 3}, W{2, true, false, true, 5}, W{4, true, false, true, 6}, W{12, true, true, false, 8}},
  };
  for (const std::vector<W>& wrapped : cases) {
    auto compiled = v8Engine().compile(importWrapperModule(wrapped), "import-wrapper");
    ASSERT_TRUE(compiled.ok()) << compiled.message();
    const ModuleInfo& info = compiled.value()->info();
    const size_t fast_functions =  // one "host" "fast" for all of them
        std::any_of(wrapped.begin(), wrapped.end(), [](const W& w) { return w.fast; }) ? 1 : 0;
    const size_t first = fast_functions > 0 ? 1 : 0;  // the instance global comes first
    ASSERT_EQ(info.imports.size(), first + 1 + fast_functions + wrapped.size());
    if (fast_functions > 0) {
      EXPECT_EQ(info.imports[0].kind, ExternKind::Global);
    }
    EXPECT_EQ(info.imports[first].name, "complete");
    for (size_t k = 0; k < wrapped.size(); ++k) {
      const ImportInfo& host = info.imports[first + 1 + fast_functions + k];
      EXPECT_EQ(host.name, std::to_string(k));
      EXPECT_EQ(host.sig.params.size(), wrapped[k].params);
      const ExportInfo* wrapper = info.findExport(std::to_string(k));
      ASSERT_NE(wrapper, nullptr);
      EXPECT_EQ(wrapper->sig, host.sig);
    }
    EXPECT_NE(info.findExport("alloc"), nullptr);
  }
}

TEST(ImportWrapperModuleTest, TheFastTrampolineCallsItsImportWithTheSameSignature) {
  auto compiled = v8Engine().compile(fastTrampolineModule(), "fast-trampoline");
  ASSERT_TRUE(compiled.ok()) << compiled.message();
  const ModuleInfo& info = compiled.value()->info();
  ASSERT_EQ(info.imports.size(), 1u);
  EXPECT_EQ(info.imports[0].name, "fast");
  ASSERT_EQ(info.imports[0].sig.params.size(), kFastParams + 2);
  EXPECT_EQ(info.imports[0].sig.params[0], ValType::I64);
  const ExportInfo* fast = info.findExport("fast");
  ASSERT_NE(fast, nullptr);
  EXPECT_EQ(fast->sig, info.imports[0].sig);
}

}  // namespace
}  // namespace wasmgate::runtime
