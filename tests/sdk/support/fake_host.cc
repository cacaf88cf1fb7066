// The in-memory host of fake_host.h: env.proxy_* defined over FakeHost.
#include "fake_host.h"

#include <cstdlib>
#include <cstring>

#include <wasmgate/internal/exports.h>
#include <wasmgate/internal/imports.h>
#include <wasmgate/internal/pairs.h>

namespace wasmgate::testing {
namespace {

constexpr uint32_t kOk = 0, kNotFound = 1, kBadArgument = 2, kCasMismatch = 8;

// Copies a value into memory the SDK will free(), as the wasm host allocates through malloc.
uint32_t give(const std::string& value, char** data, size_t* size) {
  if (value.empty()) {
    *data = nullptr;
    *size = 0;
    return kOk;
  }
  *data = static_cast<char*>(::malloc(value.size()));
  memcpy(*data, value.data(), value.size());
  *size = value.size();
  return kOk;
}

std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
  return s;
}

std::string pathKey(const std::string& dotted) {
  std::string k = dotted;
  for (char& c : k) c = c == '.' ? '\0' : c;
  return k;
}

}  // namespace

FakeHost& host() {
  static FakeHost h;
  return h;
}

void FakeHost::reset() { *this = FakeHost(); }

std::string FakeHost::property(const std::string& dotted) const {
  auto it = properties.find(pathKey(dotted));
  return it == properties.end() ? "" : it->second;
}

void FakeHost::setProperty(const std::string& dotted, std::string value) { properties[pathKey(dotted)] = std::move(value); }

std::string FakeHost::header(uint32_t map, const std::string& key) const {
  auto it = maps.find(map);
  if (it == maps.end()) return "";
  for (const auto& [k, v] : it->second) {
    if (k == key) return v;
  }
  return "";
}

bool FakeHost::logged(const std::string& needle) const {
  for (const auto& [level, message] : logs) {
    if (message.find(needle) != std::string::npos) return true;
  }
  return false;
}

bool StartPlugin(uint32_t rootId, const std::string& config) {
  host().buffers[7] = config;
  proxy_on_context_create(rootId, 0);
  proxy_on_vm_start(rootId, 0);
  bool ok = proxy_on_configure(rootId, static_cast<uint32_t>(config.size())) != 0;
  host().buffers.erase(7);
  return ok;
}

}  // namespace wasmgate::testing

using wasmgate::testing::host;
using namespace wasmgate::testing;

