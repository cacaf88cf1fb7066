#include "gateway/http/parser.h"

#include <llhttp.h>

namespace wasmgate::gateway {

// llhttp state plus the pieces of the head being assembled. llhttp's callbacks are C function
// pointers, so they reach the parser through llhttp_t::data.
struct Http1Parser::Impl {
  llhttp_t parser;
  llhttp_settings_t settings;
  Http1Parser* owner = nullptr;
  std::string field, value;
  size_t header_bytes = 0;
  size_t header_count = 0;
  RequestHead request;
  ResponseHead response;
  HeaderMap trailers;  // fields after the last chunk (their bytes count against the header limit)
  // obs-fold detection: llhttp reports a continuation line as a second value span of the same
  // header. A span split by a read boundary always runs to the end of its buffer; a span that
  // stopped short and is followed by another one was ended by a line fold.
  const char* feed_end = nullptr;
  bool value_started = false;
  bool value_span_hit_end = false;

  static Http1Parser& self(llhttp_t* p) { return *static_cast<Impl*>(p->data)->owner; }
  static Impl& impl(llhttp_t* p) { return *static_cast<Impl*>(p->data); }

  // Fails the parse from inside a callback; llhttp then stops with HPE_USER (data callbacks) or
  // HPE_CB_* (notification callbacks), and feed() keeps the error set here.
  static int fail(llhttp_t* p, int status, const char* details, const char* reason) {
    Http1Parser& s = self(p);
    if (s.kind_ == Kind::Response && status != 502) {
      // A malformed upstream response is the gateway's 502 whatever the check that caught it.
      status = 502;
      details = "upstream_protocol_error";
    }
    s.error_ = CodecError{status, details, reason};
    s.rejected_by_callback_ = true;
    return HPE_USER;
  }

  static int countHeaderBytes(llhttp_t* p, size_t n) {
    Impl& i = impl(p);
    i.header_bytes += n;
    if (i.header_bytes > self(p).limits_.max_header_bytes) {
      bool request = self(p).kind_ == Kind::Request;
      return fail(p, request ? 431 : 502, request ? "http1.headers_too_large" : "upstream_headers_too_large",
                  "headers exceed the size limit");
    }
    return HPE_OK;
  }

  static int onMessageBegin(llhttp_t* p) {
    Impl& i = impl(p);
    Http1Parser& s = self(p);
    s.in_message_ = true;
    s.headers_done_ = false;
    i.field.clear();
    i.value.clear();
    i.header_bytes = 0;
    i.header_count = 0;
    i.request = RequestHead{};
    i.response = ResponseHead{};
    i.trailers.clear();
    return HPE_OK;
  }

  static int onUrl(llhttp_t* p, const char* at, size_t n) {
    impl(p).request.target.append(at, n);
    return countHeaderBytes(p, n);
  }

  static int onStatus(llhttp_t* p, const char* at, size_t n) {
    impl(p).response.reason.append(at, n);
    return countHeaderBytes(p, n);
  }

  static int onHeaderField(llhttp_t* p, const char* at, size_t n) {
    impl(p).field.append(at, n);
    return countHeaderBytes(p, n);
  }

  static int onHeaderValue(llhttp_t* p, const char* at, size_t n) {
    Impl& i = impl(p);
    if (i.value_started && !i.value_span_hit_end) {
      // RFC 9112 lets a proxy reject obs-fold; forwarding it is a smuggling vector.
      return fail(p, 400, "http1.invalid_characters", "obsolete line folding in a header value");
    }
    i.value_started = true;
    i.value_span_hit_end = at + n == i.feed_end;
    i.value.append(at, n);
    return countHeaderBytes(p, n);
  }

  static int onHeaderValueComplete(llhttp_t* p) {
    Impl& i = impl(p);
    i.value_started = false;
    while (!i.value.empty() && (i.value.back() == ' ' || i.value.back() == '\t')) i.value.pop_back();
    if (++i.header_count > self(p).limits_.max_header_count) {
      bool request = self(p).kind_ == Kind::Request;
      return fail(p, request ? 431 : 502, request ? "http1.too_many_headers" : "upstream_too_many_headers",
                  "too many headers");
    }
    if (self(p).headers_done_) {
      i.trailers.add(i.field, i.value);
    } else {
      HeaderMap& headers = self(p).kind_ == Kind::Request ? i.request.headers : i.response.headers;
      headers.add(i.field, i.value);
    }
    i.field.clear();
    i.value.clear();
    return HPE_OK;
  }

  static int onHeadersComplete(llhttp_t* p) {
    Impl& i = impl(p);
    Http1Parser& s = self(p);
    s.headers_done_ = true;
    bool chunked = (p->flags & F_CHUNKED) != 0;
    int64_t length = (p->flags & F_CONTENT_LENGTH) ? static_cast<int64_t>(p->content_length) : -1;
    bool keep_alive = llhttp_should_keep_alive(p) != 0;
    if (s.kind_ == Kind::Request) {
      RequestHead& r = i.request;
      r.method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
      r.version_minor = p->http_minor;
      r.keep_alive = keep_alive;
      r.upgrade = p->upgrade != 0;
      r.chunked = chunked;
      r.content_length = length;
      if (const std::string* expect = r.headers.get("expect")) {
        r.expect_continue = equalsIgnoreCase(*expect, "100-continue");
      }
      // A Transfer-Encoding that is not chunked-last leaves the length undefined: reject it.
      if ((p->flags & F_TRANSFER_ENCODING) && !chunked) {
        return fail(p, 400, "http1.invalid_transfer_encoding", "Transfer-Encoding without final chunked");
      }
      s.callbacks_.onRequestHead(std::move(r));
      return 0;
    }
    ResponseHead& r = i.response;
    r.status = p->status_code;
    r.version_minor = p->http_minor;
    r.keep_alive = keep_alive;
    r.chunked = chunked;
    r.content_length = length;
    s.callbacks_.onResponseHead(std::move(r));
    return s.response_to_head_ ? 1 : 0;  // 1: this message has no body
  }

