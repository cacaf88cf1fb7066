// TestHost: runs a plugin's real .wasm in the wasmgate runtime (V8) -- or the same plugin built
// natively, for debugging -- behind a simulated Higress gateway, for unit tests (the C++
// counterpart of Higress's Go pkg/test). It starts the plugin with a configuration, makes
// HttpStreams, and plays every other part of the gateway: it holds the plugin's outbound HTTP and
// Redis calls until the test answers them, plays the plugin's clocks and fires ticks on them,
// keeps shared data, queues and metrics in memory, records log lines and foreign-function calls,
// and reports VM failure so a test can rebuild the VM.
//
// Public header (plugin authors' tests). A TestHost and everything it hands out belong to the
// thread that loaded it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <wasmgate/testing/http_stream.h>
#include <wasmgate/testing/types.h>

namespace wasmgate::testing {

class HostState;        // harness-internal
class SharedDataStore;  // shared data and queues; share one between TestHosts to play two workers

struct LoadOptions {
  std::string name = {};              // plugin_name and log label; default: the file's stem, or "plugin"
  std::string root_id = {};           // plugin_root_id; default: name
  std::string vm_id = {};             // shared-data and queue namespace ("" as under Higress)
  std::string vm_configuration = {};  // buffer 6 during proxy_on_vm_start
  Headers env = {};                   // WASI environment variables
  bool fail_open = false;             // a failed VM lets requests through instead of answering 503
  // What proxy_get_log_level and the foreign get_log_level answer; lower lines are dropped.
  LogLevel log_level = LogLevel::Trace;
  std::vector<std::string> clusters = {};  // clusters that exist for http/redis calls; empty: all
  std::shared_ptr<SharedDataStore> shared_data = {};  // null: a store of this host's own
  bool echo_logs = false;             // also print log lines to stderr (or set WASMGATE_TEST_LOGS=1)
};

class TestHost {
 public:
  // Compiles the module, starts a VM and the plugin with `configuration` (buffer 7; JSON for
  // Higress plugins). Fails with the reason (and the plugin's warnings and errors) if the module
  // does not load or the plugin rejects the configuration.
  static Result<TestHost> load(const std::string& wasm_path, std::string configuration = "",
                               LoadOptions options = {});
  // The same, with a configuration built by configWithRules() (its error, if any, is the result).
  static Result<TestHost> load(const std::string& wasm_path, const Result<std::string>& configuration,
                               LoadOptions options = {});
  static Result<TestHost> loadBytes(std::span<const uint8_t> wasm, std::string configuration = "",
                                    LoadOptions options = {});
  // The same plugin built natively as a shared library (wasmgate_add_native_plugin), run on the
  // same simulated host, so it can be debugged with gdb (docs/testing.md). The test executable
  // must link wasmgate_testing (which exports the proxy_* functions the library imports).
  static Result<TestHost> loadNative(const std::string& library_path, std::string configuration = "",
                                     LoadOptions options = {});
  static Result<TestHost> loadNative(const std::string& library_path, const Result<std::string>& configuration,
                                     LoadOptions options = {});

  TestHost(TestHost&&) noexcept;
  TestHost& operator=(TestHost&&) noexcept;
  ~TestHost();

  // A new simulated request on the current plugin configuration.
  HttpStream newHttp();

  // A configuration change: starts a new root context with `configuration` and retires the old
  // one, on the same VM (as Envoy does). Later streams use the new one.
  Status reconfigure(std::string configuration);

  // VM failure (trap, proc_exit, failed start): every later callback fails at once.
  bool failed() const;
  const std::string& failure() const;
  // A fresh VM from the same module, started with the current configuration (Higress's recovery).
  // Pending calls and ticks of the old VM are dropped; shared data and metrics stay.
  Status rebuild();
  // The plugin asked for a rebuild (property wasm_need_rebuild = "true").
  bool rebuildRequested() const;

  // Outbound HTTP calls not answered yet, oldest first. A snapshot (a copy, since answering a
  // call changes the list): keep it in a variable, never bind a reference to one of its elements.
  std::vector<HttpCall> httpCalls() const;
  Status respondHttpCall(uint32_t token, const HttpCallReply& reply);
  Status respondHttpCall(const HttpCallReply& reply);  // the oldest pending call
  // The call fails without a response (connection reset): the plugin sees 0 headers.
  Status failHttpCall(uint32_t token);
  Status failHttpCall();

  // Redis: inits so far, and calls not answered yet (oldest first). Snapshots, as httpCalls().
  std::vector<RedisInit> redisInits() const;
  std::vector<RedisCall> redisCalls() const;
  Status respondRedisCall(uint32_t token, std::string_view reply);  // raw RESP, see resp.h
  Status respondRedisCall(std::string_view reply);
  Status failRedisCall(uint32_t token);  // network error
  Status failRedisCall();

  // Time is virtual: the plugin's clocks (proxy_get_current_time_nanoseconds, WASI realtime and
  // monotonic) move only when the test moves them. The wall clock starts at
  // 2024-01-01T00:00:00Z; setTime() moves it (and only it: no tick fires). advance() moves all
  // clocks forward and fires each tick whose period elapses on the way, with the clock at the
  // tick's due time; ticks are re-armed after each tick. tick() fires every armed tick now.
  uint32_t tickPeriodMs() const;  // of the current configuration; 0: no tick
  Status tick();
  Status advance(std::chrono::nanoseconds by);
  Status advanceTime(uint64_t ms);  // advance(milliseconds(ms))
  void setTime(std::chrono::system_clock::time_point wall_time);
  std::chrono::system_clock::time_point now() const;  // the plugin's wall clock
  uint64_t nowMs() const;  // virtual time elapsed since load, in ms

  // Shared data and queues (namespace LoadOptions::vm_id).
  std::optional<SharedValue> sharedData(std::string_view key) const;
  Status setSharedData(std::string_view key, std::string_view value, uint32_t cas = 0);
  // Enqueues as another VM would; the registering plugin gets proxy_on_queue_ready.
  Status enqueue(std::string_view queue_name, std::string_view data);
  std::vector<std::string> queueItems(std::string_view queue_name) const;  // not dequeued yet
  const std::shared_ptr<SharedDataStore>& sharedDataStore() const;

  // Metrics by the name the plugin defined (Envoy adds the prefix "wasmcustom.").
  std::optional<uint64_t> metric(std::string_view name) const;  // counter or gauge
  std::vector<uint64_t> histogram(std::string_view name) const;  // recorded values
  std::vector<std::string> metricNames() const;

  // The plugin's log lines at or above the log level, in order.
  const std::vector<LogLine>& logs() const;
  bool hasLog(std::string_view text) const;  // some line contains `text`
  bool hasLog(LogLevel level, std::string_view text) const;
  std::string logDump() const;  // every line, for failure messages
  void clearLogs();
  void setLogLevel(LogLevel level);
  LogLevel logLevel() const;

  // Foreign functions: calls so far; set_global_max_requests_per_io_cycle's last value; and
  // functions the test serves (get_log_level is served by the runtime from logLevel()).
  std::vector<ForeignCall> foreignCalls() const;
  std::optional<uint64_t> maxRequestsPerIoCycle() const;
  void registerForeignFunction(std::string name, std::function<std::string(std::string_view argument)> function);

  // Properties readable outside streams too (root context), e.g. node metadata.
  void setProperty(std::initializer_list<std::string_view> path, std::string value);

  // The plugin's root context id (current configuration).
  uint32_t rootContextId() const;

 private:
  explicit TestHost(std::unique_ptr<HostState> state);
  std::unique_ptr<HostState> state_;
};

}  // namespace wasmgate::testing
