// Hot reload of plugins through the real `wasmgate run` binary: a config change switches new
// requests to the new plugins under load without a failed request; a changed .wasm file is
// recompiled and canary-started; a broken one keeps the old version serving and the reason shows
// at the admin /plugins endpoint.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

namespace fs = std::filesystem;

std::string config(int port, int admin, const std::string& plugins) {
  return gatewayConfig(port, admin,
                       "routes:\n  - name: default/httpbin\n    hosts: ['*']\n    match: {prefix: /}\n"
                       "    service: httpbin\nservices:\n  - name: httpbin\n    builtin: httpbin\nplugins:\n" + plugins);
}

// Polls `probe` every 50 ms for up to 10 s.
template <typename F>
bool eventually(F probe) {
  for (int i = 0; i < 200; ++i) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(PluginReload, ConfigChangeUnderLoadFailsNoRequest) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  std::string hello = "  - name: hello\n    url: file://" WASMGATE_PLUGIN_DIR "/hello-world.wasm\n"
                      "    defaultConfig: {enabled: true}\n";
  ASSERT_TRUE(gw.start(config(port, admin, hello), 2)) << gw.logs();

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::thread load([&] {
    while (!stop) {
      HttpResponse r = httpGet(port, "/get");
      (r.status == 200 ? ok : failed)++;
    }
  });
  std::string bodies = "  - name: bodies\n    url: file://" WASMGATE_PLUGIN_DIR "/headers-bodies.wasm\n"
                       "    defaultConfig: {tag: v2}\n";
  gw.rewriteConfig(config(port, admin, bodies));
  EXPECT_TRUE(eventually([&] { return httpGet(port, "/get").header("x-request-line") == "GET /get"; })) << gw.logs();
  // A broken plugin: the reload is refused, the running version keeps serving.
  gw.rewriteConfig(config(port, admin, "  - name: bodies\n    url: file:///nonexistent/broken.wasm\n"));
  EXPECT_TRUE(eventually([&] { return httpGet(admin, "/plugins").body.find("broken.wasm") != std::string::npos; }));
  EXPECT_EQ(httpGet(port, "/get").header("x-request-line"), "GET /get");
  stop = true;
  load.join();
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(failed.load(), 0) << gw.logs();
}

TEST(PluginReload, ChangedWasmFileIsReloadedAndBrokenOneRefused) {
  int port = freePort(), admin = freePort();
  GatewayProcess gw;
  auto entry = [](const std::string& url) { return "  - name: swap\n    url: " + url + "\n    defaultConfig: {enabled: true}\n"; };
  ASSERT_TRUE(gw.start(config(port, admin, entry("file://" WASMGATE_PLUGIN_DIR "/hello-world.wasm")), 1)) << gw.logs();
  // A config-relative url: the file sits next to the config file.
  fs::path dir = fs::path(gw.configPath()).parent_path();
  fs::copy_file(WASMGATE_PLUGIN_DIR "/hello-world.wasm", dir / "swap.wasm", fs::copy_options::overwrite_existing);
  gw.rewriteConfig(config(port, admin, entry("file://swap.wasm")));
  EXPECT_TRUE(eventually([&] {
    return httpGet(admin, "/plugins").body.find((dir / "swap.wasm").string()) != std::string::npos;
  })) << gw.logs();
  EXPECT_EQ(httpGet(port, "/get").header("x-hello-world"), "/get");

  // A file that is not wasm: refused, the old module keeps serving, the reason is at /plugins.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // mtime granularity of the poller
  { std::ofstream(dir / "swap.wasm", std::ios::binary | std::ios::trunc) << "not wasm"; }
  EXPECT_TRUE(eventually([&] {
    return httpGet(admin, "/plugins").body.find("\"last_reload_error\": \"plugin file changed") != std::string::npos;
  })) << httpGet(admin, "/plugins").body;
  EXPECT_EQ(httpGet(port, "/get").header("x-hello-world"), "/get");

  // A new valid module: compiled, canary-started, switched.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  fs::copy_file(WASMGATE_PLUGIN_DIR "/headers-bodies.wasm", dir / "swap.wasm", fs::copy_options::overwrite_existing);
  EXPECT_TRUE(eventually([&] { return httpGet(port, "/get").header("x-request-line") == "GET /get"; })) << gw.logs();
  EXPECT_NE(httpGet(admin, "/plugins").body.find("\"last_reload_error\": null"), std::string::npos);
}

}  // namespace
}  // namespace wasmgate::test
