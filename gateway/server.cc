#include "gateway/server.h"

#include <sys/stat.h>

#include <signal.h>

#include <thread>

#include <nlohmann/json.hpp>

#include "gateway/config_loader.h"
#include "gateway/log.h"
#include "gateway/stats.h"
#include "gateway/wasm/plugin_set.h"

namespace wasmgate::gateway {

Server::Server(ServerOptions options) : options_(std::move(options)) { uv_loop_init(&loop_); }

Server::~Server() { uv_loop_close(&loop_); }

Result<GatewayConfig> Server::loadConfig() {
  if (options_.config_path.empty()) return parseConfig(builtinDemoConfig(), "<built-in demo.yaml>");
  config_stamp_ = stampOf(options_.config_path);  // before reading: a later change differs from it
  return loadConfigFile(options_.config_path);
}

Result<std::shared_ptr<const Snapshot>> Server::buildSnapshot(GatewayConfig config) {
  auto snapshot = std::make_shared<Snapshot>();
  auto shared = std::make_shared<const GatewayConfig>(std::move(config));
  if (shared->access_log.enabled) {
    // Keep the open log when its path did not change (reloads must not reopen stdout).
    if (snapshot_ && snapshot_->access_log && snapshot_->config->access_log.path == shared->access_log.path) {
      snapshot->access_log = snapshot_->access_log;
    } else {
      auto log = AccessLog::open(shared->access_log.path);
      if (!log) return makeError(shared->source + ": access_log.path: " + log.message());
      snapshot->access_log = *log;
    }
  }
  // Plugins are compiled and canary-started here, so a broken plugin rejects the config.
  auto plugins = wasm::PluginSet::load(*shared);
  if (!plugins) return makeError(plugins.message());
  snapshot->plugins = *plugins;
  snapshot->routes = std::make_unique<RouteTable>(*shared);
  snapshot->config = std::move(shared);
  snapshot->generation = ++generation_;
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

int Server::run() {
  auto config = loadConfig();
  if (!config) {
    logf(LogLevel::Critical, "%s", config.message().c_str());
    return 1;
  }
  setLogLevel(parseLogLevel(config->log_level));
  auto snapshot = buildSnapshot(std::move(config.value()));
  if (!snapshot) {
    logf(LogLevel::Critical, "%s", snapshot.message().c_str());
    return 1;
  }
  snapshot_ = *snapshot;
  const GatewayConfig& cfg = *snapshot_->config;
  int workers = options_.workers >= 0 ? options_.workers : static_cast<int>(cfg.workers);
  if (workers <= 0) workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < workers; ++i) {
    auto w = std::make_unique<Worker>(i, snapshot_);
    if (Status s = w->bind(cfg.listeners); !s) {
      logf(LogLevel::Critical, "%s", s.message().c_str());
      for (auto& started : workers_) started->stop();
      workers_.clear();
      w->stop();
      w->start();
      return 1;
    }
    workers_.push_back(std::move(w));
  }
  if (cfg.has_admin) {
    admin_ = std::make_unique<AdminServer>(&loop_, AdminServer::Hooks{
        [this] { return !draining_; },
        [this] { return configToJson(*snapshot_->config, snapshot_->generation); },
        [this] { return pluginsJson(); }});
    if (Status s = admin_->listen(cfg.admin); !s) {
      logf(LogLevel::Critical, "%s", s.message().c_str());
      for (auto& w : workers_) { w->stop(); w->start(); }
      workers_.clear();
      admin_->close();
      uv_run(&loop_, UV_RUN_NOWAIT);
      return 1;
    }
  }
  for (auto& w : workers_) w->start();
  watchPlugins();

  uv_signal_init(&loop_, &sighup_);
  uv_signal_init(&loop_, &sigterm_);
  uv_signal_init(&loop_, &sigint_);
  sighup_.data = sigterm_.data = sigint_.data = this;
  uv_signal_start(&sighup_, [](uv_signal_t* s, int) { static_cast<Server*>(s->data)->reload("SIGHUP"); }, SIGHUP);
  uv_signal_start(&sigterm_, [](uv_signal_t* s, int) { static_cast<Server*>(s->data)->startDrain("SIGTERM"); }, SIGTERM);
  uv_signal_start(&sigint_, [](uv_signal_t* s, int) { static_cast<Server*>(s->data)->startDrain("SIGINT"); }, SIGINT);
  if (!options_.config_path.empty()) {
    uv_timer_init(&loop_, &config_watch_);
    config_watch_.data = this;
    uv_timer_start(&config_watch_, [](uv_timer_t* t) {
      auto* server = static_cast<Server*>(t->data);
      if (stampOf(server->options_.config_path) != server->config_stamp_) server->reload("config file changed");
    }, 500, 500);
    polling_ = true;
  }
  std::string listeners;
  for (const auto& l : cfg.listeners) {
    listeners += ' ';
    listeners += l.address.str();
  }
  logf(LogLevel::Info, "wasmgate listening on%s with %d worker(s)%s%s (config %s)", listeners.c_str(), workers,
       cfg.has_admin ? ", admin on " : "", cfg.has_admin ? cfg.admin.str().c_str() : "", cfg.source.c_str());
  if (snapshot_->plugins) {
    std::string names;
    for (const auto& p : snapshot_->plugins->plugins()) names += (names.empty() ? "" : ", ") + p.spec.name;
    logf(LogLevel::Info, "plugins (in filter order): %s", names.c_str());
  }
  if (!cfg.listeners.empty()) {
    logf(LogLevel::Info, "try: curl -i http://%s/get%s%s", cfg.listeners.front().address.str().c_str(),
         cfg.has_admin ? "   and   curl http://" : "", cfg.has_admin ? (cfg.admin.str() + "/stats").c_str() : "");
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  // Close whatever is left (a signal handle, the poller) so the loop can be closed.
  uv_walk(&loop_, [](uv_handle_t* h, void*) { if (!uv_is_closing(h)) uv_close(h, nullptr); }, nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  logf(LogLevel::Info, "wasmgate stopped");
  return 0;
}

Server::FileStamp Server::stampOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size),
          static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec), true};
}

