// The proxy_* functions a natively built plugin (.so) imports, defined in the test executable and
// exported to the plugin's dynamic linking (wasmgate_testing links with
// --export-dynamic-symbol=proxy_*). Each one only packs its arguments into words and hands them
// to the native engine, which marshals them through the arena into the runtime's own host
// function of the same name: there is one host implementation, the runtime's.
#include "native_imports.h"

#include <cstdint>
#include <type_traits>

namespace wasmgate::testing::native {
namespace {

using enum Arg;

// Import ids: the order of shapes() below.
enum Id : size_t {
  Log, GetLogLevel, GetStatus, GetCurrentTime, SetTickPeriod, GetProperty, SetProperty,
  ContinueStream, CloseStream, SendLocalResponse, SetEffectiveContext, Done,
  GetHeaderMapValue, AddHeaderMapValue, ReplaceHeaderMapValue, RemoveHeaderMapValue,
  GetHeaderMapPairs, SetHeaderMapPairs, GetHeaderMapSize,
  GetBufferBytes, SetBufferBytes, GetBufferStatus,
  HttpCall, GrpcCall, GrpcStream, GrpcSend, GrpcCancel, GrpcClose,
  GetSharedData, SetSharedData, RegisterSharedQueue, ResolveSharedQueue, DequeueSharedQueue,
  EnqueueSharedQueue, DefineMetric, IncrementMetric, RecordMetric, GetMetric, CallForeignFunction,
  RedisInit, RedisCall, InjectEncodedData, GetUpstreamHosts, SetUpstreamOverrideHost,
  Count
};

constexpr Arg kLog[] = {Value, In, Value};
constexpr Arg kOutU32[] = {OutU32};
constexpr Arg kStatus[] = {OutU32, OutBytes, OutSize};
constexpr Arg kOutU64[] = {OutU64};
constexpr Arg kValue[] = {Value};
constexpr Arg kGetProperty[] = {In, Value, OutBytes, OutSize};
constexpr Arg kInIn[] = {In, Value, In, Value};
constexpr Arg kLocalResponse[] = {Value, In, Value, In, Value, In, Value, Value};
constexpr Arg kMapGet[] = {Value, In, Value, OutBytes, OutSize};
constexpr Arg kMapSet[] = {Value, In, Value, In, Value};
constexpr Arg kMapRemove[] = {Value, In, Value};
constexpr Arg kValueBytes[] = {Value, OutBytes, OutSize};
constexpr Arg kValueIn[] = {Value, In, Value};
constexpr Arg kValueSize[] = {Value, OutSize};
constexpr Arg kBufferGet[] = {Value, Value, Value, OutBytes, OutSize};
constexpr Arg kBufferSet[] = {Value, Value, Value, In, Value};
constexpr Arg kBufferStatus[] = {Value, OutSize, OutU32};
constexpr Arg kHttpCall[] = {In, Value, In, Value, In, Value, In, Value, Value, OutU32};
constexpr Arg kGrpcCall[] = {In, Value, In, Value, In, Value, In, Value, In, Value, Value, OutU32};
constexpr Arg kGrpcStream[] = {In, Value, In, Value, In, Value, In, Value, OutU32};
constexpr Arg kGrpcSend[] = {Value, In, Value, Value};
constexpr Arg kSharedGet[] = {In, Value, OutBytes, OutSize, OutU32};
constexpr Arg kSharedSet[] = {In, Value, In, Value, Value};
constexpr Arg kInOutU32[] = {In, Value, OutU32};
constexpr Arg kInInOutU32[] = {In, Value, In, Value, OutU32};
constexpr Arg kDefineMetric[] = {Value, In, Value, OutU32};
constexpr Arg kValueValue[] = {Value, Value};
constexpr Arg kValueOutU64[] = {Value, OutU64};
constexpr Arg kForeign[] = {In, Value, In, Value, OutBytes, OutSize};
constexpr Arg kRedisInit[] = {In, Value, In, Value, In, Value, Value};
constexpr Arg kInValueValue[] = {In, Value, Value};
constexpr Arg kBytes[] = {OutBytes, OutSize};
constexpr Arg kIn[] = {In, Value};

const ImportShape kShapes[] = {
    {"proxy_log", kLog},
    {"proxy_get_log_level", kOutU32},
    {"proxy_get_status", kStatus},
    {"proxy_get_current_time_nanoseconds", kOutU64},
    {"proxy_set_tick_period_milliseconds", kValue},
    {"proxy_get_property", kGetProperty},
    {"proxy_set_property", kInIn},
    {"proxy_continue_stream", kValue},
    {"proxy_close_stream", kValue},
    {"proxy_send_local_response", kLocalResponse},
    {"proxy_set_effective_context", kValue},
    {"proxy_done", {}},
    {"proxy_get_header_map_value", kMapGet},
    {"proxy_add_header_map_value", kMapSet},
    {"proxy_replace_header_map_value", kMapSet},
    {"proxy_remove_header_map_value", kMapRemove},
    {"proxy_get_header_map_pairs", kValueBytes},
    {"proxy_set_header_map_pairs", kValueIn},
    {"proxy_get_header_map_size", kValueSize},
    {"proxy_get_buffer_bytes", kBufferGet},
    {"proxy_set_buffer_bytes", kBufferSet},
    {"proxy_get_buffer_status", kBufferStatus},
    {"proxy_http_call", kHttpCall},
    {"proxy_grpc_call", kGrpcCall},
    {"proxy_grpc_stream", kGrpcStream},
    {"proxy_grpc_send", kGrpcSend},
    {"proxy_grpc_cancel", kValue},
    {"proxy_grpc_close", kValue},
    {"proxy_get_shared_data", kSharedGet},
    {"proxy_set_shared_data", kSharedSet},
    {"proxy_register_shared_queue", kInOutU32},
    {"proxy_resolve_shared_queue", kInInOutU32},
    {"proxy_dequeue_shared_queue", kValueBytes},
    {"proxy_enqueue_shared_queue", kValueIn},
    {"proxy_define_metric", kDefineMetric},
    {"proxy_increment_metric", kValueValue},
    {"proxy_record_metric", kValueValue},
    {"proxy_get_metric", kValueOutU64},
    {"proxy_call_foreign_function", kForeign},
    {"proxy_redis_init", kRedisInit},
    {"proxy_redis_call", kInInOutU32},
    {"proxy_inject_encoded_data_to_filter_chain", kInValueValue},
    {"proxy_get_upstream_hosts", kBytes},
    {"proxy_set_upstream_override_host", kIn},
};
static_assert(std::size(kShapes) == Count);

template <typename T>
uint64_t word(T v) {
  if constexpr (std::is_pointer_v<T>) {
    return reinterpret_cast<uintptr_t>(v);
  } else {
    return static_cast<uint64_t>(v);  // int32/int64 keep their two's-complement bits
  }
}

template <typename... A>
uint32_t forward(Id id, A... args) {
  const uint64_t words[sizeof...(A) + 1] = {word(args)..., 0};
  return invokeImport(id, words);
}

}  // namespace

std::span<const ImportShape> importShapes() { return kShapes; }

}  // namespace wasmgate::testing::native

