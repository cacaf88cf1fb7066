// call_fanout: a test plugin that turns each request into many outbound calls at once, for the
// gateway's leak and load tests (tests/gateway/plugin_call_leak_test.cc). Each request issues
// `x-redis-calls` Redis INCRs and `x-http-calls` GETs (defaults from the config), all before any
// reply can arrive, holds the request, and answers it locally once every reply or failure is in:
//   200 "redis ok=<n> err=<n> http ok=<n> err=<n>\n".
// `x-trap: 1` makes the VM trap right after issuing its calls, so the gateway must drop the late
// replies of a failed VM. Config: {"redisService": "redis.static", "redisPort": 6379,
// "httpService": "backend.static", "httpPort": 80, "redisCalls": 10, "httpCalls": 0,
// "timeout": 5000}. SDK-based; single-threaded like every plugin.
#include <charconv>
#include <memory>
#include <string>

#include <wasmgate/wrapper.h>

namespace {

struct FanoutConfig {
  wrapper::RedisClusterClient redis;
  wrapper::ClusterClient http{wrapper::FQDNCluster{}};
  int64_t redisCalls = 0;
  int64_t httpCalls = 0;
  uint32_t timeoutMs = 0;
};

// The replies of one request, shared by its callbacks.
struct Tally {
  int64_t expected = 0;
  int64_t redisOk = 0, redisErr = 0, httpOk = 0, httpErr = 0;
  bool answered = false;
  void settleIfDone() {
    if (answered || redisOk + redisErr + httpOk + httpErr < expected) return;
    answered = true;
    std::string body = "redis ok=" + std::to_string(redisOk) + " err=" + std::to_string(redisErr) +
                       " http ok=" + std::to_string(httpOk) + " err=" + std::to_string(httpErr) + "\n";
    proxywasm::SendHttpResponse(200, {}, body, -1);
  }
};

bool parseConfig(const wrapper::Json& json, FanoutConfig& config) {
  config.timeoutMs = static_cast<uint32_t>(json.get("timeout").asUint(5000));
  config.redisCalls = json.get("redisCalls").asInt(10);
  config.httpCalls = json.get("httpCalls").asInt(0);
  config.redis = wrapper::RedisClusterClient(wrapper::FQDNCluster{
      .FQDN = json.get("redisService").asString("redis.static"), .Port = json.get("redisPort").asInt(6379)});
  config.http = wrapper::ClusterClient(wrapper::FQDNCluster{
      .FQDN = json.get("httpService").asString("backend.static"), .Port = json.get("httpPort").asInt(80)});
  if (auto err = config.redis.Init("", "", config.timeoutMs)) log::Warnf("redis init: %v", err);
  return true;
}

int64_t headerNumber(std::string_view name, int64_t fallback) {
  auto [value, status] = proxywasm::GetHttpRequestHeader(name);
  int64_t number = fallback;
  if (status == types::Status::Ok) std::from_chars(value.data(), value.data() + value.size(), number);
  return number;
}

types::Action onHttpRequestHeaders(wrapper::HttpContext&, FanoutConfig& config) {
  auto tally = std::make_shared<Tally>();
  int64_t redisCalls = headerNumber("x-redis-calls", config.redisCalls);
  int64_t httpCalls = headerNumber("x-http-calls", config.httpCalls);
  tally->expected = redisCalls + httpCalls;
  for (int64_t i = 0; i < redisCalls; ++i) {
    auto err = config.redis.Incr("fanout", [tally](const resp::Value& reply) {
      ++(reply.IsError() ? tally->redisErr : tally->redisOk);
      tally->settleIfDone();
    });
    if (err) ++tally->redisErr;
  }
  for (int64_t i = 0; i < httpCalls; ++i) {
    auto err = config.http.Get("/fanout", {}, [tally](int status, const types::Headers&, std::string_view) {
      ++(status == 200 ? tally->httpOk : tally->httpErr);
      tally->settleIfDone();
    }, config.timeoutMs);
    if (err) ++tally->httpErr;
  }
  if (headerNumber("x-trap", 0) == 1) __builtin_trap();  // a VM failing with its calls in flight
  tally->settleIfDone();  // nothing was sent, or every call failed at once
  return types::HeaderStopAllIterationAndWatermark;
}

}  // namespace

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<FanoutConfig>("call_fanout", wrapper::ParseConfig(parseConfig),
                                wrapper::ProcessRequestHeaders(onHttpRequestHeaders));
}
