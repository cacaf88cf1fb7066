// A proxy-wasm VM: one instance of a plugin module on one worker, with its root contexts (one per
// plugin configuration) and stream contexts (one per HTTP stream), driven the way Envoy's wasm
// host drives it.
//
// Public header. Thread affinity: a WasmVm belongs to the thread of its WorkerEngine.
//
// Lifecycle: create() instantiates and runs _initialize (reactor) or _start (command).
// startPlugin() creates a root context and runs proxy_on_context_create, proxy_on_vm_start and
// proxy_on_configure. createStream() + on*() run a stream; finishStream() runs proxy_on_log,
// proxy_on_done and proxy_on_delete. A configuration change is a new startPlugin(); the old root
// is retired with retirePlugin().
//
// Failure: a trap, proc_exit, termination or a failed start marks the VM failed (failed() and
// failure() say why, naming the plugin); every later call fails at once. The owner builds a
// fresh WasmVm from the same CompiledModule to recover.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <wasmgate/abi.h>

#include "common/function_ref.h"
#include "common/result.h"
#include "runtime/engine.h"
#include "runtime/host.h"

namespace wasmgate::runtime {

struct VmConfig {
  std::string name;              // plugin name, used in every error and log line
  std::string vm_id;             // shared-data and queue namespace ("" under Higress)
  std::string vm_configuration;  // buffer 6 during proxy_on_vm_start
  std::vector<std::pair<std::string, std::string>> env;  // WASI environ
  VmServices services;
  ClockHost* clock = nullptr;  // the plugin's clocks; nullptr: the system clocks
};

struct PluginConfig {
  std::string name;           // plugin_name property
  std::string root_id;        // plugin_root_id property
  std::string configuration;  // buffer 7 during proxy_on_configure (JSON for Higress plugins)
};

struct HttpCallResponse {
  Pairs headers;   // includes :status; empty when the call failed (no connection, reset)
  std::string body;
  Pairs trailers;
};

class VmState;  // runtime-internal state behind the host functions

// Note: inside wasmgate::runtime, plain `Status` is abi::Status (host.h); the VM's own results are
// wasmgate::Status (Result<void>), which carries the error message.

class WasmVm {
 public:
  static Result<std::unique_ptr<WasmVm>> create(WorkerEngine& engine,
                                                std::shared_ptr<const CompiledModule> module,
                                                VmConfig config);
  ~WasmVm();

  const std::string& name() const;
  abi::AbiVersion abiVersion() const;
  bool failed() const;
  const std::string& failure() const;  // "plugin 'x': trap in proxy_on_request_headers: unreachable"

  // Root contexts. startPlugin returns the root context id, or why the plugin refused to start
  // (proxy_on_configure returned false, or it trapped).
  Result<uint32_t> startPlugin(const PluginConfig& plugin);
  // proxy_on_done, then proxy_on_delete (after proxy_done, if on_done answered false).
  void retirePlugin(uint32_t root_id);

