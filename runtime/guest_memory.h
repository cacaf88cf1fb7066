// Bounds-checked access to a guest's linear memory, for host functions.
//
// Public header. A GuestMemory is a snapshot: take a new one after anything that can run guest
// code (e.g. allocating in the guest), because memory.grow may move or detach the old view.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>

#include "runtime/engine.h"

namespace wasmgate::runtime {

class GuestMemory {
 public:
  explicit GuestMemory(Instance& instance) : bytes_(instance.memory()) {}
  explicit GuestMemory(std::span<uint8_t> bytes) : bytes_(bytes) {}

  size_t size() const { return bytes_.size(); }

  bool contains(uint64_t ptr, uint64_t len) const {
    return ptr <= bytes_.size() && len <= bytes_.size() - ptr;
  }

  // The guest bytes [ptr, ptr+len), or nullopt if any of them is outside memory.
  std::optional<std::string_view> read(uint64_t ptr, uint64_t len) const {
    if (!contains(ptr, len)) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(bytes_.data()) + ptr, len);
  }

  bool write(uint64_t ptr, std::string_view data) {
    if (!contains(ptr, data.size())) return false;
    if (!data.empty()) std::memcpy(bytes_.data() + ptr, data.data(), data.size());
    return true;
  }

  // Little-endian scalars, as wasm stores them.
  template <typename T>
  std::optional<T> load(uint64_t ptr) const {
    if (!contains(ptr, sizeof(T))) return std::nullopt;
    T v;
    std::memcpy(&v, bytes_.data() + ptr, sizeof(T));
    return v;
  }
  template <typename T>
  bool store(uint64_t ptr, T v) {
    if (!contains(ptr, sizeof(T))) return false;
    std::memcpy(bytes_.data() + ptr, &v, sizeof(T));
    return true;
  }

 private:
  std::span<uint8_t> bytes_;
};

}  // namespace wasmgate::runtime
