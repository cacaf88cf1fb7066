// Host functions marked fast (HostFunction::fast) on a real module (tests/wat/engine_fast_calls.wat):
// they run through V8's fast API path (so V8 10.2 accepted the signature runtime/v8/v8_fast_api.h
// declares), with their arguments in order (over kFastParams of them, through the usual path), in the instance that called them, and with traps,
// copies too large to defer, re-entry attempts and grown memory handled as on the JS-API path.
#include <cstring>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/engine.h"
#include "runtime/guest_memory.h"
#include "tests/runtime/support/wat_modules.h"

namespace wasmgate::runtime {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr ValType I32 = ValType::I32;
constexpr uint32_t kOk = 0;
constexpr uint32_t kNoMemory = 99;

struct Recorded {
  std::string payload = "hello";
  int notes = 0;
  int gives = 0;
  int gave_fast = 0;  // give calls that came through the fast path
  std::string reenter_error;
};
Recorded& recordedOf(HostCall& call) { return *static_cast<Recorded*>(call.instance->userData()); }

// Weighted sums: a wrong argument order changes the answer.
void sum3(HostCall& c) { c.result = c.u32(0) + 2 * c.u32(1) + 3 * c.u32(2); }
template <uint32_t N>
void weightedSum(HostCall& c) {
  uint32_t sum = 0;
  for (uint32_t i = 0; i < N; ++i) sum += (i + 1) * c.u32(i);
  c.result = sum;
}
// Writes a word into the memory of the instance that called.
void mark(HostCall& c) { GuestMemory(*c.instance).store<uint32_t>(c.u32(0), c.u32(1)); }

// Copies `payload` out as VmState::copyOutWith does, with its answer to the fast path.
void give(HostCall& c) {
  Recorded& r = recordedOf(c);
  ++r.gives;
  if (c.fast) ++r.gave_fast;
  std::span<uint8_t> later = c.deferCopyOut(r.payload.size(), c.u32(0), c.u32(1), kNoMemory);
  if (!later.empty()) {
    std::memcpy(later.data(), r.payload.data(), r.payload.size());
    c.result = kOk;
    return;
  }
  if (c.fast) {
    c.retry = true;
    return;
  }
  auto address = c.instance->call(*c.instance->function("malloc"), {uint64_t{r.payload.size()}});
  GuestMemory memory(*c.instance);
  const bool ok = address.ok() && memory.write(address.value(), r.payload) &&
                  memory.store<uint32_t>(c.u32(0), uint32_t(address.value())) &&
                  memory.store<uint32_t>(c.u32(1), uint32_t(r.payload.size()));
  c.result = ok ? kOk : kNoMemory;
}

// Marked fast, yet calls into the guest: the engine refuses, and this traps with the refusal.
void reenter(HostCall& c) {
  auto r = c.instance->call(*c.instance->function("mallocs"), {});
  if (!r.ok()) c.trap("re-entry refused: " + r.message());
}

HostFunction fast(std::string_view name, size_t params, bool result, HostFn fn, bool copies_out = false) {
  HostFunction f{"env", name, {std::vector<ValType>(params, I32), {}}, fn, copies_out};
  if (result) f.sig.results.push_back(I32);
  f.fast = true;
  return f;
}

const HostFunction kSum3 = fast("sum3", 3, true, sum3);
const HostFunction kSum5 = fast("sum5", 5, true, weightedSum<5>);
// Marked fast, but with more parameters than the fast path takes: the usual path serves it.
const HostFunction kSum12 = fast("sum12", 12, true, weightedSum<12>);
const HostFunction kNote = fast("note", 0, false, [](HostCall& c) { ++recordedOf(c).notes; });
const HostFunction kMark = fast("mark", 2, false, mark);
const HostFunction kFail = fast("fail", 0, true, [](HostCall& c) { c.trap("the host says no"); });
const HostFunction kGive = fast("give", 2, true, give, /*copies_out=*/true);
const HostFunction kReenter = fast("reenter", 0, true, reenter);

class V8FastCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    worker_ = v8Engine().newWorker();
    auto compiled = v8Engine().compile(readWat("engine_fast_calls"), "engine_fast_calls");
    ASSERT_TRUE(compiled.ok()) << compiled.message();
    module_ = compiled.value();
  }

  std::unique_ptr<Instance> instantiate(Recorded& recorded) {
    const std::vector<const HostFunction*> imports = {&kSum3,  &kSum5, &kSum12, &kNote,
                                                      &kMark,  &kFail, &kGive,  &kReenter};
    auto instance = worker_->instantiate(*module_, imports);
    EXPECT_TRUE(instance.ok()) << instance.message();
    if (!instance.ok()) return nullptr;
    instance.value()->setUserData(&recorded);
    return std::move(instance).value();
  }

  static Result<uint64_t> call(Instance& instance, std::string_view name, std::initializer_list<uint64_t> args = {}) {
    std::optional<FunctionHandle> f = instance.function(name);
    if (!f) return makeError(std::string(name) + " is not exported");
    return instance.call(*f, args);
  }

  Recorded recorded_;
  std::unique_ptr<WorkerEngine> worker_;
  std::shared_ptr<const CompiledModule> module_;
};

