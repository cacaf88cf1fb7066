#include "gateway/connection.h"

#include <atomic>

#include "gateway/log.h"
#include "gateway/stats.h"

namespace wasmgate::gateway {

namespace {
constexpr uint64_t kLingerMs = 1000;  // after our FIN, how long unread client bytes are drained
constexpr size_t kMaxPendingInput = 1024 * 1024;  // pipelined bytes held before reading pauses
}  // namespace

DownstreamConnection::DownstreamConnection(ConnectionHost& host)
    : host_(host),
      writer_(reinterpret_cast<uv_stream_t*>(&tcp_), [this](int) { closeNow(); }, [this] { onDrained(); }),
      timer_(host.dispatcher().deadlines(), [this] { onTimer(); }) {
  uv_tcp_init(host_.dispatcher().loop(), &tcp_);
  tcp_.data = this;
  writer_.setWatermarks(Watermarks{}, [this] { if (stream_) stream_->onDownstreamWatermark(true); },
                        [this] { if (stream_) stream_->onDownstreamWatermark(false); });
}

DownstreamConnection::~DownstreamConnection() = default;

void DownstreamConnection::start() {
  Stats::global().connectionOpened();
  sockaddr_storage addr{};
  int len = sizeof addr;
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    peer_ = formatAddress(reinterpret_cast<sockaddr*>(&addr));
  }
  uv_tcp_nodelay(&tcp_, 1);
  generation_ = host_.currentGeneration();
  const LimitsConfig& limits = generation_->snapshot->config->limits;
  Http1Parser::Limits parser_limits;
  parser_limits.max_header_bytes = static_cast<size_t>(limits.max_request_headers_kb) * 1024;
  parser_limits.max_header_count = limits.max_request_headers_count;
  parser_ = std::make_unique<Http1Parser>(Http1Parser::Kind::Request, *this, parser_limits);
  armTimer(TimerMode::Idle);
  updateReading();
}

