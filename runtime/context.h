// A proxy-wasm context as the runtime tracks it: a root context (one per started plugin
// configuration) or a stream context (one per HTTP stream, child of a root).
//
// Runtime-internal header (runtime/ and its tests). Thread affinity: the VM's worker thread.
#pragma once

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
};

}  // namespace wasmgate::runtime
