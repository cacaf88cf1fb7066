// The runtime's probe plugin: raw proxy-wasm (no SDK), driven by a command script so each test
// chooses which host functions run in which callback. Built once per ABI version (PROBE_ABI = 10,
// 20, 21, 100; see CMakeLists.txt).
//
// Script: one command per line, "<callback> <command> <args...>", arguments separated by spaces,
// "%XX" escapes a byte, "" is the empty argument and "$" the value the previous command reported.
// The VM configuration (buffer 6) holds vm_start commands and commands shared by every root; the
// plugin configuration (buffer 7) holds the root's own. Every command logs, at info,
// "<callback>: <command> <args> -> <status>[ <value>]"; every callback logs, at debug,
// "@<callback> <arguments>", so tests can check the lifecycle order.
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proxy_imports.h"
#include "probe_util.h"

#if PROBE_ABI == 100
PROXY_EXPORT(proxy_abi_version_0_2_100) void abi_marker() {}
#elif PROBE_ABI == 21
PROXY_EXPORT(proxy_abi_version_0_2_1) void abi_marker() {}
#elif PROBE_ABI == 20
PROXY_EXPORT(proxy_abi_version_0_2_0) void abi_marker() {}
#elif PROBE_ABI == 10
PROXY_EXPORT(proxy_abi_version_0_1_0) void abi_marker() {}
#else
#error "PROBE_ABI must be 10, 20, 21 or 100"
#endif

namespace probe {
namespace {

std::vector<Command> vm_script;
std::map<u32, std::vector<Command>> root_scripts;
std::map<u32, u32> root_of;           // context -> its root (a root maps to itself)
std::map<u32, u32> caller_of_token;   // http/redis token -> context that issued the call

std::string readBuffer(u32 type, u32 size) {
  char* p = nullptr;
  u32 n = 0;
  if (proxy_get_buffer_bytes(type, 0, size, &p, &n) != 0) return {};
  return take(p, n);
}

// Runs the commands of `callback` for context `ctx`; returns the "return" override or `result`.
u32 run(const char* callback, u32 ctx, u32 result) {
  auto it = root_scripts.find(root_of[ctx]);
  const std::vector<Command>& script = std::string_view(callback) == "vm_start" || it == root_scripts.end()
                                           ? vm_script
                                           : it->second;
  Runner runner{callback, ctx, &caller_of_token};
  for (const Command& c : script) {
    if (c.callback != callback) continue;
    if (c.args[0] == "return") {
      result = static_cast<u32>(std::strtoul(c.args.at(1).c_str(), nullptr, 10));
      continue;
    }
    runner.exec(c);
  }
  return result;
}

}  // namespace
}  // namespace probe

using namespace probe;

PROXY_EXPORT(proxy_on_context_create) void on_context_create(u32 ctx, u32 parent) {
  trace("@context_create", {ctx, parent});
  root_of[ctx] = parent == 0 ? ctx : parent;
  if (parent != 0) run("context_create", ctx, 0);
}

PROXY_EXPORT(proxy_on_vm_start) u32 on_vm_start(u32 root, u32 size) {
  trace("@vm_start", {root, size});
  vm_script = parseScript(readBuffer(6, size));
  return run("vm_start", root, 1);
}

PROXY_EXPORT(proxy_on_configure) u32 on_configure(u32 root, u32 size) {
  trace("@configure", {root, size});
  std::vector<Command> script = vm_script;
  for (Command& c : parseScript(readBuffer(7, size))) script.push_back(std::move(c));
  root_scripts[root] = std::move(script);
  return run("configure", root, 1);
}

#if PROBE_ABI == 10
PROXY_EXPORT(proxy_on_request_headers) u32 on_request_headers(u32 ctx, u32 headers) {
  trace("@request_headers", {ctx, headers});
  return run("request_headers", ctx, 0);
}
PROXY_EXPORT(proxy_on_response_headers) u32 on_response_headers(u32 ctx, u32 headers) {
  trace("@response_headers", {ctx, headers});
  return run("response_headers", ctx, 0);
}
#else
PROXY_EXPORT(proxy_on_request_headers) u32 on_request_headers(u32 ctx, u32 headers, u32 eos) {
  trace("@request_headers", {ctx, headers, eos});
  return run("request_headers", ctx, 0);
}
PROXY_EXPORT(proxy_on_response_headers) u32 on_response_headers(u32 ctx, u32 headers, u32 eos) {
  trace("@response_headers", {ctx, headers, eos});
  return run("response_headers", ctx, 0);
}
#endif

PROXY_EXPORT(proxy_on_request_body) u32 on_request_body(u32 ctx, u32 size, u32 eos) {
  trace("@request_body", {ctx, size, eos});
  return run("request_body", ctx, 0);
}
PROXY_EXPORT(proxy_on_response_body) u32 on_response_body(u32 ctx, u32 size, u32 eos) {
  trace("@response_body", {ctx, size, eos});
  return run("response_body", ctx, 0);
}
PROXY_EXPORT(proxy_on_request_trailers) u32 on_request_trailers(u32 ctx, u32 n) {
  trace("@request_trailers", {ctx, n});
  return run("request_trailers", ctx, 0);
}
PROXY_EXPORT(proxy_on_response_trailers) u32 on_response_trailers(u32 ctx, u32 n) {
  trace("@response_trailers", {ctx, n});
  return run("response_trailers", ctx, 0);
}
PROXY_EXPORT(proxy_on_log) void on_log(u32 ctx) {
  trace("@log", {ctx});
  run("log", ctx, 0);
}
PROXY_EXPORT(proxy_on_done) u32 on_done(u32 ctx) {
  trace("@done", {ctx});
  return run("done", ctx, 1);
}
PROXY_EXPORT(proxy_on_delete) void on_delete(u32 ctx) {
  trace("@delete", {ctx});
  run("delete", ctx, 0);
  root_of.erase(ctx);
}
PROXY_EXPORT(proxy_on_http_call_response) void on_http_call_response(u32 root, u32 token, u32 headers, u32 body, u32 trailers) {
  trace("@http_call_response", {root, token, headers, body, trailers});
  last_token = token;
  run("http_call_response", root, 0);
}
PROXY_EXPORT(proxy_on_redis_call_response) void on_redis_call_response(u32 root, u32 token, u32 status, u32 size) {
  trace("@redis_call_response", {root, token, status, size});
  last_token = token;
  run("redis_call_response", root, 0);
}
PROXY_EXPORT(proxy_on_tick) void on_tick(u32 root) {
  trace("@tick", {root});
  run("tick", root, 0);
}
PROXY_EXPORT(proxy_on_queue_ready) void on_queue_ready(u32 root, u32 queue) {
  trace("@queue_ready", {root, queue});
  run("queue_ready", root, 0);
}
PROXY_EXPORT(proxy_on_foreign_function) void on_foreign_function(u32 root, u32 function, u32 size) {
  trace("@foreign_function", {root, function, size});
  run("foreign_function", root, 0);
}
