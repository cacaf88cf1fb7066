// `wasmgate run ...`: the gateway, when this binary was built with it.
#include <iostream>

#include "tools/cli.h"
#ifdef WASMGATE_WITH_GATEWAY
#include "gateway/run.h"
#endif

namespace wasmgate::tools {

int runGatewayCommand(int argc, char** argv) {
#ifdef WASMGATE_WITH_GATEWAY
  return runGateway(argc, argv);
#else
  (void)argc;
  (void)argv;
  std::cerr << "wasmgate run: the gateway is not built into this binary "
               "(configure with the gateway/ folder present and rebuild)\n";
  return kExitFailed;
#endif
}

}  // namespace wasmgate::tools
