// Helpers of the probe plugin: the command script, reporting through proxy_log, pairs encoding,
// and the command runner (probe_commands.cc).
//
// Test-only header, compiled for wasm32-wasi.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proxy_imports.h"

#if PROBE_ABI == 21 || PROBE_ABI == 100 || defined(PROBE_FORCE_HIGRESS)
#define PROBE_HIGRESS 1
#else
#define PROBE_HIGRESS 0
#endif

namespace probe {

struct Command {
  std::string callback;
  std::vector<std::string> args;  // args[0] is the command name, the rest its decoded arguments
  std::string text;               // the arguments as written, for reports
};

std::vector<Command> parseScript(std::string_view text);

// Takes ownership of host-allocated bytes.
std::string take(char* p, u32 n);
// "ab\x01" for non-printable bytes.
std::string escape(std::string_view bytes);
std::string number(uint64_t v);
void trace(const char* event, std::initializer_list<u32> args);

// "k=v,k=v" <-> the proxy-wasm pairs format.
std::string encodePairs(std::string_view spec);
std::string decodePairs(const char* p, u32 n);

inline u32 last_token = 0;  // of the callback being delivered (http/redis)

struct Runner {
  const char* callback;
  u32 ctx;
  std::map<u32, u32>* caller_of_token;
  void exec(const Command& c);
};

}  // namespace probe
