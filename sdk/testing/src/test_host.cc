// TestHost: loading (wasm and native), reconfiguration and rebuild, and the test's side of calls,
// shared data, metrics, logs and foreign functions. Time and ticks: test_host_time.cc.
// See test_host.h.
#include <wasmgate/testing/test_host.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "host_state.h"
#include "native_engine.h"
#include "stream_state.h"

namespace wasmgate::testing {
namespace {

std::string fileStem(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = name.rfind('.');
  if (dot != std::string::npos && dot > 0) name.erase(dot);
  return name;
}

Result<std::vector<uint8_t>> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError("cannot read plugin " + path + ": " + std::strerror(errno));
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

Result<TestHost> TestHost::load(const std::string& wasm_path, std::string configuration, LoadOptions options) {
  auto bytes = readFile(wasm_path);
  if (!bytes.ok()) return bytes.error();
  if (options.name.empty()) options.name = fileStem(wasm_path);
  return loadBytes(bytes.value(), std::move(configuration), std::move(options));
}

Result<TestHost> TestHost::load(const std::string& wasm_path, const Result<std::string>& configuration,
                                LoadOptions options) {
  if (!configuration.ok()) return makeError("plugin configuration: " + configuration.message());
  return load(wasm_path, configuration.value(), std::move(options));
}

namespace {

// The host state before a module is attached: options applied, logs and shared data set up.
std::unique_ptr<HostState> newHostState(std::string configuration, LoadOptions options) {
  auto state = std::make_unique<HostState>();
  if (options.name.empty()) options.name = "plugin";
  if (options.root_id.empty()) options.root_id = options.name;
  const char* echo = std::getenv("WASMGATE_TEST_LOGS");
  state->log.echo = options.echo_logs || (echo != nullptr && *echo != '\0' && std::strcmp(echo, "0") != 0);
  state->log.threshold = options.log_level;
  state->shared = options.shared_data ? options.shared_data : std::make_shared<SharedDataStore>();
  state->options = std::move(options);
  state->configuration = std::move(configuration);
  return state;
}

}  // namespace

Result<TestHost> TestHost::loadBytes(std::span<const uint8_t> wasm, std::string configuration, LoadOptions options) {
  auto state = newHostState(std::move(configuration), std::move(options));
  runtime::Engine& engine = runtime::v8Engine();
  auto module = engine.compile(wasm, state->options.name);
  if (!module.ok()) return makeError("plugin '" + state->options.name + "': " + module.message());
  state->module = std::move(module).value();
  state->worker = engine.newWorker();
  if (Status started = state->startVm(); !started.ok()) return started.error();
  return TestHost(std::move(state));
}

Result<TestHost> TestHost::loadNative(const std::string& library_path, std::string configuration,
                                      LoadOptions options) {
  if (options.name.empty()) options.name = fileStem(library_path);
  auto state = newHostState(std::move(configuration), std::move(options));
  auto module = native::loadModule(library_path, state->options.name);
  if (!module.ok()) return makeError("plugin '" + state->options.name + "': " + module.message());
  state->module = std::move(module).value();
  state->worker = native::newWorker();
  if (Status started = state->startVm(); !started.ok()) return started.error();
  return TestHost(std::move(state));
}

Result<TestHost> TestHost::loadNative(const std::string& library_path, const Result<std::string>& configuration,
                                      LoadOptions options) {
  if (!configuration.ok()) return makeError("plugin configuration: " + configuration.message());
  return loadNative(library_path, configuration.value(), std::move(options));
}

TestHost::TestHost(std::unique_ptr<HostState> state) : state_(std::move(state)) {}
TestHost::TestHost(TestHost&&) noexcept = default;
TestHost& TestHost::operator=(TestHost&&) noexcept = default;
TestHost::~TestHost() = default;

HttpStream TestHost::newHttp() {
  state_->assertOwnerThread();
  return HttpStream(std::make_unique<StreamState>(*state_));
}

Status TestHost::reconfigure(std::string configuration) {
  VmSlot& slot = state_->current();
  auto root = slot.vm->startPlugin(runtime::PluginConfig{
      .name = state_->options.name, .root_id = state_->options.root_id, .configuration = configuration});
  if (!root.ok()) return root.error();
  const uint32_t old_root = slot.root_id;
  slot.root_id = root.value();
  state_->configuration = std::move(configuration);
  slot.vm->retirePlugin(old_root);
  return {};
}

bool TestHost::failed() const { return state_->current().vm->failed(); }
const std::string& TestHost::failure() const { return state_->current().vm->failure(); }

Status TestHost::rebuild() {
  if (Status started = state_->startVm(); !started.ok()) return started;
  state_->forgetOldVms();
  state_->rebuild_requested = false;
  return {};
}

bool TestHost::rebuildRequested() const { return state_->rebuild_requested; }

std::vector<HttpCall> TestHost::httpCalls() const {
  std::vector<HttpCall> out;
  for (const auto& c : state_->http_calls) out.push_back(c.call);
  return out;
}

Status TestHost::respondHttpCall(uint32_t token, const HttpCallReply& reply) {
  runtime::HttpCallResponse response;
  response.headers.emplace_back(":status", std::to_string(reply.status));
  for (const auto& h : lowerCaseKeys(reply.headers)) response.headers.push_back(h);
  response.body = reply.body;
  response.trailers = lowerCaseKeys(reply.trailers);
  return state_->deliverHttpResponse(token, response);
}

Status TestHost::respondHttpCall(const HttpCallReply& reply) {
  if (state_->http_calls.empty()) return makeError("no http call to answer: the plugin made none");
  return respondHttpCall(state_->http_calls.front().call.token, reply);
}

Status TestHost::failHttpCall(uint32_t token) {
  return state_->deliverHttpResponse(token, runtime::HttpCallResponse{});  // no headers: no response
}

Status TestHost::failHttpCall() {
  if (state_->http_calls.empty()) return makeError("no http call to fail: the plugin made none");
  return failHttpCall(state_->http_calls.front().call.token);
}

std::vector<RedisInit> TestHost::redisInits() const { return state_->redis_inits; }

std::vector<RedisCall> TestHost::redisCalls() const {
  std::vector<RedisCall> out;
  for (const auto& c : state_->redis_calls) out.push_back(c.call);
  return out;
}

Status TestHost::respondRedisCall(uint32_t token, std::string_view reply) {
  return state_->deliverRedisReply(token, abi::RedisStatus::Ok, reply);
}

Status TestHost::respondRedisCall(std::string_view reply) {
  if (state_->redis_calls.empty()) return makeError("no redis call to answer: the plugin made none");
  return respondRedisCall(state_->redis_calls.front().call.token, reply);
}

Status TestHost::failRedisCall(uint32_t token) {
  return state_->deliverRedisReply(token, abi::RedisStatus::NetworkError, "");
}

Status TestHost::failRedisCall() {
  if (state_->redis_calls.empty()) return makeError("no redis call to fail: the plugin made none");
  return failRedisCall(state_->redis_calls.front().call.token);
}

std::optional<SharedValue> TestHost::sharedData(std::string_view key) const {
  SharedValue v;
  if (state_->shared->get(state_->options.vm_id, key, &v.value, &v.cas) != abi::Status::Ok) return std::nullopt;
  return v;
}

Status TestHost::setSharedData(std::string_view key, std::string_view value, uint32_t cas) {
  const abi::Status s = state_->shared->set(state_->options.vm_id, key, value, cas);
  if (s != abi::Status::Ok) return makeError("set shared data '" + std::string(key) + "': " + abi::statusName(s));
  return {};
}

Status TestHost::enqueue(std::string_view queue_name, std::string_view data) {
  uint32_t id = 0;
  if (state_->shared->resolveQueue(state_->options.vm_id, queue_name, &id) != abi::Status::Ok) {
    return makeError("no shared queue named '" + std::string(queue_name) + "': the plugin registered none");
  }
  (void)state_->shared->enqueue(id, data);
  state_->pump();
  if (failed()) return makeError(failure());
  return {};
}

std::vector<std::string> TestHost::queueItems(std::string_view queue_name) const {
  return state_->shared->items(state_->options.vm_id, queue_name);
}

const std::shared_ptr<SharedDataStore>& TestHost::sharedDataStore() const { return state_->shared; }

std::optional<uint64_t> TestHost::metric(std::string_view name) const {
  const auto* stat = state_->metrics.find(name, false);
  return stat ? std::optional<uint64_t>(stat->value) : std::nullopt;
}

std::vector<uint64_t> TestHost::histogram(std::string_view name) const {
  const auto* stat = state_->metrics.find(name, true);
  return stat ? stat->samples : std::vector<uint64_t>{};
}

std::vector<std::string> TestHost::metricNames() const {
  std::vector<std::string> names;
  for (const auto& stat : state_->metrics.stats) names.push_back(stat.name);
  return names;
}

const std::vector<LogLine>& TestHost::logs() const { return state_->log.lines; }

bool TestHost::hasLog(std::string_view text) const {
  for (const LogLine& l : state_->log.lines) {
    if (l.message.find(text) != std::string::npos) return true;
  }
  return false;
}

bool TestHost::hasLog(LogLevel level, std::string_view text) const {
  for (const LogLine& l : state_->log.lines) {
    if (l.level == level && l.message.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string TestHost::logDump() const {
  std::string out;
  for (const LogLine& l : state_->log.lines) out += std::string("[") + levelName(l.level) + "] " + l.message + "\n";
  return out;
}

void TestHost::clearLogs() { state_->log.lines.clear(); }
void TestHost::setLogLevel(LogLevel level) { state_->log.threshold = level; }
LogLevel TestHost::logLevel() const { return state_->log.threshold; }

std::vector<ForeignCall> TestHost::foreignCalls() const { return state_->foreign.calls; }
std::optional<uint64_t> TestHost::maxRequestsPerIoCycle() const { return state_->foreign.max_requests_per_io_cycle; }

void TestHost::registerForeignFunction(std::string name, std::function<std::string(std::string_view)> function) {
  state_->foreign.functions[std::move(name)] = std::move(function);
}

void TestHost::setProperty(std::initializer_list<std::string_view> path, std::string value) {
  state_->properties.values[joinPropertyPath(path)] = std::move(value);
}

uint32_t TestHost::rootContextId() const { return state_->current().root_id; }

}  // namespace wasmgate::testing
