#include "gateway/run.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "gateway/server.h"

int runGateway(int argc, char** argv) {
  wasmgate::gateway::ServerOptions options;
  int i = 1;
  if (i < argc && std::string(argv[i]) == "run") ++i;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "wasmgate run: %s needs a value\n", name);
        return nullptr;
      }
      return argv[++i];
    };
    if (arg == "--config" || arg == "-c") {
      const char* v = value("--config");
      if (!v) return 2;
      options.config_path = v;
    } else if (arg.rfind("--config=", 0) == 0) {
      options.config_path = arg.substr(9);
    } else if (arg == "--workers") {
      const char* v = value("--workers");
      if (!v) return 2;
      char* end = nullptr;
      long n = std::strtol(v, &end, 10);
      if (*end || n < 0 || n > 1024) {
        std::fprintf(stderr, "wasmgate run: --workers: expected a number 0..1024, got '%s'\n", v);
        return 2;
      }
      options.workers = static_cast<int>(n);
    } else if (arg == "--help" || arg == "-h") {
      std::printf("usage: wasmgate run [--config FILE] [--workers N]\n"
                  "  --config FILE  gateway configuration (YAML; default: the built-in demo)\n"
                  "  --workers N    worker threads (default: the config's `workers`, else one per core)\n");
      return 0;
    } else {
      std::fprintf(stderr, "wasmgate run: unknown argument '%s' (try --help)\n", arg.c_str());
      return 2;
    }
  }
  // A client closing mid-write must not kill the process.
  signal(SIGPIPE, SIG_IGN);
  wasmgate::gateway::Server server(options);
  return server.run();
}
