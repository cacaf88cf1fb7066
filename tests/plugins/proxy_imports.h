// Raw proxy-wasm host-function imports for wasmgate's runtime test plugins (no SDK on purpose:
// these plugins exercise the ABI itself). Only functions a plugin calls end up as imports.
//
// Test-only header, compiled for wasm32-wasi.
#pragma once

#include <cstddef>
#include <cstdint>

#define PROXY_IMPORT(name) extern "C" __attribute__((import_module("env"), import_name(#name)))
#define PROXY_EXPORT(name) extern "C" __attribute__((export_name(#name)))

using u32 = uint32_t;
using ptr = const void*;
using out_ptr = void*;

PROXY_IMPORT(proxy_log) u32 proxy_log(u32 level, ptr msg, u32 size);
PROXY_IMPORT(proxy_get_log_level) u32 proxy_get_log_level(out_ptr level);
PROXY_IMPORT(proxy_get_current_time_nanoseconds) u32 proxy_get_current_time_nanoseconds(out_ptr ns);
PROXY_IMPORT(proxy_get_status) u32 proxy_get_status(out_ptr code, out_ptr msg_ptr, out_ptr msg_size);
PROXY_IMPORT(proxy_get_configuration) u32 proxy_get_configuration(out_ptr ptr, out_ptr size);

PROXY_IMPORT(proxy_get_header_map_value) u32 proxy_get_header_map_value(u32 map, ptr key, u32 key_size, out_ptr value_ptr, out_ptr value_size);
PROXY_IMPORT(proxy_add_header_map_value) u32 proxy_add_header_map_value(u32 map, ptr key, u32 key_size, ptr value, u32 value_size);
PROXY_IMPORT(proxy_replace_header_map_value) u32 proxy_replace_header_map_value(u32 map, ptr key, u32 key_size, ptr value, u32 value_size);
PROXY_IMPORT(proxy_remove_header_map_value) u32 proxy_remove_header_map_value(u32 map, ptr key, u32 key_size);
PROXY_IMPORT(proxy_get_header_map_pairs) u32 proxy_get_header_map_pairs(u32 map, out_ptr ptr, out_ptr size);
PROXY_IMPORT(proxy_set_header_map_pairs) u32 proxy_set_header_map_pairs(u32 map, ptr pairs, u32 size);
PROXY_IMPORT(proxy_get_header_map_size) u32 proxy_get_header_map_size(u32 map, out_ptr size);

PROXY_IMPORT(proxy_get_buffer_bytes) u32 proxy_get_buffer_bytes(u32 type, u32 start, u32 max, out_ptr ptr, out_ptr size);
PROXY_IMPORT(proxy_set_buffer_bytes) u32 proxy_set_buffer_bytes(u32 type, u32 start, u32 size, ptr data, u32 data_size);
PROXY_IMPORT(proxy_get_buffer_status) u32 proxy_get_buffer_status(u32 type, out_ptr length, out_ptr flags);

PROXY_IMPORT(proxy_get_property) u32 proxy_get_property(ptr path, u32 path_size, out_ptr value_ptr, out_ptr value_size);
PROXY_IMPORT(proxy_set_property) u32 proxy_set_property(ptr path, u32 path_size, ptr value, u32 value_size);

PROXY_IMPORT(proxy_continue_stream) u32 proxy_continue_stream(u32 type);
PROXY_IMPORT(proxy_close_stream) u32 proxy_close_stream(u32 type);
PROXY_IMPORT(proxy_send_local_response) u32 proxy_send_local_response(u32 code, ptr details, u32 details_size, ptr body, u32 body_size, ptr headers, u32 headers_size, int32_t grpc_status);
PROXY_IMPORT(proxy_continue_request) u32 proxy_continue_request();
PROXY_IMPORT(proxy_continue_response) u32 proxy_continue_response();
PROXY_IMPORT(proxy_clear_route_cache) u32 proxy_clear_route_cache();