  // Stream contexts; ids come from the VM's one counter. `host` must outlive the stream.
  Result<uint32_t> createStream(uint32_t root_id, const StreamHost& host);
  Result<abi::HeaderAction> onRequestHeaders(uint32_t stream_id, uint32_t num_headers, bool end_of_stream);
  // createStream() then onRequestHeaders(), in one entry into the guest when the engine can chain
  // the two callbacks (as the gateway always makes them back to back). Actions the plugin defers
  // in proxy_on_context_create run after both. A trap in either fails the call.
  struct StartedStream {
    uint32_t id;
    abi::HeaderAction action;
  };
  Result<StartedStream> startStream(uint32_t root_id, const StreamHost& host, uint32_t num_headers,
                                    bool end_of_stream);
  Result<abi::DataAction> onRequestBody(uint32_t stream_id, uint32_t body_size, bool end_of_stream);
  Result<abi::TrailerAction> onRequestTrailers(uint32_t stream_id, uint32_t num_trailers);
  Result<abi::HeaderAction> onResponseHeaders(uint32_t stream_id, uint32_t num_headers, bool end_of_stream);
  Result<abi::DataAction> onResponseBody(uint32_t stream_id, uint32_t body_size, bool end_of_stream);
  // Whether onRequestBody / onResponseBody (`response`) of this stream would answer Continue
  // without entering the guest: the plugin skips that callback for the stream, or does not export
  // it. Cheaper than the call, which a host can then leave out (false when the VM failed or the
  // stream is unknown: the call reports those).
  bool bodyCallbackIsIdle(uint32_t stream_id, bool response);
  Result<abi::TrailerAction> onResponseTrailers(uint32_t stream_id, uint32_t num_trailers);
  // proxy_on_log, proxy_on_done, proxy_on_delete.
  wasmgate::Status finishStream(uint32_t stream_id);
  // finishStream() for streams of several VMs of one worker (the plugins of one request), in
  // order, in one entry into the engine when it can chain their callbacks: the same callbacks in
  // the same order, except that actions a plugin defers run once every plugin's callbacks ran.
  // A trap fails that plugin's VM only: the plugins after it are then ended one by one. A stream
  // whose plugin skips its end callbacks for the VM's ring of ended streams ends without a call
  // (finishStream() does the same).
  struct StreamEnd {
    WasmVm* vm = nullptr;
    uint32_t stream_id = 0;
    wasmgate::Status status;  // finishStream()'s result, filled in
  };
  static void finishStreams(std::span<StreamEnd> ends);

  // startStream() for several VMs of one worker (the plugins of one request, in order), in one
  // entry into the engine when it can chain them; each stream context is created only when the
  // chain reaches its plugin. Plugin 0 gets `num_headers`; after plugin i ran (links[i].started
  // is set, its deferred actions done), `between(i)` answers whether plugin i + 1 runs and with
  // how many headers (nullopt: stop). It is asked after every plugin that ran, the last one
  // included. Returns how many plugins ran.
  struct StartLink {
    WasmVm* vm = nullptr;
    uint32_t root_id = 0;
    StreamHost host;
    Result<StartedStream> started = StartedStream{};  // filled in for each plugin that ran
  };
  static size_t startStreamsChained(std::span<StartLink> links, uint32_t num_headers, bool end_of_stream,
                                    FunctionRef<std::optional<uint32_t>(size_t)> between);

  // onResponseHeaders() for streams of several VMs of one worker (the plugins of one response, in
  // the order the response meets them), the same way.
  struct HeadersLink {
    WasmVm* vm = nullptr;
    uint32_t stream_id = 0;
    Result<abi::HeaderAction> action = abi::HeaderAction::Continue;
  };
  static size_t onResponseHeadersChained(std::span<HeadersLink> links, uint32_t num_headers, bool end_of_stream,
                                         FunctionRef<std::optional<uint32_t>(size_t)> between);

  // Deliveries of asynchronous work to the root context that started it.
  wasmgate::Status onHttpCallResponse(uint32_t root_id, uint32_t token, const HttpCallResponse& response);
  wasmgate::Status onRedisCallResponse(uint32_t root_id, uint32_t token, abi::RedisStatus status, std::string_view reply);
  wasmgate::Status onTick(uint32_t root_id);
  wasmgate::Status onQueueReady(uint32_t root_id, uint32_t queue_id);
  // proxy_on_foreign_function(root, function_id, size) with `arguments` readable as buffer 8.
  wasmgate::Status onForeignFunction(uint32_t root_id, uint32_t function_id, std::string_view arguments);

  // Linear memory size in bytes (the plugin_vm_memory property).
  uint64_t memoryBytes();

  VmState& state() { return *state_; }

 private:
  explicit WasmVm(std::unique_ptr<VmState> state);
  // finishStreams() for streams that end with their callbacks: one chain when the engine can.
  static void chainStreamEnds(std::span<StreamEnd> ends);
  std::unique_ptr<VmState> state_;
};

}  // namespace wasmgate::runtime
