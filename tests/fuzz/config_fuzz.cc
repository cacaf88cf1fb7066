// libFuzzer target: the YAML configuration loader (gateway/config_loader.h). Any text must give
// either a config or an error naming the source, never a crash or an escaped exception.
// Host names resolve through a fixed table, not the system resolver: a fuzzer must not wait on
// DNS, and the result must not depend on the network.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/config_loader.h"

namespace {

wasmgate::Result<std::string> resolveFixed(const std::string& host) {
  if (host == "localhost") return std::string("127.0.0.1");
  if (host == "ip6-localhost") return std::string("::1");
  return wasmgate::makeError("Name or service not known");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = wasmgate::gateway::parseConfig(text, "fuzz.yaml", resolveFixed);
  if (!config.ok() && config.message().rfind("fuzz.yaml", 0) != 0) __builtin_trap();
  if (config.ok()) {
    // Every listener address is numeric once loaded: the workers bind it as is.
    for (const auto& l : config->listeners) {
      if (l.address.host == "localhost") __builtin_trap();
    }
  }
  return 0;
}
