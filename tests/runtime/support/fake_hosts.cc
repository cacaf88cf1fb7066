// Fake host interfaces for the runtime tests; see fake_hosts.h.
#include "tests/runtime/support/fake_hosts.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <mutex>

namespace wasmgate::runtime::testing {

void FakeLog::log(abi::LogLevel level, std::string_view plugin, std::string_view message) {
  entries.push_back({level, std::string(plugin), std::string(message)});
}

bool FakeLog::has(std::string_view message) const {
  return std::any_of(entries.begin(), entries.end(), [&](const LogEntry& e) { return e.message == message; });
}

std::vector<std::string> FakeLog::events() const {
  std::vector<std::string> out;
  for (const auto& e : entries) {
    if (!e.message.empty() && e.message[0] == '@') out.push_back(e.message.substr(1));
  }
  return out;
}

std::vector<std::string> FakeLog::reports() const {
  std::vector<std::string> out;
  for (const auto& e : entries) {
    if (e.message.find(" -> ") != std::string::npos) out.push_back(e.message);
  }
  return out;
}

std::string FakeLog::dump() const {
  std::string out;
  for (const auto& e : entries) out += "  [" + e.plugin + "] " + e.message + "\n";
  return out;
}

namespace {
Pairs::iterator findKey(Pairs& map, std::string_view key) {
  return std::find_if(map.begin(), map.end(), [&](const auto& p) { return p.first == key; });
}
}  // namespace

Status FakeHeaders::getHeader(abi::MapType t, std::string_view key, std::string* value) {
  const auto i = static_cast<size_t>(t);
  if (!available[i]) return Status::BadArgument;
  auto it = findKey(maps[i], key);
  if (it == maps[i].end()) return Status::NotFound;
  *value = it->second;
  return Status::Ok;
}
Status FakeHeaders::addHeader(abi::MapType t, std::string_view key, std::string_view value) {
  const auto i = static_cast<size_t>(t);
  if (!available[i]) return Status::BadArgument;
  maps[i].emplace_back(std::string(key), std::string(value));
  return Status::Ok;
}
Status FakeHeaders::replaceHeader(abi::MapType t, std::string_view key, std::string_view value) {
  const auto i = static_cast<size_t>(t);
  if (!available[i]) return Status::BadArgument;
  auto it = findKey(maps[i], key);
  if (it == maps[i].end()) return addHeader(t, key, value);
  it->second = std::string(value);
  return Status::Ok;
}
Status FakeHeaders::removeHeader(abi::MapType t, std::string_view key) {
  const auto i = static_cast<size_t>(t);
  if (!available[i]) return Status::BadArgument;
  std::erase_if(maps[i], [&](const auto& p) { return p.first == key; });
  return Status::Ok;
}
Status FakeHeaders::getHeaders(abi::MapType t, Pairs* pairs) {
  const auto i = static_cast<size_t>(t);
  if (!available[i]) return Status::BadArgument;
  *pairs = maps[i];
  return Status::Ok;
}
Status FakeHeaders::setHeaders(abi::MapType t, const Pairs& pairs) {
  const auto i = static_cast<size_t>(t);
  if (!available[i]) return Status::BadArgument;
  maps[i] = pairs;
  return Status::Ok;
}
Status FakeHeaders::getHeaderMapSize(abi::MapType t, uint32_t* size) {
  const auto i = static_cast<size_t>(t);
  if (!available[i]) return Status::BadArgument;
  *size = 0;
  for (const auto& [k, v] : maps[i]) *size += static_cast<uint32_t>(k.size() + v.size());
  return Status::Ok;
}

Status FakeBuffers::getBuffer(abi::BufferType t, uint64_t start, uint64_t max_size, std::string* data) {
  const std::string& b = buffers[static_cast<size_t>(t)];
  *data = start < b.size() ? b.substr(start, max_size) : std::string();
  return Status::Ok;
}
Status FakeBuffers::setBuffer(abi::BufferType t, uint64_t start, uint64_t size, std::string_view data) {
  std::string& b = buffers[static_cast<size_t>(t)];
  if (start == 0) {
    b.erase(0, std::min<uint64_t>(size, b.size()));
    b.insert(0, data);
  } else if (start >= b.size()) {
    b.append(data);
  } else {
    return Status::BadArgument;
  }
  return Status::Ok;
}
Status FakeBuffers::getBufferStatus(abi::BufferType t, uint64_t* length, uint32_t* flags) {
  *length = buffers[static_cast<size_t>(t)].size();
  *flags = 0;
  return Status::Ok;
}

Status FakeProperties::getProperty(std::string_view path, std::string* value) {
  auto it = values.find(std::string(path));
  if (it == values.end()) return Status::NotFound;
  *value = it->second;
  return Status::Ok;
}
Status FakeProperties::setProperty(std::string_view path, std::string_view value) {
  values[std::string(path)] = std::string(value);
  return Status::Ok;
}

Status FakeControl::continueStream(abi::StreamType t) {
  actions.push_back("continue " + std::to_string(static_cast<uint32_t>(t)));
  return Status::Ok;
}
Status FakeControl::closeStream(abi::StreamType t) {
  actions.push_back("close " + std::to_string(static_cast<uint32_t>(t)));
  return Status::Ok;
}
Status FakeControl::sendLocalResponse(const LocalResponse& response) {
  actions.push_back("local " + std::to_string(response.status_code));
  local_responses.push_back(response);
  return Status::Ok;
}
Status FakeControl::injectEncodedData(std::string_view data, bool end_of_stream) {
  actions.push_back("inject " + std::string(data) + " " + (end_of_stream ? "1" : "0"));
  return Status::Ok;
}
Status FakeControl::setUpstreamOverrideHost(std::string_view address) {
  actions.push_back("override " + std::string(address));
  return Status::Ok;
}
Status FakeControl::getUpstreamHosts(Pairs* hosts) {
  *hosts = upstream_hosts;
  return Status::Ok;
}

Status FakeHttp::dispatch(uint32_t root, uint32_t token, const HttpCallRequest& request) {
  if (std::find(clusters.begin(), clusters.end(), request.cluster) == clusters.end()) return Status::BadArgument;
  calls.emplace_back(root, token, request);
  return Status::Ok;
}

Status FakeRedis::init(std::string_view cluster, std::string_view username, std::string_view password,
                       uint32_t timeout_ms) {
  if (cluster.substr(0, cluster.find('?')) != "redis") return Status::BadArgument;
  inits.push_back(std::string(cluster) + " " + std::string(username) + " " + std::string(password) + " " +
                  std::to_string(timeout_ms));
  return Status::Ok;
}
Status FakeRedis::call(uint32_t root, uint32_t token, std::string_view cluster, std::string_view query) {
  if (cluster != "redis") return Status::BadArgument;
  calls.emplace_back(root, token, std::string(query));
  return Status::Ok;
}

Status FakeTimers::setTickPeriod(uint32_t root, uint32_t period_ms) {
  periods[root] = period_ms;
  return Status::Ok;
}

Status FakeSharedData::get(std::string_view vm_id, std::string_view key, std::string* value, uint32_t* cas) {
  auto it = data.find(std::string(vm_id) + "/" + std::string(key));
  if (it == data.end()) return Status::NotFound;
  *value = it->second.first;
  *cas = it->second.second;
  return Status::Ok;
}
Status FakeSharedData::set(std::string_view vm_id, std::string_view key, std::string_view value, uint32_t cas) {
  auto& slot = data[std::string(vm_id) + "/" + std::string(key)];
  if (cas != 0 && cas != slot.second) return Status::CasMismatch;
  slot = {std::string(value), next_cas++};
  return Status::Ok;
}
Status FakeSharedData::registerQueue(std::string_view vm_id, std::string_view name, uint32_t root, uint32_t* id) {
  const std::string key = std::string(vm_id) + "/" + std::string(name);
  for (auto& [qid, q] : queues) {
    if (q.key == key) {
      q.root = root;
      *id = qid;
      return Status::Ok;
    }
  }
  *id = static_cast<uint32_t>(queues.size() + 1);
  queues[*id] = Queue{key, root, {}};
  return Status::Ok;
}
Status FakeSharedData::resolveQueue(std::string_view vm_id, std::string_view name, uint32_t* id) {
  const std::string key = std::string(vm_id) + "/" + std::string(name);
  for (auto& [qid, q] : queues) {
    if (q.key == key) {
      *id = qid;
      return Status::Ok;
    }
  }
  return Status::NotFound;
}
Status FakeSharedData::enqueue(uint32_t id, std::string_view item) {
  auto it = queues.find(id);
  if (it == queues.end()) return Status::NotFound;
  it->second.items.emplace_back(item);
  ready.emplace_back(it->second.root, id);
  return Status::Ok;
}
Status FakeSharedData::dequeue(uint32_t id, std::string* item) {
  auto it = queues.find(id);
  if (it == queues.end()) return Status::NotFound;
  if (it->second.items.empty()) return Status::Empty;
  *item = it->second.items.front();
  it->second.items.erase(it->second.items.begin());
  return Status::Ok;
}

Status FakeMetrics::define(abi::MetricType type, std::string_view name, uint32_t* id) {
  *id = (next++ << 2) | static_cast<uint32_t>(type);
  names[*id] = std::string(name);
  values.emplace(std::string(name), 0);
  return Status::Ok;
}
Status FakeMetrics::increment(uint32_t id, int64_t offset) {
  auto it = names.find(id);
  if (it == names.end()) return Status::NotFound;
  const auto type = static_cast<abi::MetricType>(id & 3);
  if (type == abi::MetricType::Histogram || (type == abi::MetricType::Counter && offset <= 0)) {
    return Status::BadArgument;
  }
  values[it->second] += static_cast<uint64_t>(offset);
  return Status::Ok;
}
Status FakeMetrics::record(uint32_t id, uint64_t value) {
  auto it = names.find(id);
  if (it == names.end()) return Status::NotFound;
  const auto type = static_cast<abi::MetricType>(id & 3);
  if (type == abi::MetricType::Counter) {
    values[it->second] += value;
  } else {
    values[it->second] = value;
  }
  return Status::Ok;
}
Status FakeMetrics::get(uint32_t id, uint64_t* value) {
  auto it = names.find(id);
  if (it == names.end()) return Status::NotFound;
  *value = values[it->second];
  return Status::Ok;
}

Status FakeForeign::call(std::string_view name, std::string_view argument, std::string* result) {
  calls.emplace_back(std::string(name), std::string(argument));
  auto it = results.find(std::string(name));
  if (it == results.end()) return Status::Unimplemented;
  *result = it->second;
  return Status::Ok;
}

VmServices FakeHosts::services() {
  return VmServices{&log, &http, &redis, &timers, &shared, &metrics, &vm_properties, &foreign};
}

std::shared_ptr<const CompiledModule> plugin(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const CompiledModule>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  const std::string path = std::string(WASMGATE_PLUGIN_DIR) + "/" + name + ".wasm";
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) return nullptr;
  auto compiled = v8Engine().compile(bytes, name);
  if (!compiled.ok()) return nullptr;
  return cache[name] = compiled.value();
}

std::unique_ptr<WorkerEngine> newWorker() { return v8Engine().newWorker(); }

Result<std::unique_ptr<WasmVm>> makeVm(WorkerEngine& worker, const std::string& plugin_name, FakeHosts& hosts,
                                       std::string vm_script, std::string vm_id) {
  auto module = plugin(plugin_name);
  if (!module) return makeError("test plugin " + plugin_name + " did not load from " WASMGATE_PLUGIN_DIR);
  VmConfig config;
  config.name = plugin_name;
  config.vm_id = std::move(vm_id);
  config.vm_configuration = std::move(vm_script);
  config.services = hosts.services();
  return WasmVm::create(worker, module, std::move(config));
}

}  // namespace wasmgate::runtime::testing
