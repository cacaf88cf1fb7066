// WASI functions through the real V8 engine: tests/wat/wasi_calls.wat imports every WASI function
// and exports a wrapper of the same name, so each call below goes guest -> host for real. The
// GuestHost is a small recorder set as the instance's userData.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "runtime/engine.h"
#include "runtime/guest_host.h"
#include "runtime/wasi.h"

namespace wasmgate::runtime {
namespace {

constexpr uint32_t kEbadf = 8, kEfault = 21, kEinval = 28, kEnoent = 44, kEnosys = 52, kEnotdir = 20,
                   kEnotsup = 58;

class RecordingHost : public GuestHost {
 public:
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::pair<int, std::string>> writes;

  const std::vector<std::pair<std::string, std::string>>& environment() const override { return env; }
  void writeStdio(int fd, std::string_view text) override { writes.emplace_back(fd, std::string(text)); }
};

std::vector<uint8_t> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Binds each import of `module` to the WASI function of the same module/name and signature.
std::vector<const HostFunction*> bindWasi(const CompiledModule& module) {
  std::vector<const HostFunction*> bound;
  for (const ImportInfo& imp : module.info().imports) {
    const HostFunction* match = nullptr;
    for (const HostFunction& f : wasiFunctions()) {
      if (f.module == imp.module && f.name == imp.name) match = &f;
    }
    EXPECT_NE(match, nullptr) << imp.module << "." << imp.name;
    if (match) {
      EXPECT_EQ(toString(match->sig), toString(imp.sig)) << imp.name;
    }
    bound.push_back(match);
  }
  return bound;
}

class WasiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto bytes = readFile(WASMGATE_WAT_DIR "/wasi_calls.wasm");
    ASSERT_FALSE(bytes.empty()) << "wasi_calls.wasm was not built";
    auto compiled = v8Engine().compile(bytes, "wasi_calls.wasm");
    ASSERT_TRUE(compiled.ok()) << compiled.message();
    module_ = compiled.value();
    worker_ = v8Engine().newWorker();
    auto imports = bindWasi(*module_);
    auto inst = worker_->instantiate(*module_, imports);
    ASSERT_TRUE(inst.ok()) << inst.message();
    instance_ = std::move(inst.value());
    instance_->setUserData(static_cast<GuestHost*>(&host_));
  }

  // Calls the exported wrapper `name`; returns its errno, failing the test if the call trapped.
  uint32_t call(std::string_view name, std::initializer_list<uint64_t> args) {
    auto r = tryCall(name, args);
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.message());
    return r.ok() ? static_cast<uint32_t>(r.value()) : ~0u;
  }
  Result<uint64_t> tryCall(std::string_view name, std::initializer_list<uint64_t> args) {
    auto f = instance_->function(name);
    if (!f) return makeError(std::string("no export ") + std::string(name));
    return instance_->call(*f, args);
  }

  uint8_t* mem() { return instance_->memory().data(); }
  uint32_t memSize() { return static_cast<uint32_t>(instance_->memory().size()); }
  template <typename T>
  T load(uint32_t at) {
    T v;
    std::memcpy(&v, mem() + at, sizeof v);
    return v;
  }
  template <typename T>
  void store(uint32_t at, T v) {
    std::memcpy(mem() + at, &v, sizeof v);
  }
  void put(uint32_t at, std::string_view s) { std::memcpy(mem() + at, s.data(), s.size()); }
  std::string get(uint32_t at, size_t n) { return std::string(reinterpret_cast<char*>(mem()) + at, n); }
  void iovec(uint32_t at, uint32_t buf, uint32_t len) {
    store<uint32_t>(at, buf);
    store<uint32_t>(at + 4, len);
  }

  RecordingHost host_;
  std::shared_ptr<const CompiledModule> module_;
  std::unique_ptr<WorkerEngine> worker_;
  std::unique_ptr<Instance> instance_;
};

TEST(WasiTable, EveryFunctionUnderBothModuleNames) {
  std::set<std::string> preview1, unstable;
  for (const HostFunction& f : wasiFunctions()) {
    auto& names = f.module == "wasi_snapshot_preview1" ? preview1 : unstable;
    EXPECT_TRUE(f.module == "wasi_snapshot_preview1" || f.module == "wasi_unstable") << f.module;
    EXPECT_TRUE(names.insert(std::string(f.name)).second) << "duplicate " << f.name;
    ASSERT_NE(f.fn, nullptr) << f.name;
  }
  EXPECT_EQ(preview1.size(), 46u);
  EXPECT_EQ(preview1, unstable);
  for (const char* name : {"fd_write", "poll_oneoff", "proc_exit", "fd_prestat_get", "clock_time_get",
                           "random_get", "environ_get", "path_open", "sock_shutdown"}) {
    EXPECT_TRUE(preview1.count(name)) << name;
  }
}

