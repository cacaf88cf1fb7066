// The state behind an HttpStream: both directions with Envoy's holding and buffering rules, the
// stream's properties, and the four per-stream host interfaces the runtime calls.
//
// Harness-internal header. Thread affinity: the test's thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <wasmgate/testing/http_stream.h>

#include "runtime/host.h"
#include "runtime/vm.h"

namespace wasmgate::testing {

class HostState;
struct VmSlot;
class StreamState;

// One direction (request or response) of a stream.
struct Direction {
  Message msg;
  bool seen = false;               // headers were fed
  bool in_header_callback = false;
  bool headers_held = false;       // a header callback stopped and nothing released them yet
  bool stop_all = false;           // ...with StopAllIteration*: body and trailers wait in the host
  bool trailers_held = false;
  // The plugin's view of the body is msg.body from view_start; before it, bytes passed on.
  size_t view_start = 0;
  bool buffering = false;          // the last body callback said StopIterationAndBuffer/Watermark
  // Data that arrived while stop_all held the headers.
  std::string queued_body;
  bool has_queued_body = false;
  bool queued_end_of_stream = false;
  std::optional<Headers> queued_trailers;
  bool resume_requested = false;   // continue_stream, applied by HostState::pump()
  bool continued = false;

  bool held() const {
    return headers_held || trailers_held || buffering || has_queued_body || queued_trailers.has_value();
  }
  void syncForwarded() { msg.forwarded_body_bytes = buffering ? view_start : msg.body.size(); }
};

class StreamHeaders final : public runtime::HeaderMapHost {
 public:
  explicit StreamHeaders(StreamState& s) : s_(s) {}
  abi::Status getHeader(abi::MapType, std::string_view key, std::string* value) override;
  abi::Status addHeader(abi::MapType, std::string_view key, std::string_view value) override;
  abi::Status replaceHeader(abi::MapType, std::string_view key, std::string_view value) override;
  abi::Status removeHeader(abi::MapType, std::string_view key) override;
  abi::Status getHeaders(abi::MapType, runtime::Pairs* pairs) override;
  abi::Status setHeaders(abi::MapType, const runtime::Pairs& pairs) override;
  abi::Status getHeaderMapSize(abi::MapType, uint32_t* size) override;

 private:
  StreamState& s_;
};

class StreamBuffers final : public runtime::BufferHost {
 public:
  explicit StreamBuffers(StreamState& s) : s_(s) {}
  abi::Status getBuffer(abi::BufferType, uint64_t start, uint64_t max_size, std::string* data) override;
  abi::Status setBuffer(abi::BufferType, uint64_t start, uint64_t size, std::string_view data) override;
  abi::Status getBufferStatus(abi::BufferType, uint64_t* length, uint32_t* flags) override;

 private:
  StreamState& s_;
};

class StreamProperties final : public runtime::PropertyHost {
 public:
  explicit StreamProperties(StreamState& s) : s_(s) {}
  abi::Status getProperty(std::string_view path, std::string* value) override;
  abi::Status setProperty(std::string_view path, std::string_view value) override;

 private:
  StreamState& s_;
};

class StreamControl final : public runtime::StreamControlHost {
 public:
  explicit StreamControl(StreamState& s) : s_(s) {}
  abi::Status continueStream(abi::StreamType) override;
  abi::Status closeStream(abi::StreamType) override;
  abi::Status sendLocalResponse(const runtime::LocalResponse& response) override;
  abi::Status injectEncodedData(std::string_view data, bool end_of_stream) override;
  abi::Status setUpstreamOverrideHost(std::string_view address) override;
  abi::Status getUpstreamHosts(runtime::Pairs* hosts) override;

 private:
  StreamState& s_;
};

class StreamState {
 public:
  explicit StreamState(HostState& host);
  StreamState(const StreamState&) = delete;
  StreamState& operator=(const StreamState&) = delete;
  ~StreamState();

  // The VM this stream runs on, creating its context at the first call.
  Result<runtime::WasmVm*> vm();

  HeaderAction runHeaders(Direction& d, bool request, bool end_of_stream);
  DataAction feedBody(Direction& d, bool request, std::string_view chunk, bool end_of_stream);
  TrailerAction feedTrailers(Direction& d, bool request, Headers trailers);
  void resume(Direction& d, bool request);  // continue_stream
  Status complete();

  // The header map `type` if the plugin may reach it now (Envoy's access windows), else nullptr.
  Headers* headerMap(abi::MapType type, bool for_write);

  HostState* host;  // nullptr once the TestHost is gone
  VmSlot* slot = nullptr;
  uint32_t id = 0;
  bool finished = false;
  bool in_log = false;

  Direction request;
  Direction response;
  std::map<std::string, std::string, std::less<>> properties;  // '\0'-joined path -> value
  std::string default_authority = "default.test.com";
  Headers upstream_hosts;
  std::optional<LocalResponse> local_response;
  bool closed = false;
  std::string error;
  std::vector<PropertyWrite> writes;
  std::map<std::string, std::string> span_tags;
  std::optional<std::string> override_host;
  std::string injected;

 private:
  DataAction deliverBody(Direction& d, bool request, std::string_view chunk, bool end_of_stream);
  TrailerAction deliverTrailers(Direction& d, bool request, Headers trailers);
  HeaderAction failHeaders(Direction& d, std::string why);
  DataAction failData(Direction& d, std::string why);
  TrailerAction failTrailers(Direction& d, std::string why);
  bool failOpen() const;
  void failStream(std::string why);

  StreamHeaders headers_host_{*this};
  StreamBuffers buffers_host_{*this};
  StreamProperties properties_host_{*this};
  StreamControl control_host_{*this};
};

// Lower-cased keys, as Envoy's header maps hold them.
Headers lowerCaseKeys(Headers headers);

// Property path segments joined by '\0', the ABI's form.
std::string joinPropertyPath(std::initializer_list<std::string_view> segments);

}  // namespace wasmgate::testing
