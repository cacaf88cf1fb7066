// The vocabulary of the plugin SDK, named as in Higress's Go SDK (proxywasm/types): callback
// actions, host-call status, and the small value types the typed host wrappers return.
//
// Public header. Values come from <wasmgate/abi.h>, the ABI header shared with the host; nothing
// here renumbers them. Single-threaded (a wasm VM has one thread).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <wasmgate/abi.h>

namespace wasmgate::types {

// The value a header, body or trailer callback returns. One integer type for every phase, as in
// Go; the constants below say which phase each value belongs to.
using Action = uint32_t;

inline constexpr Action ActionContinue = 0;
// Headers: HeaderStopIteration. Body: DataStopIterationAndBuffer (keep the chunk, see it again
// accumulated in the next callback).
inline constexpr Action ActionPause = 1;

inline constexpr Action HeaderContinue = static_cast<Action>(abi::HeaderAction::Continue);
// Holds the headers while body callbacks still run (ABI 0.2.100, see docs/sdk.md).
inline constexpr Action HeaderStopIteration = static_cast<Action>(abi::HeaderAction::StopIteration);
inline constexpr Action HeaderContinueAndEndStream =
    static_cast<Action>(abi::HeaderAction::ContinueAndEndStream);
inline constexpr Action HeaderStopAllIterationAndBuffer =
    static_cast<Action>(abi::HeaderAction::StopAllIterationAndBuffer);
// Holds everything until proxywasm::ResumeHttpRequest/Response: the action for async waits.
inline constexpr Action HeaderStopAllIterationAndWatermark =
    static_cast<Action>(abi::HeaderAction::StopAllIterationAndWatermark);

inline constexpr Action DataContinue = static_cast<Action>(abi::DataAction::Continue);
inline constexpr Action DataStopIterationAndBuffer =
    static_cast<Action>(abi::DataAction::StopIterationAndBuffer);
inline constexpr Action DataStopIterationAndWatermark =
    static_cast<Action>(abi::DataAction::StopIterationAndWatermark);
// The chunk is consumed (not forwarded); re-inject data with InjectEncodedDataToFilterChain.
inline constexpr Action DataStopIterationNoBuffer =
    static_cast<Action>(abi::DataAction::StopIterationNoBuffer);

inline constexpr Action TrailerContinue = static_cast<Action>(abi::TrailerAction::Continue);
inline constexpr Action TrailerStopIteration = static_cast<Action>(abi::TrailerAction::StopIteration);

// Result of OnPluginStart / OnVMStart.
enum class OnPluginStartStatus : bool { Failed = false, OK = true };

// Host-call status (proxy_status_t); Status::Ok is success.
using Status = abi::Status;
using LogLevel = abi::LogLevel;
using StreamType = abi::StreamType;
using MetricType = abi::MetricType;

inline const char* StatusName(Status s) { return abi::statusName(s); }

// Header maps, local-response headers, upstream hosts: ordered (key, value) pairs, duplicates kept.
using Headers = std::vector<std::pair<std::string, std::string>>;

// Value-or-status, read Go-style with a structured binding:
//   auto [path, status] = proxywasm::GetHttpRequestHeader(":path");
template <typename T>
struct Result {
  T value{};
  Status status = Status::Ok;
  bool ok() const { return status == Status::Ok; }
};

}  // namespace wasmgate::types