TEST_F(WasiTest, FdWriteDeliversStdoutAndStderrAndCountsBytes) {
  put(1000, "hello ");
  put(1100, "world\n");
  iovec(200, 1000, 6);
  iovec(208, 1100, 6);
  EXPECT_EQ(call("fd_write", {1, 200, 2, 300}), 0u);
  EXPECT_EQ(load<uint32_t>(300), 12u);
  EXPECT_EQ(call("fd_write", {2, 200, 1, 300}), 0u);
  EXPECT_EQ(load<uint32_t>(300), 6u);
  ASSERT_EQ(host_.writes.size(), 2u);
  EXPECT_EQ(host_.writes[0], (std::pair<int, std::string>{1, "hello world\n"}));
  EXPECT_EQ(host_.writes[1], (std::pair<int, std::string>{2, "hello "}));
}

TEST_F(WasiTest, FdWriteOtherDescriptorsAreEbadf) {
  put(1000, "x");
  iovec(200, 1000, 1);
  for (uint32_t fd : {0u, 3u, 1000u}) EXPECT_EQ(call("fd_write", {fd, 200, 1, 300}), kEbadf) << fd;
  EXPECT_TRUE(host_.writes.empty());
}

TEST_F(WasiTest, FdWriteBadPointersAreEfaultAndDeliverNothing) {
  put(1000, "ok");
  iovec(200, 1000, 2);
  iovec(208, memSize() - 1, 2);  // second buffer runs past the end
  EXPECT_EQ(call("fd_write", {1, 200, 2, 300}), kEfault);
  EXPECT_EQ(call("fd_write", {1, memSize() - 4, 1, 300}), kEfault);  // iovec array past the end
  EXPECT_EQ(call("fd_write", {1, 200, 0xffffffffu, 300}), kEfault);  // absurd count
  EXPECT_EQ(call("fd_write", {1, 200, 1, 0xfffffff0u}), kEfault);    // nwritten out of memory
  iovec(208, 0x80000000u, 1);                                        // pointer >= 2^31
  EXPECT_EQ(call("fd_write", {1, 208, 1, 300}), kEfault);
  EXPECT_TRUE(host_.writes.empty());
}

TEST_F(WasiTest, FdWriteOfHugeIovecsIsAShortWrite) {
  constexpr uint32_t kChunk = 64 * 1024;
  for (uint32_t i = 0; i < 20; ++i) iovec(200 + 8 * i, 4096, kChunk);  // 1.25 MiB in total
  EXPECT_EQ(call("fd_write", {1, 200, 20, 300}), 0u);
  EXPECT_EQ(load<uint32_t>(300), 1u << 20);
  ASSERT_EQ(host_.writes.size(), 1u);
  EXPECT_EQ(host_.writes[0].second.size(), 1u << 20);
}

TEST_F(WasiTest, FdPwriteWritesLikeFdWrite) {
  put(1000, "p");
  iovec(200, 1000, 1);
  EXPECT_EQ(call("fd_pwrite", {2, 200, 1, 1ull << 40, 300}), 0u);
  EXPECT_EQ(load<uint32_t>(300), 1u);
  EXPECT_EQ(call("fd_pwrite", {5, 200, 1, 0, 300}), kEbadf);
  ASSERT_EQ(host_.writes.size(), 1u);
  EXPECT_EQ(host_.writes[0], (std::pair<int, std::string>{2, "p"}));
}

TEST_F(WasiTest, ReadsSeeksAndCloses) {
  EXPECT_EQ(call("fd_read", {0, 200, 1, 300}), kEnosys);
  EXPECT_EQ(call("fd_pread", {0, 200, 1, 7, 300}), kEnosys);
  EXPECT_EQ(call("fd_seek", {1, static_cast<uint64_t>(-5), 2, 300}), 0u);
  EXPECT_EQ(call("fd_close", {1}), 0u);
}

