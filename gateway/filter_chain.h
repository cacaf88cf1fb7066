// FilterChain: runs a stream's filters in order for the request and in reverse for the response,
// holding headers and data where a filter stops and resuming from there (after
// HeadersStatus::StopAllIteration the holder is shown the held body first). The response leaves the
// chain through an EncodeSink (the stream's connection writer); the request's last filter is the
// router, so decoding has no sink.
//
// Internal header (gateway/). Thread affinity: the stream's worker thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/filter.h"

namespace wasmgate::gateway {

class FilterChain {
 public:
  class EncodeSink {
   public:
    virtual ~EncodeSink() = default;
    virtual void sinkHeaders(ResponseHead& head, bool end_stream) = 0;
    virtual void sinkData(std::string_view data, bool end_stream) = 0;
  };

  FilterChain(std::vector<std::unique_ptr<StreamFilter>> filters, EncodeSink& sink);

  void decodeHeaders(RequestHead& head, bool end_stream);
  void decodeData(std::string_view data, bool end_stream);
  void continueDecoding();
  // Ends request iteration for good (a local reply was sent or the stream was reset).
  void stopDecoding() { decode_.stopped_forever = true; }

  void encodeHeaders(ResponseHead&& head, bool end_stream);
  void encodeData(std::string_view data, bool end_stream);
  void continueEncoding();
  void stopEncoding() { encode_.stopped_forever = true; }
  bool encodeStarted() const { return encode_started_; }
  ResponseHead& responseHead() { return response_; }

  void onStreamComplete();

  // Whether `filter` is the one holding the request (decoding) or response iteration now.
  bool holds(const StreamFilter& filter, bool decoding) const;
  // Whether the pass in progress in that direction takes only the headers from filter to filter,
  // each filter's headers call right after the one before it (no body in between).
  bool headersOnlyPass(bool decoding) const { return (decoding ? decode_ : encode_).headers_only_pass; }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);
  struct Direction {
    bool decode = true;
    size_t stopped_at = kNone;  // position (in this direction's order) holding the stream
    bool headers_held = false;  // the headers wait at stopped_at
    bool replay_on_resume = false;  // the holder stopped all: show it the held body on resume
    bool headers_end = false;   // end_stream given with the headers (no body)
    bool end_seen = false;      // the last data arrived
    bool stopped_forever = false;
    bool headers_only_pass = false;  // see headersOnlyPass()
    std::string held;           // data waiting at stopped_at (or being iterated)
    // Filters before stopped_at let the headers pass, so each new chunk goes through them first
    // (as in Envoy); one of them may buffer it in `early`, at data_from.
    size_t data_from = 0;
    std::string early;
  };

  StreamFilter& at(const Direction& d, size_t pos) {
    return *filters_[d.decode ? pos : filters_.size() - 1 - pos];
  }
  HeadersStatus callHeaders(Direction& d, size_t pos);
  DataStatus callData(Direction& d, size_t pos);
  // Moves the pending headers and/or held data through filters from `pos` on.
  void iterate(Direction& d, size_t pos, bool headers_here, bool data_here);
  void resume(Direction& d);
  void onData(Direction& d, std::string_view data, bool end_stream);

  std::vector<std::unique_ptr<StreamFilter>> filters_;
  EncodeSink& sink_;
  Direction decode_;
  Direction encode_;
  RequestHead* request_ = nullptr;
  ResponseHead response_;
  bool encode_started_ = false;
};

}  // namespace wasmgate::gateway