TEST_F(V8FastCallTest, FastImportsRunThroughTheFastPathWithTheirArgumentsInOrder) {
  auto instance = instantiate(recorded_);
  ASSERT_NE(instance, nullptr);
  const uint64_t before = worker_->fastHostCalls();
  EXPECT_EQ(call(*instance, "call_sum3", {1, 10, 100}).value(), 1u + 20 + 300);
  EXPECT_EQ(call(*instance, "call_sum5").value(), 1u + 4 + 9 + 16 + 25);
  ASSERT_TRUE(call(*instance, "call_note").ok());
  EXPECT_EQ(recorded_.notes, 1);
  EXPECT_EQ(worker_->fastHostCalls() - before, 3u) << "V8 took the JS-API path instead";

  uint32_t want = 0;
  for (uint32_t i = 1; i <= 12; ++i) want += i * i;
  EXPECT_EQ(call(*instance, "call_sum12").value(), want);
  EXPECT_EQ(worker_->fastHostCalls() - before, 3u) << "12 parameters: not through the fast path";
}

TEST_F(V8FastCallTest, EachCallReachesTheInstanceThatMadeIt) {
  Recorded other;
  auto a = instantiate(recorded_);
  auto b = instantiate(other);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(call(*a, "call_mark", {64, 11}).ok());
  ASSERT_TRUE(call(*b, "call_mark", {64, 22}).ok());
  ASSERT_TRUE(call(*b, "call_note").ok());
  EXPECT_EQ(call(*a, "load", {64}).value(), 11u);
  EXPECT_EQ(call(*b, "load", {64}).value(), 22u);
  EXPECT_EQ(recorded_.notes, 0);
  EXPECT_EQ(other.notes, 1);

  // A third instance taking the place of the first: still its own.
  a.reset();
  auto c = instantiate(recorded_);
  ASSERT_TRUE(call(*c, "call_mark", {64, 33}).ok());
  EXPECT_EQ(call(*c, "load", {64}).value(), 33u);
  EXPECT_EQ(call(*b, "load", {64}).value(), 22u);
}

TEST_F(V8FastCallTest, MemoryGrownBetweenCallsIsSeen) {
  auto instance = instantiate(recorded_);
  ASSERT_NE(instance, nullptr);
  const uint64_t past_first_page = 65536 + 128;
  ASSERT_TRUE(call(*instance, "call_mark", {past_first_page, 5}).ok()) << "out of bounds: ignored";
  ASSERT_EQ(call(*instance, "grow", {1}).value(), 1u);
  ASSERT_TRUE(call(*instance, "call_mark", {past_first_page, 5}).ok());
  EXPECT_EQ(call(*instance, "load", {past_first_page}).value(), 5u);
}

