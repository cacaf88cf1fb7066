#include "gateway/shared/shared_data.h"

namespace wasmgate::gateway::shared {

SharedData& SharedData::process() {
  static SharedData* store = new SharedData;  // never destroyed: workers may outlive main's statics
  return *store;
}

uint32_t SharedData::nextCas() {
  // 0 means "unconditional" on set, so it is skipped when the counter wraps.
  if (++last_cas_ == 0) ++last_cas_;
  return last_cas_;
}

abi::Status SharedData::get(std::string_view vm_id, std::string_view key, std::string* value,
                            uint32_t* cas) const {
  std::lock_guard lock(mutex_);
  auto ns = namespaces_.find(std::string(vm_id));
  if (ns == namespaces_.end()) return abi::Status::NotFound;
  auto it = ns->second.entries.find(std::string(key));
  if (it == ns->second.entries.end()) return abi::Status::NotFound;
  if (value != nullptr) *value = it->second.value;
  if (cas != nullptr) *cas = it->second.cas;
  return abi::Status::Ok;
}

abi::Status SharedData::set(std::string_view vm_id, std::string_view key, std::string_view value, uint32_t cas) {
  std::lock_guard lock(mutex_);
  auto& entries = namespaces_[std::string(vm_id)].entries;
  auto [it, inserted] = entries.try_emplace(std::string(key));
  if (!inserted && cas != 0 && cas != it->second.cas) return abi::Status::CasMismatch;
  it->second.value.assign(value);
  it->second.cas = nextCas();
  return abi::Status::Ok;
}

std::vector<std::string> SharedData::keys(std::string_view vm_id) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  auto ns = namespaces_.find(std::string(vm_id));
  if (ns == namespaces_.end()) return out;
  for (const auto& [key, entry] : ns->second.entries) out.push_back(key);
  return out;
}

void SharedData::retainVm(std::string_view vm_id) {
  std::lock_guard lock(mutex_);
  ++namespaces_[std::string(vm_id)].vm_count;
}

void SharedData::releaseVm(std::string_view vm_id) {
  std::lock_guard lock(mutex_);
  auto ns = namespaces_.find(std::string(vm_id));
  if (ns == namespaces_.end() || ns->second.vm_count == 0) return;
  if (--ns->second.vm_count == 0) namespaces_.erase(ns);
}

}  // namespace wasmgate::gateway::shared
