// Imports proxy_log with the wrong signature: loading must name both signatures.
#include <cstdint>

extern "C" __attribute__((import_module("env"), import_name("proxy_log"))) uint32_t wrong_log(uint32_t level);

extern "C" __attribute__((export_name("proxy_abi_version_0_2_1"))) void abi_marker() {}
extern "C" __attribute__((export_name("proxy_on_context_create"))) void on_context_create(uint32_t ctx, uint32_t) {
  wrong_log(ctx);
}