TEST_F(WasiTest, FdstatOfStdioIsWriteOnly) {
  std::memset(mem() + 400, 0xaa, 24);
  EXPECT_EQ(call("fd_fdstat_get", {1, 400}), 0u);
  EXPECT_EQ(load<uint8_t>(400), 0u);    // filetype as Higress reports it
  EXPECT_EQ(load<uint16_t>(402), 0u);   // flags
  EXPECT_EQ(load<uint64_t>(408), 64u);  // rights_base = FD_WRITE
  EXPECT_EQ(load<uint64_t>(416), 0u);
  EXPECT_EQ(call("fd_fdstat_get", {2, 400}), 0u);
  EXPECT_EQ(call("fd_fdstat_get", {0, 400}), kEbadf);
  EXPECT_EQ(call("fd_fdstat_get", {3, 400}), kEbadf);
  EXPECT_EQ(call("fd_fdstat_get", {1, memSize() - 8}), kEfault);
  EXPECT_EQ(call("fd_fdstat_set_flags", {1, 4}), kEnosys);
  EXPECT_EQ(call("fd_fdstat_set_rights", {1, 64, 0}), 0u);
  EXPECT_EQ(call("fd_fdstat_set_rights", {7, 64, 0}), kEbadf);
}

TEST_F(WasiTest, NoPreopensSoGoScanStopsAtFd3) {
  EXPECT_EQ(call("fd_prestat_get", {3, 400}), kEbadf);  // Go panics on anything but EBADF here
  EXPECT_EQ(call("fd_prestat_get", {4, 400}), kEbadf);
  EXPECT_EQ(call("fd_prestat_dir_name", {3, 400, 10}), kEnosys);
  EXPECT_EQ(call("fd_filestat_get", {1, 400}), kEbadf);
}

TEST_F(WasiTest, FdStubs) {
  EXPECT_EQ(call("fd_advise", {9, 0, 10, 1}), 0u);
  for (std::string_view name : {"fd_datasync", "fd_sync"}) {
    EXPECT_EQ(call(name, {1}), 0u) << name;
    EXPECT_EQ(call(name, {3}), kEbadf) << name;
  }
  EXPECT_EQ(call("fd_allocate", {2, 0, 100}), 0u);
  EXPECT_EQ(call("fd_allocate", {3, 0, 100}), kEbadf);
  EXPECT_EQ(call("fd_filestat_set_size", {1, 5}), 0u);
  EXPECT_EQ(call("fd_filestat_set_times", {4, 1, 2, 3}), kEbadf);
  store<uint32_t>(300, 77);
  EXPECT_EQ(call("fd_readdir", {3, 400, 64, 0, 300}), kEnotdir);
  EXPECT_EQ(load<uint32_t>(300), 0u);
  EXPECT_EQ(call("fd_readdir", {3, 400, 64, 0, memSize()}), kEfault);
  EXPECT_EQ(call("fd_renumber", {1, 2}), kEnotsup);
  EXPECT_EQ(call("fd_renumber", {1, 5}), kEbadf);
  store<uint64_t>(304, 99);
  EXPECT_EQ(call("fd_tell", {1, 304}), 0u);
  EXPECT_EQ(load<uint64_t>(304), 0u);
  EXPECT_EQ(call("fd_tell", {6, 304}), kEbadf);
  EXPECT_EQ(call("fd_tell", {1, memSize() - 4}), kEfault);
}

TEST_F(WasiTest, EnvironComesFromTheGuestHost) {
  host_.env = {{"A", "1"}, {"PATH", "/x"}};
  EXPECT_EQ(call("environ_sizes_get", {100, 104}), 0u);
  EXPECT_EQ(load<uint32_t>(100), 2u);
  EXPECT_EQ(load<uint32_t>(104), 12u);  // "A=1\0" + "PATH=/x\0"
  EXPECT_EQ(call("environ_get", {200, 1000}), 0u);
  EXPECT_EQ(load<uint32_t>(200), 1000u);
  EXPECT_EQ(load<uint32_t>(204), 1004u);
  EXPECT_EQ(get(1000, 12), std::string("A=1\0PATH=/x\0", 12));

  std::memset(mem() + 2000, 0x55, 16);
  EXPECT_EQ(call("environ_get", {2000, memSize() - 4}), kEfault);  // buffer too short: nothing written
  EXPECT_EQ(load<uint32_t>(2000), 0x55555555u);
  EXPECT_EQ(call("environ_sizes_get", {100, memSize()}), kEfault);
  EXPECT_EQ(call("unstable_environ_get", {200, 1000}), 0u);
}

TEST_F(WasiTest, EmptyEnvironAndArgs) {
  store<uint32_t>(100, 9);
  store<uint32_t>(104, 9);
  EXPECT_EQ(call("environ_sizes_get", {100, 104}), 0u);
  EXPECT_EQ(load<uint32_t>(100), 0u);
  EXPECT_EQ(load<uint32_t>(104), 0u);
  EXPECT_EQ(call("environ_get", {0xfffffff0u, 0xfffffff0u}), 0u);  // nothing to write
  store<uint32_t>(100, 9);
  store<uint32_t>(104, 9);
  EXPECT_EQ(call("args_sizes_get", {100, 104}), 0u);
  EXPECT_EQ(load<uint32_t>(100), 0u);
  EXPECT_EQ(load<uint32_t>(104), 0u);
  EXPECT_EQ(call("args_sizes_get", {memSize(), 104}), kEfault);
  EXPECT_EQ(call("args_get", {100, 104}), 0u);
}

