// The memory-rebuild example through the harness: its response cache works, and the SDK asks for
// a VM rebuild (property wasm_need_rebuild) on the 1000th request and once the VM's memory has
// grown to 8 MiB; the rebuilt VM starts with an empty cache.
#include <gtest/gtest.h>

#include <wasmgate/testing/plugin_test.h>

namespace {

using namespace wasmgate::testing;

TestHost load() {
  auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/memory-rebuild.wasm", "{}");
  EXPECT_TRUE(host.ok()) << host.message();
  return std::move(host).value();
}

// One GET; the upstream (if reached) answers `status` with `body`. Returns x-cache or the local
// response's marker.
std::string get(TestHost& host, std::string path, std::string_view body = "payload", std::string status = "200") {
  auto http = host.newHttp();
  http.requestHeaders({{":method", "GET"}, {":path", std::move(path)}}, true);
  if (http.localResponse()) return findHeader(http.localResponse()->headers, "x-cache").value_or("?") + ":" + http.localResponse()->body;
  http.responseHeaders({{":status", std::move(status)}});
  http.responseBody(body, true);
  return http.responseHeader("x-cache").value_or("none");
}

TEST(MemoryRebuild, OkGetResponsesAreCachedByPath) {
  auto host = load();
  EXPECT_EQ(get(host, "/a", "alpha"), "MISS");
  EXPECT_EQ(get(host, "/a"), "HIT:alpha");
  EXPECT_EQ(get(host, "/missing", "not here", "404"), "MISS");
  EXPECT_EQ(get(host, "/missing"), "MISS") << "only 200s are cached";

  auto post = host.newHttp();
  post.requestHeaders({{":method", "POST"}, {":path", "/a"}}, true);
  EXPECT_FALSE(post.localResponse()) << "only GETs are served from the cache";
}

TEST(MemoryRebuild, TheThousandthRequestAsksForARebuild) {
  auto host = load();
  get(host, "/a", "alpha");
  for (int i = 1; i < 999; ++i) {
    auto http = host.newHttp();
    http.requestHeaders({{":method", "GET"}, {":path", "/a"}}, true);
  }
  EXPECT_FALSE(host.rebuildRequested()) << "999 requests";
  get(host, "/a");
  EXPECT_TRUE(host.rebuildRequested()) << "1000 requests";

  ASSERT_TRUE(host.rebuild().ok());
  EXPECT_EQ(get(host, "/a", "fresh"), "MISS") << "a new VM has an empty cache";
}

TEST(MemoryRebuild, GrowingPastEightMiBAsksForARebuild) {
  auto host = load();
  std::string oneMiB(1 << 20, 'm');
  int requests = 0;
  while (!host.rebuildRequested() && requests < 20) {
    get(host, "/big/" + std::to_string(requests++), oneMiB);
  }
  EXPECT_TRUE(host.rebuildRequested());
  EXPECT_GE(requests, 4) << "not before the cache holds several MiB";
  EXPECT_LE(requests, 10) << "8 MiB of cache must have triggered it";
}

}  // namespace
