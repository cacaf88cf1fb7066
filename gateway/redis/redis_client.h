// RedisClient: the asynchronous Redis client of one cluster on one worker loop, as Higress's
// proxy_redis_call needs it. Raw RESP commands go in; raw RESP replies come out, each to its own
// callback, in the order the commands were made. One pipelined connection at a time, to the
// cluster's endpoints in turn; AUTH and SELECT are sent first on every new connection.
//
// Failure semantics (Envoy's redis client): a Redis error reply ("-ERR", "-NOAUTH") is a reply;
// a connection that fails or closes fails every call pending on it with NetworkError; a call
// older than `timeout_ms` closes the connection (a pipelined reply cannot be skipped); after a
// failed connect the next endpoint is tried at once; once all have failed, calls fail at once
// until the backoff (doubling up to a maximum) ends, then a new connection is tried.
// Failures are always delivered from the loop, never from inside call().
//
// Internal header (gateway/redis/). Thread affinity: the loop given to create(); every method
// and callback runs there. A callback may destroy the client (e.g. its VM failed and is being
// rebuilt): the remaining callbacks of that batch are then dropped.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sys/socket.h>
#include <uv.h>

#include "common/result.h"
#include "gateway/net/loop.h"
#include "gateway/redis/cluster_spec.h"
#include "gateway/redis/redis_connection.h"

namespace wasmgate::gateway::redis {

enum class RedisCallStatus { Ok, NetworkError };

// `reply` holds one whole raw RESP reply when status is Ok, and is empty otherwise.
using RedisReplyCallback = std::function<void(RedisCallStatus status, std::string_view reply)>;

struct RedisClientOptions {
  std::vector<std::string> endpoints;  // "ip:port" or "localhost:port"; at least one
  RedisClusterSpec spec;               // db and flush policy
  std::string username;                // empty: "AUTH password" (when a password is set)
  std::string password;                // empty: no AUTH
  uint32_t timeout_ms = 1000;          // per call; 0: none
  uint32_t connect_timeout_ms = 1000;
  uint32_t backoff_base_ms = 100;  // first wait after a failed connect, doubled each time
  uint32_t backoff_max_ms = 5000;
};

struct RedisClientStats {
  uint64_t connects = 0;          // connections that came up
  uint64_t connect_failures = 0;  // attempts that never came up
  uint64_t disconnects = 0;       // connections lost after coming up
  uint64_t replies = 0;
  uint64_t network_errors = 0;  // calls answered with NetworkError
  uint64_t timeouts = 0;        // connections closed by an expired call
};

class RedisClient : private RedisConnection::Owner {
 public:
  // Fails on a bad endpoint list, naming the endpoint.
  static Result<std::unique_ptr<RedisClient>> create(uv_loop_t* loop, RedisClientOptions options);
  ~RedisClient() override;
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends `query` (one or more whole RESP commands yielding one reply each; normally one). The
  // returned id (never 0) can cancel the callback. `owner` tags the call for cancelOwner().
  uint64_t call(std::string_view query, RedisReplyCallback callback, uint64_t owner = 0);
  // The callback of `call_id` will not run (its reply is still read and dropped).
  void cancel(uint64_t call_id);
  // Cancels every pending call made with `owner` (e.g. a VM being rebuilt).
  void cancelOwner(uint64_t owner);

  const RedisClientOptions& options() const { return options_; }
  const RedisClientStats& stats() const { return stats_; }
  size_t pendingCalls() const { return pending_.size() + failed_.size(); }
  bool connected() const { return connection_ != nullptr && connection_->connected(); }
  // Why the last connection failed, or the refusal of its AUTH/SELECT; empty if none.
  const std::string& lastError() const { return last_error_; }

 private:
  struct PendingCall {
    uint64_t id;
    uint64_t owner;
    uint64_t deadline_ms;  // loop time; 0: none
    RedisReplyCallback callback;
  };

  RedisClient(uv_loop_t* loop, RedisClientOptions options, std::vector<sockaddr_storage> addresses);
  void onConnected(RedisConnection& connection) override;
  void onReply(RedisConnection& connection, std::string&& reply) override;
  void onClosed(RedisConnection& connection, const std::string& detail) override;

  bool connect();
  std::string handshake() const;
  void dropConnection(bool came_up, const std::string& detail);
  void failLater(PendingCall call);
  void deliverFailures();
  void scheduleFlush();
  void flushNow();
  void armTimeout();
  void onTimeout();

  uv_loop_t* loop_;
  std::thread::id loop_thread_ = std::this_thread::get_id();  // checked in debug builds
  RedisClientOptions options_;
  std::vector<sockaddr_storage> addresses_;
  size_t next_address_ = 0;
  RedisConnection* connection_ = nullptr;
  uint32_t handshake_replies_ = 0;  // AUTH/SELECT replies still to swallow on this connection
  std::deque<PendingCall> pending_;  // sent (or queued) on connection_, oldest first
  std::vector<PendingCall> failed_;  // to be told NetworkError on the next loop turn
  uint64_t next_id_ = 1;
  uint64_t backoff_ms_ = 0;
  uint64_t failed_attempts_ = 0;  // connects that failed since the last one that came up
  uint64_t retry_at_ms_ = 0;  // loop time before which no connect is attempted
  std::string last_error_;
  RedisClientStats stats_;
  // Expires when the client is destroyed: lets a callback delete the client under our feet.
  std::shared_ptr<char> alive_ = std::make_shared<char>(0);
  Timer flush_timer_;
  Timer timeout_timer_;
  Timer connect_timer_;
  Timer failure_timer_;
};

// Parses "ip:port" (IPv4, [IPv6] or localhost) into a socket address.
Result<sockaddr_storage> parseRedisEndpoint(std::string_view endpoint);

}  // namespace wasmgate::gateway::redis
