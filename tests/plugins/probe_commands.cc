// The probe plugin's commands: one host function each (see probe.cc for the script format).
#include <cstdlib>
#include <string>

#include "probe_util.h"

namespace probe {
namespace {

std::string last_value;  // "$" in a later command
void* const kBadPointer = reinterpret_cast<void*>(uintptr_t{0xFFFFFFF0u});

// The stream-end ring ("ring" and "ring_take"): the host's count, the probe's count, then ids.
constexpr u32 kRingCapacity = 4;
volatile u32 ring_words[2 + kRingCapacity];  // the host writes it between calls

// The copy scratch ("scratch"): small results the host writes here are reported as
// "[scratch] VALUE" and not freed.
char copy_scratch[16];

u32 wasmAddress(const void* p) { return static_cast<u32>(reinterpret_cast<uintptr_t>(p)); }

std::string propertyPath(std::string path) {
  for (char& ch : path) {
    if (ch == '/') ch = '\0';
  }
  return path;
}

}  // namespace

void Runner::exec(const Command& c) {
  const std::string& cmd = c.args[0];
  auto arg = [&](size_t i) -> std::string {
    std::string a = i < c.args.size() ? c.args[i] : std::string();
    return a == "$" ? last_value : a;
  };
  auto num = [&](size_t i) -> u32 { return static_cast<u32>(std::strtoul(arg(i).c_str(), nullptr, 10)); };
  u32 status = 0;
  std::string value;
  bool has_value = false;
  char* p = nullptr;
  u32 n = 0;
  auto takeValue = [&] {
    has_value = true;
    value = p == nullptr ? "<null>" : escape(std::string_view(p, n));
    if (p == copy_scratch) {
      value = "[scratch] " + value;
    } else {
      take(p, n);
    }
  };

  if (cmd == "log") {
    const std::string text = arg(2);
    status = proxy_log(num(1), text.data(), text.size());
  } else if (cmd == "time") {
    uint64_t ns = 0;
    status = proxy_get_current_time_nanoseconds(&ns);
    has_value = true;
    value = ns > 1600000000ull * 1000000000ull ? "plausible" : "implausible";
  } else if (cmd == "status") {
    u32 code = 0;
    status = proxy_get_status(&code, &p, &n);
    takeValue();
    value = number(code) + " " + value;
#if PROBE_ABI == 10
  } else if (cmd == "get_configuration") {
    status = proxy_get_configuration(&p, &n);
    takeValue();
  } else if (cmd == "continue_request") {
    status = proxy_continue_request();
  } else if (cmd == "continue_response") {
    status = proxy_continue_response();
  } else if (cmd == "clear_route_cache") {
    status = proxy_clear_route_cache();
#else
  } else if (cmd == "continue") {
    status = proxy_continue_stream(num(1));
  } else if (cmd == "close") {
    status = proxy_close_stream(num(1));
#endif
  } else if (cmd == "get_header") {
    const std::string key = arg(2);
    status = proxy_get_header_map_value(num(1), key.data(), key.size(), &p, &n);
    takeValue();
  } else if (cmd == "add_header" || cmd == "replace_header") {
    const std::string key = arg(2), v = arg(3);
    status = cmd == "add_header" ? proxy_add_header_map_value(num(1), key.data(), key.size(), v.data(), v.size())
                                 : proxy_replace_header_map_value(num(1), key.data(), key.size(), v.data(), v.size());
  } else if (cmd == "remove_header") {
    const std::string key = arg(2);
    status = proxy_remove_header_map_value(num(1), key.data(), key.size());
  } else if (cmd == "get_headers") {
    status = proxy_get_header_map_pairs(num(1), &p, &n);
    has_value = true;
    value = decodePairs(p, n);
    take(p, n);
  } else if (cmd == "set_headers") {
    const std::string pairs = encodePairs(arg(2));
    status = proxy_set_header_map_pairs(num(1), pairs.data(), pairs.size());
  } else if (cmd == "header_size") {
    status = proxy_get_header_map_size(num(1), &n);
    has_value = true;
    value = number(n);
  } else if (cmd == "get_buffer") {
    status = proxy_get_buffer_bytes(num(1), num(2), num(3), &p, &n);
    takeValue();
  } else if (cmd == "set_buffer") {
    const std::string data = arg(4);
    status = proxy_set_buffer_bytes(num(1), num(2), num(3), data.data(), data.size());
  } else if (cmd == "buffer_status") {
    u32 flags = 0;
    status = proxy_get_buffer_status(num(1), &n, &flags);
    has_value = true;
    value = number(n) + " " + number(flags);
  } else if (cmd == "get_property") {
    const std::string path = propertyPath(arg(1));
    status = proxy_get_property(path.data(), path.size(), &p, &n);
    takeValue();
  } else if (cmd == "set_property") {
    const std::string path = propertyPath(arg(1)), v = arg(2);
    status = proxy_set_property(path.data(), path.size(), v.data(), v.size());
  } else if (cmd == "local_response") {
    const std::string details = arg(2), body = arg(3), headers = encodePairs(arg(4));
    status = proxy_send_local_response(num(1), details.data(), details.size(), body.data(), body.size(),
                                       headers.data(), headers.size(), static_cast<int32_t>(std::strtol(arg(5).c_str(), nullptr, 10)));
  } else if (cmd == "http_call") {
    const std::string cluster = arg(1), headers = encodePairs(arg(2)), body = arg(3), trailers = encodePairs(arg(5));
    u32 token = 0;
    status = proxy_http_call(cluster.data(), cluster.size(), headers.data(), headers.size(), body.data(), body.size(),
                             trailers.data(), trailers.size(), num(4), &token);
    has_value = true;
    value = number(token);
    if (status == 0) (*caller_of_token)[token] = ctx;
#if PROBE_HIGRESS
  } else if (cmd == "log_level") {
    status = proxy_get_log_level(&n);
    has_value = true;
    value = number(n);
  } else if (cmd == "redis_init") {
    const std::string cluster = arg(1), user = arg(2), password = arg(3);
    status = proxy_redis_init(cluster.data(), cluster.size(), user.data(), user.size(), password.data(), password.size(), num(4));
  } else if (cmd == "redis_call") {
    const std::string cluster = arg(1), query = arg(2);
    u32 token = 0;
    status = proxy_redis_call(cluster.data(), cluster.size(), query.data(), query.size(), &token);
    has_value = true;
    value = number(token);
    if (status == 0) (*caller_of_token)[token] = ctx;
  } else if (cmd == "inject") {
    const std::string data = arg(1);
    status = proxy_inject_encoded_data_to_filter_chain(data.data(), data.size(), num(2));
  } else if (cmd == "override_host") {
    const std::string address = arg(1);
    status = proxy_set_upstream_override_host(address.data(), address.size());
  } else if (cmd == "upstream_hosts") {
    status = proxy_get_upstream_hosts(&p, &n);
    has_value = true;
    value = decodePairs(p, n);
    take(p, n);
#endif
  } else if (cmd == "get_shared") {
    const std::string key = arg(1);
    u32 cas = 0;
    status = proxy_get_shared_data(key.data(), key.size(), &p, &n, &cas);
    takeValue();
    value += " " + number(cas);
  } else if (cmd == "set_shared") {
    const std::string key = arg(1), v = arg(2);
    status = proxy_set_shared_data(key.data(), key.size(), v.data(), v.size(), num(3));
  } else if (cmd == "register_queue" || cmd == "resolve_queue") {
    u32 id = 0;
    const std::string a = arg(1), b = arg(2);
    status = cmd == "register_queue" ? proxy_register_shared_queue(a.data(), a.size(), &id)
                                     : proxy_resolve_shared_queue(a.data(), a.size(), b.data(), b.size(), &id);
    has_value = true;
    value = number(id);
  } else if (cmd == "enqueue") {
    const std::string data = arg(2);
    status = proxy_enqueue_shared_queue(num(1), data.data(), data.size());
  } else if (cmd == "dequeue") {
    status = proxy_dequeue_shared_queue(num(1), &p, &n);
    takeValue();
  } else if (cmd == "define_metric") {
    const std::string name = arg(2);
    u32 id = 0;
    status = proxy_define_metric(num(1), name.data(), name.size(), &id);
    has_value = true;
    value = number(id);
  } else if (cmd == "increment_metric") {
    status = proxy_increment_metric(num(1), std::strtoll(arg(2).c_str(), nullptr, 10));
  } else if (cmd == "record_metric") {
    status = proxy_record_metric(num(1), std::strtoull(arg(2).c_str(), nullptr, 10));
  } else if (cmd == "get_metric") {
    uint64_t v = 0;
    status = proxy_get_metric(num(1), &v);
    has_value = true;
    value = number(v);
  } else if (cmd == "set_tick") {
    status = proxy_set_tick_period_milliseconds(num(1));
  } else if (cmd == "set_effective") {
    const std::string target = arg(1);
    const u32 id = target == "caller" ? (*caller_of_token)[last_token] : target == "self" ? ctx : num(1);
    status = proxy_set_effective_context(id);
  } else if (cmd == "done") {
    status = proxy_done();
  } else if (cmd == "foreign") {
    const std::string name = arg(1), argument = arg(2);
    status = proxy_call_foreign_function(name.data(), name.size(), argument.data(), argument.size(), &p, &n);
    takeValue();
  } else if (cmd == "ring" || cmd == "scratch") {
    // ring|scratch static|end|ADDRESS CAPACITY: lends the host a region of memory, as
    // wasmgate_stream_end_ring or wasmgate_copy_scratch: the probe's own ring or 16-byte scratch,
    // the last 4 bytes of memory, or any address.
    const std::string where = arg(1);
    const bool ring = cmd == "ring";
    const u32 memory_end = static_cast<u32>(__builtin_wasm_memory_size(0) * 65536);
    const u32 own = ring ? wasmAddress(const_cast<u32*>(ring_words)) : wasmAddress(copy_scratch);
    const u32 words[2] = {where == "static" ? own : where == "end" ? memory_end - 4 : num(1), num(2)};
    const std::string_view name = ring ? "wasmgate_stream_end_ring" : "wasmgate_copy_scratch";
    status = proxy_call_foreign_function(name.data(), name.size(), reinterpret_cast<const char*>(words), sizeof words,
                                         nullptr, nullptr);
  } else if (cmd == "ring_take") {
    // ring_take [COUNT]: the ids the host wrote and the probe had not taken ("written:id,id"), all
    // taken; with COUNT, the probe's count is set to that instead (a guest writing nonsense).
    has_value = true;
    value = number(ring_words[0]) + ":";
    for (u32 taken = ring_words[1]; taken != ring_words[0]; ++taken) {
      value += (taken == ring_words[1] ? "" : ",") + number(ring_words[2 + taken % kRingCapacity]);
    }
    ring_words[1] = c.args.size() > 1 ? num(1) : ring_words[0];
  } else if (cmd == "grpc_call") {
    u32 token = 0;
    status = proxy_grpc_call("s", 1, "svc", 3, "m", 1, nullptr, 0, "req", 3, 100, &token);
  } else if (cmd == "grpc_stream") {
    u32 token = 0;
    status = proxy_grpc_stream("s", 1, "svc", 3, "m", 1, nullptr, 0, &token);
  } else if (cmd == "grpc_send") {
    status = proxy_grpc_send(1, "x", 1, 0);
  } else if (cmd == "grpc_cancel") {
    status = proxy_grpc_cancel(1);
  } else if (cmd == "grpc_close") {
    status = proxy_grpc_close(1);
  } else if (cmd == "trap") {
    __builtin_trap();
  } else if (cmd == "bad_ptr") {
    const std::string what = arg(1);
    u32 out = 0;
    if (what == "log") status = proxy_log(2, kBadPointer, 16);
    if (what == "get_header_out") status = proxy_get_header_map_value(0, ":path", 5, kBadPointer, &out);
    if (what == "get_buffer_out") status = proxy_get_buffer_bytes(num(2), 0, 100, kBadPointer, kBadPointer);
    if (what == "property_path") status = proxy_get_property(kBadPointer, 64, &p, &n);
    if (what == "set_shared") status = proxy_set_shared_data("k", 1, kBadPointer, 64, 0);
    if (what == "http_call_token") {
      const std::string headers = encodePairs(":path=/,:method=GET,:authority=a");
      status = proxy_http_call("c", 1, headers.data(), headers.size(), nullptr, 0, nullptr, 0, 10, kBadPointer);
    }
    if (what == "metric_out") status = proxy_define_metric(0, "m", 1, kBadPointer);
    if (what == "local_response") status = proxy_send_local_response(200, nullptr, 0, kBadPointer, 64, nullptr, 0, -1);
    if (what == "foreign_name") status = proxy_call_foreign_function(kBadPointer, 64, nullptr, 0, &p, &n);
  } else {
    status = 999;  // unknown command: the test's mistake, made visible
  }

  if (has_value) last_value = value;
  std::string line = std::string(callback) + ": " + c.text + " -> " + number(status);
  if (has_value && status == 0) line += " " + value;
  proxy_log(2, line.data(), line.size());
}

}  // namespace probe
