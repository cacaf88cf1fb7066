// A raw (SDK-less) plugin for the gateway's upstream-extension tests, used the way Higress's
// load-balancing plugins use the extensions: hold the request headers, then in the last body
// callback read the route's hosts (proxy_get_upstream_hosts) and pin one of them
// (proxy_set_upstream_override_host) before letting the request go on.
//
// Plugin configuration: "second" pins the second host listed; anything else is pinned as given
// (to try addresses outside the cluster or malformed ones). Logs, at info:
//   "hosts: <address> <info>; <address> <info>; ..." and "pin <address> -> <status>".
//
// Test-only plugin, compiled for wasm32-wasi.
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "proxy_imports.h"

PROXY_EXPORT(proxy_abi_version_0_2_100) void abi_marker() {}
PROXY_EXPORT(proxy_on_memory_allocate) void* on_memory_allocate(u32 size) { return std::malloc(size ? size : 1); }

namespace {

constexpr u32 kInfo = 2;
constexpr u32 kPluginConfiguration = 7;
constexpr u32 kContinue = 0;
constexpr u32 kStop = 1;  // headers: StopIteration; body: StopIterationAndBuffer

std::string pin_mode;

void log(const std::string& message) { proxy_log(kInfo, message.data(), static_cast<u32>(message.size())); }

u32 readU32(const char* p) {
  u32 v = 0;
  std::memcpy(&v, p, 4);
  return v;
}

// The proxy-wasm pairs format: count, then (key size, value size) per pair, then the bytes of
// each key and value, each followed by a NUL. Malformed input gives what could be read.
std::vector<std::pair<std::string, std::string>> decodePairs(const char* p, u32 n) {
  std::vector<std::pair<std::string, std::string>> out;
  if (p == nullptr || n < 4) return out;
  const u32 count = readU32(p);
  if (4 + static_cast<uint64_t>(count) * 8 > n) return out;
  size_t at = 4 + count * 8;
  for (u32 i = 0; i < count; ++i) {
    const u32 key_size = readU32(p + 4 + i * 8), value_size = readU32(p + 8 + i * 8);
    if (at + key_size + 1 + value_size + 1 > n) break;
    std::string key(p + at, key_size);
    at += key_size + 1;
    std::string value(p + at, value_size);
    at += value_size + 1;
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

void pinUpstream() {
  char* p = nullptr;
  u32 n = 0;
  const u32 status = proxy_get_upstream_hosts(&p, &n);
  auto hosts = decodePairs(p, n);
  std::free(p);
  std::string listing = "hosts:";
  for (const auto& [address, info] : hosts) listing += " " + address + " " + info + ";";
  log(listing + " (status " + std::to_string(status) + ")");
  std::string target = pin_mode;
  if (pin_mode == "second") {
    if (hosts.size() < 2) return log("pin: fewer than two hosts");
    target = hosts[1].first;
  }
  const u32 pinned = proxy_set_upstream_override_host(target.data(), static_cast<u32>(target.size()));
  log("pin " + target + " -> " + std::to_string(pinned));
}

}  // namespace

PROXY_EXPORT(proxy_on_context_create) void on_context_create(u32, u32) {}
PROXY_EXPORT(proxy_on_vm_start) u32 on_vm_start(u32, u32) { return 1; }

PROXY_EXPORT(proxy_on_configure) u32 on_configure(u32, u32 size) {
  char* p = nullptr;
  u32 n = 0;
  if (proxy_get_buffer_bytes(kPluginConfiguration, 0, size, &p, &n) == 0 && p != nullptr) {
    pin_mode.assign(p, n);
    std::free(p);
  }
  return 1;
}

PROXY_EXPORT(proxy_on_request_headers) u32 on_request_headers(u32, u32, u32 end_of_stream) {
  if (!end_of_stream) return kStop;  // wait for the body, as Higress's balancers do
  pinUpstream();
  return kContinue;
}

PROXY_EXPORT(proxy_on_request_body) u32 on_request_body(u32, u32, u32 end_of_stream) {
  if (!end_of_stream) return kStop;
  pinUpstream();
  return kContinue;
}
