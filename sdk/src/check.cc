// WASMGATE_CHECK's failure path; see <wasmgate/check.h>.
#include <wasmgate/check.h>

#include <string>

#include <wasmgate/format.h>
#include <wasmgate/log.h>

namespace wasmgate::internal {

void CheckFailed(std::string_view condition, std::string_view file, int line, std::string_view message) {
  // Only the file name: build paths say nothing to whoever reads the gateway's log.
  size_t slash = file.rfind('/');
  if (slash != std::string_view::npos) file.remove_prefix(slash + 1);
  // Written unconditionally: the host's log level must not hide why the VM is about to fail.
  log::Write(log::Level::Critical, format::Sprintf("check failed: %s at %s:%d: %s", condition, file, line, message));
  __builtin_trap();
}

}  // namespace wasmgate::internal
