// Reload keeps the VMs of unchanged plugins, through the real `wasmgate run` binary and the raw
// probe plugin: when only another plugin's configuration changes, a plugin's guest globals carry
// over to the new generation (its VM is taken over, not rebuilt); when its own configuration
// changes, it gets a fresh VM. The probe keeps the value of its last command in a global and "$"
// writes it into the next request, so a request after the reload shows the previous request's
// value only if the VM survived.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

std::string probe(const std::string& name, const std::string& script) {
  std::string escaped;
  for (char c : script) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  return "  - name: " + name + "\n    url: file://" WASMGATE_PLUGIN_DIR "/probe_abi_0_2_100.wasm\n    pluginConfig: \"" +
         escaped + "\"\n";
}

// Echoes each request back as the response body (keep-alive).
void echo(int fd) {
  while (true) {
    std::string req = ScriptedUpstream::readRequest(fd, 3000);
    if (req.empty()) return;
    ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(req.size()) + "\r\n\r\n" + req);
  }
}

// "memory" writes the value its previous request read (a guest global) as x-prev, then reads
// this request's x-token. `tag` only changes its configuration.
std::string memory(const std::string& tag) {
  return probe("memory", "request_headers add_header 0 x-prev $\nrequest_headers get_header 0 x-token\n# " + tag);
}
// "tagger" stamps its configuration's tag on the request.
std::string tagger(const std::string& tag) { return probe("tagger", "request_headers add_header 0 x-tag " + tag); }

struct Fixture {
  ScriptedUpstream upstream{echo};
  int port = freePort();
  int admin = freePort();
  GatewayProcess gw;
  std::string yaml(const std::string& plugins, const std::string& more_services = "") {
    return gatewayConfig(port, admin,
                         "routes:\n  - name: default/r\n    hosts: ['*']\n    match: {prefix: /}\n    service: up\n"
                         "services:\n  - name: up\n    endpoints: [127.0.0.1:" + std::to_string(upstream.port()) +
                             "]\n" + more_services + "plugins:\n" + plugins);
  }
  // The echoed request of a GET carrying x-token.
  std::string get(const std::string& token) { return httpGet(port, "/x", "x-token: " + token + "\r\n").body; }
  // Sends requests carrying `token` until one shows `tag` (the reload applied); returns its body.
  std::string getUntilTagged(const std::string& token, const std::string& tag) {
    for (int i = 0; i < 200; ++i) {
      std::string body = get(token);
      if (body.find("x-tag: " + tag) != std::string::npos) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "<reload never applied>";
  }
};

TEST(PluginReloadKeepVm, OtherPluginsConfigChangeKeepsThisPluginsGlobals) {
  Fixture f;
  ASSERT_TRUE(f.gw.start(f.yaml(memory("a") + tagger("v1")), 1)) << f.gw.logs();
  EXPECT_EQ(f.get("first").find("x-prev: first"), std::string::npos);  // fresh VM: nothing read yet
  EXPECT_NE(f.get("second").find("x-prev: first"), std::string::npos);
  // Only tagger changes: memory's VM is taken over, so the request after the switch still shows
  // the token of the request before it.
  f.gw.rewriteConfig(f.yaml(memory("a") + tagger("v2")));
  std::string after = f.getUntilTagged("third", "v2");
  EXPECT_NE(after.find("x-prev: third"), std::string::npos) << after << f.gw.logs();
  EXPECT_NE(f.get("fourth").find("x-prev: third"), std::string::npos);
  HttpResponse stats = httpGet(f.admin, "/stats");
  EXPECT_NE(stats.body.find("wasmgate_plugin_vm_rebuilds_total{plugin=\"memory\"} 0"), std::string::npos) << stats.body;
}

TEST(PluginReloadKeepVm, ReloadsUnderLoadFailNoRequest) {
  // Streams of the replaced generation and of the new one share the kept VM while the old one
  // drains; repeated reloads keep taking the same VM over.
  Fixture f;
  ASSERT_TRUE(f.gw.start(f.yaml(memory("a") + tagger("v0")), 2)) << f.gw.logs();
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::thread load([&] {
    while (!stop) {
      HttpResponse r = httpGet(f.port, "/x", "x-token: load\r\n");
      (r.status == 200 ? ok : failed)++;
    }
  });
  for (int round = 1; round <= 3; ++round) {
    std::string tag = "v";
    tag += std::to_string(round);
    f.gw.rewriteConfig(f.yaml(memory("a") + tagger(tag)));
    EXPECT_NE(f.getUntilTagged("load", tag).find("x-prev: load"), std::string::npos) << f.gw.logs();
  }
  stop = true;
  load.join();
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(failed.load(), 0) << f.gw.logs();
  EXPECT_NE(f.gw.logs().find("plugins reloaded on a worker: 1 VM(s) kept, 1 built"), std::string::npos) << f.gw.logs();
}

TEST(PluginReloadKeepVm, OwnConfigChangeGivesAFreshVm) {
  Fixture f;
  ASSERT_TRUE(f.gw.start(f.yaml(memory("a") + tagger("v1")), 1)) << f.gw.logs();
  f.get("first");
  f.gw.rewriteConfig(f.yaml(memory("b") + tagger("v2")));
  // The first request after the switch runs on memory's new VM: no previous value.
  std::string after = f.getUntilTagged("second", "v2");
  ASSERT_NE(after.find("x-prev:"), std::string::npos) << after << f.gw.logs();
  EXPECT_EQ(after.find("x-prev: second"), std::string::npos) << after;
  EXPECT_NE(f.get("third").find("x-prev: second"), std::string::npos);
}

TEST(PluginReloadKeepVm, ServicesChangeRebuildsEveryPlugin) {
  // A kept VM would call services as configured when it was built: a services change rebuilds.
  Fixture f;
  ASSERT_TRUE(f.gw.start(f.yaml(memory("a") + tagger("v1")), 1)) << f.gw.logs();
  f.get("first");
  f.gw.rewriteConfig(f.yaml(memory("a") + tagger("v2"), "  - name: extra\n    endpoints: [127.0.0.1:9]\n"));
  std::string after = f.getUntilTagged("second", "v2");
  ASSERT_NE(after.find("x-prev:"), std::string::npos) << after << f.gw.logs();
  EXPECT_EQ(after.find("x-prev: second"), std::string::npos) << after;
}

}  // namespace
}  // namespace wasmgate::test
