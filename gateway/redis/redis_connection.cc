#include "gateway/redis/redis_connection.h"

#include <vector>

namespace wasmgate::gateway::redis {

namespace {
constexpr size_t kReadChunk = 64 * 1024;
}

RedisConnection::RedisConnection(uv_loop_t* loop, std::string name, Owner* owner)
    : name_(std::move(name)),
      owner_(owner),
      writer_(reinterpret_cast<uv_stream_t*>(&tcp_),
              [this](int status) { fail(std::string("write failed: ") + uv_strerror(status)); }, nullptr) {
  uv_tcp_init(loop, &tcp_);
  tcp_.data = this;
  connect_req_.data = this;
}

RedisConnection* RedisConnection::start(uv_loop_t* loop, const sockaddr* address, std::string name,
                                        Owner* owner) {
  auto* self = new RedisConnection(loop, std::move(name), owner);
  uv_tcp_nodelay(&self->tcp_, 1);
  int rc = uv_tcp_connect(&self->connect_req_, &self->tcp_, address, [](uv_connect_t* req, int status) {
    auto* c = static_cast<RedisConnection*>(req->data);
    if (c->closing_) return;
    if (status != 0) {
      c->fail(std::string("connect to ") + c->name_ + " failed: " + uv_strerror(status));
      return;
    }
    c->connected_ = true;
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&c->tcp_),
        [](uv_handle_t* h, size_t, uv_buf_t* buf) {
          auto* conn = static_cast<RedisConnection*>(h->data);
          conn->read_buffer_.resize(kReadChunk);
          *buf = uv_buf_init(conn->read_buffer_.data(), kReadChunk);
        },
        [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
          static_cast<RedisConnection*>(s->data)->onRead(nread, buf);
        });
    c->owner_->onConnected(*c);
    if (!c->closing_) c->flush();
  });
  if (rc != 0) {
    // Reported from the owner's point of view like any other failure, but later: the caller is
    // still inside start() and has not stored the pointer yet.
    self->closing_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&self->tcp_),
             [](uv_handle_t* h) { delete static_cast<RedisConnection*>(h->data); });
    return nullptr;
  }
  return self;
}

void RedisConnection::flush() {
  if (connected_ && !closing_) writer_.flush();
}

void RedisConnection::onRead(ssize_t nread, const uv_buf_t* buf) {
  if (closing_) return;
  if (nread < 0) {
    fail(nread == UV_EOF ? "connection closed by " + name_
                         : "read from " + name_ + " failed: " + uv_strerror(static_cast<int>(nread)));
    return;
  }
  std::vector<std::string> replies;
  bool ok = splitter_.feed(std::string_view(buf->base, static_cast<size_t>(nread)), &replies);
  for (std::string& reply : replies) {
    owner_->onReply(*this, std::move(reply));
    if (closing_) return;
  }
  if (!ok) fail("bad reply from " + name_ + ": " + splitter_.error());
}

void RedisConnection::fail(const std::string& detail) {
  if (closing_) return;
  Owner* owner = owner_;
  close();
  owner->onClosed(*this, detail);
}

void RedisConnection::close() {
  if (closing_) return;
  closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), [](uv_handle_t* h) { delete static_cast<RedisConnection*>(h->data); });
}

}  // namespace wasmgate::gateway::redis
