// Serialises message heads and chunked framing into an output buffer (the inverse of
// Http1Parser). Pure functions, no I/O.
//
// Public header (gateway/). No state: callable from any thread.
#pragma once

#include <string>
#include <string_view>

#include "gateway/http/message.h"

namespace wasmgate::gateway {

// "METHOD target HTTP/1.1\r\n" + headers + "\r\n". Headers are written as given: the caller
// decides framing (content-length or transfer-encoding) beforehand.
void appendRequestHead(std::string& out, const RequestHead& head);
// "HTTP/1.1 status reason\r\n" + headers + "\r\n".
void appendResponseHead(std::string& out, const ResponseHead& head);
// One chunk of a chunked body ("size-hex\r\ndata\r\n"); empty data writes nothing, because an
// empty chunk would end the body.
void appendChunk(std::string& out, std::string_view data);
// The terminating "0\r\n\r\n" of a chunked body.
void appendLastChunk(std::string& out);
// The last chunk followed by a trailer section ("0\r\nname: value\r\n...\r\n").
void appendLastChunk(std::string& out, const HeaderMap& trailers);

}  // namespace wasmgate::gateway
