// sdk_host_calls: a test plugin for the SDK's typed host calls outside the wrapper's own paths
// (tests/harness/harness_sdk_host_calls_test.cc). The request header x-op picks what the request
// headers handler does:
//  - "properties": GetProperty (initializer-list and vector forms), SetProperty read back,
//    GetPropertyMap({"request", "headers"}); answers in x-route, x-written, x-path, x-map-probe,
//    x-map-size, x-missing;
//  - "metrics": the counter +2, the gauge +10 then -3, the histogram records the :path length
//    (all three defined by parseConfig); x-counter / x-gauge are the values read back;
//  - "close": CloseHttpStream();
//  - "pin": GetUpstreamHosts(), then SetUpstreamOverrideHost(the last one); x-hosts is the count;
//  - "check": WASMGATE_CHECK(x-value is "ok"), which traps with a Critical log line otherwise.
#include <string>
#include <vector>

#include <wasmgate/wrapper.h>

namespace {

struct HostCallsConfig {
  proxywasm::MetricCounter requests;
  proxywasm::MetricGauge level;
  proxywasm::MetricHistogram pathLength;
};

bool parseConfig(const wrapper::Json&, HostCallsConfig& config) {
  config.requests = proxywasm::DefineCounterMetric("sdk_requests");
  config.level = proxywasm::DefineGaugeMetric("sdk_level");
  config.pathLength = proxywasm::DefineHistogramMetric("sdk_path_length");
  return true;
}

std::string header(std::string_view name) { return proxywasm::GetHttpRequestHeader(name).value; }
void answer(std::string_view name, std::string_view value) { proxywasm::AddHttpRequestHeader(name, value); }

void properties() {
  // First, so the map holds the request's headers only, not the answers added below.
  auto map = proxywasm::GetPropertyMap({"request", "headers"});
  answer("x-route", proxywasm::GetProperty({"route_name"}).value);
  auto set = proxywasm::SetProperty({"sdk", "written"}, "v1");
  answer("x-written", set == types::Status::Ok ? proxywasm::GetProperty({"sdk", "written"}).value : "set failed");
  answer("x-path", proxywasm::GetProperty(std::vector<std::string>{"request", "path"}).value);
  std::string probe = "absent";
  for (const auto& [k, v] : map.value) {
    if (k == "x-probe") probe = v;
  }
  answer("x-map-probe", probe);
  answer("x-map-size", std::to_string(map.value.size()));
  answer("x-missing", wasmgate::format::Sprintf("%v", proxywasm::GetProperty({"no", "such", "property"}).status));
}

void metrics(const HostCallsConfig& config) {
  config.requests.Increment(2);
  config.level.Add(10);
  config.level.Add(-3);
  config.pathLength.Record(header(":path").size());
  answer("x-counter", std::to_string(config.requests.Value()));
  answer("x-gauge", std::to_string(config.level.Value()));
}

void pinLastUpstream() {
  auto hosts = proxywasm::GetUpstreamHosts();
  answer("x-hosts", std::to_string(hosts.value.size()));
  if (!hosts.value.empty()) proxywasm::SetUpstreamOverrideHost(hosts.value.back().first);
}

types::Action onRequestHeaders(wrapper::HttpContext&, const HostCallsConfig& config) {
  const std::string op = header("x-op");
  if (op == "properties") properties();
  if (op == "metrics") metrics(config);
  if (op == "pin") pinLastUpstream();
  if (op == "close") {
    proxywasm::CloseHttpStream();
    return types::HeaderStopIteration;
  }
  if (op == "check") WASMGATE_CHECK(header("x-value") == "ok", "x-value must be ok");
  return types::HeaderContinue;
}

}  // namespace

WASMGATE_PLUGIN_INIT() {
  wrapper::SetCtx<HostCallsConfig>("sdk-host-calls",
      wrapper::ParseConfig(parseConfig),
      wrapper::ProcessRequestHeaders(onRequestHeaders));
}
