#include "gateway/access_log.h"

#include <cerrno>
#include <cstring>
#include <ctime>

#include <nlohmann/json.hpp>

namespace wasmgate::gateway {

Result<std::shared_ptr<AccessLog>> AccessLog::open(const std::string& path) {
  if (path == "stdout") return std::shared_ptr<AccessLog>(new AccessLog(stdout, false));
  if (path == "stderr") return std::shared_ptr<AccessLog>(new AccessLog(stderr, false));
  FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return makeError("access log " + path + ": " + std::strerror(errno));
  return std::shared_ptr<AccessLog>(new AccessLog(f, true));
}

AccessLog::~AccessLog() {
  if (owned_) std::fclose(file_);
}

void AccessLog::log(const RequestHead& request, const StreamInfo& info, uint64_t duration_us) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t;
  gmtime_r(&ts.tv_sec, &t);
  char when[64];
  std::snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", t.tm_year + 1900, t.tm_mon + 1,
                t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec / 1000000);
  auto header = [&](const char* name) {
    const std::string* v = request.headers.get(name);
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  nlohmann::json line = {
      {"start_time", when},
      {"method", request.method},
      {"path", request.target},
      {"protocol", request.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1"},
      {"authority", header("host")},
      {"response_code", info.response_code},
      {"response_code_details", info.response_code_details},
      {"bytes_received", info.bytes_received},
      {"bytes_sent", info.bytes_sent},
      {"duration_ms", static_cast<double>(duration_us) / 1000.0},
      {"upstream_host", info.upstream_host.empty() ? nlohmann::json(nullptr) : nlohmann::json(info.upstream_host)},
      {"upstream_cluster", info.service_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(info.service_name)},
      {"route_name", info.route_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(info.route_name)},
      {"downstream_remote_address", info.downstream_address},
      {"request_id", info.request_id},
      {"user_agent", header("user-agent")},
      {"x_forwarded_for", header("x-forwarded-for")},
      {"upstream_attempts", info.upstream_attempts},
  };
  // Plugins' log attributes, as Higress's access log format prints %FILTER_STATE(wasm.custom_log)%.
  for (const char* key : {"custom_log", "ai_log"}) {
    if (auto it = info.filter_state.find(key); it != info.filter_state.end()) line[key] = it->second;
  }
  // Plugins' trace span tags (trace_span_tag.<tag>): there is no tracer, so the operator sees
  // them here.
  if (!info.trace_tags.empty()) line["trace_tags"] = info.trace_tags;
  // Invalid UTF-8 from a client must not stop the log: replace rather than throw.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  std::lock_guard<std::mutex> lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), file_);
  std::fflush(file_);
}

}  // namespace wasmgate::gateway