PROXY_IMPORT(proxy_http_call) u32 proxy_http_call(ptr upstream, u32 upstream_size, ptr headers, u32 headers_size, ptr body, u32 body_size, ptr trailers, u32 trailers_size, u32 timeout_ms, out_ptr token);
PROXY_IMPORT(proxy_redis_init) u32 proxy_redis_init(ptr cluster, u32 cluster_size, ptr user, u32 user_size, ptr password, u32 password_size, u32 timeout_ms);
PROXY_IMPORT(proxy_redis_call) u32 proxy_redis_call(ptr cluster, u32 cluster_size, ptr query, u32 query_size, out_ptr token);

PROXY_IMPORT(proxy_get_shared_data) u32 proxy_get_shared_data(ptr key, u32 key_size, out_ptr value_ptr, out_ptr value_size, out_ptr cas);
PROXY_IMPORT(proxy_set_shared_data) u32 proxy_set_shared_data(ptr key, u32 key_size, ptr value, u32 value_size, u32 cas);
PROXY_IMPORT(proxy_register_shared_queue) u32 proxy_register_shared_queue(ptr name, u32 name_size, out_ptr id);
PROXY_IMPORT(proxy_resolve_shared_queue) u32 proxy_resolve_shared_queue(ptr vm_id, u32 vm_id_size, ptr name, u32 name_size, out_ptr id);
PROXY_IMPORT(proxy_enqueue_shared_queue) u32 proxy_enqueue_shared_queue(u32 id, ptr data, u32 size);
PROXY_IMPORT(proxy_dequeue_shared_queue) u32 proxy_dequeue_shared_queue(u32 id, out_ptr data_ptr, out_ptr data_size);

PROXY_IMPORT(proxy_define_metric) u32 proxy_define_metric(u32 type, ptr name, u32 name_size, out_ptr id);
PROXY_IMPORT(proxy_increment_metric) u32 proxy_increment_metric(u32 id, int64_t offset);
PROXY_IMPORT(proxy_record_metric) u32 proxy_record_metric(u32 id, uint64_t value);
PROXY_IMPORT(proxy_get_metric) u32 proxy_get_metric(u32 id, out_ptr value);

PROXY_IMPORT(proxy_set_tick_period_milliseconds) u32 proxy_set_tick_period_milliseconds(u32 ms);
PROXY_IMPORT(proxy_set_effective_context) u32 proxy_set_effective_context(u32 id);
PROXY_IMPORT(proxy_done) u32 proxy_done();
PROXY_IMPORT(proxy_call_foreign_function) u32 proxy_call_foreign_function(ptr name, u32 name_size, ptr arg, u32 arg_size, out_ptr ret_ptr, out_ptr ret_size);

PROXY_IMPORT(proxy_grpc_call) u32 proxy_grpc_call(ptr service, u32 service_size, ptr service_name, u32 service_name_size, ptr method, u32 method_size, ptr metadata, u32 metadata_size, ptr request, u32 request_size, u32 timeout_ms, out_ptr token);
PROXY_IMPORT(proxy_grpc_stream) u32 proxy_grpc_stream(ptr service, u32 service_size, ptr service_name, u32 service_name_size, ptr method, u32 method_size, ptr metadata, u32 metadata_size, out_ptr token);
PROXY_IMPORT(proxy_grpc_send) u32 proxy_grpc_send(u32 token, ptr message, u32 message_size, u32 end_stream);
PROXY_IMPORT(proxy_grpc_cancel) u32 proxy_grpc_cancel(u32 token);
PROXY_IMPORT(proxy_grpc_close) u32 proxy_grpc_close(u32 token);

PROXY_IMPORT(proxy_inject_encoded_data_to_filter_chain) u32 proxy_inject_encoded_data_to_filter_chain(ptr data, u32 size, u32 end_stream);
PROXY_IMPORT(proxy_get_upstream_hosts) u32 proxy_get_upstream_hosts(out_ptr ptr, out_ptr size);
PROXY_IMPORT(proxy_set_upstream_override_host) u32 proxy_set_upstream_override_host(ptr address, u32 size);
