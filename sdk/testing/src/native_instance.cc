// NativeInstance: export calls through function pointers, and the marshalling of the plugin's
// imports between native pointers and the arena. See native_instance.h.
#include "native_instance.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <utility>

#include <wasmgate/abi.h>

#include "native_imports.h"

namespace wasmgate::testing::native {
namespace {

constexpr uint64_t kInitialArena = 64 * 1024;
constexpr uint64_t kMaxArena = 1ull << 30;  // offsets are 32-bit, as in wasm32
constexpr uint64_t kArenaStart = 8;         // offset 0 stays the null pointer
constexpr size_t kMaxImportArgs = 16;

thread_local NativeInstance* t_current = nullptr;

// The SDK keeps some globals alive on purpose (a wasm instance's memory is dropped whole), so
// unloading a library would show them to LeakSanitizer as leaks. Sanitizer builds therefore keep
// every library loaded (its globals stay reachable); later instances load fresh copies anyway.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUnloadLibraries = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kUnloadLibraries = false;
#else
constexpr bool kUnloadLibraries = true;
#endif
#else
constexpr bool kUnloadLibraries = true;
#endif

// Paths dlopen'ed as themselves: a second live instance of one of them loads a copy instead.
std::mutex g_paths_mutex;
std::set<std::string>& openPaths() {
  static std::set<std::string> paths;
  return paths;
}

Result<std::string> copyToTemporary(const std::string& path) {
  char name[] = "/tmp/wasmgate-native-XXXXXX.so";
  const int fd = mkstemps(name, 3);
  if (fd < 0) return makeError("cannot create a temporary copy of " + path + ": " + std::strerror(errno));
  ::close(fd);
  std::ifstream in(path, std::ios::binary);
  std::ofstream out(name, std::ios::binary | std::ios::trunc);
  out << in.rdbuf();
  if (!in || !out) {
    ::unlink(name);
    return makeError("cannot copy " + path + " to " + name);
  }
  return std::string(name);
}

template <size_t>
using U32 = uint32_t;

// Calls a plugin export whose parameters are all i32 (every proxy_on_* is).
template <size_t... I>
uint64_t callWithU32s(void* fn, bool returns, const uint64_t* a, std::index_sequence<I...>) {
  if (returns) return reinterpret_cast<uint32_t (*)(U32<I>...)>(fn)(static_cast<uint32_t>(a[I])...);
  reinterpret_cast<void (*)(U32<I>...)>(fn)(static_cast<uint32_t>(a[I])...);
  return 0;
}

uint64_t callExport(void* fn, size_t params, bool returns, const uint64_t* a) {
  switch (params) {
    case 0: return callWithU32s(fn, returns, a, std::make_index_sequence<0>());
    case 1: return callWithU32s(fn, returns, a, std::make_index_sequence<1>());
    case 2: return callWithU32s(fn, returns, a, std::make_index_sequence<2>());
    case 3: return callWithU32s(fn, returns, a, std::make_index_sequence<3>());
    case 4: return callWithU32s(fn, returns, a, std::make_index_sequence<4>());
    default: return callWithU32s(fn, returns, a, std::make_index_sequence<5>());
  }
}

// Makes an instance current on this thread for the length of a plugin call (nesting-safe).
class CurrentScope {
 public:
  explicit CurrentScope(NativeInstance* instance) : saved_(t_current) { t_current = instance; }
  ~CurrentScope() { t_current = saved_; }

