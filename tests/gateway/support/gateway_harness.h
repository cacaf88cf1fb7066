// Test support for gateway integration tests: free loopback ports, the real `wasmgate run`
// binary started on a generated config, raw-socket HTTP clients, a scripted upstream server
// (for slow, broken or closing upstreams) and a Debian nginx upstream.
//
// Test-only header. Not thread-safe unless stated; each test owns its objects.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "gateway/http/message.h"

// Set when this test binary (and so the gateway it starts, built alongside) runs under ASan.
// Tests that bound a process's RSS skip that bound then: ASan's quarantine keeps freed memory
// resident, so RSS follows the bytes that passed through rather than the bytes held.
#if defined(__SANITIZE_ADDRESS__)
#define WASMGATE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WASMGATE_ASAN 1
#endif
#endif

namespace wasmgate::test {

// A TCP port on 127.0.0.1 that was free a moment ago.
int freePort();
// A connected socket to 127.0.0.1:port, or -1.
int connectLocal(int port);

struct HttpResponse {
  int status = 0;
  gateway::HeaderMap headers;
  std::string body;
  bool ok = false;  // a complete response was read
  std::string header(const char* name) const {
    const std::string* v = headers.get(name);
    return v ? *v : "";
  }
};

// A blocking client socket with timeouts.
class RawClient {
 public:
  explicit RawClient(int port);
  ~RawClient();
  bool connected() const { return fd_ >= 0; }
  bool send(const std::string& bytes);
  // Reads one response (content-length, chunked or until close); `head_request`: no body.
  HttpResponse readResponse(int timeout_ms = 5000, bool head_request = false);
  // Everything until the peer closes or the timeout passes.
  std::string readAll(int timeout_ms = 2000);
  // Whether the peer closed the connection (within the timeout).
  bool closedByPeer(int timeout_ms = 2000);

 private:
  int fd_ = -1;
  std::string buffered_;
};

// One request on a fresh connection.
HttpResponse httpGet(int port, const std::string& path, const std::string& extra_headers = "");

class GatewayProcess {
 public:
  ~GatewayProcess();
  // Writes `yaml` to a temp file and starts `wasmgate run --config FILE --workers N` (N <= 0:
  // without --workers, so the file or the default decides). Waits until the admin /ready answers
  // (the config must have an admin address: use adminPort()).
  bool start(const std::string& yaml, int workers = 2);
  // Rewrites the config file (a reload is triggered by the change or by sighup()).
  void rewriteConfig(const std::string& yaml);
  void sighup();
  // SIGTERM and wait; returns the exit status (or -1 on timeout).
  int terminate(int timeout_ms = 10000);
  // Waits for an exit the test already set off (a SIGTERM of its own: a second one could reach
  // the process after its handler is gone, while it is exiting, and kill it); as terminate().
  int waitExit(int timeout_ms = 10000);
  pid_t pid() const { return pid_; }
  const std::string& configPath() const { return config_path_; }
  std::string logs() const;  // stderr + stdout captured so far

 private:
  pid_t pid_ = -1;
  std::string dir_;
  std::string config_path_;
};

// Accepts connections on a free port and hands each one to `handler` on its own thread.
class ScriptedUpstream {
 public:
  using Handler = std::function<void(int fd)>;
  explicit ScriptedUpstream(Handler handler);
  ~ScriptedUpstream();
  int port() const { return port_; }
  int connections() const { return connections_.load(); }

  // Helpers for handlers: read one request head (+ content-length body), write all.
  static std::string readRequest(int fd, int timeout_ms = 5000);
  static void writeAll(int fd, const std::string& data);
  // A handler: answers every request of the connection with 200 "hello" until the peer closes
  // (or stays silent for 3 s).
  static void answerHello(int fd);

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
  std::vector<std::thread> handlers_;
  Handler handler_;
};

// Debian's nginx on a free port serving `location` blocks given as nginx config text; returns
// false (test skipped by caller) when nginx is not installed.
class NginxUpstream {
 public:
  ~NginxUpstream();
  bool start(const std::string& server_block_body);
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
};

// Minimal config for one listener + admin, with the given routes/services YAML appended.
std::string gatewayConfig(int listen_port, int admin_port, const std::string& rest);

}  // namespace wasmgate::test
