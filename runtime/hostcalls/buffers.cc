// Buffer functions. Buffers 0-3 belong to the effective stream (BufferHost); the runtime serves
// 4 (http call response body), 6 (VM configuration), 7 (plugin configuration), 8 (foreign
// function arguments) and 9 (Redis reply) itself, each only inside the callback that delivers it.
// A buffer that does not exist now answers NotFound, a type above 9 BadArgument.
#include "runtime/hostcalls/hostcalls.h"

namespace wasmgate::runtime::hostcalls {
namespace {

bool isStreamBuffer(uint32_t type) { return type <= static_cast<uint32_t>(abi::BufferType::UpstreamData); }

// The runtime-owned buffer `type` if it is readable now.
std::optional<std::string_view> windowBuffer(VmState& vm, uint32_t type) {
  const CallWindows& w = vm.windows();
  switch (static_cast<abi::BufferType>(type)) {
    case abi::BufferType::HttpCallResponseBody:
      if (w.http_response != nullptr) return std::string_view(w.http_response->body);
      return std::nullopt;
    case abi::BufferType::VmConfiguration: return w.vm_configuration;
    case abi::BufferType::PluginConfiguration: return w.plugin_configuration;
    case abi::BufferType::CallData: return w.foreign_arguments;
    case abi::BufferType::RedisCallResponse: return w.redis_reply;
    default: return std::nullopt;
  }
}

const Context* bufferStream(VmState& vm) {
  const Context* c = vm.effectiveContext();
  return c != nullptr && !c->isRoot() ? c : nullptr;
}

// proxy_get_buffer_bytes(type, start, max_size, ret_ptr_ptr, ret_size_ptr): up to max_size bytes
// from start, clamped to the buffer; nothing to return is ptr 0, size 0.
void getBufferBytes(HostCall& call) {
  const uint32_t type = call.u32(0);
  if (type > abi::kMaxBufferType) return finish(call, abi::Status::BadArgument);
  const uint64_t start = call.u32(1), max_size = call.u32(2);
  VmState& vm = vmStateOf(call);
  std::string data;
  if (isStreamBuffer(type)) {
    const Context* stream = bufferStream(vm);
    if (stream == nullptr) return finish(call, abi::Status::NotFound);
    const abi::Status s = VmState::buffers(*stream).getBuffer(static_cast<abi::BufferType>(type), start, max_size, &data);
    if (s != abi::Status::Ok) return finish(call, s);
  } else {
    auto buffer = windowBuffer(vm, type);
    if (!buffer) return finish(call, abi::Status::NotFound);
    if (start < buffer->size()) data = std::string(buffer->substr(start, max_size));
  }
  finish(call, vm.copyOut(call, data, call.u32(3), call.u32(4)));
}

// proxy_set_buffer_bytes(type, start, size, data_ptr, data_size): start 0 replaces the first
// `size` bytes, start >= length appends (the host decides; see BufferHost::setBuffer). Only the
// stream's buffers can be written.
void setBufferBytes(HostCall& call) {
  const uint32_t type = call.u32(0);
  if (type > abi::kMaxBufferType) return finish(call, abi::Status::BadArgument);
  auto data = guestBytes(call, call.u32(3), call.u32(4));
  if (!data) return finish(call, abi::Status::InvalidMemoryAccess);
  const Context* stream = bufferStream(vmStateOf(call));
  if (!isStreamBuffer(type) || stream == nullptr) return finish(call, abi::Status::NotFound);
  finish(call, VmState::buffers(*stream).setBuffer(static_cast<abi::BufferType>(type), call.u32(1), call.u32(2), *data));
}

// proxy_get_buffer_status(type, ret_length_ptr, ret_flags_ptr)
void getBufferStatus(HostCall& call) {
  const uint32_t type = call.u32(0);
  if (type > abi::kMaxBufferType) return finish(call, abi::Status::BadArgument);
  VmState& vm = vmStateOf(call);
  uint64_t length = 0;
  uint32_t flags = 0;
  if (isStreamBuffer(type)) {
    const Context* stream = bufferStream(vm);
    if (stream == nullptr) return finish(call, abi::Status::NotFound);
    const abi::Status s = VmState::buffers(*stream).getBufferStatus(static_cast<abi::BufferType>(type), &length, &flags);
    if (s != abi::Status::Ok) return finish(call, s);
  } else {
    auto buffer = windowBuffer(vm, type);
    if (!buffer) return finish(call, abi::Status::NotFound);
    length = buffer->size();
  }
  const bool ok = storeGuest(call, call.u32(1), static_cast<uint32_t>(length)) && storeGuest(call, call.u32(2), flags);
  finish(call, ok ? abi::Status::Ok : abi::Status::InvalidMemoryAccess);
}

}  // namespace

std::span<const Entry> bufferFunctions() {
  static const Entry entries[] = {
      {{"env", "proxy_get_buffer_bytes", i32Sig(5), getBufferBytes, kCopiesOut, kFast}, kAllAbis},
      {{"env", "proxy_set_buffer_bytes", i32Sig(5), setBufferBytes, kNoCopy, kFast}, kAllAbis},
      {{"env", "proxy_get_buffer_status", i32Sig(3), getBufferStatus, kNoCopy, kFast}, kAllAbis},
  };
  return entries;
}

}  // namespace wasmgate::runtime::hostcalls
