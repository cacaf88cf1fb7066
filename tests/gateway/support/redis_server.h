// RedisServer: a real Debian redis-server started by a test on a free loopback port (no
// persistence), optionally with a password or an ACL user, that can be stopped and restarted on
// the same port. Plus a blocking RESP helper for checking what the server holds.
//
// Test support (tests/gateway/). Thread affinity: the test's main thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace wasmgate::testing {

class RedisServer {
 public:
  // `extra_args` go after the defaults, e.g. {"--requirepass", "pw"}.
  explicit RedisServer(std::vector<std::string> extra_args = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts and waits until the port accepts connections; false (with error()) if it never does.
  bool start();
  void stop();  // SIGTERM and wait
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& error() const { return error_; }

  // Sends one command on a new blocking connection (after the given prelude commands, e.g.
  // AUTH/SELECT) and returns the last raw RESP reply, or "" on a network failure.
  std::string command(const std::vector<std::vector<std::string>>& commands) const;

 private:
  std::vector<std::string> extra_args_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string error_;
};

// RESP array of bulk strings.
std::string respCommand(const std::vector<std::string>& args);

}  // namespace wasmgate::testing