using wasmgate::testing::native::forward;
namespace id = wasmgate::testing::native;

#define WASMGATE_NATIVE_IMPORT extern "C" __attribute__((visibility("default"), used))

WASMGATE_NATIVE_IMPORT uint32_t proxy_log(uint32_t level, const char* message, size_t size) {
  return forward(id::Log, level, message, size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_get_log_level(uint32_t* level) { return forward(id::GetLogLevel, level); }
WASMGATE_NATIVE_IMPORT uint32_t proxy_get_status(uint32_t* code, const char** message, size_t* message_size) {
  return forward(id::GetStatus, code, message, message_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_get_current_time_nanoseconds(uint64_t* nanoseconds) {
  return forward(id::GetCurrentTime, nanoseconds);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_set_tick_period_milliseconds(uint32_t period_ms) {
  return forward(id::SetTickPeriod, period_ms);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_get_property(const char* path, size_t path_size, char** value,
                                                   size_t* value_size) {
  return forward(id::GetProperty, path, path_size, value, value_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_set_property(const char* path, size_t path_size, const char* value,
                                                   size_t value_size) {
  return forward(id::SetProperty, path, path_size, value, value_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_continue_stream(uint32_t stream_type) {
  return forward(id::ContinueStream, stream_type);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_close_stream(uint32_t stream_type) { return forward(id::CloseStream, stream_type); }
WASMGATE_NATIVE_IMPORT uint32_t proxy_send_local_response(uint32_t status_code, const char* details,
                                                          size_t details_size, const char* body, size_t body_size,
                                                          const char* headers, size_t headers_size,
                                                          int32_t grpc_status) {
  return forward(id::SendLocalResponse, status_code, details, details_size, body, body_size, headers, headers_size,
                 static_cast<uint32_t>(grpc_status));
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_set_effective_context(uint32_t context_id) {
  return forward(id::SetEffectiveContext, context_id);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_done() { return forward(id::Done); }
WASMGATE_NATIVE_IMPORT uint32_t proxy_get_header_map_value(uint32_t map_type, const char* key, size_t key_size,
                                                           char** value, size_t* value_size) {
  return forward(id::GetHeaderMapValue, map_type, key, key_size, value, value_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_add_header_map_value(uint32_t map_type, const char* key, size_t key_size,
                                                           const char* value, size_t value_size) {
  return forward(id::AddHeaderMapValue, map_type, key, key_size, value, value_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_replace_header_map_value(uint32_t map_type, const char* key, size_t key_size,
                                                               const char* value, size_t value_size) {
  return forward(id::ReplaceHeaderMapValue, map_type, key, key_size, value, value_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_remove_header_map_value(uint32_t map_type, const char* key, size_t key_size) {
  return forward(id::RemoveHeaderMapValue, map_type, key, key_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_get_header_map_pairs(uint32_t map_type, char** pairs, size_t* pairs_size) {
  return forward(id::GetHeaderMapPairs, map_type, pairs, pairs_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_set_header_map_pairs(uint32_t map_type, const char* pairs, size_t pairs_size) {
  return forward(id::SetHeaderMapPairs, map_type, pairs, pairs_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_get_header_map_size(uint32_t map_type, size_t* size) {
  return forward(id::GetHeaderMapSize, map_type, size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_get_buffer_bytes(uint32_t buffer_type, uint32_t start, uint32_t max_size,
                                                       char** data, size_t* data_size) {
  return forward(id::GetBufferBytes, buffer_type, start, max_size, data, data_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_set_buffer_bytes(uint32_t buffer_type, uint32_t start, uint32_t size,
                                                       const char* data, size_t data_size) {
  return forward(id::SetBufferBytes, buffer_type, start, size, data, data_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_get_buffer_status(uint32_t buffer_type, size_t* length, uint32_t* flags) {
  return forward(id::GetBufferStatus, buffer_type, length, flags);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_http_call(const char* upstream, size_t upstream_size, const char* headers,
                                                size_t headers_size, const char* body, size_t body_size,
                                                const char* trailers, size_t trailers_size, uint32_t timeout_ms,
                                                uint32_t* token) {
  return forward(id::HttpCall, upstream, upstream_size, headers, headers_size, body, body_size, trailers,
                 trailers_size, timeout_ms, token);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_grpc_call(const char* service, size_t service_size, const char* service_name,
                                                size_t service_name_size, const char* method, size_t method_size,
                                                const char* metadata, size_t metadata_size, const char* request,
                                                size_t request_size, uint32_t timeout_ms, uint32_t* token) {
  return forward(id::GrpcCall, service, service_size, service_name, service_name_size, method, method_size, metadata,
                 metadata_size, request, request_size, timeout_ms, token);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_grpc_stream(const char* service, size_t service_size, const char* service_name,
                                                  size_t service_name_size, const char* method, size_t method_size,
                                                  const char* metadata, size_t metadata_size, uint32_t* token) {
  return forward(id::GrpcStream, service, service_size, service_name, service_name_size, method, method_size,
                 metadata, metadata_size, token);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_grpc_send(uint32_t token, const char* message, size_t message_size,
                                                uint32_t end_stream) {
  return forward(id::GrpcSend, token, message, message_size, end_stream);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_grpc_cancel(uint32_t token) { return forward(id::GrpcCancel, token); }
WASMGATE_NATIVE_IMPORT uint32_t proxy_grpc_close(uint32_t token) { return forward(id::GrpcClose, token); }
WASMGATE_NATIVE_IMPORT uint32_t proxy_get_shared_data(const char* key, size_t key_size, char** value,
                                                      size_t* value_size, uint32_t* cas) {
  return forward(id::GetSharedData, key, key_size, value, value_size, cas);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_set_shared_data(const char* key, size_t key_size, const char* value,
                                                      size_t value_size, uint32_t cas) {
  return forward(id::SetSharedData, key, key_size, value, value_size, cas);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_register_shared_queue(const char* name, size_t name_size, uint32_t* queue_id) {
  return forward(id::RegisterSharedQueue, name, name_size, queue_id);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_resolve_shared_queue(const char* vm_id, size_t vm_id_size, const char* name,
                                                           size_t name_size, uint32_t* queue_id) {
  return forward(id::ResolveSharedQueue, vm_id, vm_id_size, name, name_size, queue_id);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_dequeue_shared_queue(uint32_t queue_id, char** data, size_t* data_size) {
  return forward(id::DequeueSharedQueue, queue_id, data, data_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_enqueue_shared_queue(uint32_t queue_id, const char* data, size_t data_size) {
  return forward(id::EnqueueSharedQueue, queue_id, data, data_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_define_metric(uint32_t metric_type, const char* name, size_t name_size,
                                                    uint32_t* metric_id) {
  return forward(id::DefineMetric, metric_type, name, name_size, metric_id);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_increment_metric(uint32_t metric_id, int64_t offset) {
  return forward(id::IncrementMetric, metric_id, offset);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_record_metric(uint32_t metric_id, uint64_t value) {
  return forward(id::RecordMetric, metric_id, value);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_get_metric(uint32_t metric_id, uint64_t* value) {
  return forward(id::GetMetric, metric_id, value);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_call_foreign_function(const char* name, size_t name_size, const char* argument,
                                                            size_t argument_size, char** result,
                                                            size_t* result_size) {
  return forward(id::CallForeignFunction, name, name_size, argument, argument_size, result, result_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_redis_init(const char* cluster, size_t cluster_size, const char* username,
                                                 size_t username_size, const char* password, size_t password_size,
                                                 uint32_t timeout_ms) {
  return forward(id::RedisInit, cluster, cluster_size, username, username_size, password, password_size, timeout_ms);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_redis_call(const char* cluster, size_t cluster_size, const char* query,
                                                 size_t query_size, uint32_t* token) {
  return forward(id::RedisCall, cluster, cluster_size, query, query_size, token);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_inject_encoded_data_to_filter_chain(const char* data, size_t data_size,
                                                                          uint32_t end_stream) {
  return forward(id::InjectEncodedData, data, data_size, end_stream);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_get_upstream_hosts(char** pairs, size_t* pairs_size) {
  return forward(id::GetUpstreamHosts, pairs, pairs_size);
}
WASMGATE_NATIVE_IMPORT uint32_t proxy_set_upstream_override_host(const char* address, size_t address_size) {
  return forward(id::SetUpstreamOverrideHost, address, address_size);
}
