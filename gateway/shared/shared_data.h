// SharedData: the process-wide key/value store behind proxy_get/set_shared_data, keyed by
// (vm_id, key), with compare-and-swap as proxy-wasm hosts do it: every set takes a new cas from
// one global counter starting at 1 (0 is never issued); set with cas 0 always writes; set with
// a non-zero cas that is not the key's current one is CasMismatch. The data of a vm_id goes away
// when the last VM holding it is released.
//
// Internal header (gateway/shared/). Thread affinity: any thread (one mutex).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <wasmgate/abi.h>

namespace wasmgate::gateway::shared {

class SharedData {
 public:
  // The one store of this process (what the wasm filter uses). Tests may make their own.
  static SharedData& process();

  // NotFound when the key is absent.
  abi::Status get(std::string_view vm_id, std::string_view key, std::string* value, uint32_t* cas) const;
  // Ok or CasMismatch. A missing key is created whatever the cas.
  abi::Status set(std::string_view vm_id, std::string_view key, std::string_view value, uint32_t cas);
  // Keys of a vm_id (for admin/debugging), unordered.
  std::vector<std::string> keys(std::string_view vm_id) const;

  // A VM using `vm_id` started / went away. The vm_id's data is dropped at the last release.
  void retainVm(std::string_view vm_id);
  void releaseVm(std::string_view vm_id);

 private:
  struct Entry {
    std::string value;
    uint32_t cas;
  };
  struct Namespace {
    std::unordered_map<std::string, Entry> entries;
    uint32_t vm_count = 0;
  };

  uint32_t nextCas();

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Namespace> namespaces_;
  uint32_t last_cas_ = 0;
};

}  // namespace wasmgate::gateway::shared
