// WasmFilter: one plugin on one stream. Maps the filter chain's decode/encode calls to the
// plugin's proxy_on_request_* / proxy_on_response_* callbacks and serves the plugin's host calls
// about the stream (header maps, body buffers, properties, stream control) the way Higress's
// Envoy does (docs/plugins.md lists the details and the differences).
//
// Internal header (gateway/wasm/). Thread affinity: the stream's worker thread.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "gateway/filter.h"
#include "gateway/router.h"
#include "gateway/wasm/worker_plugins.h"
#include "runtime/host.h"

namespace wasmgate::gateway::wasm {

// What the plugins of one stream share: the per-stream knobs set through properties. The route
// cache is the stream's (FilterCallbacks::route); filter state written with proxy_set_property
// lives in StreamInfo::filter_state (the access log reads it).
struct StreamShared {
  ~StreamShared();  // tells `owner` the stream is done (worker_plugins.cc)
  WorkerPlugins* owner = nullptr;
  uint64_t decoder_buffer_limit = 0;  // bytes a filter may buffer (set_decoder_buffer_limit)
  uint64_t encoder_buffer_limit = 0;
  // false once a plugin set clear_route_cache to "off": request header changes keep the route.
  bool clear_route_cache = true;
};

class WasmFilter final : public StreamFilter,
                         private runtime::HeaderMapHost,
                         private runtime::BufferHost,
                         private runtime::PropertyHost,
                         private runtime::StreamControlHost {
 public:
  WasmFilter(PluginRuntime& plugin, std::shared_ptr<StreamShared> shared);
  ~WasmFilter() override;

  HeadersStatus decodeHeaders(RequestHead& head, bool end_stream) override;
  DataStatus decodeData(std::string& data, bool end_stream) override;
  HeadersStatus encodeHeaders(ResponseHead& head, bool end_stream) override;
  DataStatus encodeData(std::string& data, bool end_stream) override;
  void onStreamComplete() override;

  // For StreamRegistry: whether this stream runs on `vm`, and the VM failed in a callback that
  // was not this stream's (the fail strategy is applied if this plugin holds the stream).
  bool onVm(const runtime::WasmVm& vm) const { return vm_.get() == &vm && started_ && !finished_; }
  void onVmFailed();

  // The plugins of one stream, in chain order (WorkerPlugins::addFilters links them): the first
  // to end its stream ends the ones after it in the same engine entry (WasmVm::finishStreams).
  void linkAfter(WasmFilter& previous);

 private:
  friend class StreamRegistry;
  void failOtherHeldStreams();
  static constexpr size_t kNoSlot = static_cast<size_t>(-1);
  size_t registry_slot_ = kNoSlot;

  // HeaderMapHost
  abi::Status getHeader(abi::MapType, std::string_view key, std::string* value) override;
  abi::Status addHeader(abi::MapType, std::string_view key, std::string_view value) override;
  abi::Status replaceHeader(abi::MapType, std::string_view key, std::string_view value) override;
  abi::Status removeHeader(abi::MapType, std::string_view key) override;
  abi::Status getHeaders(abi::MapType, runtime::Pairs* pairs) override;
  abi::Status visitHeaders(abi::MapType, HeaderVisitor visit) override;
  abi::Status measureHeaders(abi::MapType, size_t* count, size_t* bytes) override;
  abi::Status writeHeaders(abi::MapType, runtime::PairsWriter& out) override;
  abi::Status setHeaders(abi::MapType, const runtime::Pairs& pairs) override;
  abi::Status getHeaderMapSize(abi::MapType, uint32_t* size) override;
  // BufferHost
  abi::Status getBuffer(abi::BufferType, uint64_t start, uint64_t max_size, std::string* data) override;
  abi::Status setBuffer(abi::BufferType, uint64_t start, uint64_t size, std::string_view data) override;
  abi::Status getBufferStatus(abi::BufferType, uint64_t* length, uint32_t* flags) override;
  // PropertyHost
  abi::Status getProperty(std::string_view path, std::string* value) override;
  abi::Status setProperty(std::string_view path, std::string_view value) override;
  // StreamControlHost
  abi::Status continueStream(abi::StreamType) override;
  abi::Status closeStream(abi::StreamType) override;
  abi::Status sendLocalResponse(const runtime::LocalResponse& response) override;
  abi::Status getUpstreamHosts(runtime::Pairs* hosts) override;          // upstream_hosts.h
  abi::Status setUpstreamOverrideHost(std::string_view address) override;

  // decodeHeaders() in parts, as encodeHeaders() below: the start of the stream in this plugin,
  // alone or chained with the plugins after it (WasmVm::startStreamsChained), and what follows.
  Result<abi::HeaderAction> startRequestHeaders(RequestHead& head, bool end_stream, uint32_t root_id,
                                                uint32_t num_headers);
  HeadersStatus afterRequestHeaders(const Result<abi::HeaderAction>& r, bool end_stream);
  void beginRequestHeaders(RequestHead& head, bool end_stream);
  bool chainableForRequest() const;
  // The header counts a plugin is given (the pseudo-headers included).
  static uint32_t requestHeaderCount(const RequestHead& head);
  static uint32_t responseHeaderCount(const ResponseHead& head);

  // encodeHeaders() in parts: the call into the plugin, alone or chained with the plugins the
  // response meets next (WasmVm::onResponseHeadersChained), and what follows the call.
  Result<abi::HeaderAction> callResponseHeaders(ResponseHead& head, bool end_stream);
  HeadersStatus afterResponseHeaders(const Result<abi::HeaderAction>& r, bool end_stream);
  // Whether this plugin's response headers callback may run in an earlier plugin's chain.
  bool chainableForResponse() const;
  // After a header callback that answered `r`: whether the filter chain would simply go on to the
  // next plugin (a plain Continue, nothing pending, the VM alive), so the next may run chained.
  bool simplyContinued(const Result<abi::HeaderAction>& r, bool decoding) const;
  // Its state for the callback, as encodeHeaders() sets it before a call.
  void beginResponseHeaders(ResponseHead& head, bool end_stream);

  // onStreamComplete()'s work before and after the runtime ends the stream.
  void beginFinish();
  void endFinish(const wasmgate::Status& ended);

  // Creates the stream context on first use; false: this filter is out of the stream (fail-open
  // skip, or fail-closed reply already sent).
  bool ensureStream();
  bool pickVm(uint32_t* root_id);  // false (and the fail strategy applied) when there is none
  void onStarted(uint32_t stream_id);
  runtime::StreamHost streamHost() { return runtime::StreamHost{this, this, this, this}; }
  // A callback failed: count it, schedule the rebuild, apply the fail strategy.
  void onFailure(const std::string& why, bool decoding);
  // Runs what the plugin asked for during the call that just returned.
  bool applyDeferred(bool decoding);
  void replaceResponse(const runtime::LocalResponse& reply);
  HeaderMap* mapFor(abi::MapType type);
  // Calls `visit` for every entry of map `type` as the plugin sees it (wasm_filter_hosts.cc).
  template <typename Visit>
  abi::Status eachHeader(abi::MapType type, Visit&& visit);
  // Called before a request header changes: the route is picked again with the new headers
  // (cache cleared), unless a plugin set clear_route_cache off; then the route is pinned now,
  // from the headers as they were, if nobody had asked for it yet.
  void beforeRequestHeaderChange() {
    if (shared_->clear_route_cache) callbacks_->clearRouteCache();
    else callbacks_->route();
  }
  bool overLimit(const std::string& data, bool decoding);

  PluginRuntime& plugin_;
  std::shared_ptr<StreamShared> shared_;
  WasmFilter* previous_plugin_ = nullptr;  // see linkAfter(); unlinked on destruction
  WasmFilter* next_plugin_ = nullptr;
  // This plugin's response headers callback already ran in the chain of the plugin before it on
  // the response: its answer, for encodeHeaders() to act on when the filter chain gets here.
  std::optional<Result<abi::HeaderAction>> chained_response_;
  std::optional<Result<abi::HeaderAction>> chained_request_;  // the same for the request headers
  std::shared_ptr<runtime::WasmVm> vm_;
  uint32_t stream_id_ = 0;
  bool started_ = false;
  bool skipped_ = false;  // fail-open, or the plugin is done with this stream
  bool finished_ = false;

  RequestHead* request_ = nullptr;
  ResponseHead* response_ = nullptr;
  bool request_headers_open_ = false;   // access window (§4.3)
  bool response_headers_open_ = false;
  std::string* body_ = nullptr;         // buffer of the current data callback
  bool body_is_request_ = true;
  bool request_end_ = false;
  bool response_end_ = false;
  bool request_stop_all_ = false;   // headers returned StopAll: hold body without calling the plugin
  bool response_stop_all_ = false;

  bool in_call_ = false;
  bool pending_continue_request_ = false;
  bool pending_continue_response_ = false;
  bool pending_close_ = false;
  std::optional<runtime::LocalResponse> pending_reply_;
  bool local_reply_sent_ = false;
  bool buffering_request_ = false;   // the last request data callback buffered
  bool buffering_response_ = false;
  // A local reply asked for in the response phase replaces the upstream response (its headers
  // are still held here), as Envoy does before the response headers went downstream.
  bool replacing_response_ = false;
  std::string replacement_body_;
};

}  // namespace wasmgate::gateway::wasm
