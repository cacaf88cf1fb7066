// PluginFilterFactory: what the stream asks for its plugin filters. Implemented per worker by the
// wasm plugin chain (gateway/wasm/worker_plugins.h); this header keeps the runtime out of the
// gateway core, which only sees StreamFilters.
//
// Internal header (gateway/). Thread affinity: the worker thread that owns the factory.
#pragma once
#include <memory>
#include <vector>

#include "gateway/filter.h"

namespace wasmgate::gateway {

class PluginFilterFactory {
 public:
  virtual ~PluginFilterFactory() = default;
  // Appends one filter per configured plugin, in request order (the chain runs the response
  // through them in reverse).
  virtual void addFilters(std::vector<std::unique_ptr<StreamFilter>>& filters) = 0;
};

}  // namespace wasmgate::gateway
