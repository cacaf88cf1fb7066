// wrapper::PluginContext and leader election; see <wasmgate/plugin_context.h>.
#include <wasmgate/plugin_context.h>

#include <unistd.h>  // getentropy

#include <wasmgate/format.h>
#include <wasmgate/json.h>
#include <wasmgate/log.h>
#include <wasmgate/proxywasm/host.h>

namespace wasmgate::wrapper {
namespace {

constexpr std::string_view kLeaseKeyPrefix = "higress_wasm_vm_lease:";
constexpr int64_t kLeaseExpirySeconds = 60;

std::string makeUuid() {
  unsigned char b[16] = {};
  if (getentropy(b, sizeof b) != 0) {
    // No entropy source: fall back to the clock so two VMs still differ.
    uint64_t ns = proxywasm::GetCurrentTimeNanoseconds();
    for (int i = 0; i < 16; ++i) b[i] = static_cast<unsigned char>(ns >> ((i % 8) * 8)) ^ static_cast<unsigned char>(i * 37);
  }
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 15]);
  }
  return out;
}

std::string leaseValue(int64_t now) { return format::Sprintf("{\"vmID\":\"%s\",\"timestamp\":%d}", VmID(), now); }

}  // namespace

const std::string& VmID() {
  static const std::string* id = new std::string(makeUuid());
  return *id;
}

std::any* PluginContext::GetContext(std::string_view key) {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

bool PluginContext::DoLeaderElection() {
  std::string key = std::string(kLeaseKeyPrefix) + fingerPrint_;
  int64_t now = static_cast<int64_t>(proxywasm::GetCurrentTimeNanoseconds() / 1000000000ull);
  auto current = proxywasm::GetSharedData(key);
  if (current.status == types::Status::NotFound) {
    leader_ = proxywasm::SetSharedData(key, leaseValue(now), current.cas) == types::Status::Ok;
    return leader_;
  }
  if (current.status != types::Status::Ok) {
    log::Errorf("leader election: get shared data %s: %v", key, current.status);
    return leader_ = false;
  }
  Json lease = Json::Parse(current.value);
  bool mine = lease.get("vmID").asString() == VmID();
  bool expired = now - lease.get("timestamp").asInt() > kLeaseExpirySeconds;
  if (!mine && !expired) return leader_ = false;
  leader_ = proxywasm::SetSharedData(key, leaseValue(now), current.cas) == types::Status::Ok;
  return leader_;
}

}  // namespace wasmgate::wrapper