// Hundreds of host calls in one call into the guest, with memory growing between them: each sees
// the memory as it is (views past the first 256 of a call take a HandleScope of their own).
TEST_F(V8FastCallTest, ManyHostCallsInOneCallSeeTheMemoryAsItGrows) {
  auto instance = instantiate(recorded_);
  ASSERT_NE(instance, nullptr);
  ASSERT_TRUE(call(*instance, "mark_while_growing", {1000}).ok());
  // Memory grew to 17 pages; the last mark before each growth is on the last word of its size.
  for (uint64_t pages = 2; pages <= 17; ++pages) {
    const uint64_t last_mark = std::min<uint64_t>(64 * (pages - 2) + 63, 999);
    EXPECT_EQ(call(*instance, "load", {pages * 65536 - 4}).value(), last_mark) << pages << " pages";
  }
}

TEST_F(V8FastCallTest, ATrapFailsTheCallWithTheHostsMessageAndLeavesNothingBehind) {
  auto instance = instantiate(recorded_);
  ASSERT_NE(instance, nullptr);
  Result<uint64_t> r = call(*instance, "call_fail");
  ASSERT_FALSE(r.ok()) << "the guest went on after the trap";
  EXPECT_EQ(r.message(), "the host says no");
  EXPECT_EQ(call(*instance, "call_sum3", {1, 1, 1}).value(), 6u);
  Result<uint64_t> guest_trap = call(*instance, "trap");
  ASSERT_FALSE(guest_trap.ok());
  EXPECT_THAT(guest_trap.message(), Not(HasSubstr("the host says no")));
}

TEST_F(V8FastCallTest, ASmallCopyIsDeferredOnTheFastPath) {
  auto instance = instantiate(recorded_);
  ASSERT_NE(instance, nullptr);
  ASSERT_EQ(call(*instance, "call_give", {100, 104}).value(), kOk);
  EXPECT_EQ(recorded_.gives, 1);
  EXPECT_EQ(recorded_.gave_fast, 1);
  EXPECT_EQ(call(*instance, "mallocs").value(), 1u);
  GuestMemory memory(*instance);
  const uint32_t address = memory.load<uint32_t>(100).value_or(0);
  EXPECT_EQ(memory.read(address, memory.load<uint32_t>(104).value_or(0)).value_or(""), "hello");
}

TEST_F(V8FastCallTest, ACopyTooLargeToDeferIsMadeAgainTheUsualWay) {
  auto instance = instantiate(recorded_);
  ASSERT_NE(instance, nullptr);
  recorded_.payload = std::string(8 * 1024, 'b');  // over the 4 KB the engine defers
  ASSERT_EQ(call(*instance, "call_give", {100, 104}).value(), kOk);
  EXPECT_EQ(recorded_.gives, 2) << "once on the fast path (answered retry), once on the JS-API path";
  EXPECT_EQ(recorded_.gave_fast, 1);
  EXPECT_EQ(call(*instance, "mallocs").value(), 1u);
  GuestMemory memory(*instance);
  const uint32_t address = memory.load<uint32_t>(100).value_or(0);
  EXPECT_EQ(memory.read(address, memory.load<uint32_t>(104).value_or(0)).value_or(""), recorded_.payload);
}

TEST_F(V8FastCallTest, AFastHostFunctionCannotCallIntoTheGuest) {
  auto instance = instantiate(recorded_);
  ASSERT_NE(instance, nullptr);
  Result<uint64_t> r = call(*instance, "call_reenter");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.message(), HasSubstr("re-entry refused: a fast host function cannot call into the guest"));
  EXPECT_EQ(call(*instance, "mallocs").value(), 0u);
}

}  // namespace
}  // namespace wasmgate::runtime
