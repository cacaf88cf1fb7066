// A proxy-wasm context as the runtime tracks it: a root context (one per started plugin
// configuration) or a stream context (one per HTTP stream, child of a root).
//
// Runtime-internal header (runtime/ and its tests). Thread affinity: the VM's worker thread.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>

#include "runtime/host.h"
#include "runtime/vm.h"

namespace wasmgate::runtime {

// Stream callbacks the host answers Continue to without calling the plugin.
struct SkippedCallbacks {
  bool request_body = false;
  bool response_body = false;
  bool response_headers = false;  // proxy_on_response_headers and proxy_on_response_trailers
  // proxy_on_log, proxy_on_done and proxy_on_delete: the host writes the stream's id to the VM's
  // ended-streams ring instead (VmState::reportEndedStream), and the guest releases the stream
  // when it next runs. Only while the VM has a ring.
  bool stream_end = false;

  bool any() const { return request_body || response_body || response_headers || stream_end; }
};

struct Context {
  uint32_t id = 0;
  uint32_t root_id = 0;  // 0 for a root context

  bool isRoot() const { return root_id == 0; }

  // Root contexts.
  PluginConfig plugin;
  bool awaiting_done = false;   // proxy_on_done answered false; proxy_done completes the retirement
  bool tick_armed = false;      // a tick period was set, cancel it when the root goes away
  abi::Status call_status = abi::Status::Ok;  // proxy_get_status after an async delivery
  std::string call_status_message;

  // Stream contexts.
  StreamHost host;
  bool local_response_sent = false;  // one local response per stream, as Envoy allows
  // Callbacks the plugin said would only answer Continue (foreign functions
  // "wasmgate_skip_callbacks" and "wasmgate_skip_body_callbacks", docs/abi.md), so the host
  // answers for it without a call. On a root context: what every stream it creates from then on
  // starts with.
  SkippedCallbacks skipped;

  // As a new Context, for an ended stream's context that VmState::addStream reuses. Its root-only
  // strings were never set (streams do not have them), so they are left as they are: assigning a
  // whole new Context put 1.3 KB of string code on every request's path (docs/performance.md,
  // session 20).
  void resetForStream() {
    assert(plugin.name.empty() && plugin.root_id.empty() && plugin.configuration.empty() &&
           call_status_message.empty() && "a stream context has no root-only state");
    id = root_id = 0;
    awaiting_done = tick_armed = false;
    call_status = abi::Status::Ok;
    host = StreamHost{};
    local_response_sent = false;
    skipped = SkippedCallbacks{};
  }
};
// A new field must also be reset in resetForStream(); this fails until the size is updated too.
static_assert(sizeof(void*) != 8 || sizeof(Context) == 184, "Context has a new field: reset it in resetForStream()");

}  // namespace wasmgate::runtime
