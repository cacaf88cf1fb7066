// Server: the gateway process. Loads the configuration, starts the workers and the admin
// endpoint, and runs the main loop for operations: reload on SIGHUP or when the config file
// changes (validate, build, switch new requests; an invalid file keeps the old config and logs
// why), and drain on SIGTERM/SIGINT (stop accepting, let in-flight requests finish within
// limits.drain_timeout, exit 0).
//
// Public header (gateway/, tools/ through run.h). Thread affinity: the main thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <uv.h>

#include "common/result.h"
#include "gateway/admin.h"
#include "gateway/generation.h"
#include "gateway/net/loop.h"
#include "gateway/worker.h"

namespace wasmgate::gateway {

struct ServerOptions {
  std::string config_path;  // empty: the built-in demo config
  int workers = -1;         // -1: from the config (0 there: one per core)
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  // Runs until drained; returns the process exit code.
  int run();

 private:
  Result<std::shared_ptr<const Snapshot>> buildSnapshot(GatewayConfig config);
  Result<GatewayConfig> loadConfig();
  void reload(const char* why);
  // Polls the current generation's plugin files: a changed .wasm reloads like a config change.
  void watchPlugins();
  std::string pluginsJson() const;
  void startDrain(const char* why);
  void checkDrained();
  void shutdown();

  ServerOptions options_;
  uv_loop_t loop_;
  std::shared_ptr<const Snapshot> snapshot_;
  uint64_t generation_ = 0;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<AdminServer> admin_;
  uv_signal_t sighup_, sigterm_, sigint_;
  // The config file is watched by comparing its identity (inode, size, mtime) every 500 ms with
  // the one recorded when it was last read, not with a poller's own first look: a change made
  // between reading the file and starting to watch it would otherwise never be seen.
  struct FileStamp {
    uint64_t dev = 0, ino = 0, size = 0, mtime_ns = 0;
    bool exists = false;
    bool operator==(const FileStamp&) const = default;
  };
  static FileStamp stampOf(const std::string& path);
  FileStamp config_stamp_;
  uv_timer_t config_watch_;
  bool polling_ = false;
  std::vector<uv_fs_poll_t*> plugin_polls_;
  std::string last_reload_error_;  // shown at /plugins until a reload succeeds
  std::unique_ptr<Timer> drain_timer_;
  uint64_t drain_deadline_ = 0;
  bool draining_ = false;
  bool stopped_ = false;
};

}  // namespace wasmgate::gateway
