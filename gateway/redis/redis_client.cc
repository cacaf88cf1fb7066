#include "gateway/redis/redis_client.h"

#include <algorithm>
#include <cassert>
#include <charconv>

namespace wasmgate::gateway::redis {

namespace {
void appendBulk(std::string* out, std::string_view arg) {
  out->append("$").append(std::to_string(arg.size())).append("\r\n").append(arg).append("\r\n");
}
}  // namespace

Result<sockaddr_storage> parseRedisEndpoint(std::string_view endpoint) {
  size_t colon = endpoint.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return makeError("redis endpoint '" + std::string(endpoint) + "': expected host:port");
  }
  std::string host(endpoint.substr(0, colon));
  std::string_view port_text = endpoint.substr(colon + 1);
  int port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port <= 0 || port > 65535) {
    return makeError("redis endpoint '" + std::string(endpoint) + "': bad port '" + std::string(port_text) + "'");
  }
  if (host == "localhost") host = "127.0.0.1";
  sockaddr_storage addr{};
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    if (uv_ip6_addr(host.substr(1, host.size() - 2).c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr)) == 0) {
      return addr;
    }
  } else if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr)) == 0) {
    return addr;
  }
  return makeError("redis endpoint '" + std::string(endpoint) + "': '" + host +
                   "' is not an IP address (names are resolved by the cluster, not here)");
}

Result<std::unique_ptr<RedisClient>> RedisClient::create(uv_loop_t* loop, RedisClientOptions options) {
  if (options.endpoints.empty()) {
    return makeError("redis cluster '" + options.spec.name + "': no endpoints");
  }
  std::vector<sockaddr_storage> addresses;
  for (const std::string& endpoint : options.endpoints) {
    auto addr = parseRedisEndpoint(endpoint);
    if (!addr.ok()) return makeError("redis cluster '" + options.spec.name + "': " + addr.message());
    addresses.push_back(addr.value());
  }
  return std::unique_ptr<RedisClient>(new RedisClient(loop, std::move(options), std::move(addresses)));
}

RedisClient::RedisClient(uv_loop_t* loop, RedisClientOptions options, std::vector<sockaddr_storage> addresses)
    : loop_(loop),
      options_(std::move(options)),
      addresses_(std::move(addresses)),
      flush_timer_(loop, [this] { flushNow(); }),
      timeout_timer_(loop, [this] { onTimeout(); }),
      connect_timer_(loop, [this] {
        if (connection_ == nullptr || connection_->connected()) return;
        connection_->close();
        connection_ = nullptr;
        dropConnection(false, "connect timeout after " + std::to_string(options_.connect_timeout_ms) + " ms");
      }),
      failure_timer_(loop, [this] { deliverFailures(); }) {}

RedisClient::~RedisClient() {
  if (connection_ != nullptr) connection_->close();
}

std::string RedisClient::handshake() const {
  std::string out;
  if (!options_.password.empty()) {
    out.append(options_.username.empty() ? "*2\r\n" : "*3\r\n");
    appendBulk(&out, "AUTH");
    if (!options_.username.empty()) appendBulk(&out, options_.username);
    appendBulk(&out, options_.password);
  }
  if (options_.spec.db != 0) {
    out.append("*2\r\n");
    appendBulk(&out, "SELECT");
    appendBulk(&out, std::to_string(options_.spec.db));
  }
  return out;
}

bool RedisClient::connect() {
  if (uv_now(loop_) < retry_at_ms_) return false;
  const sockaddr_storage& addr = addresses_[next_address_];
  const std::string& name = options_.endpoints[next_address_];
  next_address_ = (next_address_ + 1) % addresses_.size();
  connection_ = RedisConnection::start(loop_, reinterpret_cast<const sockaddr*>(&addr), name, this);
  if (connection_ == nullptr) {
    dropConnection(false, "cannot start a connection to " + name);
    return false;
  }
  handshake_replies_ = (options_.password.empty() ? 0 : 1) + (options_.spec.db != 0 ? 1 : 0);
  connection_->append(handshake());
  if (options_.connect_timeout_ms > 0) connect_timer_.start(options_.connect_timeout_ms);
  return true;
}

uint64_t RedisClient::call(std::string_view query, RedisReplyCallback callback, uint64_t owner) {
  assert(std::this_thread::get_id() == loop_thread_ && "RedisClient used off its loop thread");
  uint64_t id = next_id_++;
  // Loop time is cached at the start of an iteration; a deadline or flush timer counted from a
  // stale time would fire early.
  uv_update_time(loop_);
  uint64_t deadline = options_.timeout_ms > 0 ? uv_now(loop_) + options_.timeout_ms : 0;
  PendingCall entry{id, owner, deadline, std::move(callback)};
  if (connection_ == nullptr && !connect()) {
    failLater(std::move(entry));
    return id;
  }
  connection_->append(query);
  pending_.push_back(std::move(entry));
  if (pending_.size() == 1) armTimeout();
  scheduleFlush();
  return id;
}

