// Header map functions: maps 0-3 belong to the effective stream (HeaderMapHost); maps 6-7 are the
// response of the http call being delivered (read-only, only inside proxy_on_http_call_response);
// gRPC metadata (4-5) does not exist in wasmgate. Unavailable maps answer BadArgument, as Envoy.
#include <algorithm>
#include <cstring>

#include "common/ascii.h"
#include "runtime/hostcalls/hostcalls.h"
#include "runtime/pairs.h"

namespace wasmgate::runtime::hostcalls {
namespace {

// A header name lowered for one host call. Names that fit (nearly all) stay on the stack: every
// header read and write of every plugin goes through here.
class LoweredName {
 public:
  explicit LoweredName(std::string_view name) {
    if (name.size() > sizeof(inline_)) {
      spilled_ = asciiLowerCopy(name);
      view_ = spilled_;
      return;
    }
    for (size_t i = 0; i < name.size(); ++i) inline_[i] = asciiLower(name[i]);
    view_ = std::string_view(inline_, name.size());
  }
  LoweredName(const LoweredName&) = delete;
  LoweredName& operator=(const LoweredName&) = delete;
  std::string_view view() const { return view_; }

 private:
  char inline_[64];
  std::string spilled_;
  std::string_view view_;
};

bool isStreamMap(uint32_t type) { return type <= static_cast<uint32_t>(abi::MapType::ResponseTrailers); }

// The http call response map (6 or 7) readable now, or nullptr.
const Pairs* callResponseMap(VmState& vm, uint32_t type) {
  const HttpCallResponse* response = vm.windows().http_response;
  if (response == nullptr) return nullptr;
  if (type == static_cast<uint32_t>(abi::MapType::HttpCallResponseHeaders)) return &response->headers;
  if (type == static_cast<uint32_t>(abi::MapType::HttpCallResponseTrailers)) return &response->trailers;
  return nullptr;
}

// The stream whose maps 0-3 the guest reaches now, or nullptr (root context, module start).
const Context* mapStream(VmState& vm) {
  const Context* c = vm.effectiveContext();
  return c != nullptr && !c->isRoot() ? c : nullptr;
}

// proxy_get_header_map_value(type, key_ptr, key_size, ret_value_ptr_ptr, ret_value_size_ptr)
void getHeaderMapValue(HostCall& call) {
  const uint32_t type = call.u32(0);
  if (type > abi::kMaxMapType) return finish(call, abi::Status::BadArgument);
  auto key_bytes = guestBytes(call, call.u32(1), call.u32(2));
  if (!key_bytes) return finish(call, abi::Status::InvalidMemoryAccess);
  const LoweredName key(*key_bytes);
  VmState& vm = vmStateOf(call);
  std::string value;
  if (const Pairs* map = callResponseMap(vm, type)) {
    auto it = std::find_if(map->begin(), map->end(), [&](const auto& p) { return asciiEqualsIgnoreCase(p.first, key.view()); });
    if (it == map->end()) return finish(call, abi::Status::NotFound);
    value = it->second;
  } else if (const Context* stream = mapStream(vm); stream && isStreamMap(type)) {
    const abi::Status s = VmState::headers(*stream).getHeader(static_cast<abi::MapType>(type), key.view(), &value);
    if (s != abi::Status::Ok) return finish(call, s);
  } else {
    return finish(call, abi::Status::BadArgument);
  }
  finish(call, vm.copyOut(call, value, call.u32(3), call.u32(4)));
}

// Shared by add/replace: (type, key_ptr, key_size, value_ptr, value_size).
template <abi::Status (HeaderMapHost::*Mutate)(abi::MapType, std::string_view, std::string_view)>
void mutateHeader(HostCall& call) {
  const uint32_t type = call.u32(0);
  if (type > abi::kMaxMapType) return finish(call, abi::Status::BadArgument);
  auto key = guestBytes(call, call.u32(1), call.u32(2));
  auto value = guestBytes(call, call.u32(3), call.u32(4));
  if (!key || !value) return finish(call, abi::Status::InvalidMemoryAccess);
  const Context* stream = mapStream(vmStateOf(call));
  if (stream == nullptr || !isStreamMap(type)) return finish(call, abi::Status::BadArgument);
  finish(call, (VmState::headers(*stream).*Mutate)(static_cast<abi::MapType>(type), LoweredName(*key).view(), *value));
}

// proxy_remove_header_map_value(type, key_ptr, key_size): removes every value of the key.
void removeHeaderMapValue(HostCall& call) {
  const uint32_t type = call.u32(0);
  if (type > abi::kMaxMapType) return finish(call, abi::Status::BadArgument);
  auto key = guestBytes(call, call.u32(1), call.u32(2));
  if (!key) return finish(call, abi::Status::InvalidMemoryAccess);
  const Context* stream = mapStream(vmStateOf(call));
  if (stream == nullptr || !isStreamMap(type)) return finish(call, abi::Status::BadArgument);
  finish(call, VmState::headers(*stream).removeHeader(static_cast<abi::MapType>(type), LoweredName(*key).view()));
}

// The map `type` as pairs, from the call response or the stream.
abi::Status readMap(VmState& vm, uint32_t type, Pairs* pairs) {
  if (type > abi::kMaxMapType) return abi::Status::BadArgument;
  if (const Pairs* map = callResponseMap(vm, type)) {
    *pairs = *map;
    return abi::Status::Ok;
  }
  const Context* stream = mapStream(vm);
  if (stream == nullptr || !isStreamMap(type)) return abi::Status::BadArgument;
  return VmState::headers(*stream).getHeaders(static_cast<abi::MapType>(type), pairs);
}

// A stream's map serialised straight into guest memory: sized first, then written in place.
abi::Status copyOutStreamMap(HostCall& call, VmState& vm, const Context& stream, abi::MapType type) {
  HeaderMapHost& host = VmState::headers(stream);
  size_t count = 0, text = 0;
  abi::Status s = host.measureHeaders(type, &count, &text);
  if (s != abi::Status::Ok) return s;
  if (count == 0) return vm.copyOut(call, {}, call.u32(1), call.u32(2));
  const size_t bytes = pairsWireSize(count, text);
  bool complete = false;
  s = vm.copyOutWith(
      call, bytes,
      [&](std::span<uint8_t> out) {
        PairsWriter writer(out, count);
        // A map that changed between the two steps cannot happen on one thread; the writer stays
        // inside anyway.
        complete = host.writeHeaders(type, writer) == abi::Status::Ok && writer.complete();
      },
      call.u32(1), call.u32(2));
  return s == abi::Status::Ok && !complete ? abi::Status::InternalFailure : s;
}

// proxy_get_header_map_pairs(type, ret_ptr_ptr, ret_size_ptr): serialized pairs; an empty map is
// ptr 0, size 0.
void getHeaderMapPairs(HostCall& call) {
  VmState& vm = vmStateOf(call);
  const uint32_t type = call.u32(0);
  if (type <= abi::kMaxMapType && callResponseMap(vm, type) == nullptr && isStreamMap(type)) {
    if (const Context* stream = mapStream(vm)) {
      return finish(call, copyOutStreamMap(call, vm, *stream, static_cast<abi::MapType>(type)));
    }
  }
  Pairs pairs;
  const abi::Status s = readMap(vm, type, &pairs);
  if (s != abi::Status::Ok) return finish(call, s);
  finish(call, vm.copyOut(call, serializePairs(pairs), call.u32(1), call.u32(2)));
}

// proxy_set_header_map_pairs(type, pairs_ptr, pairs_size): replaces the whole map.
void setHeaderMapPairs(HostCall& call) {
  const uint32_t type = call.u32(0);
  if (type > abi::kMaxMapType) return finish(call, abi::Status::BadArgument);
  auto bytes = guestBytes(call, call.u32(1), call.u32(2));
  if (!bytes) return finish(call, abi::Status::InvalidMemoryAccess);
  auto pairs = parsePairs(*bytes);
  if (!pairs) return finish(call, abi::Status::BadArgument);
  for (auto& [key, value] : *pairs) key = asciiLowerCopy(key);
  const Context* stream = mapStream(vmStateOf(call));
  if (stream == nullptr || !isStreamMap(type)) return finish(call, abi::Status::BadArgument);
  finish(call, VmState::headers(*stream).setHeaders(static_cast<abi::MapType>(type), *pairs));
}

// proxy_get_header_map_size(type, ret_size_ptr): bytes of keys and values (Envoy's byteSize()).
void getHeaderMapSize(HostCall& call) {
  const uint32_t type = call.u32(0);
  if (type > abi::kMaxMapType) return finish(call, abi::Status::BadArgument);
  VmState& vm = vmStateOf(call);
  uint32_t size = 0;
  if (const Pairs* map = callResponseMap(vm, type)) {
    for (const auto& [k, v] : *map) size += static_cast<uint32_t>(k.size() + v.size());
  } else if (const Context* stream = mapStream(vm); stream && isStreamMap(type)) {
    const abi::Status s = VmState::headers(*stream).getHeaderMapSize(static_cast<abi::MapType>(type), &size);
    if (s != abi::Status::Ok) return finish(call, s);
  } else {
    return finish(call, abi::Status::BadArgument);
  }
  finish(call, storeGuest(call, call.u32(1), size) ? abi::Status::Ok : abi::Status::InvalidMemoryAccess);
}

}  // namespace

std::span<const Entry> headerMapFunctions() {
  static const Entry entries[] = {
      {{"env", "proxy_get_header_map_value", i32Sig(5), getHeaderMapValue, kCopiesOut, kFast}, kAllAbis},
      {{"env", "proxy_add_header_map_value", i32Sig(5), mutateHeader<&HeaderMapHost::addHeader>, kNoCopy, kFast}, kAllAbis},
      {{"env", "proxy_replace_header_map_value", i32Sig(5), mutateHeader<&HeaderMapHost::replaceHeader>, kNoCopy, kFast}, kAllAbis},
      {{"env", "proxy_remove_header_map_value", i32Sig(3), removeHeaderMapValue, kNoCopy, kFast}, kAllAbis},
      {{"env", "proxy_get_header_map_pairs", i32Sig(3), getHeaderMapPairs, kCopiesOut, kFast}, kAllAbis},
      {{"env", "proxy_set_header_map_pairs", i32Sig(3), setHeaderMapPairs, kNoCopy, kFast}, kAllAbis},
      {{"env", "proxy_get_header_map_size", i32Sig(2), getHeaderMapSize, kNoCopy, kFast}, kAllAbis},
  };
  return entries;
}

}  // namespace wasmgate::runtime::hostcalls
