// The proxy_on_* functions the SDK exports to the host (ABI 0.2.100 callbacks plus Higress's
// proxy_on_redis_call_response). Defined in sdk/src/dispatch.cc.
//
// Internal header of the plugin SDK: a native test host includes it to drive a plugin exactly as
// the wasm host would. Single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

extern "C" {
void* proxy_on_memory_allocate(size_t size);
void proxy_on_context_create(uint32_t context_id, uint32_t parent_context_id);
uint32_t proxy_on_vm_start(uint32_t root_context_id, uint32_t vm_configuration_size);
uint32_t proxy_on_configure(uint32_t root_context_id, uint32_t plugin_configuration_size);
uint32_t proxy_on_request_headers(uint32_t context_id, uint32_t num_headers, uint32_t end_of_stream);
uint32_t proxy_on_request_body(uint32_t context_id, uint32_t body_size, uint32_t end_of_stream);
uint32_t proxy_on_request_trailers(uint32_t context_id, uint32_t num_trailers);
uint32_t proxy_on_response_headers(uint32_t context_id, uint32_t num_headers, uint32_t end_of_stream);
uint32_t proxy_on_response_body(uint32_t context_id, uint32_t body_size, uint32_t end_of_stream);
uint32_t proxy_on_response_trailers(uint32_t context_id, uint32_t num_trailers);
void proxy_on_log(uint32_t context_id);
uint32_t proxy_on_done(uint32_t context_id);
void proxy_on_delete(uint32_t context_id);
void proxy_on_tick(uint32_t root_context_id);
void proxy_on_queue_ready(uint32_t root_context_id, uint32_t queue_id);
void proxy_on_http_call_response(uint32_t root_context_id, uint32_t token, uint32_t num_headers,
                                 uint32_t body_size, uint32_t num_trailers);
void proxy_on_redis_call_response(uint32_t root_context_id, uint32_t token, uint32_t status,
                                  uint32_t response_size);
}

namespace wasmgate::internal {
// Registers the callback of a call the host accepted with `token`, on the current plugin context,
// attributed to the current context (the callback runs with that context made effective again).
void RegisterHttpCallout(uint32_t token, std::function<void(uint32_t, uint32_t, uint32_t)> callback);
void RegisterRedisCallout(uint32_t token, std::function<void(int, uint32_t)> callback);
// Drops every context and the installed VM context (native tests only).
void ResetDispatchForTesting();
}  // namespace wasmgate::internal
