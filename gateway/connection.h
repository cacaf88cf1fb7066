// DownstreamConnection: one client connection. Joins the pure HTTP/1.1 parser to the socket
// (the only place that does), serves requests one at a time (pipelined ones wait, parsed but
// unprocessed, until the previous response is done), enforces the request-headers and idle
// timeouts, answers codec errors with 400/431 and closes, and tunnels after a 101. Flow control:
// it stops reading the client while the upstream is behind, and tells the stream when its own
// output queue passes the watermarks so the upstream stops being read.
//
// Internal header (gateway/). Thread affinity: the worker thread that accepted it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <uv.h>

#include "gateway/http/parser.h"
#include "gateway/net/deadline.h"
#include "gateway/net/loop.h"
#include "gateway/stream.h"

namespace wasmgate::gateway {

// What a connection needs from its worker.
class ConnectionHost {
 public:
  virtual ~ConnectionHost() = default;
  virtual Dispatcher& dispatcher() = 0;
  virtual std::shared_ptr<WorkerGeneration> currentGeneration() = 0;
  virtual bool draining() const = 0;
  virtual void onConnectionClosed(class DownstreamConnection* connection) = 0;
};

class DownstreamConnection final : public StreamOwner, public Http1Parser::Callbacks, public Flushable {
 public:
  explicit DownstreamConnection(ConnectionHost& host);
  ~DownstreamConnection() override;

  uv_tcp_t* handle() { return &tcp_; }
  // Call once the socket is accepted.
  void start();
  // Drain: close now if idle, else after the current response.
  void drain();
  // Immediate close (shutdown deadline).
  void closeNow();

  // StreamOwner
  std::string& output() override { return writer_.buffer(); }
  void flushOutput() override;
  void flushNow() override;
  void onResponseComplete(bool close_connection) override;
  void onStreamReset() override;
  void onUpgraded() override { upgraded_ = true; }
  bool draining() const override { return host_.draining(); }
  void setReadPaused(bool paused) override;
  std::string localAddress() override;
  uint64_t connectionId() override;

 private:
  enum class TimerMode { None, Idle, RequestHeaders, Linger };

  void onRead(ssize_t nread, const uv_buf_t* buf);
  // Starts or stops reading the socket to match the flags below.
  void updateReading();
  void process(std::string_view data);
  void afterResponse();
  void codecError(const CodecError& error);
  void closeAfterFlush();
  void onDrained();
  void armTimer(TimerMode mode);
  void onTimer();

  // Http1Parser::Callbacks
  void onRequestHead(RequestHead&& head) override;
  void onBody(std::string_view chunk) override;
  void onTrailers(HeaderMap&& trailers) override;
  void onMessageComplete() override;

  ConnectionHost& host_;
  uv_tcp_t tcp_;
  TcpWriter writer_;
  std::unique_ptr<Http1Parser> parser_;
  Deadline timer_;  // idle, request-headers or linger timeout (timer_mode_)
  TimerMode timer_mode_ = TimerMode::None;
  std::unique_ptr<Stream> stream_;
  std::shared_ptr<WorkerGeneration> generation_;  // of the connection's current request
  std::string peer_;
  uint64_t id_ = 0;  // assigned on first use
  std::string pending_;  // received but not yet parsed (a pipelined request waiting its turn)
  bool in_parser_ = false;
  bool blocked_ = false;         // a complete request waits for its response
  bool request_done_ = false;    // the current stream's request was fully received
  bool response_done_ = false;
  bool body_expected_ = false;
  bool close_after_response_ = false;
  bool upgraded_ = false;
  bool closing_ = false;         // no more requests; close once output is flushed
  bool closed_ = false;
  bool flush_scheduled_ = false;
  bool reading_ = false;
  bool paused_by_stream_ = false;  // flow control: the upstream is behind
};

}  // namespace wasmgate::gateway
