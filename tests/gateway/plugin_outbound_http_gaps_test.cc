// Integration tests, through the real `wasmgate run` binary and the raw probe plugin, of what a
// plugin sees of its proxy_http_call: response trailers in map 7, timeout 0 meaning no timeout
// (network and built-in services), a refused connection delivered as zero headers with status 11
// well before the timeout, BadArgument for an unknown cluster, and the per-plugin call counters on
// the admin /stats.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "tests/gateway/support/gateway_harness.h"
#include "tests/gateway/support/probe_plugin.h"

namespace wasmgate::test {
namespace {

// The side service: /trailers answers chunked with two trailers, /slow answers after 1.5 s (three
// times the SDK's default call timeout), anything else echoes the request line.
void side(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 5000);
    if (req.empty()) return;
    if (req.rfind("GET /trailers", 0) == 0) {
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-checksum\r\n\r\n"
                                     "5\r\nhello\r\n0\r\nx-checksum: abc123\r\nx-Rows: 7\r\n\r\n");
    } else if (req.rfind("GET /slow", 0) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nslow done");
    } else {
      std::string line = req.substr(0, req.find("\r\n"));
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(line.size()) + "\r\n\r\n" + line);
    }
  }
}

struct Fixture {
  ScriptedUpstream app{side};
  int port = freePort();
  int admin = freePort();
  int closed = freePort();  // nothing listens there
  GatewayProcess gw;
  bool start(const std::string& plugins) {
    const std::string up = std::to_string(app.port());
    return gw.start(gatewayConfig(port, admin,
                                  "routes:\n  - name: default/app\n    hosts: ['*']\n    match: {prefix: /}\n"
                                  "    service: outbound|80||app.static\n"
                                  "services:\n  - name: outbound|80||app.static\n    endpoints: [127.0.0.1:" + up + "]\n"
                                  "  - name: outbound|80||side.static\n    endpoints: [127.0.0.1:" + up + "]\n"
                                  "  - name: outbound|80||closed.static\n    endpoints: [127.0.0.1:" +
                                      std::to_string(closed) + "]\n"
                                  "  - name: outbound|80||bin.static\n    builtin: httpbin\n"
                                  "plugins:\n" + plugins),
                    1);
  }
  bool logged(const std::string& text) const { return gw.logs().find(text) != std::string::npos; }
};

// Holds the request until the call's response, which the script inspects first, resumes it.
std::string callAndHold(const std::string& call, const std::string& inspect) {
  return "request_headers http_call " + call + "\nrequest_headers return 4\n" + inspect +
         "http_call_response set_effective caller\nhttp_call_response continue 0";
}

TEST(PluginOutboundHttpGaps, ResponseTrailersAreReadThroughMap7) {
  Fixture f;
  ASSERT_TRUE(f.start(probePlugin("trailers",
                                  callAndHold("outbound|80||side.static :method=GET,:path=/trailers,:authority=side \"\" 5000",
                                              "http_call_response get_headers 7\n"
                                              "http_call_response get_header 7 X-ROWS\n"
                                              "http_call_response get_buffer 4 0 100\n"))))
      << f.gw.logs();
  EXPECT_EQ(httpGet(f.port, "/x").status, 200) << f.gw.logs();
  // One header pair per trailer, names lower-cased, and the callback was told there are two.
  EXPECT_TRUE(f.logged("http_call_response: get_headers 7 -> 0 x-checksum=abc123,x-rows=7")) << f.gw.logs();
  EXPECT_TRUE(f.logged("http_call_response: get_header 7 X-ROWS -> 0 7")) << f.gw.logs();
  EXPECT_TRUE(f.logged("http_call_response: get_buffer 4 0 100 -> 0 hello")) << f.gw.logs();
  // proxy_on_http_call_response(root 1, token 1, headers, 5 body bytes, 2 trailers).
  EXPECT_TRUE(std::regex_search(f.gw.logs(), std::regex("@http_call_response 1 1 [1-9][0-9]* 5 2\n"))) << f.gw.logs();
}

TEST(PluginOutboundHttpGaps, TimeoutZeroWaitsForASlowServiceAndTheBuiltinDelay) {
  Fixture f;
  ASSERT_TRUE(f.start(probePlugin("slow",
                                  "request_headers http_call outbound|80||side.static :method=GET,:path=/slow,:authority=s \"\" 0\n"
                                  "request_headers http_call outbound|80||bin.static :method=GET,:path=/delay/1,:authority=b \"\" 0\n"
                                  "request_headers return 4\n"
                                  "http_call_response get_header 6 :status\n"
                                  "http_call_response get_buffer 4 0 9\n"
                                  "http_call_response set_effective caller\n"
                                  "http_call_response continue 0")))
      << f.gw.logs();
  auto t0 = std::chrono::steady_clock::now();
  HttpResponse r = httpGet(f.port, "/x");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status, 200) << f.gw.logs();
  EXPECT_GE(ms, 1000);  // the request really waited for the answers
  // The first answer resumes the request; the other call goes on. Both answer 200: the network
  // one (after 1.5 s) and httpbin's /delay/1.
  auto answered = [&] {
    std::string logs = f.gw.logs();
    size_t n = 0;
    for (size_t at = logs.find("get_header 6 :status -> 0 "); at != std::string::npos;
         at = logs.find("get_header 6 :status -> 0 ", at + 1)) {
      ++n;
    }
    return n;
  };
  for (int i = 0; i < 200 && answered() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::string logs = f.gw.logs();
  EXPECT_EQ(answered(), 2u) << logs;
  EXPECT_NE(logs.find("get_buffer 4 0 9 -> 0 slow done"), std::string::npos) << logs;
  EXPECT_EQ(logs.find("get_header 6 :status -> 0 504"), std::string::npos) << "a call timed out\n" << logs;
}

