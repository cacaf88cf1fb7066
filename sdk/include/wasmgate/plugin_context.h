// wrapper::PluginContext: what parse functions and PrePluginStartOrReload see of the plugin (root)
// context (Go: wasm-go pkg/iface PluginContext). One exists per plugin configuration; a config
// reload creates a new one, starting empty.
//
// Public header. Single-threaded; valid while the plugin configuration is alive.
#pragma once

#include <any>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace wasmgate::wrapper {

namespace internal {
class PluginRoot;
}

class PluginContext {
 public:
  explicit PluginContext(uint32_t contextId) : contextId_(contextId) {}

  void SetContext(std::string key, std::any value) { values_[std::move(key)] = std::move(value); }
  std::any* GetContext(std::string_view key);  // nullptr when absent
  template <typename T>
  T* GetContextAs(std::string_view key) {
    std::any* v = GetContext(key);
    return v ? std::any_cast<T>(v) : nullptr;
  }

  // Call from PrePluginStartOrReload (before parsing): a rule whose config fails to parse then
  // keeps its last good config instead of failing the plugin start (see rule_matcher.h).
  void EnableRuleLevelConfigIsolation() { isolation_ = true; }
  bool IsRuleLevelConfigIsolation() const { return isolation_; }

  // Always "" (as in Go, where no code assigns it); it is part of the leader-election key.
  std::string GetFingerPrint() const { return fingerPrint_; }

  // One attempt to take or renew the VM lease in shared data (key "higress_wasm_vm_lease:" +
  // fingerprint, value {"vmID": ..., "timestamp": <unix s>}, expiry 60 s). Call it periodically,
  // e.g. from a tick function. Returns and remembers whether this VM is the leader.
  bool DoLeaderElection();
  bool IsLeader() const { return leader_; }

  uint32_t ContextID() const { return contextId_; }

 private:
  uint32_t contextId_;
  std::map<std::string, std::any, std::less<>> values_;
  std::string fingerPrint_;
  bool isolation_ = false;
  bool leader_ = false;
};

// This VM's random identity (a UUID v4), made on first use.
const std::string& VmID();

}  // namespace wasmgate::wrapper
