// The default worker count: with neither `workers:` in the file nor --workers, the binary starts
// one worker per core (issue 4: "N worker threads (default: the number of cores)").
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

TEST(GatewayWorkers, DefaultIsOneWorkerPerCore) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  int port = freePort();
  GatewayProcess gw;
  const std::string routes =
      "routes:\n  - name: default/all\n    hosts: ['*']\n    match: {prefix: /}\n    service: httpbin\n"
      "services:\n  - {name: httpbin, builtin: httpbin}\n";
  ASSERT_TRUE(gw.start(gatewayConfig(port, freePort(), routes), /*workers=*/0)) << gw.logs();
  // Every worker serves: new connections spread over them (SO_REUSEPORT) and all are answered;
  // the start-up line says how many workers were started.
  int ok = 0;
  for (int i = 0; i < 20; ++i) ok += httpGet(port, "/get").status == 200 ? 1 : 0;
  EXPECT_EQ(ok, 20) << gw.logs();
  EXPECT_NE(gw.logs().find("with " + std::to_string(cores) + " worker(s)"), std::string::npos)
      << "expected " << cores << " workers (one per core); log:\n" << gw.logs();
  EXPECT_EQ(gw.terminate(), 0) << gw.logs();
}

}  // namespace
}  // namespace wasmgate::test