TEST(PluginOutboundHttpGaps, ARefusedConnectionArrivesAsZeroHeadersBeforeTheTimeout) {
  Fixture f;
  ASSERT_TRUE(f.start(probePlugin("refused",
                                  callAndHold("outbound|80||closed.static :method=GET,:path=/,:authority=c \"\" 8000",
                                              "http_call_response status\n"
                                              "http_call_response get_headers 6\n"))))
      << f.gw.logs();
  auto t0 = std::chrono::steady_clock::now();
  HttpResponse r = httpGet(f.port, "/x", "");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status, 200) << f.gw.logs();
  EXPECT_LT(ms, 6000) << "delivered by the failure, not by the 8 s timeout";
  // proxy_on_http_call_response(root 1, token 1, 0 headers, 0 body bytes, 0 trailers).
  EXPECT_TRUE(f.logged("@http_call_response 1 1 0 0 0\n")) << f.gw.logs();
  EXPECT_TRUE(f.logged("http_call_response: status -> 0 11 reset")) << f.gw.logs();
  EXPECT_TRUE(f.logged("http_call_response: get_headers 6 -> 0 <null>")) << f.gw.logs();
}

TEST(PluginOutboundHttpGaps, AnUnknownClusterIsABadArgumentTheVmSees) {
  Fixture f;
  ASSERT_TRUE(f.start(probePlugin("unknown",
                                  "request_headers http_call outbound|80||nowhere.static :method=GET,:path=/,:authority=a \"\" 1000\n"
                                  "request_headers http_call nowhere :method=GET,:path=/,:authority=a \"\" 1000\n"
                                  "request_headers http_call outbound|80||side.static :method=GET,:path=/ok,:authority=a \"\" 1000")))
      << f.gw.logs();
  EXPECT_EQ(httpGet(f.port, "/x").status, 200) << f.gw.logs();
  EXPECT_TRUE(f.logged("http_call outbound|80||nowhere.static :method=GET,:path=/,:authority=a \"\" 1000 -> 2"))
      << f.gw.logs();
  EXPECT_TRUE(f.logged("http_call nowhere :method=GET,:path=/,:authority=a \"\" 1000 -> 2")) << f.gw.logs();
  // A known cluster with the same headers is accepted: the refusals were about the cluster.
  EXPECT_TRUE(f.logged("http_call outbound|80||side.static :method=GET,:path=/ok,:authority=a \"\" 1000 -> 0 "))
      << f.gw.logs();
}

// The /stats line of one of the plugin's counters, e.g. "http_calls" -> "...{plugin="p"} 9".
std::string counterLine(const std::string& counter, const std::string& plugin, int value) {
  return "wasmgate_plugin_" + counter + "_total{plugin=\"" + plugin + "\"} " + std::to_string(value) + "\n";
}

TEST(PluginOutboundHttpGaps, StatsCountAcceptedCallsAndTheirFailures) {
  Fixture f;
  // Per request: one answered call, one refused connection, one timed out (200 ms against the
  // 1.5 s service) - three accepted, two failed - and one unknown cluster, which is not a call.
  ASSERT_TRUE(f.start(probePlugin("counted",
                                  "request_headers http_call outbound|80||side.static :method=GET,:path=/a,:authority=a \"\" 2000\n"
                                  "request_headers http_call outbound|80||closed.static :method=GET,:path=/b,:authority=a \"\" 2000\n"
                                  "request_headers http_call outbound|80||side.static :method=GET,:path=/slow,:authority=a \"\" 200\n"
                                  "request_headers http_call outbound|80||nowhere.static :method=GET,:path=/c,:authority=a \"\" 2000")))
      << f.gw.logs();
  std::string stats = httpGet(f.admin, "/stats").body;
  EXPECT_NE(stats.find(counterLine("http_calls", "counted", 0)), std::string::npos) << stats;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(httpGet(f.port, "/x").status, 200) << f.gw.logs();
  bool settled = false;
  for (int i = 0; i < 200 && !settled; ++i) {  // the failures land as the calls end
    stats = httpGet(f.admin, "/stats").body;
    settled = stats.find(counterLine("http_call_failures", "counted", 6)) != std::string::npos;
    if (!settled) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(settled) << stats;
  EXPECT_NE(stats.find(counterLine("http_calls", "counted", 9)), std::string::npos) << stats;
  EXPECT_NE(stats.find("# TYPE wasmgate_plugin_http_calls_total counter\n"), std::string::npos) << stats;
  EXPECT_NE(stats.find(counterLine("redis_calls", "counted", 0)), std::string::npos) << stats;
}

}  // namespace
}  // namespace wasmgate::test
