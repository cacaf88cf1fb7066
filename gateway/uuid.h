// Random (version 4) UUIDs for X-Request-Id.
//
// Public header (gateway/). Thread-safe: one generator per thread.
#pragma once

#include <string>

namespace wasmgate::gateway {

// "xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx", N in 8..b (RFC 4122 variant).
std::string uuid4();

}  // namespace wasmgate::gateway
