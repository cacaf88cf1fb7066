#include "gateway/wasm/plugin_stats.h"

#include <map>
#include <memory>
#include <mutex>

namespace wasmgate::gateway::wasm {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<PluginCounters>> counters;
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: workers may count during exit
  return *r;
}

}  // namespace

PluginCounters& pluginCounters(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto& slot = r.counters[name];
  if (!slot) slot = std::make_unique<PluginCounters>();
  return *slot;
}

std::string pluginStatsPrometheus() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  struct Family {
    const char* name;
    std::atomic<uint64_t> PluginCounters::*field;
  };
  static const Family kFamilies[] = {{"calls", &PluginCounters::calls},
                                     {"failures", &PluginCounters::failures},
                                     {"vm_rebuilds", &PluginCounters::rebuilds},
                                     {"fail_closed_requests", &PluginCounters::fail_closed_requests},
                                     {"fail_open_skips", &PluginCounters::fail_open_skips},
                                     {"local_replies", &PluginCounters::local_replies},
                                     {"http_calls", &PluginCounters::http_calls},
                                     {"http_call_failures", &PluginCounters::http_call_failures},
                                     {"redis_calls", &PluginCounters::redis_calls},
                                     {"redis_call_failures", &PluginCounters::redis_call_failures}};
  std::string out;
  if (r.counters.empty()) return out;
  for (const Family& f : kFamilies) {
    out += std::string("# TYPE wasmgate_plugin_") + f.name + "_total counter\n";
    for (const auto& [name, c] : r.counters) {
      out += std::string("wasmgate_plugin_") + f.name + "_total{plugin=\"" + name + "\"} " +
             std::to_string(((*c).*(f.field)).load()) + "\n";
    }
  }
  return out;
}

}  // namespace wasmgate::gateway::wasm
