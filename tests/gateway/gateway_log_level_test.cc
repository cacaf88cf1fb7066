// Integration tests of `log_level` through the real `wasmgate run` binary: the level filters the
// gateway's diagnostic lines on stderr (a rejected request logs a debug line; start-up logs info
// lines), and a reload applies a new level to the running process.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <string>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

using Clock = std::chrono::steady_clock;

const char kRoutes[] = "routes:\n  - name: default/bin\n    match: {prefix: /}\n    service: httpbin\n"
                       "services:\n  - name: httpbin\n    builtin: httpbin\n";
// The codec rejects this request (two Content-Length headers) and logs why at debug level.
const char kSmuggling[] = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy";
const char kDebugLine[] = "[debug] downstream 127.0.0.1:";

// The harness's config with `level` instead of its debug level.
std::string configAt(int port, int admin, const std::string& level) {
  std::string yaml = gatewayConfig(port, admin, kRoutes);
  size_t at = yaml.find("log_level: debug\n");
  if (at == std::string::npos) return "";  // the harness changed; start() then fails
  return yaml.replace(at, 16, "log_level: " + level);
}

// Sends the rejected request and waits for its 400, which the gateway writes after logging.
void sendRejectedRequest(int port) {
  RawClient c(port);
  ASSERT_TRUE(c.send(kSmuggling));
  HttpResponse r = c.readResponse(10000);
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.status, 400);
}

bool logsEventuallyContain(const GatewayProcess& gw, const std::string& text) {
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (gw.logs().find(text) == std::string::npos) {
    if (Clock::now() >= deadline) return false;
    usleep(20000);
  }
  return true;
}

TEST(GatewayLogLevel, DebugLevelWritesDebugLines) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(configAt(port, admin, "debug"), 1)) << gw.logs();
  sendRejectedRequest(port);
  EXPECT_TRUE(logsEventuallyContain(gw, kDebugLine)) << gw.logs();
  EXPECT_NE(gw.logs().find("[info] wasmgate listening on"), std::string::npos) << gw.logs();
}

TEST(GatewayLogLevel, WarnLevelDropsDebugAndInfoButKeepsErrors) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(configAt(port, admin, "warn"), 1)) << gw.logs();
  sendRejectedRequest(port);
  // A rejected reload logs an error: once it shows, the log is known to be captured, and the
  // debug line, written before the 400 went out, would be there too.
  gw.rewriteConfig(gatewayConfig(port, admin, "routes:\n  - name: r\n    match: {prefix: /}\n    service: missing\n"));
  gw.sighup();
  ASSERT_TRUE(logsEventuallyContain(gw, "[error] reload")) << gw.logs();
  std::string logs = gw.logs();
  EXPECT_EQ(logs.find("[debug]"), std::string::npos) << logs;
  EXPECT_EQ(logs.find("[info]"), std::string::npos) << "start-up info lines must be filtered at warn\n" << logs;
}

TEST(GatewayLogLevel, ReloadAppliesTheNewLevel) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  ASSERT_TRUE(gw.start(configAt(port, admin, "error"), 1)) << gw.logs();
  sendRejectedRequest(port);
  EXPECT_EQ(gw.logs().find("[debug]"), std::string::npos) << gw.logs();

  gw.rewriteConfig(configAt(port, admin, "debug"));
  gw.sighup();
  // The reload's own info line is written after the new level is set.
  ASSERT_TRUE(logsEventuallyContain(gw, "[info] reload (")) << gw.logs();
  sendRejectedRequest(port);
  EXPECT_TRUE(logsEventuallyContain(gw, kDebugLine)) << gw.logs();
}

}  // namespace
}  // namespace wasmgate::test
