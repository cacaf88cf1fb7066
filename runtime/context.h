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
  // The plugin said its body callbacks of that direction would only answer Continue (foreign
  // function "wasmgate_skip_body_callbacks"), so the host answers for it without a call.
  bool skip_request_body = false;
  bool skip_response_body = false;
};

}  // namespace wasmgate::runtime