extern "C" {

uint32_t proxy_log(uint32_t level, const char* message, size_t size) {
  host().logs.emplace_back(level, std::string(message, size));
  return kOk;
}
uint32_t proxy_get_log_level(uint32_t* level) {
  *level = host().logLevel;
  return kOk;
}
uint32_t proxy_get_current_time_nanoseconds(uint64_t* ns) {
  *ns = host().nowNs;
  return kOk;
}
uint32_t proxy_set_tick_period_milliseconds(uint32_t period) {
  host().tickPeriodMs = period;
  return kOk;
}

uint32_t proxy_get_property(const char* path, size_t pathSize, char** value, size_t* valueSize) {
  auto it = host().properties.find(std::string(path, pathSize));
  if (it == host().properties.end()) return kNotFound;
  return give(it->second, value, valueSize);
}
uint32_t proxy_set_property(const char* path, size_t pathSize, const char* value, size_t valueSize) {
  host().properties[std::string(path, pathSize)] = std::string(value, valueSize);
  return kOk;
}

uint32_t proxy_continue_stream(uint32_t type) {
  host().continued.push_back(type);
  return kOk;
}
uint32_t proxy_close_stream(uint32_t) { return kOk; }
uint32_t proxy_send_local_response(uint32_t status, const char* details, size_t detailsSize, const char* body,
                                   size_t bodySize, const char* headers, size_t headersSize, int32_t) {
  FakeLocalResponse r{status, std::string(details, detailsSize), std::string(body, bodySize), {}};
  if (!wasmgate::internal::DeserializePairs(std::string_view(headers, headersSize), &r.headers)) return kBadArgument;
  host().localResponses.push_back(std::move(r));
  return kOk;
}
uint32_t proxy_set_effective_context(uint32_t id) {
  host().effectiveContexts.push_back(id);
  return kOk;
}
uint32_t proxy_done() { return kOk; }

uint32_t proxy_get_header_map_value(uint32_t map, const char* key, size_t keySize, char** value, size_t* valueSize) {
  std::string k = lower(std::string(key, keySize));
  for (const auto& [name, v] : host().maps[map]) {
    if (name == k) return give(v, value, valueSize);
  }
  return kNotFound;
}
uint32_t proxy_add_header_map_value(uint32_t map, const char* key, size_t keySize, const char* value, size_t valueSize) {
  host().maps[map].emplace_back(lower(std::string(key, keySize)), std::string(value, valueSize));
  return kOk;
}
uint32_t proxy_replace_header_map_value(uint32_t map, const char* key, size_t keySize, const char* value,
                                        size_t valueSize) {
  std::string k = lower(std::string(key, keySize));
  for (auto& [name, v] : host().maps[map]) {
    if (name == k) {
      v = std::string(value, valueSize);
      return kOk;
    }
  }
  host().maps[map].emplace_back(k, std::string(value, valueSize));
  return kOk;
}
uint32_t proxy_remove_header_map_value(uint32_t map, const char* key, size_t keySize) {
  std::string k = lower(std::string(key, keySize));
  auto& pairs = host().maps[map];
  std::erase_if(pairs, [&](const auto& p) { return p.first == k; });
  return kOk;
}
uint32_t proxy_get_header_map_pairs(uint32_t map, char** data, size_t* size) {
  auto it = host().maps.find(map);
  if (it == host().maps.end() || it->second.empty()) return give("", data, size);
  return give(wasmgate::internal::SerializePairs(it->second), data, size);
}
uint32_t proxy_set_header_map_pairs(uint32_t map, const char* data, size_t size) {
  wasmgate::types::Headers pairs;
  if (!wasmgate::internal::DeserializePairs(std::string_view(data, size), &pairs)) return kBadArgument;
  host().maps[map] = std::move(pairs);
  return kOk;
}
uint32_t proxy_get_header_map_size(uint32_t map, size_t* size) {
  *size = host().maps[map].size();
  return kOk;
}

uint32_t proxy_get_buffer_bytes(uint32_t type, uint32_t start, uint32_t maxSize, char** data, size_t* size) {
  if (type > 9) return kBadArgument;
  auto it = host().buffers.find(type);
  if (it == host().buffers.end()) return kNotFound;
  const std::string& b = it->second;
  if (start > b.size()) return give("", data, size);
  return give(b.substr(start, maxSize), data, size);
}
uint32_t proxy_set_buffer_bytes(uint32_t type, uint32_t start, uint32_t length, const char* data, size_t size) {
  std::string& b = host().buffers[type];
  if (start == 0) {
    b.erase(0, length);
    b.insert(0, data, size);
  } else if (start >= b.size()) {
    b.append(data, size);
  } else {
    return kBadArgument;
  }
  return kOk;
}
uint32_t proxy_get_buffer_status(uint32_t type, size_t* length, uint32_t* flags) {
  *length = host().buffers[type].size();
  *flags = 0;
  return kOk;
}

uint32_t proxy_http_call(const char* upstream, size_t upstreamSize, const char* headers, size_t headersSize,
                         const char* body, size_t bodySize, const char*, size_t, uint32_t timeout, uint32_t* token) {
  FakeHttpCall call;
  call.cluster = std::string(upstream, upstreamSize);
  if (call.cluster == "unknown") return kBadArgument;
  if (!wasmgate::internal::DeserializePairs(std::string_view(headers, headersSize), &call.headers)) return kBadArgument;
  call.body = std::string(body, bodySize);
  call.timeoutMs = timeout;
  call.token = *token = host().nextToken++;
  host().httpCalls.push_back(std::move(call));
  return kOk;
}

uint32_t proxy_get_shared_data(const char* key, size_t keySize, char** value, size_t* valueSize, uint32_t* cas) {
  auto it = host().sharedData.find(std::string(key, keySize));
  if (it == host().sharedData.end()) return kNotFound;
  *cas = it->second.second;
  return give(it->second.first, value, valueSize);
}
uint32_t proxy_set_shared_data(const char* key, size_t keySize, const char* value, size_t valueSize, uint32_t cas) {
  auto& entry = host().sharedData[std::string(key, keySize)];
  if (cas != 0 && entry.second != 0 && cas != entry.second) return kCasMismatch;
  entry = {std::string(value, valueSize), host().nextCas++};
  return kOk;
}
uint32_t proxy_register_shared_queue(const char*, size_t, uint32_t* id) {
  *id = 1;
  return kOk;
}
uint32_t proxy_resolve_shared_queue(const char*, size_t, const char*, size_t, uint32_t* id) {
  *id = 1;
  return kOk;
}
uint32_t proxy_dequeue_shared_queue(uint32_t, char** data, size_t* size) {
  *data = nullptr;
  *size = 0;
  return 7;  // Empty
}
uint32_t proxy_enqueue_shared_queue(uint32_t, const char*, size_t) { return kOk; }

uint32_t proxy_define_metric(uint32_t type, const char*, size_t, uint32_t* id) {
  *id = type;
  return kOk;
}
uint32_t proxy_increment_metric(uint32_t, int64_t) { return kOk; }
uint32_t proxy_record_metric(uint32_t, uint64_t) { return kOk; }
uint32_t proxy_get_metric(uint32_t, uint64_t* value) {
  *value = 0;
  return kOk;
}

uint32_t proxy_call_foreign_function(const char* name, size_t nameSize, const char* arg, size_t argSize,
                                     char** result, size_t* resultSize) {
  std::string n(name, nameSize);
  if (n == "get_log_level") {
    uint32_t l = host().logLevel;
    std::string bytes{char(l), char(l >> 8), char(l >> 16), char(l >> 24)};
    return give(bytes, result, resultSize);
  }
  auto it = host().foreign.find(n);
  if (it == host().foreign.end()) return kNotFound;
  std::string out;
  uint32_t status = it->second(std::string(arg, argSize), &out);
  give(out, result, resultSize);
  return status;
}

uint32_t proxy_redis_init(const char* cluster, size_t clusterSize, const char* user, size_t userSize,
                          const char* pass, size_t passSize, uint32_t timeout) {
  host().redisInits.push_back(
      {std::string(cluster, clusterSize), std::string(user, userSize), std::string(pass, passSize), timeout});
  return host().redisInitStatus;
}
uint32_t proxy_redis_call(const char* cluster, size_t clusterSize, const char* query, size_t querySize,
                          uint32_t* token) {
  *token = host().nextToken++;
  host().redisCalls.push_back({std::string(cluster, clusterSize), std::string(query, querySize), *token});
  return kOk;
}
uint32_t proxy_inject_encoded_data_to_filter_chain(const char*, size_t, uint32_t) { return kOk; }
uint32_t proxy_get_upstream_hosts(char** data, size_t* size) { return give("", data, size); }
uint32_t proxy_set_upstream_override_host(const char*, size_t) { return kOk; }

}  // extern "C"
