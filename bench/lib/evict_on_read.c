// Preloaded into the gateway by bench/cold_misses.sh: before every read(2), reads through a buffer
// larger than the simulated last-level cache, so that each request (and each response) is handled
// with cold caches, as on a gateway at low load whose caches the kernel and other processes fill
// between two requests. Under callgrind's cache simulation the misses that follow are then the
// lines of code and data a request has to fetch from memory.
//   cc -O2 -shared -fPIC -o evict_on_read.so evict_on_read.c -ldl
// Environment: WASMGATE_EVICT_BYTES (default 32 MiB).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

// Named so that bench/lib/cold_misses.py can leave its own misses out.
__attribute__((noinline)) void wasmgate_bench_evict(void) {
  static volatile uint8_t* buffer;
  static size_t size;
  if (!buffer) {
    const char* text = getenv("WASMGATE_EVICT_BYTES");
    size = text ? strtoull(text, NULL, 10) : (32u << 20);
    void* mapped = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) return;
    memset(mapped, 1, size);  // backed by pages of its own, not all by the shared zero page
    buffer = mapped;
  }
  uint8_t sink = 0;
  for (size_t i = 0; i < size; i += 64) sink ^= buffer[i];
  (void)sink;
}

ssize_t read(int fd, void* data, size_t count) {
  static ssize_t (*real_read)(int, void*, size_t);
  if (!real_read) real_read = (ssize_t (*)(int, void*, size_t))dlsym(RTLD_NEXT, "read");
  wasmgate_bench_evict();
  return real_read(fd, data, count);
}
