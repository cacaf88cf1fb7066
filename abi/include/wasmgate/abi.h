// The proxy-wasm ABI vocabulary, shared by the host (runtime/, gateway/) and the plugin SDK (sdk/).
//
// Public header. Compiles for the host and for wasm32-wasi, so it holds only enums and constants:
// no allocation, no std library beyond <cstdint>. Every value here is fixed by the ABI (proxy-wasm
// spec 0.2.1 plus Higress's extensions) and must never be renumbered.
#pragma once

#include <cstdint>

namespace wasmgate::abi {

// Result of every host function (proxy_status_t).
enum class Status : uint32_t {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  InternalFailure = 10,
  BrokenConnection = 11,  // only reported by proxy_get_status after a failed call
  Unimplemented = 12,
};

constexpr const char* statusName(Status s) {
  switch (s) {
    case Status::Ok: return "Ok";
    case Status::NotFound: return "NotFound";
    case Status::BadArgument: return "BadArgument";
    case Status::SerializationFailure: return "SerializationFailure";
    case Status::ParseFailure: return "ParseFailure";
    case Status::InvalidMemoryAccess: return "InvalidMemoryAccess";
    case Status::Empty: return "Empty";
    case Status::CasMismatch: return "CasMismatch";
    case Status::InternalFailure: return "InternalFailure";
    case Status::BrokenConnection: return "BrokenConnection";
    case Status::Unimplemented: return "Unimplemented";
  }
  return "Unknown";
}

enum class MapType : uint32_t {
  RequestHeaders = 0,
  RequestTrailers = 1,
  ResponseHeaders = 2,
  ResponseTrailers = 3,
  GrpcInitialMetadata = 4,
  GrpcTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
};
inline constexpr uint32_t kMaxMapType = 7;

enum class BufferType : uint32_t {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  DownstreamData = 2,
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  CallData = 8,  // foreign-function arguments
  RedisCallResponse = 9,  // Higress
};
inline constexpr uint32_t kMaxBufferType = 9;

enum class StreamType : uint32_t { Request = 0, Response = 1, Downstream = 2, Upstream = 3 };

enum class LogLevel : uint32_t { Trace = 0, Debug = 1, Info = 2, Warn = 3, Error = 4, Critical = 5 };
inline constexpr uint32_t kMaxLogLevel = 5;

enum class MetricType : uint32_t { Counter = 0, Gauge = 1, Histogram = 2 };

enum class PeerType : uint32_t { Unknown = 0, Local = 1, Remote = 2 };

// proxy_on_redis_call_response status (Higress).
enum class RedisStatus : uint32_t { Ok = 0, NetworkError = 1 };

// Value returned by proxy_on_request_headers / proxy_on_response_headers.
// The numbers are Envoy's FilterHeadersStatus.
enum class HeaderAction : uint32_t {
  Continue = 0,
  // Holds the headers; body data still reaches this plugin (ABI 0.2.100). Older ABIs turn it
  // into StopAllIterationAndWatermark, as Envoy does.
  StopIteration = 1,
  ContinueAndEndStream = 2,
  StopAllIterationAndBuffer = 3,
  StopAllIterationAndWatermark = 4,
};

// Value returned by proxy_on_request_body / proxy_on_response_body (Envoy's FilterDataStatus).
enum class DataAction : uint32_t {
  Continue = 0,
  StopIterationAndBuffer = 1,  // the host keeps the chunk; the next call sees the whole buffer
  StopIterationAndWatermark = 2,
  StopIterationNoBuffer = 3,  // the chunk is consumed, not forwarded
};

enum class TrailerAction : uint32_t { Continue = 0, StopIteration = 1 };

// Start-of-file markers of the ABI versions a module may export as proxy_abi_version_X.
enum class AbiVersion : uint32_t { Unknown = 0, V0_1_0, V0_2_0, V0_2_1, V0_2_100 };

constexpr const char* abiVersionName(AbiVersion v) {
  switch (v) {
    case AbiVersion::V0_1_0: return "0.1.0";
    case AbiVersion::V0_2_0: return "0.2.0";
    case AbiVersion::V0_2_1: return "0.2.1";
    case AbiVersion::V0_2_100: return "0.2.100";
    case AbiVersion::Unknown: break;
  }
  return "unknown";
}

}  // namespace wasmgate::abi
