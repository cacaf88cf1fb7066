// raw_hello: the hello-world example's work (a request header added, a response header carrying
// the request path) written straight against the proxy-wasm ABI, without the SDK. bench/proxy.sh
// runs it next to the SDK plugin: the difference between the two rows is what the SDK costs, and
// this row is the floor the runtime and the filter set for a header plugin.
//
// It exports no body callbacks, so the host answers them without entering the module.
#include <cstdlib>
#include <cstring>

#include "proxy_imports.h"

namespace {
constexpr u32 kRequestHeaders = 0;
constexpr u32 kResponseHeaders = 2;
constexpr u32 kContinue = 0;

void addHeader(u32 map, const char* key, const char* value, u32 value_size) {
  proxy_add_header_map_value(map, key, static_cast<u32>(std::strlen(key)), value, value_size);
}

// Each stream's request path, kept from the request headers to the response (the host drops the
// request headers once they went on). Slots by context id: ids grow by one per stream, so two
// streams share a slot only with more than kSlots live at once, and then the older one loses
// its response header rather than another stream's memory.
struct PathSlot {
  u32 id = 0;
  char* path = nullptr;
  u32 size = 0;
};
constexpr u32 kSlots = 4096;
PathSlot slots[kSlots];

void forget(PathSlot& slot) {
  std::free(slot.path);
  slot = PathSlot{};
}
}  // namespace

PROXY_EXPORT(proxy_abi_version_0_2_100) void abi_marker() {}
PROXY_EXPORT(proxy_on_vm_start) u32 on_vm_start(u32, u32) { return 1; }
PROXY_EXPORT(proxy_on_configure) u32 on_configure(u32, u32) { return 1; }
PROXY_EXPORT(proxy_on_context_create) void on_context_create(u32, u32) {}

PROXY_EXPORT(proxy_on_request_headers) u32 on_request_headers(u32 id, u32, u32) {
  PathSlot& slot = slots[id % kSlots];
  if (slot.path != nullptr) forget(slot);
  if (proxy_get_header_map_value(kRequestHeaders, ":path", 5, &slot.path, &slot.size) == 0) slot.id = id;
  addHeader(kRequestHeaders, "x-my-header", "hello", 5);
  return kContinue;
}

PROXY_EXPORT(proxy_on_response_headers) u32 on_response_headers(u32 id, u32, u32) {
  const PathSlot& slot = slots[id % kSlots];
  if (slot.id == id && slot.path != nullptr) addHeader(kResponseHeaders, "x-hello-world", slot.path, slot.size);
  return kContinue;
}

PROXY_EXPORT(proxy_on_done) u32 on_done(u32 id) {
  if (PathSlot& slot = slots[id % kSlots]; slot.id == id) forget(slot);
  return 1;
}
