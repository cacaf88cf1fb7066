// The default worker count: with neither `workers:` in the file nor --workers, the binary starts
// one worker per core (issue 4: "N worker threads (default: the number of cores)"). The harness
// always passes --workers, so this test launches the binary itself.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::gateway {
namespace {

TEST(GatewayWorkers, DefaultIsOneWorkerPerCore) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  int port = test::freePort();
  int admin = test::freePort();
  char dir_template[] = "/tmp/wasmgate-workers-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string config = dir + "/gateway.yaml";
  std::ofstream(config) << "listeners: [{name: main, address: '127.0.0.1:" << port << "'}]\n"
                        << "admin: {address: '127.0.0.1:" << admin << "'}\n"
                        << "routes: [{name: default/all, match: {prefix: /}, service: s}]\n"
                        << "services: [{name: s, builtin: httpbin}]\n";
  const std::string log = dir + "/gateway.log";
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(WASMGATE_BINARY, WASMGATE_BINARY, "run", "--config", config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(pid, 0);
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ready = test::httpGet(admin, "/ready").status == 200;
  }
  // Every worker serves: enough new connections land on each of them (SO_REUSEPORT) that all
  // answer; the log says how many workers were started.
  int ok = 0;
  for (int i = 0; i < 20; ++i) ok += test::httpGet(port, "/get").status == 200 ? 1 : 0;
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::ifstream in(log);
  std::string logs((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(ready) << logs;
  EXPECT_EQ(ok, 20) << logs;
  EXPECT_NE(logs.find("with " + std::to_string(cores) + " worker(s)"), std::string::npos)
      << "expected " << cores << " workers (one per core); log:\n" << logs;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << logs;
  std::remove(log.c_str());
  std::remove(config.c_str());
  ::rmdir(dir_template);
}

}  // namespace
}  // namespace wasmgate::gateway
