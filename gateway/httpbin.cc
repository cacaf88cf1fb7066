#include "gateway/httpbin.h"

#include <charconv>
#include <random>

#include <nlohmann/json.hpp>

namespace wasmgate::gateway {

namespace {

constexpr size_t kMaxBody = 10 * 1024 * 1024;
using Json = nlohmann::json;

std::string percentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() + 0 && i + 2 <= s.size() - 1) {
      int v = 0;
      auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && end == s.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
      } else {
        out.push_back('%');
      }
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// "a=1&b=2&a=3" -> {"a": ["1", "3"], "b": "2"} (httpbin's shape: repeated keys become lists).
Json parseForm(std::string_view text) {
  Json out = Json::object();
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = percentDecode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : percentDecode(pair.substr(eq + 1));
    if (!out.contains(key)) {
      out[key] = value;
    } else if (out[key].is_array()) {
      out[key].push_back(value);
    } else {
      out[key] = Json::array({out[key], value});
    }
  }
  return out;
}

// "x-request-id" -> "X-Request-Id", as httpbin shows header names.
std::string titleCase(std::string_view name) {
  std::string out(name);
  bool upper = true;
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    upper = c == '-';
  }
  return out;
}

bool parseCount(std::string_view text, long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

}  // namespace

HttpbinExchange::HttpbinExchange(Dispatcher& dispatcher, FilterCallbacks& callbacks, const RequestHead& request)
    : HttpbinExchange(dispatcher,
                      HttpbinResponder{
                          [&callbacks](ResponseHead&& head, bool end) { callbacks.encodeHeaders(std::move(head), end); },
                          [&callbacks](std::string_view data, bool end) { callbacks.encodeData(data, end); },
                          [&callbacks](int status, std::string_view body, std::string_view details) {
                            callbacks.sendLocalReply(status, body, details);
                          }},
                      request) {}

HttpbinExchange::HttpbinExchange(Dispatcher& dispatcher, HttpbinResponder responder, const RequestHead& request)
    : dispatcher_(dispatcher), responder_(std::move(responder)), request_(request) {}

void HttpbinExchange::onRequestData(std::string_view data, bool end_stream) {
  if (body_.size() + data.size() > kMaxBody) {
    truncated_ = true;
  } else {
    body_.append(data);
  }
  if (!end_stream) return;
  std::string_view path = request_.path();
  long seconds = 0;
  if (path.substr(0, 7) == "/delay/" && parseCount(path.substr(7), seconds)) {
    delay_ = std::make_unique<Timer>(dispatcher_.loop(), [this] { respond(); });
    delay_->start(static_cast<uint64_t>(std::min(seconds, 10L)) * 1000);
    return;
  }
  respond();
}

void HttpbinExchange::sendJson(int status, const std::string& json) {
  ResponseHead head;
  head.status = status;
  head.headers.add("content-type", "application/json");
  head.headers.add("content-length", std::to_string(json.size()));
  head.headers.add("access-control-allow-origin", "*");
  responder_.headers(std::move(head), json.empty());
  if (!json.empty()) responder_.data(json, true);
}

void HttpbinExchange::respond() {
  if (truncated_) {
    responder_.local_reply(413, "request body too large for the built-in httpbin", "httpbin_body_too_large");
    return;
  }
  const std::string path(request_.path());
  const std::string& method = request_.method;
  Json headers = Json::object();
  for (const auto& [name, value] : request_.headers.entries()) {
    std::string key = titleCase(name);
    headers[key] = headers.contains(key) ? headers[key].get<std::string>() + "," + value : value;
  }
  const std::string* xff = request_.headers.get("x-forwarded-for");
  Json origin = xff ? *xff : std::string();
  std::string url = "http://" + request_.authority() + request_.target;
  Json args = parseForm(request_.query());
  auto withBody = [&](Json& j) {
    const std::string* type = request_.headers.get("content-type");
    bool form = type && type->find("application/x-www-form-urlencoded") != std::string::npos;
    j["data"] = form ? "" : body_;
    j["form"] = form ? parseForm(body_) : Json::object();
    j["files"] = Json::object();
    Json parsed = Json::parse(body_, nullptr, false);
    j["json"] = parsed.is_discarded() ? Json(nullptr) : parsed;
  };
  auto dump = [](const Json& j) { return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n"; };

  auto methodIs = [&](const char* m) { return method == m; };
  if (path == "/get" || path.rfind("/delay/", 0) == 0) {
    if (!methodIs("GET") && !methodIs("HEAD") && path == "/get") return responder_.local_reply(405, "", "httpbin_method_not_allowed");
    return sendJson(200, dump({{"args", args}, {"headers", headers}, {"origin", origin}, {"url", url}}));
  }
  if (path == "/post" || path == "/put" || path == "/patch" || path == "/delete") {
    std::string expected = path.substr(1);
    for (char& c : expected) c = static_cast<char>(c - 'a' + 'A');
    if (method != expected) return responder_.local_reply(405, "", "httpbin_method_not_allowed");
    Json j = {{"args", args}, {"headers", headers}, {"origin", origin}, {"url", url}};
    withBody(j);
    return sendJson(200, dump(j));
  }
  if (path == "/anything" || path.rfind("/anything/", 0) == 0) {
    Json j = {{"args", args}, {"headers", headers}, {"origin", origin}, {"url", url}, {"method", method}};
    withBody(j);
    return sendJson(200, dump(j));
  }
  if (path == "/headers") return sendJson(200, dump({{"headers", headers}}));
  if (path == "/ip") return sendJson(200, dump({{"origin", origin}}));
  if (path == "/user-agent") return sendJson(200, dump({{"user-agent", headers.value("User-Agent", "")}}));
  long n = 0;
  if (path.rfind("/status/", 0) == 0 && parseCount(std::string_view(path).substr(8), n) && n >= 100 && n < 600) {
    ResponseHead head;
    head.status = static_cast<int>(n);
    head.headers.add("content-length", "0");
    return responder_.headers(std::move(head), true);
  }
  if (path.rfind("/bytes/", 0) == 0 && parseCount(std::string_view(path).substr(7), n)) {
    std::string bytes(static_cast<size_t>(std::min(n, 10L * 1024 * 1024)), '\0');
    std::mt19937 rng{std::random_device{}()};
    for (char& c : bytes) c = static_cast<char>(rng());
    ResponseHead head;
    head.headers.add("content-type", "application/octet-stream");
    head.headers.add("content-length", std::to_string(bytes.size()));
    responder_.headers(std::move(head), bytes.empty());
    if (!bytes.empty()) responder_.data(bytes, true);
    return;
  }
  if (path.rfind("/stream/", 0) == 0 && parseCount(std::string_view(path).substr(8), n)) {
    // One JSON document per line, each its own chunk (no content-length: chunked to the client).
    ResponseHead head;
    head.headers.add("content-type", "application/json");
    long lines = std::min(n, 100L);
    responder_.headers(std::move(head), lines == 0);
    for (long i = 0; i < lines; ++i) {
      Json j = {{"id", i}, {"args", args}, {"headers", headers}, {"origin", origin}, {"url", url}};
      responder_.data(j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n", i + 1 == lines);
    }
    return;
  }
  responder_.local_reply(404, "httpbin: no such endpoint\n", "httpbin_not_found");
}

}  // namespace wasmgate::gateway
