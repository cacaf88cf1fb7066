// Typed host calls for the current HTTP stream: headers, trailers, bodies, local responses,
// resuming, and Higress's injection and upstream-host extensions. Names follow Higress's Go SDK
// (proxywasm package), so Go code ports line by line.
//
// Public header. Call these from the HTTP callbacks of a stream (or from an async callback, where
// the SDK has already made that stream the effective context). Outside their window the host
// answers BadArgument or NotFound (headers are readable while the stream is held). Single-threaded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <wasmgate/types.h>

namespace wasmgate::proxywasm {

using types::Headers;
using types::Result;
using types::Status;

// Request headers. GetHttpRequestHeader returns NotFound when the header is absent.
Result<std::string> GetHttpRequestHeader(std::string_view key);
Result<Headers> GetHttpRequestHeaders();
Status ReplaceHttpRequestHeaders(const Headers& headers);
Status AddHttpRequestHeader(std::string_view key, std::string_view value);
Status ReplaceHttpRequestHeader(std::string_view key, std::string_view value);  // adds if absent
Status RemoveHttpRequestHeader(std::string_view key);                            // every value

Result<std::string> GetHttpRequestTrailer(std::string_view key);
Result<Headers> GetHttpRequestTrailers();
Status ReplaceHttpRequestTrailers(const Headers& trailers);
Status AddHttpRequestTrailer(std::string_view key, std::string_view value);
Status ReplaceHttpRequestTrailer(std::string_view key, std::string_view value);
Status RemoveHttpRequestTrailer(std::string_view key);

Result<std::string> GetHttpResponseHeader(std::string_view key);
Result<Headers> GetHttpResponseHeaders();
Status ReplaceHttpResponseHeaders(const Headers& headers);
Status AddHttpResponseHeader(std::string_view key, std::string_view value);
Status ReplaceHttpResponseHeader(std::string_view key, std::string_view value);
Status RemoveHttpResponseHeader(std::string_view key);

Result<std::string> GetHttpResponseTrailer(std::string_view key);
Result<Headers> GetHttpResponseTrailers();
Status ReplaceHttpResponseTrailers(const Headers& trailers);
Status AddHttpResponseTrailer(std::string_view key, std::string_view value);
Status ReplaceHttpResponseTrailer(std::string_view key, std::string_view value);
Status RemoveHttpResponseTrailer(std::string_view key);

// Bodies, inside body callbacks. Get clamps to what the host holds; an empty body is NotFound, as
// in Go. Replace/Append/Prepend do not fix content-length: remove it in the header phase.
Result<std::string> GetHttpRequestBody(size_t start, size_t maxSize);
Status ReplaceHttpRequestBody(std::string_view body);
Status AppendHttpRequestBody(std::string_view data);
Status PrependHttpRequestBody(std::string_view data);
Result<std::string> GetHttpResponseBody(size_t start, size_t maxSize);
Status ReplaceHttpResponseBody(std::string_view body);
Status AppendHttpResponseBody(std::string_view data);
Status PrependHttpResponseBody(std::string_view data);

// Answers the stream locally (once per stream). grpcStatus -1 means none. The host sends it after
// the current callback returns; do not also resume the stream.
Status SendHttpResponse(uint32_t statusCode, const Headers& headers, std::string_view body,
                        int32_t grpcStatus = -1);
Status SendHttpResponseWithDetail(uint32_t statusCode, std::string_view detail, const Headers& headers,
                                  std::string_view body, int32_t grpcStatus = -1);

// Continue a stream held by a Stop action (e.g. after an HTTP or Redis call returned).
Status ResumeHttpRequest();
Status ResumeHttpResponse();
Status CloseHttpStream();  // resets the stream

// Higress: push response-body bytes to the filters after this one (with DataStopIterationNoBuffer).
Status InjectEncodedDataToFilterChain(std::string_view body, bool endOfStream);
// Higress: endpoints of the current route's cluster as (address, JSON info) pairs.
Result<Headers> GetUpstreamHosts();
// Higress: pin the upstream endpoint ("ip:port"); effective while the request is held.
Status SetUpstreamOverrideHost(std::string_view address);

}  // namespace wasmgate::proxywasm
