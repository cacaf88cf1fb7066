// Integration tests of the connection properties and trace span tags through the real
// `wasmgate run` binary and the raw probe plugin: destination.address/port (the listener side of
// the client connection), connection.id (same on one keep-alive connection, different on the
// next), the TLS-only connection.* attributes (false, empty or absent without TLS), all
// serialised as Envoy does (strings raw, integers 8-byte little-endian, bools one byte); and
// trace_span_tag.* writes, which are not filter state and appear in the access log's
// "trace_tags" object.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

std::string pluginUrl(const std::string& name) { return "file://" WASMGATE_PLUGIN_DIR "/" + name + ".wasm"; }

std::string probe(const std::string& name, const std::string& script) {
  std::string escaped;
  for (char c : script) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  return "  - name: " + name + "\n    url: " + pluginUrl("probe_abi_0_2_100") + "\n    pluginConfig: \"" + escaped +
         "\"\n";
}

// How the probe logs an 8-byte little-endian integer (non-printable bytes as \xNN).
std::string probeLe64(uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) {
    unsigned char byte = static_cast<unsigned char>(v >> (8 * i));
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      out.push_back(static_cast<char>(byte));
    } else {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 15]);
    }
  }
  return out;
}

// Echoes each request back as the response body (keep-alive).
void echo(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(req.size()) + "\r\n\r\n" + req);
  }
}

struct Fixture {
  ScriptedUpstream upstream{echo};
  int port = freePort();
  int admin = freePort();
  static inline int count = 0;  // each fixture writes its own access log
  std::string access_log = "/tmp/wasmgate-properties-" + std::to_string(getpid()) + "-" + std::to_string(++count) + ".log";
  GatewayProcess gw;

