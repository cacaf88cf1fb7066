// DownstreamSide: what the router filter may ask of the client side of its stream beyond the
// filter interface: pause reading the client while the upstream can't keep up (flow control),
// and hand over the response's chunked trailers, which the filter chain does not carry.
//
// Internal header (gateway/). Thread affinity: the stream's worker thread.
#pragma once

#include "gateway/http/message.h"

namespace wasmgate::gateway {

class DownstreamSide {
 public:
  virtual ~DownstreamSide() = default;
  // true: stop reading the client (the request body would only pile up in memory); false: resume.
  virtual void setRequestReadPaused(bool paused) = 0;
  // Trailers that end the response body; written after the last chunk.
  virtual void setResponseTrailers(HeaderMap&& trailers) = 0;
};

}  // namespace wasmgate::gateway
