// cluster-rate-limit: one quota per key for the whole cluster of gateways, in the manner of
// Higress's cluster-key-rate-limit plugin. Every request runs one Lua script in Redis (EVAL), so
// counting, starting the window and reading its remaining time are a single atomic step no matter
// how many workers or gateway processes share the Redis. The window is fixed: it starts with the
// first request of the key and lasts `windowSeconds`.
// Allowed responses carry x-ratelimit-limit / -remaining / -reset; above the quota the plugin
// answers 429 with the same headers and retry-after. Redis errors let the request through.
// Config: {"serviceName": "redis.static", "servicePort": 6379, "username": "", "password": "",
//          "timeout": 1000, "quota": 100, "windowSeconds": 60, "keyHeader": "x-api-key",
//          "keyPrefix": "cluster-rate-limit", "bufferFlushTimeout": 3, "maxBufferSizeBeforeFlush": 1024}
// keyHeader empty: one key for all requests; set but absent from a request: the request is not
// counted. The two buffer fields are the Go SDK's Redis client options (defaults 3 ms / 1024 B).
#include <string>

#include <wasmgate/wrapper.h>

namespace {

// KEYS[1] the window's counter, ARGV[1] the window in seconds. Returns {requests so far, seconds
// left}. The expiry is (re)set when the counter has none, so a key never outlives its window.
constexpr std::string_view kCountScript = R"lua(
local used = redis.call('INCR', KEYS[1])
local left = redis.call('TTL', KEYS[1])
if left < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {used, left}
)lua";

struct ClusterRateLimitConfig {
  wrapper::RedisClusterClient client;
  int64_t quota = 0;
  int64_t windowSeconds = 0;
  std::string keyHeader;
  std::string keyPrefix;
};

wrapper::Error parseConfig(const wrapper::Json& json, ClusterRateLimitConfig& config) {
  std::string serviceName = json.get("serviceName").asString();
  if (serviceName.empty()) return wrapper::Error("field 'serviceName': required");
  config.quota = json.get("quota").asInt();
  if (config.quota <= 0) return wrapper::Error("field 'quota': must be a positive number");
  config.windowSeconds = json.get("windowSeconds").asInt(60);
  if (config.windowSeconds <= 0) return wrapper::Error("field 'windowSeconds': must be a positive number");
  config.keyHeader = json.get("keyHeader").asString();
  config.keyPrefix = json.get("keyPrefix").asString("cluster-rate-limit");
  std::vector<wrapper::RedisOption> options;
  if (auto flush = json.get("bufferFlushTimeout"); flush.exists()) {
    options.push_back(wrapper::WithBufferFlushTimeout(static_cast<uint32_t>(flush.asUint())));
  }
  if (auto size = json.get("maxBufferSizeBeforeFlush"); size.exists()) {
    options.push_back(wrapper::WithMaxBufferSizeBeforeFlush(static_cast<uint32_t>(size.asUint())));
  }
  config.client = wrapper::RedisClusterClient(
      wrapper::FQDNCluster{.FQDN = serviceName, .Port = json.get("servicePort").asInt(6379)});
  return config.client.Init(json.get("username").asString(), json.get("password").asString(),
                            json.get("timeout").asInt(1000), options);
}

types::Headers limitHeaders(int64_t quota, int64_t remaining, int64_t resetSeconds) {
  return {{"x-ratelimit-limit", std::to_string(quota)},
          {"x-ratelimit-remaining", std::to_string(remaining)},
          {"x-ratelimit-reset", std::to_string(resetSeconds)}};
}

void onCounted(wrapper::HttpContext& ctx, const ClusterRateLimitConfig& config, const resp::Value& reply) {
  const auto& fields = reply.Array();
  if (reply.IsError() || fields.size() != 2) {
    log::Errorf("cluster rate limit: unexpected redis reply: %s", reply.IsError() ? reply.Error() : reply.String());
    proxywasm::ResumeHttpRequest();  // a limiter must not take the site down
    return;
  }
  int64_t used = fields[0].Integer();
  int64_t resetSeconds = fields[1].Integer();
  if (used > config.quota) {
    types::Headers headers = limitHeaders(config.quota, 0, resetSeconds);
    headers.emplace_back("retry-after", std::to_string(resetSeconds));
    proxywasm::SendHttpResponse(429, headers, "Too many requests\n", -1);
    return;
  }
  ctx.SetContext("rateLimitHeaders", limitHeaders(config.quota, config.quota - used, resetSeconds));
  proxywasm::ResumeHttpRequest();
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, ClusterRateLimitConfig& config) {
  std::string keyValue = "all";
  if (!config.keyHeader.empty()) {
    auto [value, status] = proxywasm::GetHttpRequestHeader(config.keyHeader);
    if (status != types::Status::Ok || value.empty()) return types::HeaderContinue;  // not limited
    keyValue = value;
  }
  std::string key = config.keyPrefix + ":" + std::to_string(config.windowSeconds) + ":" + keyValue;
  auto err = config.client.Eval(kCountScript, 1, {key}, {config.windowSeconds},
                                [&ctx, &config](const resp::Value& reply) { onCounted(ctx, config, reply); });
  if (err) {
    log::Errorf("cluster rate limit: eval not sent: %v", err);
    return types::HeaderContinue;
  }
  return types::HeaderStopAllIterationAndWatermark;
}

types::Action onHttpResponseHeaders(wrapper::HttpContext& ctx, ClusterRateLimitConfig&) {
  if (auto* headers = ctx.GetContextAs<types::Headers>("rateLimitHeaders")) {
    for (const auto& [name, value] : *headers) proxywasm::AddHttpResponseHeader(name, value);
  }
  return types::HeaderContinue;
}

}  // namespace

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<ClusterRateLimitConfig>("cluster-rate-limit",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders));
}
