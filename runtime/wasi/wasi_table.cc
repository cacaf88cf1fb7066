// The table behind wasiFunctions(): every WASI preview1 function, bound once under
// "wasi_snapshot_preview1" and once under "wasi_unstable" (older toolchains import the latter).
#include <vector>

#include "runtime/wasi.h"
#include "runtime/wasi/wasi_internal.h"

namespace wasmgate::runtime {
namespace {

std::vector<HostFunction> buildTable() {
  using namespace wasi;
  const std::span<const Entry> groups[] = {fdEntries(),   fdStubEntries(), environEntries(), clockRandomEntries(),
                                           pollEntries(), procEntries(),   pathSockEntries()};
  std::vector<HostFunction> table;
  for (std::string_view module : {"wasi_snapshot_preview1", "wasi_unstable"}) {
    bool unstable = module == "wasi_unstable";
    for (const auto& group : groups) {
      for (const Entry& e : group) table.push_back({module, e.name, e.sig, unstable ? e.unstable : e.preview1});
    }
  }
  return table;
}

}  // namespace

std::span<const HostFunction> wasiFunctions() {
  static const std::vector<HostFunction> table = buildTable();  // thread-safe initialisation
  return table;
}

}  // namespace wasmgate::runtime
