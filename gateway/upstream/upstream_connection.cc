#include "gateway/upstream/upstream_connection.h"

#include <algorithm>

#include "gateway/upstream/endpoint.h"

namespace wasmgate::gateway {

UpstreamConnection::UpstreamConnection(Dispatcher& dispatcher, ConnPool& pool, Endpoint& endpoint)
    : dispatcher_(dispatcher),
      pool_(&pool),
      endpoint_(endpoint),
      tcp_(new uv_tcp_t),
      writer_(reinterpret_cast<uv_stream_t*>(tcp_),
              [this](int status) { fail(response_started_ ? UpstreamFailure::ResetDuringResponse
                                                          : UpstreamFailure::ResetBeforeResponse,
                                        std::string("write: ") + uv_strerror(status)); },
              nullptr),
      parser_(Http1Parser::Kind::Response, *this),
      timer_(dispatcher.deadlines(), [this] {
        if (!connected_) {
          fail(UpstreamFailure::ConnectFailure, "connect timeout");
        } else if (idle_) {
          close();  // idle too long in the pool
        }
      }) {
  uv_tcp_init(dispatcher_.loop(), tcp_);
  tcp_->data = this;
  connect_req_.data = this;
  writer_.setWatermarks(Watermarks{}, [this] { if (client_) client_->onUpstreamWriteWatermark(true); },
                        [this] { if (client_) client_->onUpstreamWriteWatermark(false); });
}

UpstreamConnection::~UpstreamConnection() = default;

void UpstreamConnection::connect(uint64_t timeout_ms) {
  timer_.start(timeout_ms);
  int rc = uv_tcp_connect(&connect_req_, tcp_, reinterpret_cast<const sockaddr*>(&endpoint_.addr),
                          [](uv_connect_t* req, int status) {
                            auto* self = static_cast<UpstreamConnection*>(req->data);
                            if (self->closed_) return;
                            if (status < 0) {
                              self->fail(UpstreamFailure::ConnectFailure, uv_strerror(status));
                              return;
                            }
                            self->connected_ = true;
                            self->timer_.stop();
                            uv_tcp_nodelay(self->tcp_, 1);
                            if (!self->read_paused_) self->startReading();
                            if (self->client_) self->client_->onUpstreamReady(*self);
                          });
  if (rc < 0) {
    // Report asynchronously-equivalent: the caller is still inside newStream().
    timer_.start(0);
    connected_ = false;
  }
}

void UpstreamConnection::attach(Client* client) {
  client_ = client;
  ++requests_;
  response_started_ = false;
  response_done_ = false;
  idle_ = false;
  if (connected_) timer_.stop();
}

void UpstreamConnection::startReading() {
  uv_read_start(reinterpret_cast<uv_stream_t*>(tcp_),
                [](uv_handle_t* h, size_t, uv_buf_t* buf) {
                  *buf = static_cast<UpstreamConnection*>(h->data)->dispatcher_.readBuffer();
                },
                [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
                  static_cast<UpstreamConnection*>(s->data)->onRead(nread, buf);
                });
}

void UpstreamConnection::setReadPaused(bool paused) {
  if (paused == read_paused_ || closed_) return;
  read_paused_ = paused;
  if (!connected_) return;  // the connect callback starts reading unless paused
  if (paused) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(tcp_));
  } else {
    startReading();
  }
}

void UpstreamConnection::send(std::string_view data, bool flush) {
  if (closed_) return;
  writer_.append(data);
  if (flush && connected_) writer_.flush();
}