TEST_F(WasiTest, ClocksRealtimeAndMonotonic) {
  auto wall = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch()).count());
  EXPECT_EQ(call("clock_time_get", {0, 1ull << 40, 512}), 0u);  // large i64 precision crosses fine
  uint64_t realtime = load<uint64_t>(512);
  EXPECT_LT(realtime > wall ? realtime - wall : wall - realtime, 5'000'000'000ull);
  EXPECT_EQ(call("clock_time_get", {1, 0, 520}), 0u);
  uint64_t mono1 = load<uint64_t>(520);
  EXPECT_EQ(call("clock_time_get", {1, 0, 520}), 0u);
  EXPECT_GE(load<uint64_t>(520), mono1);
  EXPECT_GT(mono1, 0u);
  EXPECT_EQ(call("clock_time_get", {2, 0, 520}), kEnotsup);  // process CPU time
  EXPECT_EQ(call("clock_time_get", {3, 0, 520}), kEnotsup);
  EXPECT_EQ(call("clock_time_get", {99, 0, 520}), kEnotsup);
  EXPECT_EQ(call("clock_time_get", {0, 0, memSize() - 7}), kEfault);
  EXPECT_EQ(call("clock_res_get", {1, 528}), 0u);
  EXPECT_EQ(load<uint64_t>(528), 1u);
  EXPECT_EQ(call("clock_res_get", {2, 528}), kEnotsup);
  EXPECT_EQ(call("clock_res_get", {0, 0xffffffffu}), kEfault);
}

TEST_F(WasiTest, RandomGetFillsFromARealSource) {
  std::memset(mem() + 1000, 0, 128);
  EXPECT_EQ(call("random_get", {1000, 64}), 0u);
  EXPECT_EQ(call("random_get", {1064, 64}), 0u);
  EXPECT_NE(get(1000, 64), std::string(64, '\0'));
  EXPECT_NE(get(1000, 64), get(1064, 64));
  EXPECT_EQ(call("random_get", {4096, 64 * 1024}), 0u);
  EXPECT_EQ(call("random_get", {4096, 64 * 1024 + 1}), kEinval);
  EXPECT_EQ(call("random_get", {4096, 0}), 0u);
  EXPECT_EQ(call("random_get", {memSize() - 10, 11}), kEfault);
}

TEST_F(WasiTest, PollOneoffFiresEverySubscriptionAtOnce) {
  // Three preview1 subscriptions (48 bytes each): a 1 h clock, a write to stdout, a read of stdin.
  std::memset(mem() + 1000, 0, 48 * 3);
  store<uint64_t>(1000, 0x1122334455667788ull);
  store<uint8_t>(1008, 0);  // clock
  store<uint32_t>(1016, 1);
  store<uint64_t>(1024, 3'600'000'000'000ull);
  store<uint64_t>(1048, 7);
  store<uint8_t>(1056, 2);  // fd_write
  store<uint32_t>(1064, 1);
  store<uint64_t>(1096, 8);
  store<uint8_t>(1104, 1);  // fd_read
  store<uint32_t>(1112, 0);
  std::memset(mem() + 2000, 0xee, 32 * 3);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(call("poll_oneoff", {1000, 2000, 3, 300}), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));  // never sleeps
  EXPECT_EQ(load<uint32_t>(300), 3u);
  EXPECT_EQ(load<uint64_t>(2000), 0x1122334455667788ull);
  EXPECT_EQ(load<uint16_t>(2008), 0u);
  EXPECT_EQ(load<uint8_t>(2010), 0u);
  EXPECT_EQ(load<uint64_t>(2032), 7u);
  EXPECT_EQ(load<uint16_t>(2040), 0u);
  EXPECT_EQ(load<uint8_t>(2042), 2u);
  EXPECT_EQ(load<uint64_t>(2064), 8u);
  EXPECT_EQ(load<uint16_t>(2072), kEbadf);
  EXPECT_EQ(load<uint8_t>(2074), 1u);
}

