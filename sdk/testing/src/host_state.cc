// HostState: VM start-up, delivery of the test's answers to the VM that asked, ticks, and the
// pump that applies the resumes plugins requested.
#include "host_state.h"

#include <algorithm>

#include "stream_state.h"

namespace wasmgate::testing {
namespace {

// The plugin's warnings and errors so far, to explain a failed start.
std::string pluginComplaints(const std::vector<LogLine>& lines) {
  std::string out;
  int shown = 0;
  for (auto it = lines.rbegin(); it != lines.rend() && shown < 10; ++it) {
    if (it->level < LogLevel::Warn) continue;
    out.insert(0, std::string("\n  [") + levelName(it->level) + "] " + it->message);
    ++shown;
  }
  return out.empty() ? out : "; the plugin logged:" + out;
}

// "(pending: 3 5)" to explain an unknown token.
template <typename Pending>
std::string pendingTokens(const std::vector<Pending>& calls) {
  std::string out = " (pending:";
  if (calls.empty()) out.append(" none");
  for (const Pending& c : calls) out.append(" ").append(std::to_string(c.call.token));
  out.append(")");
  return out;
}

}  // namespace

HostState::~HostState() {
  for (StreamState* s : streams) s->host = nullptr;  // a stream outliving its host fails cleanly
  if (shared) shared->forgetOwner(this);
}

wasmgate::Status HostState::startVm() {
  auto slot = std::make_unique<VmSlot>(*this);
  runtime::VmConfig config;
  config.name = options.name;
  config.vm_id = options.vm_id;
  config.vm_configuration = options.vm_configuration;
  config.env = options.env;
  config.services = runtime::VmServices{.log = &log, .http = &slot->http, .redis = &slot->redis,
                                        .timers = &slot->timers, .shared_data = &slot->shared,
                                        .metrics = &metrics, .properties = &properties, .foreign = &foreign};
  config.clock = &clock;
  auto vm = runtime::WasmVm::create(*worker, module, std::move(config));
  if (!vm.ok()) return makeError(vm.message() + pluginComplaints(log.lines));
  slot->vm = std::move(vm).value();
  auto root = slot->vm->startPlugin(
      runtime::PluginConfig{.name = options.name, .root_id = options.root_id, .configuration = configuration});
  if (!root.ok()) return makeError(root.message() + pluginComplaints(log.lines));
  slot->root_id = root.value();
  slots.push_back(std::move(slot));
  return {};
}

void HostState::forgetOldVms() {
  VmSlot* now = &current();
  std::erase_if(http_calls, [&](const PendingHttpCall& c) { return c.slot != now; });
  std::erase_if(redis_calls, [&](const PendingRedisCall& c) { return c.slot != now; });
  std::erase_if(timers, [&](const TickTimer& t) { return t.slot != now; });
}

bool HostState::knownCluster(std::string_view cluster) const {
  if (options.clusters.empty()) return true;
  return std::find(options.clusters.begin(), options.clusters.end(), cluster) != options.clusters.end();
}

void HostState::pump() {
  assertOwnerThread();
  // Each resume may run the plugin, which may resume other streams; stop when none is left.
  for (bool again = true; again;) {
    again = false;
    for (StreamState* s : streams) {
      for (Direction* d : {&s->request, &s->response}) {
        if (!d->resume_requested) continue;
        s->resume(*d, d == &s->request);
        again = true;
      }
      if (again) break;  // the set may have changed under plugin code
    }
  }
}

wasmgate::Status HostState::deliverHttpResponse(uint32_t token, const runtime::HttpCallResponse& response) {
  auto it = std::find_if(http_calls.begin(), http_calls.end(),
                         [&](const PendingHttpCall& c) { return c.call.token == token; });
  if (it == http_calls.end()) return makeError("no pending http call with token " + std::to_string(token) + pendingTokens(http_calls));
  const PendingHttpCall call = *it;
  http_calls.erase(it);
  wasmgate::Status delivered = call.slot->vm->onHttpCallResponse(call.root_id, token, response);
  pump();
  return delivered;
}

wasmgate::Status HostState::deliverRedisReply(uint32_t token, abi::RedisStatus status, std::string_view reply) {
  auto it = std::find_if(redis_calls.begin(), redis_calls.end(),
                         [&](const PendingRedisCall& c) { return c.call.token == token; });
  if (it == redis_calls.end()) return makeError("no pending redis call with token " + std::to_string(token) + pendingTokens(redis_calls));
  const PendingRedisCall call = *it;
  redis_calls.erase(it);
  wasmgate::Status delivered = call.slot->vm->onRedisCallResponse(call.root_id, token, status, reply);
  pump();
  return delivered;
}

TickTimer* HostState::timer(VmSlot* slot, uint32_t root_id) {
  auto it = std::find_if(timers.begin(), timers.end(),
                         [&](const TickTimer& t) { return t.slot == slot && t.root_id == root_id; });
  return it == timers.end() ? nullptr : &*it;
}

// One tick; the timer is re-armed from now unless the plugin changed it during the tick.
wasmgate::Status HostState::fireTimer(VmSlot* slot, uint32_t root_id) {
  const TickTimer* before = timer(slot, root_id);
  const uint64_t armed_at = before ? before->next_at_ms : 0;
  wasmgate::Status ticked = slot->vm->onTick(root_id);
  if (TickTimer* after = timer(slot, root_id); after && after->next_at_ms == armed_at) {
    after->next_at_ms = clock.elapsedMs() + after->period_ms;
  }
  pump();
  return ticked;
}

}  // namespace wasmgate::testing
