// Integration tests, through the real `wasmgate run` binary and the raw probe plugin built for
// the pre-0.2.100 ABIs, of a body that arrives while a plugin has stopped all iteration in its
// header callback (waiting for an http call): as in Envoy, the body is held, and when the plugin
// continues it is given to that plugin's body callback first (which may read and rewrite it)
// before it goes on to the upstream.
#include <gtest/gtest.h>

#include <unistd.h>

#include <string>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

std::string pluginUrl(const std::string& name) { return "file://" WASMGATE_PLUGIN_DIR "/" + name + ".wasm"; }

std::string probe(const std::string& name, const std::string& script, const std::string& abi) {
  std::string escaped;
  for (char c : script) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  return "  - name: " + name + "\n    url: " + pluginUrl("probe_abi_" + abi) + "\n    pluginConfig: \"" + escaped +
         "\"\n";
}

// Echoes each request back as the response body (keep-alive).
void echo(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(req.size()) + "\r\n\r\n" + req);
  }
}

// A side service that answers after 300 ms, so the request body arrives while the plugin waits.
void slowSide(int fd) {
  while (!ScriptedUpstream::readRequest(fd, 3000).empty()) {
    usleep(300 * 1000);
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
  }
}

struct Fixture {
  ScriptedUpstream upstream{echo};
  ScriptedUpstream side{slowSide};
  int port = freePort();
  int admin = freePort();
  GatewayProcess gw;
  bool start(const std::string& plugins) {
    std::string rest = "routes:\n  - name: default/r\n    hosts: ['*']\n    match: {prefix: /}\n    service: up\n"
                       "services:\n"
                       "  - name: up\n    endpoints: [127.0.0.1:" + std::to_string(upstream.port()) + "]\n"
                       "  - name: outbound|80||side.static\n    endpoints: [127.0.0.1:" + std::to_string(side.port()) + "]\n"
                       "plugins:\n" + plugins;
    return gw.start(gatewayConfig(port, admin, rest), 1);
  }
};

// Headers: call the side service and stop all iteration (1 means StopAllIteration before
// 0.2.100); the call's response continues the request. The body callback reads the body and
// rewrites it (same length) so the upstream shows whether the plugin saw it.
std::string stopAllScript(const std::string& continue_command) {
  return "request_headers http_call outbound|80||side.static :method=GET,:path=/side,:authority=side 2000\n"
         "request_headers return 1\n"
         "request_body get_buffer 0 0 100\n"
         "request_body set_buffer 0 0 100 BODY\n"
         "http_call_response set_effective caller\n"
         "http_call_response " + continue_command;
}

TEST(PluginStopAllBody, HeldBodyIsShownToThePluginWhenItContinues) {
  // 0.2.1 resumes with proxy_continue_stream(REQUEST); 0.1.0 with proxy_continue_request.
  for (const auto& [abi, resume] : {std::pair<std::string, std::string>{"0_2_1", "continue 0"},
                                    std::pair<std::string, std::string>{"0_1_0", "continue_request"}}) {
    SCOPED_TRACE(abi);
    Fixture f;
    ASSERT_TRUE(f.start(probe("waiter", stopAllScript(resume), abi))) << f.gw.logs();
    RawClient c(f.port);
    ASSERT_TRUE(c.send("POST /x HTTP/1.1\r\nHost: h\r\ncontent-length: 4\r\n\r\nbody"));
    HttpResponse r = c.readResponse(5000);
    ASSERT_EQ(r.status, 200) << f.gw.logs();
    // The upstream got the body the plugin wrote, so the plugin saw it before it went on.
    EXPECT_NE(r.body.find("\r\n\r\nBODY"), std::string::npos) << r.body;
    std::string logs = f.gw.logs();
    EXPECT_NE(logs.find("request_body: get_buffer 0 0 100 -> 0 body"), std::string::npos) << logs;
    // The body callback ran after the call's response (it was held, not shown, until then).
    size_t response_at = logs.find("@http_call_response");
    size_t body_at = logs.find("@request_body");
    ASSERT_NE(body_at, std::string::npos) << logs;
    EXPECT_LT(response_at, body_at) << logs;
  }
}

TEST(PluginStopAllBody, ChunksBeforeAndAfterTheContinueReachThePluginInOrder) {
  Fixture f;
  std::string script = "request_headers http_call outbound|80||side.static :method=GET,:path=/side,:authority=side 2000\n"
                       "request_headers return 1\n"
                       "request_body get_buffer 0 0 100\n"
                       "http_call_response set_effective caller\n"
                       "http_call_response continue 0";
  ASSERT_TRUE(f.start(probe("waiter", script, "0_2_1"))) << f.gw.logs();
  RawClient c(f.port);
  ASSERT_TRUE(c.send("POST /x HTTP/1.1\r\nHost: h\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n"));
  usleep(600 * 1000);  // the side call answered meanwhile: the plugin continued
  ASSERT_TRUE(c.send("6\r\nsecond\r\n0\r\n\r\n"));
  HttpResponse r = c.readResponse(5000);
  ASSERT_EQ(r.status, 200) << f.gw.logs();
  EXPECT_NE(r.body.find("5\r\nfirst\r\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("6\r\nsecond\r\n"), std::string::npos) << r.body;
  std::string logs = f.gw.logs();
  size_t first = logs.find("request_body: get_buffer 0 0 100 -> 0 first");
  size_t second = logs.find("request_body: get_buffer 0 0 100 -> 0 second");
  EXPECT_NE(first, std::string::npos) << logs;
  EXPECT_NE(second, std::string::npos) << logs;
  EXPECT_LT(first, second);
}

TEST(PluginStopAllBody, HeldResponseBodyIsShownToThePluginWhenItContinues) {
  // The same on the response side: the upstream body arrives while the plugin waits for its call.
  Fixture f;
  std::string script = "response_headers http_call outbound|80||side.static :method=GET,:path=/side,:authority=side 2000\n"
                       "response_headers return 1\n"
                       "response_body get_buffer 1 0 6\n"
                       "response_body set_buffer 1 0 3 PUT\n"
                       "http_call_response set_effective caller\n"
                       "http_call_response continue 1";
  ASSERT_TRUE(f.start(probe("waiter", script, "0_2_1"))) << f.gw.logs();
  HttpResponse r = httpGet(f.port, "/x");
  ASSERT_EQ(r.status, 200) << f.gw.logs();
  // The echoed request line, rewritten by the plugin's body callback.
  EXPECT_EQ(r.body.substr(0, 6), "PUT /x") << r.body;
  std::string logs = f.gw.logs();
  EXPECT_NE(logs.find("response_body: get_buffer 1 0 6 -> 0 GET /x"), std::string::npos) << logs;
  size_t response_at = logs.find("@http_call_response");
  size_t body_at = logs.find("@response_body");
  ASSERT_NE(body_at, std::string::npos) << logs;
  EXPECT_LT(response_at, body_at) << logs;
}

}  // namespace
}  // namespace wasmgate::test