 private:
  NativeInstance* saved_;
};

constexpr uint32_t status(abi::Status s) { return static_cast<uint32_t>(s); }

}  // namespace

Result<std::unique_ptr<Library>> Library::open(const std::string& path) {
  std::string loaded = path;
  {
    std::lock_guard<std::mutex> lock(g_paths_mutex);
    if (!openPaths().insert(path).second) loaded.clear();
  }
  if (loaded.empty()) {
    auto copy = copyToTemporary(path);
    if (!copy.ok()) return copy.error();
    loaded = copy.value();
  }
  dlerror();
  void* handle = dlopen(loaded.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    std::string reason = why ? why : "unknown dlopen error";
    if (loaded == path) {
      std::lock_guard<std::mutex> lock(g_paths_mutex);
      openPaths().erase(path);
    } else {
      ::unlink(loaded.c_str());
    }
    if (reason.find("undefined symbol: proxy_") != std::string::npos) {
      reason += " (the test executable must export the harness's proxy_* functions: link it with "
                "wasmgate_testing, which adds -Wl,--export-dynamic-symbol=proxy_*)";
    }
    return makeError("cannot load native plugin " + path + ": " + reason);
  }
  // gdb reads a library's file again while debugging, so a copy stays until it is unloaded;
  // one that is never unloaded (sanitizer builds) goes now.
  if (!kUnloadLibraries && loaded != path) ::unlink(loaded.c_str());
  return std::unique_ptr<Library>(new Library(handle, path, std::move(loaded)));
}

Library::Library(void* handle, std::string path, std::string loaded_path)
    : handle_(handle), path_(std::move(path)), loaded_path_(std::move(loaded_path)) {}

Library::~Library() {
  if (!kUnloadLibraries) return;  // stays loaded, and its path stays taken
  dlclose(handle_);
  if (loaded_path_ != path_) {
    ::unlink(loaded_path_.c_str());
  } else {
    std::lock_guard<std::mutex> lock(g_paths_mutex);
    openPaths().erase(path_);
  }
}

void* Library::symbol(const char* name) const { return dlsym(handle_, name); }

NativeInstance::NativeInstance(std::unique_ptr<Library> library, std::vector<NativeExport> exports,
                               std::vector<const runtime::HostFunction*> imports)
    : library_(std::move(library)), exports_(std::move(exports)), imports_(std::move(imports)),
      arena_(kInitialArena), top_(kArenaStart) {}

NativeInstance::~NativeInstance() = default;

NativeInstance* NativeInstance::current() { return t_current; }

std::optional<runtime::FunctionHandle> NativeInstance::function(std::string_view name) {
  for (size_t i = 0; i < exports_.size(); ++i) {
    if (exports_[i].name == name) return runtime::FunctionHandle{static_cast<uint32_t>(i)};
  }
  return std::nullopt;
}

const runtime::FuncSig& NativeInstance::signature(runtime::FunctionHandle f) const { return exports_[f.index].sig; }

Result<uint64_t> NativeInstance::call(runtime::FunctionHandle f, std::span<const uint64_t> args) {
  const NativeExport& e = exports_.at(f.index);
  if (args.size() != e.sig.params.size()) {
    return makeError("export " + e.name + " takes " + std::to_string(e.sig.params.size()) + " arguments, not " +
                     std::to_string(args.size()));
  }
  if (e.fn == nullptr) return uint64_t{allocate(args[0])};  // malloc: 0 when exhausted, as malloc
  uint64_t result;
  {
    CurrentScope scope(this);
    result = callExport(e.fn, args.size(), !e.sig.results.empty(), args.data());
  }
  if (!trap_.empty()) return makeError(std::exchange(trap_, std::string()));
  return result;
}

uint32_t NativeInstance::allocate(uint64_t size) {
  const uint64_t at = (top_ + 7) & ~uint64_t{7};
  if (size > kMaxArena || at + size > kMaxArena) return 0;
  if (at + size > arena_.size()) {
    uint64_t grown = arena_.size();
    while (grown < at + size) grown *= 2;
    arena_.resize(std::min(grown, kMaxArena));
  }
  top_ = at + size;
  return static_cast<uint32_t>(at);
}

uint32_t NativeInstance::runImport(size_t id, const uint64_t* words) {
  using enum Arg;
  const ImportShape& shape = importShapes()[id];
  const runtime::HostFunction* fn = imports_[id];
  if (fn == nullptr) return status(abi::Status::Unimplemented);
  const std::span<const Arg> kinds = shape.args;
  if (kinds.size() > kMaxImportArgs) return status(abi::Status::InternalFailure);

  // Arena space lives for this import only (a host function's own allocations included).
  const uint64_t mark = top_;
  uint64_t args[kMaxImportArgs] = {};
  uint32_t result = status(abi::Status::Ok);
  for (size_t i = 0; i < kinds.size() && result == status(abi::Status::Ok); ++i) {
    switch (kinds[i]) {
      case Value: args[i] = words[i]; break;
      case In: {
        const uint64_t len = words[i + 1];
        const auto* from = reinterpret_cast<const uint8_t*>(words[i]);
        if (from == nullptr && len != 0) result = status(abi::Status::InvalidMemoryAccess);
        const uint32_t at = allocate(len);
        if (at == 0) result = status(abi::Status::InvalidMemoryAccess);
        if (result == status(abi::Status::Ok) && len != 0) std::memcpy(arena_.data() + at, from, len);
        args[i] = at;
        break;
      }
      case OutU32: case OutSize: case OutBytes: args[i] = allocate(4); break;
      case OutU64: args[i] = allocate(8); break;
    }
  }
  if (result == status(abi::Status::Ok)) {
    runtime::HostCall call{.instance = this, .args = args, .result = 0, .trapped = false, .trap_message = {}};
    fn->fn(call);
    if (call.trapped) {
      if (trap_.empty()) trap_ = call.trap_message;
      result = status(abi::Status::InternalFailure);
    } else {
      result = static_cast<uint32_t>(call.result);
    }
  }
  // Results travel back only on success, as a wasm host writes its out-parameters only then.
  auto load = [&](uint64_t at, size_t n) {
    uint64_t v = 0;
    std::memcpy(&v, arena_.data() + at, n);
    return v;
  };
  for (size_t i = 0; i < kinds.size() && result == status(abi::Status::Ok); ++i) {
    void* to = reinterpret_cast<void*>(words[i]);
    if (to == nullptr) continue;
    switch (kinds[i]) {
      case OutU32: *static_cast<uint32_t*>(to) = static_cast<uint32_t>(load(args[i], 4)); break;
      case OutU64: *static_cast<uint64_t*>(to) = load(args[i], 8); break;
      case OutSize:
        if (i == 0 || kinds[i - 1] != OutBytes) *static_cast<size_t*>(to) = load(args[i], 4);
        break;
      case OutBytes: {
        const uint64_t at = load(args[i], 4), size = load(args[i + 1], 4);
        char* copy = nullptr;
        if (size != 0 && at + size <= arena_.size()) {
          copy = static_cast<char*>(std::malloc(size));  // the SDK frees it
          std::memcpy(copy, arena_.data() + at, size);
        }
        *static_cast<char**>(to) = copy;
        if (auto* size_out = reinterpret_cast<size_t*>(words[i + 1])) *size_out = copy ? size : 0;
        break;
      }
      case Value: case In: break;
    }
  }
  top_ = mark;
  return result;
}

uint32_t invokeImport(size_t id, const uint64_t* words) {
  NativeInstance* instance = NativeInstance::current();
  if (instance == nullptr) {
    std::fprintf(stderr,
                 "wasmgate native plugin: %s called outside a plugin callback (a static initialiser?); "
                 "answered Unimplemented\n",
                 importShapes()[id].name);
    return static_cast<uint32_t>(abi::Status::Unimplemented);
  }
  return instance->runImport(id, words);
}

}  // namespace wasmgate::testing::native
