// The admin endpoint: GET /ready (200 LIVE, 503 DRAINING), /stats (Prometheus text; also
// /stats/prometheus), /config_dump (the running configuration as JSON). One request per
// connection, answered from the main thread.
//
// Internal header (gateway/). Thread affinity: the main thread's loop.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <uv.h>

#include "common/result.h"
#include "gateway/config.h"

namespace wasmgate::gateway {

class AdminServer {
 public:
  struct Hooks {
    std::function<bool()> ready;             // false while draining
    std::function<std::string()> config_dump;  // JSON text
    std::function<std::string()> plugins;      // JSON text: loaded plugins, last reload error
  };
  AdminServer(uv_loop_t* loop, Hooks hooks);
  ~AdminServer();
  Status listen(const SocketAddress& address);
  void close();

 private:
  class Session;
  static void onConnection(uv_stream_t* server, int status);
  std::string respond(const std::string& method, const std::string& path);

  uv_loop_t* loop_;
  Hooks hooks_;
  uv_tcp_t* tcp_ = nullptr;
};

// The configuration as JSON for /config_dump (and `wasmgate` tooling).
std::string configToJson(const GatewayConfig& config, uint64_t generation);

}  // namespace wasmgate::gateway
