// Http1Parser: the HTTP/1.1 decoder, a pure wrapper around llhttp (no I/O, no sockets). It turns
// bytes into a message head, body chunks as they arrive (content-length or chunked, never
// buffered), chunked trailers, and a completion event, and it rejects what a proxy must never forward: both
// Content-Length and Transfer-Encoding, bad chunk sizes, obs-fold, invalid names or methods,
// duplicate Content-Length, oversized headers.
//
// Public header (gateway/). Not thread-safe: one parser belongs to one connection, on the thread
// of that connection's loop.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/http/message.h"

namespace wasmgate::gateway {

// Why a message was rejected: the status to answer with (400 or 431 for requests; 502 for an
// upstream's response) and a details string in Envoy's response_code_details style.
struct CodecError {
  int status = 400;
  std::string details;  // e.g. "http1.headers_too_large"
  std::string reason;   // llhttp's explanation, for logs
};

class Http1Parser {
 public:
  enum class Kind { Request, Response };

  struct Limits {
    size_t max_header_bytes = 60 * 1024;  // request/status line + all headers (Envoy's default 60 KiB)
    size_t max_header_count = 100;
  };

  // Receives what the parser decoded. String views point into the fed buffer and are valid only
  // during the call.
  class Callbacks {
   public:
    virtual ~Callbacks() = default;
    virtual void onRequestHead(RequestHead&& /*head*/) {}
    virtual void onResponseHead(ResponseHead&& /*head*/) {}
    virtual void onBody(std::string_view chunk) = 0;
    // Trailer fields after the last chunk of a chunked body; called just before
    // onMessageComplete, only when there were any.
    virtual void onTrailers(HeaderMap&& /*trailers*/) {}
    virtual void onMessageComplete() = 0;
  };

  enum class State {
    NeedMore,     // all input consumed, message (if any) incomplete
    MessageDone,  // stopped right after a complete message; call resume() before feeding more
    Upgrade,      // message done and the connection switches protocol: the rest is raw bytes
    Error,        // see error(); the connection must be closed after answering
  };

  struct Progress {
    State state;
    size_t consumed;  // bytes of the input used; the rest must be fed again later
  };

  Http1Parser(Kind kind, Callbacks& callbacks, Limits limits);
  Http1Parser(Kind kind, Callbacks& callbacks) : Http1Parser(kind, callbacks, Limits{}) {}
  ~Http1Parser();
  Http1Parser(const Http1Parser&) = delete;
  Http1Parser& operator=(const Http1Parser&) = delete;

  Progress feed(std::string_view data);
  void resume();
  // Response parsers only: the next response answers a HEAD request, so it has no body.
  void expectNoBody(bool no_body) { response_to_head_ = no_body; }
  // The peer closed the connection: completes a read-until-close body (MessageDone), or reports
  // a truncated message (Error), or NeedMore when between messages.
  State finish();

  // True once the first byte of a message arrived and until it completes.
  bool inMessage() const { return in_message_; }
  bool headersComplete() const { return headers_done_; }
  const CodecError& error() const { return error_; }

 private:
  struct Impl;
  friend struct Impl;

  Kind kind_;
  Callbacks& callbacks_;
  Limits limits_;
  std::unique_ptr<Impl> impl_;
  CodecError error_;
  bool in_message_ = false;
  bool headers_done_ = false;
  bool response_to_head_ = false;
  bool failed_ = false;
  // A callback rejected the message and set error_: llhttp reports that as HPE_USER from a data
  // callback but as HPE_CB_* from a notification one, and neither may overwrite error_.
  bool rejected_by_callback_ = false;
};

}  // namespace wasmgate::gateway