std::string DownstreamConnection::localAddress() {
  sockaddr_storage addr{};
  int len = sizeof addr;
  if (uv_tcp_getsockname(&tcp_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return {};
  return formatAddress(reinterpret_cast<sockaddr*>(&addr));
}

uint64_t DownstreamConnection::connectionId() {
  static std::atomic<uint64_t> next_id{1};
  if (id_ == 0) id_ = next_id.fetch_add(1, std::memory_order_relaxed);
  return id_;
}

void DownstreamConnection::updateReading() {
  if (closed_) return;
  // While lingering after our FIN we read (and discard) whatever the client still sends.
  bool want = closing_ || !(paused_by_stream_ || pending_.size() > kMaxPendingInput);
  if (want == reading_) return;
  reading_ = want;
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  if (!want) {
    uv_read_stop(stream);
    return;
  }
  uv_read_start(stream,
                [](uv_handle_t* h, size_t, uv_buf_t* buf) {
                  *buf = static_cast<DownstreamConnection*>(h->data)->host_.dispatcher().readBuffer();
                },
                [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
                  static_cast<DownstreamConnection*>(s->data)->onRead(nread, buf);
                });
}

void DownstreamConnection::setReadPaused(bool paused) {
  paused_by_stream_ = paused;
  updateReading();
}

void DownstreamConnection::armTimer(TimerMode mode) {
  timer_mode_ = mode;
  const LimitsConfig& limits = generation_->snapshot->config->limits;
  switch (mode) {
    case TimerMode::None: timer_.stop(); break;
    case TimerMode::Idle: timer_.start(limits.idle_timeout_ms); break;
    case TimerMode::RequestHeaders: timer_.start(limits.request_headers_timeout_ms); break;
    case TimerMode::Linger: timer_.start(kLingerMs); break;
  }
}

void DownstreamConnection::onTimer() {
  switch (timer_mode_) {
    case TimerMode::RequestHeaders:
      // Slowloris protection: the request line and headers must arrive within the limit.
      codecError(CodecError{408, "request_header_timeout", "request headers not received in time"});
      break;
    case TimerMode::Idle:
    case TimerMode::Linger:
      closeNow();
      break;
    case TimerMode::None:
      break;
  }
}

void DownstreamConnection::onRead(ssize_t nread, const uv_buf_t* buf) {
  if (closed_) return;
  if (nread < 0) {
    // Client closed (or error): whatever is in flight is abandoned.
    if (stream_) stream_->onDownstreamReset();
    closeNow();
    return;
  }
  if (closing_) return;  // lingering: discard
  std::string_view data(buf->base, static_cast<size_t>(nread));
  if (upgraded_) {
    if (stream_) stream_->onRequestData(data, false);
    return;
  }
  if (blocked_ || !pending_.empty()) {
    pending_.append(data);
    updateReading();
    if (blocked_) return;
    std::string input = std::move(pending_);
    pending_.clear();
    process(input);
    updateReading();  // the backlog is parsed: reading may resume
    return;
  }
  process(data);
}

void DownstreamConnection::process(std::string_view data) {
  while (!data.empty() && !closing_ && !closed_) {
    if (blocked_) {
      pending_.append(data);
      return;
    }
    in_parser_ = true;
    auto progress = parser_->feed(data);
    in_parser_ = false;
    if (closing_ || closed_) return;
    data.remove_prefix(progress.consumed);
    switch (progress.state) {
      case Http1Parser::State::NeedMore:
        if (parser_->inMessage() && !parser_->headersComplete() && timer_mode_ != TimerMode::RequestHeaders) {
          armTimer(TimerMode::RequestHeaders);
        }
        break;
      case Http1Parser::State::MessageDone:
        parser_->resume();
        if (!response_done_) blocked_ = true;  // pipelined: the next request waits its turn
        break;
      case Http1Parser::State::Upgrade:
        upgraded_ = true;
        if (stream_ && !data.empty()) stream_->onRequestData(data, false);
        return;
      case Http1Parser::State::Error:
        codecError(parser_->error());
        return;
    }
    // A response produced while parsing (local reply, built-in service) is finished here,
    // outside the parser's callbacks.
    if (response_done_) afterResponse();
  }
}

void DownstreamConnection::onRequestHead(RequestHead&& head) {
  armTimer(TimerMode::None);
  request_done_ = false;
  response_done_ = false;
  close_after_response_ = false;
  generation_ = host_.currentGeneration();  // a reload applies from the next request on
  body_expected_ = head.hasBody();
  bool end_stream = !body_expected_ && !head.upgrade;
  stream_ = std::make_unique<Stream>(host_.dispatcher(), generation_, *this, std::move(head), peer_);
  // The previous response may still be queued above the watermark: this one waits its turn too.
  if (writer_.aboveHighWatermark()) stream_->onDownstreamWatermark(true);
  stream_->start(end_stream);
}

void DownstreamConnection::onBody(std::string_view chunk) {
  if (stream_ && !response_done_) stream_->onRequestData(chunk, false);
}

void DownstreamConnection::onTrailers(HeaderMap&& trailers) {
  if (stream_ && !response_done_) stream_->onRequestTrailers(std::move(trailers));
}

void DownstreamConnection::onMessageComplete() {
  request_done_ = true;
  if (stream_ && body_expected_ && !response_done_) stream_->onRequestData("", true);
}

void DownstreamConnection::flushOutput() {
  if (flush_scheduled_ || closed_) return;
  flush_scheduled_ = true;
  host_.dispatcher().scheduleFlush(this);
}

void DownstreamConnection::flushNow() {
  flush_scheduled_ = false;
  if (!closed_) writer_.flush();
}

void DownstreamConnection::onResponseComplete(bool close_connection) {
  response_done_ = true;
  close_after_response_ = close_connection;
  flushOutput();
  if (!in_parser_) afterResponse();
}

void DownstreamConnection::afterResponse() {
  if (!response_done_ || closing_ || closed_) return;
  if (close_after_response_ || host_.draining()) {
    if (stream_) host_.dispatcher().deferDelete(std::unique_ptr<Deletable>(stream_.release()));
    closeAfterFlush();
    return;
  }
  if (!request_done_) return;  // the rest of the request body is still to come
  if (stream_) host_.dispatcher().deferDelete(std::unique_ptr<Deletable>(stream_.release()));
  response_done_ = false;
  request_done_ = false;
  armTimer(TimerMode::Idle);
  paused_by_stream_ = false;  // that stream's flow control ends with it
  if (blocked_) {
    blocked_ = false;
    if (!pending_.empty() && !in_parser_) {
      std::string input = std::move(pending_);
      pending_.clear();
      updateReading();
      process(input);
    }
  }
  updateReading();
}

void DownstreamConnection::onStreamReset() {
  if (stream_) host_.dispatcher().deferDelete(std::unique_ptr<Deletable>(stream_.release()));
  closeNow();
}

void DownstreamConnection::codecError(const CodecError& error) {
  logf(LogLevel::Debug, "downstream %s: %s (%s)", peer_.c_str(), error.details.c_str(), error.reason.c_str());
  if (stream_) {
    // A bad body: the upstream exchange is abandoned (it never gets a complete request). If the
    // response already started, closing is the only answer left.
    bool answered = stream_->responseStarted();
    stream_->onDownstreamReset();
    host_.dispatcher().deferDelete(std::unique_ptr<Deletable>(stream_.release()));
    if (answered) {
      closeNow();
      return;
    }
  }
  Stats::global().requestDone(error.status, 0);
  std::string body = std::string(reasonPhrase(error.status));
  std::string& out = writer_.buffer();
  out += "HTTP/1.1 " + std::to_string(error.status) + " " + body + "\r\ncontent-length: " +
         std::to_string(body.size()) + "\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n" + body;
  closeAfterFlush();
}

void DownstreamConnection::drain() {
  if (!stream_ && !closing_) closeAfterFlush();
}

void DownstreamConnection::closeAfterFlush() {
  if (closing_ || closed_) return;
  closing_ = true;
  armTimer(TimerMode::None);
  updateReading();
  writer_.flush();
  if (!writer_.writing() && writer_.pending() == 0) onDrained();
}

void DownstreamConnection::onDrained() {
  if (!closing_ || closed_) return;
  // Send FIN, then read and discard until the client closes (or a short linger), so unread
  // request bytes don't turn our close into a reset that destroys the response in flight.
  auto* req = new uv_shutdown_t;
  req->data = this;
  if (uv_shutdown(req, reinterpret_cast<uv_stream_t*>(&tcp_), [](uv_shutdown_t* r, int) { delete r; }) != 0) {
    delete req;
    closeNow();
    return;
  }
  armTimer(TimerMode::Linger);
}

void DownstreamConnection::closeNow() {
  if (closed_) return;
  closed_ = true;
  timer_.stop();
  if (stream_) {
    stream_->onDownstreamReset();
    host_.dispatcher().deferDelete(std::unique_ptr<Deletable>(stream_.release()));
  }
  Stats::global().connectionClosed();
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), [](uv_handle_t* h) {
    auto* self = static_cast<DownstreamConnection*>(h->data);
    self->host_.onConnectionClosed(self);
  });
}

}  // namespace wasmgate::gateway