  ~Fixture() { unlink(access_log.c_str()); }
  bool start(const std::string& plugins) {
    std::string rest = "access_log:\n  path: " + access_log + "\n"
                       "routes:\n  - name: default/r\n    hosts: ['*']\n    match: {prefix: /}\n    service: up\n"
                       "services:\n  - name: up\n    endpoints: [127.0.0.1:" + std::to_string(upstream.port()) + "]\n"
                       "plugins:\n" + plugins;
    return gw.start(gatewayConfig(port, admin, rest), 1);
  }
  std::string accessLog(const std::string& wait_for) {
    std::string text;
    for (int i = 0; i < 100 && text.find(wait_for) == std::string::npos; ++i) {
      usleep(20 * 1000);
      std::ifstream in(access_log);
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return text;
  }
};

// The value the probe logged for `command`'s n-th run (0-based), or "<none>".
std::string loggedValue(const std::string& logs, const std::string& command, int nth = 0) {
  std::string needle = "request_headers: " + command + " -> 0 ";
  size_t at = logs.find(needle);
  for (int i = 0; i < nth && at != std::string::npos; ++i) at = logs.find(needle, at + 1);
  if (at == std::string::npos) return "<none>";
  at += needle.size();
  return logs.substr(at, logs.find('\n', at) - at);
}

TEST(PluginProperties, DestinationIsTheListenerSideOfTheClientConnection) {
  Fixture f;
  ASSERT_TRUE(f.start(probe("p", "request_headers get_property destination.address\n"
                                 "request_headers get_property destination.port\n"
                                 "request_headers get_property source.port")))
      << f.gw.logs();
  ASSERT_EQ(httpGet(f.port, "/x").status, 200) << f.gw.logs();
  std::string logs = f.gw.logs();
  EXPECT_EQ(loggedValue(logs, "get_property destination.address"), "127.0.0.1:" + std::to_string(f.port)) << logs;
  EXPECT_EQ(loggedValue(logs, "get_property destination.port"), probeLe64(f.port)) << logs;
  // The client's ephemeral port, also 8 bytes, and not the listener's.
  std::string source_port = loggedValue(logs, "get_property source.port");
  EXPECT_NE(source_port, "<none>") << logs;
  EXPECT_NE(source_port, probeLe64(f.port));
}

TEST(PluginProperties, ConnectionIdIsStableOnAConnectionAndNewOnTheNext) {
  Fixture f;
  ASSERT_TRUE(f.start(probe("p", "request_headers get_property connection.id"))) << f.gw.logs();
  RawClient first(f.port);
  ASSERT_TRUE(first.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_EQ(first.readResponse().status, 200);
  ASSERT_TRUE(first.send("GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_EQ(first.readResponse().status, 200);
  ASSERT_EQ(httpGet(f.port, "/3").status, 200);
  std::string logs = f.gw.logs();
  std::string a = loggedValue(logs, "get_property connection.id", 0);
  std::string b = loggedValue(logs, "get_property connection.id", 1);
  std::string c = loggedValue(logs, "get_property connection.id", 2);
  ASSERT_NE(a, "<none>") << logs;
  ASSERT_NE(c, "<none>") << logs;
  EXPECT_EQ(a, b);  // one keep-alive connection
  EXPECT_NE(a, c);  // a new connection
  // Eight bytes, little-endian: the high bytes of a small counter are zero.
  EXPECT_EQ(a.substr(a.size() - 4 * 4), "\\x00\\x00\\x00\\x00") << a;
}

TEST(PluginProperties, TlsAttributesWithoutTls) {
  Fixture f;
  ASSERT_TRUE(f.start(probe("p", "request_headers get_property connection.mtls\n"
                                 "request_headers get_property connection.requested_server_name\n"
                                 "request_headers get_property connection.tls_version\n"
                                 "request_headers get_property connection.subject_peer_certificate")))
      << f.gw.logs();
  ASSERT_EQ(httpGet(f.port, "/x").status, 200) << f.gw.logs();
  std::string logs = f.gw.logs();
  EXPECT_EQ(loggedValue(logs, "get_property connection.mtls"), "\\x00") << logs;  // bool false, one byte
  // Ok with no bytes (the runtime hands an empty value back as a null pointer).
  EXPECT_EQ(loggedValue(logs, "get_property connection.requested_server_name"), "<null>") << logs;
  // TLS-only attributes are absent: NotFound (1).
  EXPECT_NE(logs.find("get_property connection.tls_version -> 1"), std::string::npos) << logs;
  EXPECT_NE(logs.find("get_property connection.subject_peer_certificate -> 1"), std::string::npos) << logs;
}

TEST(PluginProperties, TraceSpanTagsGoToTheAccessLogNotToFilterState) {
  Fixture f;
  ASSERT_TRUE(f.start(probe("tagger", "request_headers set_property trace_span_tag.model qwen-max\n"
                                      "request_headers set_property trace_span_tag.consumer alice\n"
                                      "request_headers set_property custom_log kept\n"
                                      "response_headers get_property trace_span_tag.model")))
      << f.gw.logs();
  ASSERT_EQ(httpGet(f.port, "/x").status, 200) << f.gw.logs();
  std::string log = f.accessLog("trace_tags");
  EXPECT_NE(log.find("\"trace_tags\":{\"consumer\":\"alice\",\"model\":\"qwen-max\"}"), std::string::npos) << log;
  EXPECT_NE(log.find("\"custom_log\":\"kept\""), std::string::npos) << log;
  // A span tag is not a property a plugin can read back (Higress keeps it out of filter state).
  EXPECT_NE(f.gw.logs().find("response_headers: get_property trace_span_tag.model -> 1"), std::string::npos)
      << f.gw.logs();
  // Requests without tags have no trace_tags field.
  Fixture plain;
  ASSERT_TRUE(plain.start(probe("quiet", "request_headers set_property custom_log quiet"))) << plain.gw.logs();
  ASSERT_EQ(httpGet(plain.port, "/x").status, 200);
  std::string quiet = plain.accessLog("quiet");
  EXPECT_NE(quiet.find("\"custom_log\":\"quiet\""), std::string::npos) << quiet;
  EXPECT_EQ(quiet.find("trace_tags"), std::string::npos) << quiet;
}

}  // namespace
}  // namespace wasmgate::test