void RedisClient::cancel(uint64_t call_id) {
  for (auto& call : pending_) if (call.id == call_id) call.callback = nullptr;
  for (auto& call : failed_) if (call.id == call_id) call.callback = nullptr;
}

void RedisClient::cancelOwner(uint64_t owner) {
  for (auto& call : pending_) if (call.owner == owner) call.callback = nullptr;
  for (auto& call : failed_) if (call.owner == owner) call.callback = nullptr;
}

void RedisClient::scheduleFlush() {
  const RedisClusterSpec& spec = options_.spec;
  bool size_reached = spec.max_buffer_size_before_flush > 0 &&
                      connection_->buffered() >= spec.max_buffer_size_before_flush;
  if (spec.buffer_flush_timeout_ms == 0 || size_reached) {
    flushNow();
  } else if (!flush_timer_.active()) {
    flush_timer_.start(spec.buffer_flush_timeout_ms);
  }
}

void RedisClient::flushNow() {
  flush_timer_.stop();
  if (connection_ != nullptr) connection_->flush();
}

void RedisClient::armTimeout() {
  if (pending_.empty() || options_.timeout_ms == 0) {
    timeout_timer_.stop();
    return;
  }
  uint64_t now = uv_now(loop_);
  uint64_t deadline = pending_.front().deadline_ms;
  timeout_timer_.start(deadline > now ? deadline - now : 0);
}

void RedisClient::onTimeout() {
  if (pending_.empty() || connection_ == nullptr) return;
  if (pending_.front().deadline_ms > uv_now(loop_)) {
    armTimeout();
    return;
  }
  ++stats_.timeouts;
  bool came_up = connection_->connected();
  connection_->close();
  connection_ = nullptr;
  dropConnection(came_up, "call timed out after " + std::to_string(options_.timeout_ms) + " ms");
}

void RedisClient::onConnected(RedisConnection&) {
  connect_timer_.stop();
  flush_timer_.stop();  // the connection writes all it holds now
  ++stats_.connects;
  backoff_ms_ = 0;
  failed_attempts_ = 0;
}

void RedisClient::onReply(RedisConnection& connection, std::string&& reply) {
  if (handshake_replies_ > 0) {
    // AUTH/SELECT answers are not the caller's. A refusal is remembered; the commands behind
    // it get Redis's own error ("-NOAUTH ..."), which is what the plugin SDK reacts to.
    --handshake_replies_;
    if (!reply.empty() && reply[0] == '-') last_error_ = reply.substr(0, reply.find('\r'));
    return;
  }
  if (pending_.empty()) {
    connection.close();
    connection_ = nullptr;
    dropConnection(true, "unexpected reply from " + connection.name() + " with no call pending");
    return;
  }
  PendingCall call = std::move(pending_.front());
  pending_.pop_front();
  ++stats_.replies;
  if (call.callback) {
    std::weak_ptr<char> alive = alive_;
    call.callback(RedisCallStatus::Ok, reply);
    if (alive.expired()) return;
  }
  armTimeout();
}

void RedisClient::onClosed(RedisConnection& connection, const std::string& detail) {
  bool came_up = connection.connected();
  connection_ = nullptr;
  dropConnection(came_up, detail);
}

void RedisClient::dropConnection(bool came_up, const std::string& detail) {
  connect_timer_.stop();
  timeout_timer_.stop();
  flush_timer_.stop();
  handshake_replies_ = 0;
  last_error_ = detail;
  if (came_up) {
    // A connection that worked and then broke (e.g. a Redis restart): try again at once.
    ++stats_.disconnects;
    retry_at_ms_ = 0;
  } else {
    ++stats_.connect_failures;
    // The next endpoint is tried at once; the backoff starts when every endpoint has failed.
    if (++failed_attempts_ % addresses_.size() == 0) {
      backoff_ms_ = backoff_ms_ == 0 ? options_.backoff_base_ms
                                     : std::min<uint64_t>(backoff_ms_ * 2, options_.backoff_max_ms);
      retry_at_ms_ = uv_now(loop_) + backoff_ms_;
    } else {
      retry_at_ms_ = 0;
    }
  }
  std::deque<PendingCall> calls;
  calls.swap(pending_);
  for (auto& call : calls) failLater(std::move(call));
}

void RedisClient::failLater(PendingCall call) {
  failed_.push_back(std::move(call));
  if (!failure_timer_.active()) failure_timer_.start(0);
}

void RedisClient::deliverFailures() {
  std::vector<PendingCall> calls;
  calls.swap(failed_);
  std::weak_ptr<char> alive = alive_;
  for (auto& call : calls) {
    ++stats_.network_errors;
    if (call.callback) call.callback(RedisCallStatus::NetworkError, {});
    if (alive.expired()) return;
  }
}

}  // namespace wasmgate::gateway::redis