TEST_F(WasiTest, PollOneoffUnstableRecordsAre56Bytes) {
  std::memset(mem() + 1000, 0, 56 * 2);
  store<uint64_t>(1000, 41);
  store<uint8_t>(1008, 0);  // clock
  store<uint64_t>(1056, 42);
  store<uint8_t>(1064, 0);  // clock, second record at +56
  EXPECT_EQ(call("unstable_poll_oneoff", {1000, 2000, 2, 300}), 0u);
  EXPECT_EQ(load<uint32_t>(300), 2u);
  EXPECT_EQ(load<uint64_t>(2000), 41u);
  EXPECT_EQ(load<uint64_t>(2032), 42u);
  EXPECT_EQ(load<uint8_t>(2042), 0u);
}

TEST_F(WasiTest, PollOneoffBoundsAndEmpty) {
  store<uint32_t>(300, 5);
  EXPECT_EQ(call("poll_oneoff", {1000, 2000, 0, 300}), 0u);
  EXPECT_EQ(load<uint32_t>(300), 0u);
  EXPECT_EQ(call("poll_oneoff", {memSize() - 40, 2000, 1, 300}), kEfault);
  EXPECT_EQ(call("poll_oneoff", {1000, memSize() - 16, 1, 300}), kEfault);
  EXPECT_EQ(call("poll_oneoff", {1000, 2000, 0x10000000u, 300}), kEfault);
  EXPECT_EQ(call("poll_oneoff", {1000, 2000, 1, memSize()}), kEfault);
}

TEST_F(WasiTest, ProcExitEndsTheCallWithItsCode) {
  auto r = tryCall("proc_exit", {3});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("proc_exit(3)"), std::string::npos) << r.message();
  auto u = tryCall("unstable_proc_exit", {0});
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.message().find("proc_exit(0)"), std::string::npos) << u.message();
  EXPECT_EQ(call("sched_yield", {}), 0u);  // the instance is still callable
  EXPECT_EQ(call("proc_raise", {6}), kEnosys);
}

TEST_F(WasiTest, PathAndSocketStubs) {
  EXPECT_EQ(call("path_open", {3, 0, 1000, 4, 0, ~0ull, ~0ull, 0, 300}), kEnoent);
  EXPECT_EQ(call("path_filestat_get", {3, 0, 1000, 4, 400}), kEnotsup);
  EXPECT_EQ(call("path_filestat_set_times", {3, 0, 1000, 4, 1, 2, 0}), kEnotsup);
  for (std::string_view name : {"path_create_directory", "path_remove_directory", "path_unlink_file"}) {
    EXPECT_EQ(call(name, {3, 1000, 4}), kEnotsup) << name;
  }
  EXPECT_EQ(call("path_link", {3, 0, 1000, 4, 3, 1100, 4}), kEnotsup);
  EXPECT_EQ(call("path_rename", {3, 1000, 4, 3, 1100, 4}), kEnotsup);
  EXPECT_EQ(call("path_symlink", {1000, 4, 3, 1100, 4}), kEnotsup);
  store<uint32_t>(300, 9);
  EXPECT_EQ(call("path_readlink", {3, 1000, 4, 1100, 10, 300}), kEnotsup);
  EXPECT_EQ(load<uint32_t>(300), 0u);
  EXPECT_EQ(call("path_readlink", {3, 1000, 4, 1100, 10, memSize()}), kEfault);
  store<uint32_t>(300, 9);
  EXPECT_EQ(call("sock_accept", {3, 0, 300}), kEnotsup);
  EXPECT_EQ(load<uint32_t>(300), 0u);
  store<uint32_t>(300, 9);
  store<uint16_t>(304, 9);
  EXPECT_EQ(call("sock_recv", {3, 1000, 1, 0, 300, 304}), kEnotsup);
  EXPECT_EQ(load<uint32_t>(300), 0u);
  EXPECT_EQ(load<uint16_t>(304), 0u);
  EXPECT_EQ(call("sock_recv", {3, 1000, 1, 0, 300, memSize() - 1}), kEfault);
  EXPECT_EQ(call("sock_send", {3, 1000, 1, 0, 300}), kEnotsup);
  EXPECT_EQ(call("sock_send", {3, 1000, 1, 0, memSize()}), kEfault);
  EXPECT_EQ(call("sock_shutdown", {3, 2}), kEnotsup);
}

TEST_F(WasiTest, UnstableFdWriteIsTheSameFunction) {
  put(1000, "u");
  iovec(200, 1000, 1);
  EXPECT_EQ(call("unstable_fd_write", {1, 200, 1, 300}), 0u);
  ASSERT_EQ(host_.writes.size(), 1u);
  EXPECT_EQ(host_.writes[0].second, "u");
}

}  // namespace
}  // namespace wasmgate::runtime
