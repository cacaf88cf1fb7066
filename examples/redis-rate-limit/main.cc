// redis-rate-limit: the redis-client reference's per-minute limit. Every request INCRs a counter
// keyed by the current minute (unix seconds truncated to 60); the first hit of a minute sets a
// 60 s expiry. Above `qpm` the plugin answers 429 with headers timeStamp and callTimeLeft: 0;
// otherwise the response carries timeStamp and callTimeLeft (what is left of the quota).
// Redis errors let the request through (a limiter must not take the site down).
// Config: {"serviceName": "redis.static", "servicePort": 6379, "username": "", "password": "",
//          "timeout": 1000, "qpm": 100}
#include <string>

#include <wasmgate/wrapper.h>

struct RateLimitConfig {
  wrapper::RedisClusterClient client;
  int64_t qpm = 0;
};

wrapper::Error parseConfig(const wrapper::Json& json, RateLimitConfig& config) {
  std::string serviceName = json.get("serviceName").asString();
  if (serviceName.empty()) return wrapper::Error("field 'serviceName': required");
  config.qpm = json.get("qpm").asInt();
  if (config.qpm <= 0) return wrapper::Error("field 'qpm': must be a positive number");
  config.client = wrapper::RedisClusterClient(
      wrapper::FQDNCluster{.FQDN = serviceName, .Port = json.get("servicePort").asInt(6379)});
  return config.client.Init(json.get("username").asString(), json.get("password").asString(),
                            json.get("timeout").asInt(1000));
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, RateLimitConfig& config) {
  int64_t nowSeconds = static_cast<int64_t>(proxywasm::GetCurrentTimeNanoseconds() / 1000000000u);
  std::string timeStamp = std::to_string(nowSeconds - nowSeconds % 60);
  auto err = config.client.Incr(timeStamp, [&ctx, &config, timeStamp](const resp::Value& response) {
    if (response.IsError()) {
      log::Errorf("redis incr failed: %s", response.Error());
      proxywasm::ResumeHttpRequest();
      return;
    }
    int64_t count = response.Integer();
    ctx.SetContext("timeStamp", timeStamp);
    ctx.SetContext("callTimeLeft", std::to_string(config.qpm - count));
    if (count > config.qpm) {
      proxywasm::SendHttpResponse(429, {{"timeStamp", timeStamp}, {"callTimeLeft", "0"}}, "Too many requests\n", -1);
      return;
    }
    if (count != 1) {
      proxywasm::ResumeHttpRequest();
      return;
    }
    // First request of this minute: make the key go away with the minute.
    auto expireErr = config.client.Expire(timeStamp, 60, [](const resp::Value& expired) {
      if (expired.IsError()) log::Errorf("redis expire failed: %s", expired.Error());
      proxywasm::ResumeHttpRequest();
    });
    if (expireErr) {
      log::Errorf("redis expire not sent: %v", expireErr);
      proxywasm::ResumeHttpRequest();
    }
  });
  if (err) {
    log::Errorf("redis incr not sent: %v", err);
    return types::HeaderContinue;
  }
  return types::HeaderStopAllIterationAndWatermark;
}

types::Action onHttpResponseHeaders(wrapper::HttpContext& ctx, RateLimitConfig&) {
  if (auto* timeStamp = ctx.GetContextAs<std::string>("timeStamp")) {
    proxywasm::AddHttpResponseHeader("timeStamp", *timeStamp);
  }
  if (auto* left = ctx.GetContextAs<std::string>("callTimeLeft")) {
    proxywasm::AddHttpResponseHeader("callTimeLeft", *left);
  }
  return types::HeaderContinue;
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<RateLimitConfig>("redis-rate-limit",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders));
}
