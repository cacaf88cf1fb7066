// Raw proxy-wasm host functions (module "env") as the SDK imports them: the ABI 0.2.1 set plus
// Higress's extensions (redis, upstream hosts, encoded-data injection).
//
// Internal header of the plugin SDK; plugin code uses the typed wrappers in <wasmgate/proxywasm.h>.
// This is the only file that differs between the wasm build and a native (host) build: under
// __wasm__ every declaration is a wasm import, natively a test host defines them as ordinary
// extern "C" functions. Single-threaded, like every wasm VM.
//
// Conventions: every function returns a proxy_status_t (abi::Status as uint32_t). `char**` /
// `size_t*` out-parameters receive memory the host allocated through the guest's allocator
// (proxy_on_memory_allocate / malloc); the SDK frees it. An empty value comes back as (nullptr, 0).
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__wasm__)
#define WASMGATE_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#else
#define WASMGATE_IMPORT(name)
#endif

extern "C" {

// Logging and time.
WASMGATE_IMPORT(proxy_log) uint32_t proxy_log(uint32_t level, const char* message, size_t size);
WASMGATE_IMPORT(proxy_get_log_level) uint32_t proxy_get_log_level(uint32_t* level);
WASMGATE_IMPORT(proxy_get_status)
uint32_t proxy_get_status(uint32_t* code, const char** message, size_t* message_size);
WASMGATE_IMPORT(proxy_get_current_time_nanoseconds)
uint32_t proxy_get_current_time_nanoseconds(uint64_t* nanoseconds);
WASMGATE_IMPORT(proxy_set_tick_period_milliseconds)
uint32_t proxy_set_tick_period_milliseconds(uint32_t period_ms);

// Properties; `path` segments are separated by '\0'.
WASMGATE_IMPORT(proxy_get_property)
uint32_t proxy_get_property(const char* path, size_t path_size, char** value, size_t* value_size);
WASMGATE_IMPORT(proxy_set_property)
uint32_t proxy_set_property(const char* path, size_t path_size, const char* value, size_t value_size);

// Stream control.
WASMGATE_IMPORT(proxy_continue_stream) uint32_t proxy_continue_stream(uint32_t stream_type);
WASMGATE_IMPORT(proxy_close_stream) uint32_t proxy_close_stream(uint32_t stream_type);
WASMGATE_IMPORT(proxy_send_local_response)
uint32_t proxy_send_local_response(uint32_t status_code, const char* details, size_t details_size,
                                   const char* body, size_t body_size, const char* headers,
                                   size_t headers_size, int32_t grpc_status);
WASMGATE_IMPORT(proxy_set_effective_context) uint32_t proxy_set_effective_context(uint32_t context_id);
WASMGATE_IMPORT(proxy_done) uint32_t proxy_done();

// Header maps (abi::MapType); pairs are serialized as in internal/pairs.h.
WASMGATE_IMPORT(proxy_get_header_map_value)
uint32_t proxy_get_header_map_value(uint32_t map_type, const char* key, size_t key_size, char** value,
                                    size_t* value_size);
WASMGATE_IMPORT(proxy_add_header_map_value)
uint32_t proxy_add_header_map_value(uint32_t map_type, const char* key, size_t key_size,
                                    const char* value, size_t value_size);
WASMGATE_IMPORT(proxy_replace_header_map_value)
uint32_t proxy_replace_header_map_value(uint32_t map_type, const char* key, size_t key_size,
                                        const char* value, size_t value_size);
WASMGATE_IMPORT(proxy_remove_header_map_value)
uint32_t proxy_remove_header_map_value(uint32_t map_type, const char* key, size_t key_size);
WASMGATE_IMPORT(proxy_get_header_map_pairs)
uint32_t proxy_get_header_map_pairs(uint32_t map_type, char** pairs, size_t* pairs_size);
WASMGATE_IMPORT(proxy_set_header_map_pairs)
uint32_t proxy_set_header_map_pairs(uint32_t map_type, const char* pairs, size_t pairs_size);
WASMGATE_IMPORT(proxy_get_header_map_size)
uint32_t proxy_get_header_map_size(uint32_t map_type, size_t* size);

// Buffers (abi::BufferType).
WASMGATE_IMPORT(proxy_get_buffer_bytes)
uint32_t proxy_get_buffer_bytes(uint32_t buffer_type, uint32_t start, uint32_t max_size, char** data,
                                size_t* data_size);
WASMGATE_IMPORT(proxy_set_buffer_bytes)
uint32_t proxy_set_buffer_bytes(uint32_t buffer_type, uint32_t start, uint32_t size, const char* data,
                                size_t data_size);
WASMGATE_IMPORT(proxy_get_buffer_status)
uint32_t proxy_get_buffer_status(uint32_t buffer_type, size_t* length, uint32_t* flags);

// Outbound HTTP and gRPC calls; answers arrive through proxy_on_http_call_response / proxy_on_grpc_*.
WASMGATE_IMPORT(proxy_http_call)
uint32_t proxy_http_call(const char* upstream, size_t upstream_size, const char* headers,
                         size_t headers_size, const char* body, size_t body_size, const char* trailers,
                         size_t trailers_size, uint32_t timeout_ms, uint32_t* token);
WASMGATE_IMPORT(proxy_grpc_call)
uint32_t proxy_grpc_call(const char* service, size_t service_size, const char* service_name,
                         size_t service_name_size, const char* method, size_t method_size,
                         const char* metadata, size_t metadata_size, const char* request,
                         size_t request_size, uint32_t timeout_ms, uint32_t* token);
WASMGATE_IMPORT(proxy_grpc_stream)
uint32_t proxy_grpc_stream(const char* service, size_t service_size, const char* service_name,
                           size_t service_name_size, const char* method, size_t method_size,
                           const char* metadata, size_t metadata_size, uint32_t* token);
WASMGATE_IMPORT(proxy_grpc_send)
uint32_t proxy_grpc_send(uint32_t token, const char* message, size_t message_size, uint32_t end_stream);
WASMGATE_IMPORT(proxy_grpc_cancel) uint32_t proxy_grpc_cancel(uint32_t token);
WASMGATE_IMPORT(proxy_grpc_close) uint32_t proxy_grpc_close(uint32_t token);

// Shared data and queues.
WASMGATE_IMPORT(proxy_get_shared_data)
uint32_t proxy_get_shared_data(const char* key, size_t key_size, char** value, size_t* value_size,
                               uint32_t* cas);
WASMGATE_IMPORT(proxy_set_shared_data)
uint32_t proxy_set_shared_data(const char* key, size_t key_size, const char* value, size_t value_size,
                               uint32_t cas);
WASMGATE_IMPORT(proxy_register_shared_queue)
uint32_t proxy_register_shared_queue(const char* name, size_t name_size, uint32_t* queue_id);
WASMGATE_IMPORT(proxy_resolve_shared_queue)
uint32_t proxy_resolve_shared_queue(const char* vm_id, size_t vm_id_size, const char* name,
                                    size_t name_size, uint32_t* queue_id);
WASMGATE_IMPORT(proxy_dequeue_shared_queue)
uint32_t proxy_dequeue_shared_queue(uint32_t queue_id, char** data, size_t* data_size);
WASMGATE_IMPORT(proxy_enqueue_shared_queue)
uint32_t proxy_enqueue_shared_queue(uint32_t queue_id, const char* data, size_t data_size);

// Metrics (abi::MetricType).
WASMGATE_IMPORT(proxy_define_metric)
uint32_t proxy_define_metric(uint32_t metric_type, const char* name, size_t name_size, uint32_t* metric_id);
WASMGATE_IMPORT(proxy_increment_metric) uint32_t proxy_increment_metric(uint32_t metric_id, int64_t offset);
WASMGATE_IMPORT(proxy_record_metric) uint32_t proxy_record_metric(uint32_t metric_id, uint64_t value);
WASMGATE_IMPORT(proxy_get_metric) uint32_t proxy_get_metric(uint32_t metric_id, uint64_t* value);

// Foreign functions (get_log_level, set_global_max_requests_per_io_cycle, ...).
WASMGATE_IMPORT(proxy_call_foreign_function)
uint32_t proxy_call_foreign_function(const char* name, size_t name_size, const char* argument,
                                     size_t argument_size, char** result, size_t* result_size);

// Higress extensions.
WASMGATE_IMPORT(proxy_redis_init)
uint32_t proxy_redis_init(const char* cluster, size_t cluster_size, const char* username,
                          size_t username_size, const char* password, size_t password_size,
                          uint32_t timeout_ms);
WASMGATE_IMPORT(proxy_redis_call)
uint32_t proxy_redis_call(const char* cluster, size_t cluster_size, const char* query, size_t query_size,
                          uint32_t* token);
WASMGATE_IMPORT(proxy_inject_encoded_data_to_filter_chain)
uint32_t proxy_inject_encoded_data_to_filter_chain(const char* data, size_t data_size, uint32_t end_stream);
WASMGATE_IMPORT(proxy_get_upstream_hosts) uint32_t proxy_get_upstream_hosts(char** pairs, size_t* pairs_size);
WASMGATE_IMPORT(proxy_set_upstream_override_host)
uint32_t proxy_set_upstream_override_host(const char* address, size_t address_size);

}  // extern "C"
