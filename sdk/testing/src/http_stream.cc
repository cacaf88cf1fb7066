// HttpStream: the test's side of a simulated request. The callbacks go through StreamState and
// end with HostState::pump(), so resumes the plugin asked for are applied before the test looks.
#include <wasmgate/testing/http_stream.h>

#include <algorithm>

#include "host_state.h"
#include "stream_state.h"

namespace wasmgate::testing {
namespace {

// Envoy keeps pseudo-headers first; the default :authority goes after the test's ones.
Headers withAuthority(Headers headers, const std::string& authority) {
  if (findHeader(headers, ":authority")) return headers;
  auto first_regular = std::find_if(headers.begin(), headers.end(), [](const auto& h) { return !h.first.starts_with(':'); });
  headers.insert(first_regular, {":authority", authority});
  return headers;
}

void pump(StreamState& s) {
  if (s.host != nullptr) s.host->pump();
}

}  // namespace

HttpStream::HttpStream(std::unique_ptr<StreamState> state) : state_(std::move(state)) {}
HttpStream::HttpStream(HttpStream&&) noexcept = default;
HttpStream& HttpStream::operator=(HttpStream&&) noexcept = default;

HttpStream::~HttpStream() {
  if (state_ && state_->host != nullptr && state_->id != 0 && !state_->finished) (void)state_->complete();
}

HttpStream& HttpStream::setRouteName(std::string route) { return setProperty("route_name", std::move(route)); }
HttpStream& HttpStream::setClusterName(std::string cluster) { return setProperty("cluster_name", std::move(cluster)); }
HttpStream& HttpStream::setRequestId(std::string id) { return setProperty("x_request_id", std::move(id)); }

HttpStream& HttpStream::setAuthority(std::string authority) {
  state_->default_authority = std::move(authority);
  return *this;
}

HttpStream& HttpStream::setProperty(std::string_view path, std::string value) {
  state_->properties[std::string(path)] = std::move(value);
  return *this;
}

HttpStream& HttpStream::setProperty(std::initializer_list<std::string_view> path, std::string value) {
  state_->properties[joinPropertyPath(path)] = std::move(value);
  return *this;
}

HttpStream& HttpStream::setUpstreamHosts(Headers hosts) {
  state_->upstream_hosts = std::move(hosts);
  return *this;
}

HeaderAction HttpStream::requestHeaders(Headers headers, bool end_of_stream) {
  StreamState& s = *state_;
  s.request.msg.headers = withAuthority(lowerCaseKeys(std::move(headers)), s.default_authority);
  const HeaderAction action = s.runHeaders(s.request, true, end_of_stream);
  pump(s);
  return action;
}

DataAction HttpStream::requestBody(std::string_view chunk, bool end_of_stream) {
  const DataAction action = state_->feedBody(state_->request, true, chunk, end_of_stream);
  pump(*state_);
  return action;
}

TrailerAction HttpStream::requestTrailers(Headers trailers) {
  const TrailerAction action = state_->feedTrailers(state_->request, true, lowerCaseKeys(std::move(trailers)));
  pump(*state_);
  return action;
}

HeaderAction HttpStream::responseHeaders(Headers headers, bool end_of_stream) {
  StreamState& s = *state_;
  s.response.msg.headers = lowerCaseKeys(std::move(headers));
  const HeaderAction action = s.runHeaders(s.response, false, end_of_stream);
  pump(s);
  return action;
}

DataAction HttpStream::responseBody(std::string_view chunk, bool end_of_stream) {
  const DataAction action = state_->feedBody(state_->response, false, chunk, end_of_stream);
  pump(*state_);
  return action;
}

TrailerAction HttpStream::responseTrailers(Headers trailers) {
  const TrailerAction action = state_->feedTrailers(state_->response, false, lowerCaseKeys(std::move(trailers)));
  pump(*state_);
  return action;
}

Status HttpStream::complete() {
  Status done = state_->complete();
  pump(*state_);
  return done;
}

const Message& HttpStream::request() const { return state_->request.msg; }
const Message& HttpStream::response() const { return state_->response.msg; }
const std::optional<LocalResponse>& HttpStream::localResponse() const { return state_->local_response; }
bool HttpStream::requestHeld() const { return state_->request.held(); }
bool HttpStream::responseHeld() const { return state_->response.held(); }
bool HttpStream::requestContinued() const { return state_->request.continued; }
bool HttpStream::responseContinued() const { return state_->response.continued; }
bool HttpStream::closed() const { return state_->closed; }
const std::string& HttpStream::error() const { return state_->error; }

std::optional<std::string> HttpStream::property(std::string_view path) const {
  auto it = state_->properties.find(path);
  return it == state_->properties.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::optional<std::string> HttpStream::property(std::initializer_list<std::string_view> path) const {
  return property(std::string_view(joinPropertyPath(path)));
}

const std::vector<PropertyWrite>& HttpStream::propertyWrites() const { return state_->writes; }
const std::map<std::string, std::string>& HttpStream::traceSpanTags() const { return state_->span_tags; }
const std::optional<std::string>& HttpStream::upstreamOverrideHost() const { return state_->override_host; }
const std::string& HttpStream::injectedData() const { return state_->injected; }
uint32_t HttpStream::contextId() const { return state_->id; }

}  // namespace wasmgate::testing
