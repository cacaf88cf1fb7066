// wasm32 runtime overrides that keep printf/stdio (and their WASI imports) out of plugins:
// libc++'s abort path, libc++abi's abort_message and a trapping operator new. A failed check
// logs its message at Critical through proxy_log, then traps. Only built for wasm (natively the
// C++ runtime's own versions are used).
#if defined(__wasm__)

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

#include <wasmgate/internal/imports.h>

namespace {
[[noreturn]] void trapWithMessage(const char* message) {
  proxy_log(5, message, strlen(message));
  __builtin_trap();
}
}  // namespace

namespace std {
inline namespace __2 {  // Debian's wasm libc++ is built with ABI version 2
[[noreturn]] void __libcpp_verbose_abort(const char* format, ...) { trapWithMessage(format); }
}  // namespace __2
}  // namespace std

extern "C" [[noreturn]] void abort_message(const char* format, ...) { trapWithMessage(format); }

void* operator new(size_t size) {
  void* p = ::malloc(size ? size : 1);
  if (!p) trapWithMessage("wasmgate sdk: out of memory");
  return p;
}
void* operator new[](size_t size) { return ::operator new(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept { return ::malloc(size ? size : 1); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return ::malloc(size ? size : 1); }
void operator delete(void* p) noexcept { ::free(p); }
void operator delete[](void* p) noexcept { ::free(p); }
void operator delete(void* p, size_t) noexcept { ::free(p); }
void operator delete[](void* p, size_t) noexcept { ::free(p); }

#endif  // __wasm__