  static int onBody(llhttp_t* p, const char* at, size_t n) {
    self(p).callbacks_.onBody(std::string_view(at, n));
    return HPE_OK;
  }

  static int onMessageComplete(llhttp_t* p) {
    Http1Parser& s = self(p);
    Impl& i = impl(p);
    s.in_message_ = false;
    if (!i.trailers.empty()) {
      // Framing fields have no meaning in a trailer section (RFC 9110 6.5.1): never pass them on.
      i.trailers.remove("content-length");
      i.trailers.remove("transfer-encoding");
      i.trailers.remove("host");
      HeaderMap trailers = std::move(i.trailers);
      i.trailers.clear();
      if (!trailers.empty()) s.callbacks_.onTrailers(std::move(trailers));
    }
    s.callbacks_.onMessageComplete();
    // Stop after each message so pipelined requests are served one at a time. An upgrade is
    // left to llhttp, which then stops with HPE_PAUSED_UPGRADE.
    return p->upgrade ? HPE_OK : HPE_PAUSED;
  }
};

Http1Parser::Http1Parser(Kind kind, Callbacks& callbacks, Limits limits)
    : kind_(kind), callbacks_(callbacks), limits_(limits), impl_(std::make_unique<Impl>()) {
  Impl& i = *impl_;
  llhttp_settings_init(&i.settings);
  i.settings.on_message_begin = &Impl::onMessageBegin;
  i.settings.on_url = &Impl::onUrl;
  i.settings.on_status = &Impl::onStatus;
  i.settings.on_header_field = &Impl::onHeaderField;
  i.settings.on_header_value = &Impl::onHeaderValue;
  i.settings.on_header_value_complete = &Impl::onHeaderValueComplete;
  i.settings.on_headers_complete = &Impl::onHeadersComplete;
  i.settings.on_body = &Impl::onBody;
  i.settings.on_message_complete = &Impl::onMessageComplete;
  llhttp_init(&i.parser, kind == Kind::Request ? HTTP_REQUEST : HTTP_RESPONSE, &i.settings);
  i.parser.data = &i;
  i.owner = this;
  // Every lenient mode stays off (llhttp's default): CL+TE, bad chunk sizes and invalid header
  // characters are errors, which is what keeps request smuggling out.
}

Http1Parser::~Http1Parser() = default;

static CodecError mapError(llhttp_errno_t err, const char* reason, bool request) {
  const char* details = "http1.codec_error";
  switch (err) {
    case HPE_INVALID_METHOD: details = "http1.invalid_method"; break;
    case HPE_INVALID_HEADER_TOKEN: details = "http1.invalid_characters"; break;
    case HPE_INVALID_CHUNK_SIZE: details = "http1.invalid_chunk_size"; break;
    case HPE_UNEXPECTED_CONTENT_LENGTH: details = "http1.content_length_and_chunked_not_allowed"; break;
    case HPE_INVALID_CONTENT_LENGTH: details = "http1.invalid_content_length"; break;
    case HPE_INVALID_TRANSFER_ENCODING: details = "http1.invalid_transfer_encoding"; break;
    case HPE_INVALID_VERSION: details = "http1.invalid_version"; break;
    case HPE_INVALID_URL: details = "http1.invalid_url"; break;
    default: break;
  }
  if (!request) details = "upstream_protocol_error";
  return CodecError{request ? 400 : 502, details, reason ? reason : llhttp_errno_name(err)};
}

Http1Parser::Progress Http1Parser::feed(std::string_view data) {
  if (failed_) return {State::Error, 0};
  llhttp_t* p = &impl_->parser;
  impl_->feed_end = data.data() + data.size();
  llhttp_errno_t err = llhttp_execute(p, data.data(), data.size());
  auto consumedTo = [&]() {
    const char* pos = llhttp_get_error_pos(p);
    return pos ? static_cast<size_t>(pos - data.data()) : data.size();
  };
  switch (err) {
    case HPE_OK:
      return {State::NeedMore, data.size()};
    case HPE_PAUSED:
      return {State::MessageDone, consumedTo()};
    case HPE_PAUSED_UPGRADE:
      return {State::Upgrade, consumedTo()};
    case HPE_USER:
      failed_ = true;
      return {State::Error, consumedTo()};
    default:
      failed_ = true;
      if (!rejected_by_callback_) error_ = mapError(err, llhttp_get_error_reason(p), kind_ == Kind::Request);
      return {State::Error, consumedTo()};
  }
}

void Http1Parser::resume() {
  if (llhttp_get_errno(&impl_->parser) == HPE_PAUSED) llhttp_resume(&impl_->parser);
}

Http1Parser::State Http1Parser::finish() {
  if (failed_) return State::Error;
  bool was_in_message = in_message_;
  llhttp_errno_t err = llhttp_finish(&impl_->parser);
  if (err == HPE_OK || err == HPE_PAUSED) {
    return was_in_message && !in_message_ ? State::MessageDone : State::NeedMore;
  }
  failed_ = true;
  if (rejected_by_callback_) return State::Error;
  error_ = mapError(err, llhttp_get_error_reason(&impl_->parser), kind_ == Kind::Request);
  if (kind_ == Kind::Response) error_.details = "upstream_reset_before_response_completed";
  return State::Error;
}

}  // namespace wasmgate::gateway
