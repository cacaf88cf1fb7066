// tick-func: periodic work with RegisterTickFunc (advanced-patterns reference). Two tick
// functions, registered while the configuration is parsed:
//  - every `refresh_ms` (default 5000) GET <denylist_path> from a config service; the answer
//    (one path per line) replaces the deny list, so requests to those paths get 403;
//  - every `heartbeat_ms` (default 30000) a log line with the number of requests served.
// Config: {"serviceName": "config.static", "servicePort": 80, "denylist_path": "/denylist",
//          "refresh_ms": 5000, "heartbeat_ms": 30000}
#include <memory>
#include <set>
#include <string>

#include <wasmgate/wrapper.h>

// State the tick functions update and the request path reads. Shared (not copied) so both see
// the same list whatever copies of the config the SDK makes.
struct DenyState {
  std::set<std::string, std::less<>> paths;
  int64_t served = 0;
};

struct TickConfig {
  std::shared_ptr<DenyState> state = std::make_shared<DenyState>();
};

void refreshDenyList(const wrapper::ClusterClient& client, const std::string& path,
                     const std::shared_ptr<DenyState>& state) {
  auto err = client.Get(path, {}, [state](int status, const types::Headers&, std::string_view body) {
    if (status != 200) {
      log::Warnf("deny list refresh failed with status %d; keeping %d entries", status, state->paths.size());
      return;
    }
    std::set<std::string, std::less<>> paths;
    while (!body.empty()) {
      size_t end = body.find('\n');
      std::string_view line = body.substr(0, end);
      if (!line.empty()) paths.emplace(line);
      body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
    }
    state->paths = std::move(paths);
    log::Infof("deny list refreshed: %d paths", state->paths.size());
  });
  if (err) log::Warnf("deny list refresh not sent: %v", err);
}

wrapper::Error parseConfig(const wrapper::Json& json, TickConfig& config) {
  std::string serviceName = json.get("serviceName").asString();
  if (serviceName.empty()) return wrapper::Error("field 'serviceName': required");
  int64_t refreshMs = json.get("refresh_ms").asInt(5000);
  int64_t heartbeatMs = json.get("heartbeat_ms").asInt(30000);
  if (refreshMs <= 0 || heartbeatMs <= 0) return wrapper::Error("fields 'refresh_ms', 'heartbeat_ms': must be positive");
  auto client = wrapper::NewClusterClient(
      wrapper::FQDNCluster{.FQDN = serviceName, .Port = json.get("servicePort").asInt(80)});
  std::string path = json.get("denylist_path").asString("/denylist");
  wrapper::RegisterTickFunc(refreshMs, [client, path, state = config.state] { refreshDenyList(client, path, state); });
  wrapper::RegisterTickFunc(heartbeatMs, [state = config.state] {
    log::Infof("heartbeat: %d requests served, %d paths denied", state->served, state->paths.size());
  });
  return {};
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, const TickConfig& config) {
  config.state->served++;
  std::string_view path = ctx.Path();
  path = path.substr(0, path.find('?'));
  if (config.state->paths.count(path)) {
    proxywasm::SendHttpResponse(403, {}, "path denied", -1);
    return types::HeaderStopAllIterationAndWatermark;
  }
  return types::HeaderContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<TickConfig>("tick-func",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders));
}
