// RedisConnection: one TCP connection to one Redis endpoint. It only moves bytes: commands are
// appended and flushed as one write, and replies come back whole (cut by RespSplitter) in the
// order Redis sends them. Pairing replies with callers, timeouts and reconnects are the
// RedisClient's job.
//
// Internal header (gateway/redis/). Thread affinity: the loop it was started on.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <sys/socket.h>
#include <uv.h>

#include "gateway/net/loop.h"
#include "gateway/redis/resp_splitter.h"

namespace wasmgate::gateway::redis {

class RedisConnection {
 public:
  class Owner {
   public:
    virtual ~Owner() = default;
    virtual void onConnected(RedisConnection& connection) = 0;
    virtual void onReply(RedisConnection& connection, std::string&& reply) = 0;
    // The connection is gone (refused, reset, closed by the peer, protocol error). It has
    // already closed itself; the owner must forget it and not call it again.
    virtual void onClosed(RedisConnection& connection, const std::string& detail) = 0;
  };

  // Starts connecting to `address`. Bytes written before the connection is up are sent as soon
  // as it is. The object frees itself once closed; never delete it.
  static RedisConnection* start(uv_loop_t* loop, const sockaddr* address, std::string name, Owner* owner);

  // Queues bytes; they leave at the next flush().
  void append(std::string_view data) { writer_.append(data); }
  void flush();
  size_t buffered() { return writer_.buffer().size(); }  // not yet flushed
  bool connected() const { return connected_; }
  const std::string& name() const { return name_; }
  // Closes without telling the owner. Safe to call from inside an owner callback.
  void close();

 private:
  RedisConnection(uv_loop_t* loop, std::string name, Owner* owner);
  ~RedisConnection() = default;
  void fail(const std::string& detail);
  void onRead(ssize_t nread, const uv_buf_t* buf);

  uv_tcp_t tcp_;
  uv_connect_t connect_req_;
  std::string name_;
  Owner* owner_;
  TcpWriter writer_;
  RespSplitter splitter_;
  std::string read_buffer_;
  bool connected_ = false;
  bool closing_ = false;
};

}  // namespace wasmgate::gateway::redis
