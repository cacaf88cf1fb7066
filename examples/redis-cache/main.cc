// redis-cache: a response cache in Redis shared by every gateway instance (the redis-client
// reference's read-through pattern, and the caching sample of Higress's Redis announcement).
// GET requests look up "<prefix><path>" (GET); a hit is answered from Redis (x-cache: HIT), a miss
// goes upstream and a 200 response body is stored with SetEx (SET ... EX) for `ttl` seconds
// (x-cache: MISS).
// A Redis failure never fails the request: it is served from upstream and not cached.
// Config: {"serviceName": "redis.static", "servicePort": 6379, "password": "", "timeout": 1000,
//          "database": 0, "ttl": 60, "prefix": "cache:"}
#include <string>

#include <wasmgate/wrapper.h>

struct CacheConfig {
  wrapper::RedisClusterClient client;
  int64_t ttlSeconds = 60;
  std::string prefix;
};

wrapper::Error parseConfig(const wrapper::Json& json, CacheConfig& config) {
  std::string serviceName = json.get("serviceName").asString();
  if (serviceName.empty()) return wrapper::Error("field 'serviceName': required");
  config.ttlSeconds = json.get("ttl").asInt(60);
  if (config.ttlSeconds <= 0) return wrapper::Error("field 'ttl': must be a positive number of seconds");
  config.prefix = json.get("prefix").asString("cache:");
  config.client = wrapper::RedisClusterClient(
      wrapper::FQDNCluster{.FQDN = serviceName, .Port = json.get("servicePort").asInt(6379)});
  return config.client.Init(json.get("username").asString(), json.get("password").asString(),
                            json.get("timeout").asInt(1000),
                            {wrapper::WithDataBase(static_cast<int>(json.get("database").asInt(0)))});
}

types::Action onHttpRequestHeaders(wrapper::HttpContext& ctx, CacheConfig& config) {
  if (ctx.Method() != "GET") {
    ctx.DontReadResponseBody();
    return types::HeaderContinue;
  }
  std::string key = config.prefix + ctx.Path();
  auto err = config.client.Get(key, [&ctx, key](const resp::Value& reply) {
    if (reply.IsError()) {
      log::Warnf("cache lookup of %s failed: %s", key, reply.Error());
      ctx.DontReadResponseBody();
    } else if (!reply.IsNull()) {
      proxywasm::SendHttpResponse(200, {{"x-cache", "HIT"}}, reply.String(), -1);
      return;
    } else {
      ctx.SetContext("cache_key", key);
    }
    proxywasm::ResumeHttpRequest();
  });
  if (err) {
    log::Warnf("cache lookup not sent: %v", err);
    ctx.DontReadResponseBody();
    return types::HeaderContinue;
  }
  return types::HeaderStopAllIterationAndWatermark;
}

types::Action onHttpResponseHeaders(wrapper::HttpContext& ctx, CacheConfig&) {
  if (!ctx.GetContext("cache_key")) return types::HeaderContinue;
  proxywasm::AddHttpResponseHeader("x-cache", "MISS");
  if (proxywasm::GetHttpResponseHeader(":status").value != "200") ctx.DontReadResponseBody();
  return types::HeaderContinue;
}

types::Action onHttpResponseBody(wrapper::HttpContext& ctx, CacheConfig& config, std::string_view body) {
  auto* key = ctx.GetContextAs<std::string>("cache_key");
  if (!key) return types::ActionContinue;
  auto err = config.client.SetEx(*key, std::string(body), config.ttlSeconds, [key = *key](const resp::Value& reply) {
    if (reply.IsError()) log::Warnf("caching %s failed: %s", key, reply.Error());
  });
  if (err) log::Warnf("cache store not sent: %v", err);
  return types::ActionContinue;  // the client does not wait for the store
}

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<CacheConfig>("redis-cache",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onHttpRequestHeaders),
      wrapper::ProcessResponseHeaders(onHttpResponseHeaders),
      wrapper::ProcessResponseBody(onHttpResponseBody));
}
