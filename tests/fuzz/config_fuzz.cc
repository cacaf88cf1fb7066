// libFuzzer target: the YAML configuration loader (gateway/config_loader.h). Any text must give
// either a config or an error naming the source, never a crash or an escaped exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/config_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = wasmgate::gateway::parseConfig(text, "fuzz.yaml");
  if (!config.ok() && config.message().rfind("fuzz.yaml", 0) != 0) __builtin_trap();
  return 0;
}
