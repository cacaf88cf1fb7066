#include "gateway/admin.h"

#include <nlohmann/json.hpp>

#include "gateway/http/encoder.h"
#include "gateway/http/parser.h"
#include "gateway/metrics/plugin_metrics.h"
#include "gateway/stats.h"
#include "gateway/wasm/plugin_stats.h"

namespace wasmgate::gateway {

// One admin connection: parse one request, answer, close.
class AdminServer::Session : public Http1Parser::Callbacks {
 public:
  explicit Session(AdminServer& server) : server_(server), parser_(Http1Parser::Kind::Request, *this) {
    uv_tcp_init(server.loop_, &tcp_);
    tcp_.data = this;
  }
  uv_tcp_t tcp_;

  void start() {
    uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_),
                  [](uv_handle_t*, size_t, uv_buf_t* buf) {
                    static char buffer[16 * 1024];  // main thread only
                    *buf = uv_buf_init(buffer, sizeof buffer);
                  },
                  [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
                    auto* self = static_cast<Session*>(s->data);
                    if (nread < 0) return self->close();
                    auto progress = self->parser_.feed(std::string_view(buf->base, static_cast<size_t>(nread)));
                    if (progress.state == Http1Parser::State::Error) return self->reply("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                    if (progress.state == Http1Parser::State::MessageDone) {
                      self->reply(self->server_.respond(self->method_, self->path_));
                    }
                  });
  }
  void onRequestHead(RequestHead&& head) override {
    method_ = head.method;
    path_ = std::string(head.path());
  }
  void onBody(std::string_view) override {}
  void onMessageComplete() override {}

 private:
  void reply(std::string response) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
    out_ = std::move(response);
    uv_buf_t buf = uv_buf_init(out_.data(), static_cast<unsigned>(out_.size()));
    write_.data = this;
    uv_write(&write_, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1, [](uv_write_t* w, int) {
      static_cast<Session*>(w->data)->close();
    });
  }
  void close() {
    if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp_))) return;
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), [](uv_handle_t* h) { delete static_cast<Session*>(h->data); });
  }

  AdminServer& server_;
  Http1Parser parser_;
  std::string method_, path_, out_;
  uv_write_t write_;
};

AdminServer::AdminServer(uv_loop_t* loop, Hooks hooks) : loop_(loop), hooks_(std::move(hooks)) {}
AdminServer::~AdminServer() { close(); }

Status AdminServer::listen(const SocketAddress& address) {
  sockaddr_storage addr{};
  if (uv_ip4_addr(address.host.c_str(), address.port, reinterpret_cast<sockaddr_in*>(&addr)) != 0 &&
      uv_ip6_addr(address.host.c_str(), address.port, reinterpret_cast<sockaddr_in6*>(&addr)) != 0) {
    return makeError("admin: '" + address.host + "' is not a numeric IP address");
  }
  tcp_ = new uv_tcp_t;
  uv_tcp_init(loop_, tcp_);
  tcp_->data = this;
  int rc = uv_tcp_bind(tcp_, reinterpret_cast<sockaddr*>(&addr), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(tcp_), 128, &AdminServer::onConnection);
  if (rc != 0) return makeError("admin on " + address.str() + ": " + uv_strerror(rc));
  return {};
}

void AdminServer::close() {
  if (!tcp_) return;
  uv_close(reinterpret_cast<uv_handle_t*>(tcp_), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  tcp_ = nullptr;
}

void AdminServer::onConnection(uv_stream_t* server, int status) {
  if (status != 0) return;
  auto* self = static_cast<AdminServer*>(server->data);
  auto* session = new Session(*self);
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&session->tcp_)) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&session->tcp_), [](uv_handle_t* h) { delete static_cast<Session*>(h->data); });
    return;
  }
  session->start();
}

