// Helpers shared by the typed host-call wrappers (sdk/src/proxywasm_*.cc). Private to sdk/src.
#pragma once

#include <climits>
#include <cstdlib>
#include <string>
#include <string_view>

#include <wasmgate/internal/imports.h>
#include <wasmgate/internal/pairs.h>
#include <wasmgate/types.h>

namespace wasmgate::internal {

inline types::Status toStatus(uint32_t raw) { return static_cast<types::Status>(raw); }

// Reads a host-allocated value; Ok with nothing is reported as NotFound, as the Go SDK does.
template <typename Call>
types::Result<std::string> readBytes(Call&& call) {
  char* data = nullptr;
  size_t size = 0;
  types::Status s = toStatus(call(&data, &size));
  std::string value = TakeHostBytes(data, size);
  if (s == types::Status::Ok && value.empty()) s = types::Status::NotFound;
  return {std::move(value), s};
}

template <typename Call>
types::Result<types::Headers> readPairs(Call&& call) {
  auto raw = readBytes(std::forward<Call>(call));
  types::Result<types::Headers> out;
  out.status = raw.status;
  if (raw.ok() && !DeserializePairs(raw.value, &out.value)) out.status = types::Status::SerializationFailure;
  return out;
}

// Memory the host allocated in the guest for a result, read in place and freed with the owner.
struct HostBytes {
  char* data = nullptr;
  size_t size = 0;
  HostBytes() = default;
  HostBytes(const HostBytes&) = delete;
  HostBytes& operator=(const HostBytes&) = delete;
  ~HostBytes() { FreeHostBytes(data); }
  std::string_view view() const { return data ? std::string_view(data, size) : std::string_view(); }
};

inline uint32_t u32(size_t v) { return v > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(v); }

// wasmgate's skipped-callback extension (docs/abi.md): `callbacks` ("request_body",
// "response_body", "response", or "stream_end" once EndedStreamRingActive()) would only answer
// Continue (skip) or are wanted again, for the calling stream, or from a root context for every
// stream it creates. False when the host does not offer it (any host but wasmgate), which
// changes nothing: it then calls as usual.
// One of wasmgate's foreign-function extensions (docs/abi.md), its result unread: true when the
// host served it (other hosts answer NotFound).
inline bool HostExtension(std::string_view name, std::string_view argument) {
  return toStatus(proxy_call_foreign_function(name.data(), name.size(), argument.data(), argument.size(), nullptr,
                                              nullptr)) == types::Status::Ok;
}

inline bool SkipCallbacks(std::string_view callbacks, bool skip = true) {
  return HostExtension(skip ? "wasmgate_skip_callbacks" : "wasmgate_want_callbacks", callbacks);
}

// Lends the host the copy scratch (copy_scratch.cc); once, when the VM starts.
void RegisterCopyScratch();

// Whether the host writes ended streams' ids to this module's ring (dispatch.cc), so a plugin
// whose streams do nothing at their end may skip "stream_end".
bool EndedStreamRingActive();

}  // namespace wasmgate::internal
