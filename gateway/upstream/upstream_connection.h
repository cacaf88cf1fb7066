// UpstreamConnection: one keep-alive HTTP/1.1 connection to a service endpoint, carrying one
// request at a time for a Client (the router filter), and ConnPool, the per-worker, per-endpoint
// pool of idle ones.
//
// Internal header (gateway/). Thread affinity: the worker thread of the owning pool.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <uv.h>

#include "gateway/http/parser.h"
#include "gateway/net/deadline.h"
#include "gateway/net/loop.h"

namespace wasmgate::gateway {

class ConnPool;
struct Endpoint;

enum class UpstreamFailure {
  ConnectFailure,       // refused, unreachable, or connect timeout: nothing was sent
  ResetBeforeResponse,  // closed or errored after sending, before a response head
  ResetDuringResponse,  // closed or errored in the middle of the response body
  ProtocolError,        // the response was not valid HTTP/1.1
};

class UpstreamConnection : public Http1Parser::Callbacks {
 public:
  class Client {
   public:
    virtual ~Client() = default;
    virtual void onUpstreamReady(UpstreamConnection& connection) = 0;
    virtual void onUpstreamHead(ResponseHead&& head) = 0;
    virtual void onUpstreamData(std::string_view data) = 0;
    virtual void onUpstreamComplete() = 0;
    virtual void onUpstreamFailure(UpstreamFailure failure, const std::string& detail) = 0;
    // Bytes after a 101 Switching Protocols (tunnel mode).
    virtual void onUpstreamRaw(std::string_view /*data*/) {}
    // The end of one read's worth of events (lets the client flush a pending head).
    virtual void onUpstreamReadDone() {}
    // Chunked trailers of the response, just before onUpstreamComplete.
    virtual void onUpstreamTrailers(HeaderMap&& /*trailers*/) {}
    // Flow control: the request bytes queued for this upstream went above the high watermark
    // (`above`) or back under the low one. The client should stop / resume feeding send().
    virtual void onUpstreamWriteWatermark(bool /*above*/) {}
  };

  UpstreamConnection(Dispatcher& dispatcher, ConnPool& pool, Endpoint& endpoint);
  ~UpstreamConnection() override;

  Endpoint& endpoint() { return endpoint_; }
  bool reused() const { return requests_ > 1; }
  // Appends bytes to send; they leave on the next flush (or at once if `flush`).
  void send(std::string_view data, bool flush = true);
  // The current request was HEAD: its response has no body.
  void expectNoBody(bool no_body) { parser_.expectNoBody(no_body); }
  // Tunnel mode after a 101: reads go to Client::onUpstreamRaw.
  void switchToTunnel() { tunnel_ = true; }
  // Ends the current request: back to the pool when `reusable`, else closed.
  void release(bool reusable);
  // Closes at once (from any state); the client gets no more callbacks.
  void close();
  bool responseStarted() const { return response_started_; }
  // Flow control: stop reading the upstream while the client side can't take more response
  // bytes. Released connections always read again (to notice a close while pooled).
  void setReadPaused(bool paused);

 private:
  friend class ConnPool;
  void connect(uint64_t timeout_ms);
  void attach(Client* client);
  void startReading();
  void fail(UpstreamFailure failure, const std::string& detail);
  void onRead(ssize_t nread, const uv_buf_t* buf);
  void onRequestHead(RequestHead&&) override {}
  void onResponseHead(ResponseHead&& head) override;
  void onBody(std::string_view chunk) override;
  void onTrailers(HeaderMap&& trailers) override;
  void onMessageComplete() override;

  Dispatcher& dispatcher_;
  ConnPool* pool_;
  Endpoint& endpoint_;
  uv_tcp_t* tcp_;
  uv_connect_t connect_req_;
  TcpWriter writer_;
  Http1Parser parser_;
  Deadline timer_;  // connect timeout, then idle timeout while pooled
  Client* client_ = nullptr;
  uint32_t requests_ = 0;
  bool connected_ = false;
  bool closed_ = false;
  bool response_started_ = false;
  bool response_done_ = false;
  bool tunnel_ = false;
  bool idle_ = false;
  bool read_paused_ = false;
};

struct PoolSettings {
  uint64_t connect_timeout_ms = 5000;
  uint64_t idle_timeout_ms = 60000;
  uint32_t max_idle = 1024;
};

class ConnPool {
 public:
  ConnPool(Dispatcher& dispatcher, Endpoint& endpoint, PoolSettings settings);
  ~ConnPool();
  // Starts a request for `client`: an idle connection (onUpstreamReady is called before this
  // returns) or a new one (called once connected). Returns the connection so the caller can
  // close() it if the request is abandoned.
  UpstreamConnection* newStream(UpstreamConnection::Client& client);
  size_t idleCount() const { return idle_.size(); }

 private:
  friend class UpstreamConnection;
  void onIdle(UpstreamConnection* connection);
  void onClosed(UpstreamConnection* connection);

  Dispatcher& dispatcher_;
  Endpoint& endpoint_;
  PoolSettings settings_;
  std::vector<UpstreamConnection*> idle_;
  std::unordered_set<UpstreamConnection*> all_;
};

}  // namespace wasmgate::gateway