std::string AdminServer::respond(const std::string& method, const std::string& path) {
  ResponseHead head;
  std::string body;
  if (method != "GET" && method != "HEAD") {
    head.status = 405;
  } else if (path == "/ready") {
    bool ready = hooks_.ready();
    head.status = ready ? 200 : 503;
    body = ready ? "LIVE\n" : "DRAINING\n";
    head.headers.add("content-type", "text/plain");
  } else if (path == "/stats" || path == "/stats/prometheus") {
    body = Stats::global().prometheus() + wasm::pluginStatsPrometheus() +
           metrics::PluginMetrics::process().renderPrometheus();
    head.headers.add("content-type", "text/plain; version=0.0.4");
  } else if (path == "/plugins" && hooks_.plugins) {
    body = hooks_.plugins();
    head.headers.add("content-type", "application/json");
  } else if (path == "/config_dump") {
    body = hooks_.config_dump();
    head.headers.add("content-type", "application/json");
  } else {
    head.status = 404;
    body = "admin: unknown path (try /ready, /stats, /config_dump, /plugins)\n";
  }
  head.headers.add("content-length", std::to_string(body.size()));
  head.headers.add("connection", "close");
  std::string out;
  appendResponseHead(out, head);
  if (method != "HEAD") out += body;
  return out;
}

std::string configToJson(const GatewayConfig& c, uint64_t generation) {
  using Json = nlohmann::json;
  Json listeners = Json::array();
  for (const auto& l : c.listeners) listeners.push_back({{"name", l.name}, {"address", l.address.str()}});
  Json routes = Json::array();
  static const char* kPathKinds[] = {"prefix", "path", "regex"};
  static const char* kHeaderKinds[] = {"exact", "prefix", "regex", "present"};
  for (const auto& r : c.routes) {
    Json match = {{kPathKinds[static_cast<int>(r.path_kind)], r.path}};
    if (!r.methods.empty()) match["methods"] = r.methods;
    if (!r.headers.empty()) {
      Json headers = Json::array();
      for (const auto& h : r.headers) {
        headers.push_back({{"name", h.name}, {kHeaderKinds[static_cast<int>(h.kind)], h.value}, {"invert", h.invert}});
      }
      match["headers"] = headers;
    }
    Json route = {{"name", r.name}, {"hosts", r.hosts}, {"match", match}, {"service", r.service},
                  {"timeout_ms", r.timeout_ms}, {"retries", r.retries}};
    if (r.has_prefix_rewrite) route["prefix_rewrite"] = r.prefix_rewrite;
    if (!r.host_rewrite.empty()) route["host_rewrite"] = r.host_rewrite;
    routes.push_back(route);
  }
  Json services = Json::array();
  static const char* kKinds[] = {"static", "dns", "builtin"};
  for (const auto& s : c.services) {
    Json endpoints = Json::array();
    for (const auto& e : s.endpoints) endpoints.push_back(e.str());
    Json service = {{"name", s.name}, {"kind", kKinds[static_cast<int>(s.kind)]}, {"endpoints", endpoints},
                    {"lb_policy", s.lb_policy == ServiceConfig::LbPolicy::RoundRobin ? "round_robin" : "least_request"},
                    {"connect_timeout_ms", s.connect_timeout_ms},
                    {"outlier_detection", {{"consecutive_failures", s.consecutive_failures},
                                           {"base_ejection_time_ms", s.base_ejection_ms}}}};
    if (!s.builtin.empty()) service["builtin"] = s.builtin;
    if (s.kind == ServiceConfig::Kind::Dns) service["dns_refresh_ms"] = s.dns_refresh_ms;
    services.push_back(service);
  }
  Json out = {
      {"source", c.source},
      {"generation", generation},
      {"listeners", listeners},
      {"admin", c.has_admin ? Json(c.admin.str()) : Json(nullptr)},
      {"workers", c.workers},
      {"log_level", c.log_level},
      {"access_log", c.access_log.enabled ? Json(c.access_log.path) : Json(nullptr)},
      {"limits", {{"max_request_headers_kb", c.limits.max_request_headers_kb},
                  {"max_request_headers_count", c.limits.max_request_headers_count},
                  {"request_headers_timeout_ms", c.limits.request_headers_timeout_ms},
                  {"idle_timeout_ms", c.limits.idle_timeout_ms},
                  {"drain_timeout_ms", c.limits.drain_timeout_ms}}},
      {"routes", routes},
      {"services", services},
      {"plugins", Json::parse(c.plugins_json, nullptr, false)},
  };
  return out.dump(2) + "\n";
}

}  // namespace wasmgate::gateway