void UpstreamConnection::onRead(ssize_t nread, const uv_buf_t* buf) {
  if (closed_) return;
  if (nread < 0) {
    if (idle_ || !client_) {
      close();
      return;
    }
    if (tunnel_) {
      Client* c = client_;
      close();
      c->onUpstreamComplete();
      return;
    }
    // EOF may legitimately end a read-until-close body.
    if (nread == UV_EOF && parser_.finish() == Http1Parser::State::MessageDone) {
      if (client_) client_->onUpstreamReadDone();
      return;
    }
    fail(response_started_ ? UpstreamFailure::ResetDuringResponse : UpstreamFailure::ResetBeforeResponse,
         nread == UV_EOF ? "connection closed by upstream" : uv_strerror(static_cast<int>(nread)));
    return;
  }
  if (idle_ || !client_) {
    close();  // bytes nobody asked for: the connection can't be trusted any more
    return;
  }
  std::string_view data(buf->base, static_cast<size_t>(nread));
  if (tunnel_) {
    client_->onUpstreamRaw(data);
    return;
  }
  Client* client = client_;
  while (!data.empty() && !closed_) {
    auto progress = parser_.feed(data);
    data.remove_prefix(progress.consumed);
    if (progress.state == Http1Parser::State::Error) {
      fail(UpstreamFailure::ProtocolError, parser_.error().reason);
      return;
    }
    if (progress.state == Http1Parser::State::MessageDone) {
      parser_.resume();
      if (!data.empty() && response_done_) {
        close();  // bytes after the response: not reusable
        return;
      }
    } else if (progress.state == Http1Parser::State::Upgrade) {
      tunnel_ = true;
      if (!data.empty() && client_) client_->onUpstreamRaw(data);
      break;
    }
  }
  if (client_ == client && client) client->onUpstreamReadDone();
}

void UpstreamConnection::onResponseHead(ResponseHead&& head) {
  // 1xx (other than 101) are interim: the real response follows on the same connection.
  if (head.status >= 100 && head.status < 200 && head.status != 101) return;
  response_started_ = true;
  if (client_) client_->onUpstreamHead(std::move(head));
}

void UpstreamConnection::onBody(std::string_view chunk) {
  if (client_) client_->onUpstreamData(chunk);
}

void UpstreamConnection::onTrailers(HeaderMap&& trailers) {
  if (client_) client_->onUpstreamTrailers(std::move(trailers));
}

void UpstreamConnection::onMessageComplete() {
  if (!response_started_) return;  // end of an interim 1xx response
  if (tunnel_) return;             // a 101's head: the tunnel's bytes follow, nothing completes
  response_done_ = true;
  if (client_) client_->onUpstreamComplete();
}

void UpstreamConnection::fail(UpstreamFailure failure, const std::string& detail) {
  if (closed_) return;
  Client* c = client_;
  close();
  if (c) c->onUpstreamFailure(failure, detail);
}

void UpstreamConnection::release(bool reusable) {
  client_ = nullptr;
  if (closed_) return;
  if (!reusable || !response_done_ || tunnel_ || writer_.pending() > 0 || !pool_) {
    close();
    return;
  }
  setReadPaused(false);  // an idle connection must see the upstream closing it
  idle_ = true;
  pool_->onIdle(this);
}

void UpstreamConnection::close() {
  if (closed_) return;
  closed_ = true;
  client_ = nullptr;
  timer_.stop();
  if (pool_) pool_->onClosed(this);
  pool_ = nullptr;
  // The object lives until libuv is done with the handle (pending writes are cancelled first).
  uv_close(reinterpret_cast<uv_handle_t*>(tcp_), [](uv_handle_t* h) {
    auto* self = static_cast<UpstreamConnection*>(h->data);
    delete reinterpret_cast<uv_tcp_t*>(h);
    delete self;
  });
}

ConnPool::ConnPool(Dispatcher& dispatcher, Endpoint& endpoint, PoolSettings settings)
    : dispatcher_(dispatcher), endpoint_(endpoint), settings_(settings) {}

ConnPool::~ConnPool() {
  std::vector<UpstreamConnection*> all(all_.begin(), all_.end());
  for (UpstreamConnection* c : all) c->close();
}

UpstreamConnection* ConnPool::newStream(UpstreamConnection::Client& client) {
  while (!idle_.empty()) {
    UpstreamConnection* c = idle_.back();
    idle_.pop_back();
    if (c->closed_) continue;
    c->attach(&client);
    client.onUpstreamReady(*c);
    return c;
  }
  auto* c = new UpstreamConnection(dispatcher_, *this, endpoint_);
  all_.insert(c);
  c->attach(&client);
  c->connect(settings_.connect_timeout_ms);
  return c;
}

void ConnPool::onIdle(UpstreamConnection* connection) {
  if (idle_.size() >= settings_.max_idle) {
    connection->close();
    return;
  }
  idle_.push_back(connection);
  connection->timer_.start(settings_.idle_timeout_ms);
}

void ConnPool::onClosed(UpstreamConnection* connection) {
  all_.erase(connection);
  idle_.erase(std::remove(idle_.begin(), idle_.end(), connection), idle_.end());
}

}  // namespace wasmgate::gateway
