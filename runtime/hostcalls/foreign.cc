// proxy_call_foreign_function: named host extensions. The runtime serves these itself:
// - "get_log_level": 4-byte little-endian level, as Higress's wasm-go logger expects before each
//   message;
// - "wasmgate_skip_callbacks" / "wasmgate_want_callbacks" (argument "request_body",
//   "response_body" or "response", the last meaning every response callback): the plugin says
//   those callbacks would only answer Continue, so the host answers for it and saves the entries
//   into the module, or takes that back. From a stream callback it is that stream; from a root
//   context (e.g. in proxy_on_configure) every stream the root creates from then on. Argument
//   "stream_end" (only once the VM has a ring, below): the host makes no proxy_on_log,
//   proxy_on_done or proxy_on_delete for the stream but writes its id to the ring;
// - "wasmgate_stream_end_ring" (argument: u32 address, u32 capacity, little-endian): the ring of
//   ended streams' ids in guest memory (VmState::setEndedStreamRing);
// - "wasmgate_copy_scratch" (argument: u32 address, u32 capacity, little-endian): guest memory
//   the module lends the host for small results, written there instead of into an allocation
//   (VmState::setCopyScratch);
// - "wasmgate_skip_body_callbacks" (argument "request" or "response", streams only): the first
//   form of the above, kept for modules built by earlier SDKs.
// The SDK asks for these; other hosts answer NotFound and call as usual. Every other name, e.g.
// "set_global_max_requests_per_io_cycle", goes to ForeignFunctionHost. A name nobody serves
// answers NotFound.
#include <cstring>
#include <optional>

#include "runtime/hostcalls/hostcalls.h"

namespace wasmgate::runtime::hostcalls {
namespace {

// The callbacks an argument of wasmgate_skip_callbacks / wasmgate_want_callbacks names.
std::optional<SkippedCallbacks> namedCallbacks(std::string_view argument) {
  if (argument == "request_body") return SkippedCallbacks{.request_body = true};
  if (argument == "response_body") return SkippedCallbacks{.response_body = true};
  if (argument == "response") return SkippedCallbacks{.response_body = true, .response_headers = true};
  if (argument == "stream_end") return SkippedCallbacks{.stream_end = true};
  return std::nullopt;
}

// A region of guest memory a module lends the host: u32 address, u32 capacity, little-endian (as
// wasm stores them).
struct GuestRegion {
  uint32_t address;
  uint32_t capacity;
};
std::optional<GuestRegion> guestRegion(std::string_view argument) {
  if (argument.size() != 8) return std::nullopt;
  uint32_t words[2];
  std::memcpy(words, argument.data(), sizeof words);
  return GuestRegion{words[0], words[1]};
}

// wasmgate_skip_callbacks (skip = true) and wasmgate_want_callbacks (skip = false).
abi::Status changeSkippedCallbacks(VmState& vm, std::string_view argument, bool skip) {
  Context* context = vm.effectiveContext();
  std::optional<SkippedCallbacks> named = namedCallbacks(argument);
  if (context == nullptr || !named) return abi::Status::BadArgument;
  // Without a ring the guest would never learn that its streams ended.
  if (named->stream_end && skip && !vm.hasEndedStreamRing()) return abi::Status::BadArgument;
  SkippedCallbacks skipped = context->skipped;
  skipped.request_body = named->request_body ? skip : skipped.request_body;
  skipped.response_body = named->response_body ? skip : skipped.response_body;
  skipped.response_headers = named->response_headers ? skip : skipped.response_headers;
  skipped.stream_end = named->stream_end ? skip : skipped.stream_end;
  if (context->isRoot()) {
    vm.setRootSkips(*context, skipped);
  } else {
    context->skipped = skipped;
  }
  return abi::Status::Ok;
}

// proxy_call_foreign_function(name_ptr, name_size, argument_ptr, argument_size, ret_ptr_ptr,
//                             ret_size_ptr)
void callForeignFunction(HostCall& call) {
  auto name_bytes = guestBytes(call, call.u32(0), call.u32(1));
  auto argument = guestBytes(call, call.u32(2), call.u32(3));
  if (!name_bytes || !argument) return finish(call, abi::Status::InvalidMemoryAccess);
  VmState& vm = vmStateOf(call);
  std::string result;
  if (*name_bytes == "wasmgate_skip_callbacks" || *name_bytes == "wasmgate_want_callbacks") {
    const abi::Status s = changeSkippedCallbacks(vm, *argument, *name_bytes == "wasmgate_skip_callbacks");
    if (s != abi::Status::Ok) return finish(call, s);
  } else if (*name_bytes == "wasmgate_stream_end_ring" || *name_bytes == "wasmgate_copy_scratch") {
    const std::optional<GuestRegion> region = guestRegion(*argument);
    if (!region) return finish(call, abi::Status::BadArgument);
    const abi::Status s = *name_bytes == "wasmgate_stream_end_ring"
                              ? vm.setEndedStreamRing(region->address, region->capacity)
                              : vm.setCopyScratch(region->address, region->capacity);
    if (s != abi::Status::Ok) return finish(call, s);
  } else if (*name_bytes == "wasmgate_skip_body_callbacks") {
    Context* stream = vm.effectiveContext();
    if (stream == nullptr || stream->isRoot()) return finish(call, abi::Status::BadArgument);
    if (*argument == "request") {
      stream->skipped.request_body = true;
    } else if (*argument == "response") {
      stream->skipped.response_body = true;
    } else {
      return finish(call, abi::Status::BadArgument);
    }
  } else if (*name_bytes == "get_log_level") {
    const auto level = static_cast<uint32_t>(vm.logHost().logLevel());
    const char bytes[4] = {static_cast<char>(level), static_cast<char>(level >> 8), static_cast<char>(level >> 16),
                           static_cast<char>(level >> 24)};
    result.assign(bytes, 4);
  } else {
    const std::string name(*name_bytes);
    abi::Status s = vm.foreignHost().call(name, *argument, &result);
    if (s == abi::Status::Unimplemented) s = abi::Status::NotFound;
    if (s != abi::Status::Ok) return finish(call, s);
  }
  // Either out-pointer may be 0 when the caller does not want the result.
  const uint32_t ptr_ptr = call.u32(4), size_ptr = call.u32(5);
  if (ptr_ptr != 0 && size_ptr != 0) return finish(call, vm.copyOut(call, result, ptr_ptr, size_ptr));
  if (size_ptr != 0 && !storeGuest(call, size_ptr, static_cast<uint32_t>(result.size()))) {
    return finish(call, abi::Status::InvalidMemoryAccess);
  }
  finish(call, abi::Status::Ok);
}

}  // namespace

std::span<const Entry> foreignFunctions() {
  static const Entry entries[] = {
      {{"env", "proxy_call_foreign_function", i32Sig(6), callForeignFunction, kCopiesOut}, kAllAbis},
  };
  return entries;
}

}  // namespace wasmgate::runtime::hostcalls
