// libFuzzer target: the gateway's HTTP/1.1 request and response parser (gateway/http/parser.h).
// The input is fed in pieces (split points taken from its first byte) the way a socket would,
// resuming after each message; the parser must never crash, and it must never report a head
// bigger than its limit; a rejection always carries a status a proxy may answer and a details
// string.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/http/parser.h"

namespace {

struct Sink : wasmgate::gateway::Http1Parser::Callbacks {
  size_t body = 0;
  void onRequestHead(wasmgate::gateway::RequestHead&& h) override {
    if (h.headers.byteSize() > 8 * 1024 + 4 * 64) __builtin_trap();  // limit respected
  }
  void onResponseHead(wasmgate::gateway::ResponseHead&&) override {}
  void onBody(std::string_view chunk) override { body += chunk.size(); }
  void onMessageComplete() override {}
};

// A rejection answers 400 or 431 to a client and 502 for an upstream, always with a details
// string for the access log.
void checkError(wasmgate::gateway::Http1Parser::Kind kind, const wasmgate::gateway::CodecError& e) {
  bool request = kind == wasmgate::gateway::Http1Parser::Kind::Request;
  if (request ? (e.status != 400 && e.status != 431) : e.status != 502) __builtin_trap();
  if (e.details.empty()) __builtin_trap();
}

void run(wasmgate::gateway::Http1Parser::Kind kind, std::string_view data, size_t step) {
  Sink sink;
  wasmgate::gateway::Http1Parser::Limits limits;
  limits.max_header_bytes = 8 * 1024;
  limits.max_header_count = 64;
  wasmgate::gateway::Http1Parser parser(kind, sink, limits);
  while (!data.empty()) {
    std::string_view piece = data.substr(0, step);
    while (!piece.empty()) {
      auto progress = parser.feed(piece);
      if (progress.state == wasmgate::gateway::Http1Parser::State::Error) {
        checkError(kind, parser.error());
        return;
      }
      if (progress.state == wasmgate::gateway::Http1Parser::State::Upgrade) return;
      if (progress.consumed > piece.size()) __builtin_trap();
      piece.remove_prefix(progress.consumed);
      data.remove_prefix(progress.consumed);
      if (progress.state == wasmgate::gateway::Http1Parser::State::MessageDone) parser.resume();
      if (progress.state == wasmgate::gateway::Http1Parser::State::NeedMore) break;
    }
  }
  if (parser.finish() == wasmgate::gateway::Http1Parser::State::Error) checkError(kind, parser.error());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = 1 + data[0] % 64;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  run(wasmgate::gateway::Http1Parser::Kind::Request, input, step);
  run(wasmgate::gateway::Http1Parser::Kind::Response, input, step);
  return 0;
}