void Server::reload(const char* why) {
  if (draining_) return;
  auto config = loadConfig();
  if (!config) {
    Stats::global().configReload(false);
    logf(LogLevel::Error, "reload (%s) rejected, keeping generation %llu: %s", why,
         static_cast<unsigned long long>(snapshot_->generation), config.message().c_str());
    last_reload_error_ = std::string(why) + ": " + config.message();
    return;
  }
  const GatewayConfig& old = *snapshot_->config;
  bool listeners_changed = config->listeners.size() != old.listeners.size();
  for (size_t i = 0; !listeners_changed && i < old.listeners.size(); ++i) {
    listeners_changed = config->listeners[i].address.str() != old.listeners[i].address.str();
  }
  if (listeners_changed || config->admin.str() != old.admin.str() || config->has_admin != old.has_admin) {
    logf(LogLevel::Warn, "reload (%s): listener and admin addresses only change on restart", why);
  }
  setLogLevel(parseLogLevel(config->log_level));
  auto snapshot = buildSnapshot(std::move(config.value()));
  if (!snapshot) {
    Stats::global().configReload(false);
    logf(LogLevel::Error, "reload (%s) rejected: %s", why, snapshot.message().c_str());
    last_reload_error_ = std::string(why) + ": " + snapshot.message();
    return;
  }
  last_reload_error_.clear();
  snapshot_ = *snapshot;
  for (auto& w : workers_) w->setSnapshot(snapshot_);
  watchPlugins();
  Stats::global().configReload(true);
  logf(LogLevel::Info, "reload (%s): generation %llu active", why, static_cast<unsigned long long>(snapshot_->generation));
}

void Server::watchPlugins() {
  for (uv_fs_poll_t* p : plugin_polls_) {
    uv_close(reinterpret_cast<uv_handle_t*>(p), [](uv_handle_t* h) { delete reinterpret_cast<uv_fs_poll_t*>(h); });
  }
  plugin_polls_.clear();
  if (!snapshot_->plugins || draining_) return;
  for (const auto& p : snapshot_->plugins->plugins()) {
    auto* poll = new uv_fs_poll_t;
    uv_fs_poll_init(&loop_, poll);
    poll->data = this;
    uv_fs_poll_start(poll, [](uv_fs_poll_t* h, int status, const uv_stat_t*, const uv_stat_t*) {
      if (status == 0) static_cast<Server*>(h->data)->reload("plugin file changed");
    }, p.spec.file.c_str(), 500);
    plugin_polls_.push_back(poll);
  }
}

std::string Server::pluginsJson() const {
  using Json = nlohmann::json;
  Json list = Json::array();
  if (snapshot_->plugins) {
    for (const auto& p : snapshot_->plugins->plugins()) {
      list.push_back({{"name", p.spec.name}, {"root_id", p.spec.root_id}, {"file", p.spec.file},
                      {"phase", wasm::phaseName(p.spec.phase)}, {"priority", p.spec.priority},
                      {"fail_strategy", p.spec.fail_open ? "FAIL_OPEN" : "FAIL_CLOSE"},
                      {"configuration", p.spec.configuration}});
    }
  }
  Json out = {{"generation", snapshot_->generation}, {"plugins", list},
              {"last_reload_error", last_reload_error_.empty() ? Json(nullptr) : Json(last_reload_error_)}};
  return out.dump(2) + "\n";
}

void Server::startDrain(const char* why) {
  if (draining_) return;
  draining_ = true;
  uint64_t timeout = snapshot_->config->limits.drain_timeout_ms;
  logf(LogLevel::Info, "%s: draining (up to %llu ms)", why, static_cast<unsigned long long>(timeout));
  if (polling_) {
    uv_timer_stop(&config_watch_);
    uv_close(reinterpret_cast<uv_handle_t*>(&config_watch_), nullptr);
    polling_ = false;
  }
  watchPlugins();  // draining: closes the plugin file pollers
  for (auto& w : workers_) w->drain();
  drain_deadline_ = uv_now(&loop_) + timeout;
  drain_timer_ = std::make_unique<Timer>(&loop_, [this] { checkDrained(); });
  drain_timer_->start(20, 20);
}

void Server::checkDrained() {
  size_t open = 0;
  for (auto& w : workers_) open += w->connectionCount();
  if (open == 0 || uv_now(&loop_) >= drain_deadline_) {
    if (open) logf(LogLevel::Warn, "drain timeout: closing %zu connection(s)", open);
    shutdown();
  }
}

void Server::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  drain_timer_.reset();
  for (auto& w : workers_) w->stop();
  for (auto& w : workers_) w->join();
  workers_.clear();
  if (admin_) admin_->close();
  uv_close(reinterpret_cast<uv_handle_t*>(&sighup_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigterm_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigint_), nullptr);
}

}  // namespace wasmgate::gateway
