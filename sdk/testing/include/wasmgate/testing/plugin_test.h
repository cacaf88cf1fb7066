// The one include a plugin test needs: TestHost, HttpStream, rule builders and RESP helpers.
//
//   #include <wasmgate/testing/plugin_test.h>
//   using namespace wasmgate::testing;
//   auto host = TestHost::load(WASMGATE_PLUGIN_DIR "/my-plugin.wasm", R"({"enabled": true})");
//   ASSERT_TRUE(host.ok()) << host.message();
//   auto http = host->newHttp();
//   EXPECT_EQ(http.requestHeaders({{":path", "/"}}), HeaderAction::Continue);
//
// Public header (plugin authors' tests). See docs/testing.md.
#pragma once

#include <wasmgate/testing/http_stream.h>
#include <wasmgate/testing/resp.h>
#include <wasmgate/testing/rules.h>
#include <wasmgate/testing/test_host.h>
#include <wasmgate/testing/types.h>
