// Cluster HTTP calls; see <wasmgate/http_client.h>.
#include <wasmgate/http_client.h>

#include <wasmgate/log.h>
#include <wasmgate/proxywasm/host.h>

#include "url.h"

namespace wasmgate::wrapper {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? char(a[i] + 32) : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? char(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

int statusOf(const types::Headers& headers) {
  for (const auto& [k, v] : headers) {
    if (k != ":status") continue;
    long long code;
    return format::ParseInt(v, &code) && code >= 0 && code < 1000 ? static_cast<int>(code) : 500;
  }
  return 502;  // no answer at all (e.g. connection reset)
}

}  // namespace

std::string_view GetHeaderValue(const types::Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (equalsIgnoreCase(k, name)) return v;
  }
  return {};
}

namespace internal {

Error DispatchClusterCall(const std::string& cluster, const std::string& hostName, std::string_view method,
                          std::string_view url, const types::Headers& headers, std::string_view body,
                          ResponseCallback callback, uint32_t timeoutMs) {
  wasmgate::internal::SplitUrl target;
  if (!wasmgate::internal::ParseUrl(url, /*keepFragment=*/false, &target)) {
    return Errorf("http call to %s: invalid url %q", cluster, url);
  }
  std::string authority = !target.host.empty() ? target.host : !hostName.empty() ? hostName : "unknownhost";
  types::Headers request;
  request.reserve(headers.size() + 3);
  for (const auto& h : headers) {
    if (equalsIgnoreCase(h.first, ":method") || equalsIgnoreCase(h.first, ":path") ||
        equalsIgnoreCase(h.first, ":authority")) {
      continue;
    }
    request.push_back(h);
  }
  request.emplace_back(":method", std::string(method));
  request.emplace_back(":path", target.path);
  request.emplace_back(":authority", authority);
  auto onResponse = [callback = std::move(callback), cluster](uint32_t, uint32_t bodySize, uint32_t) {
    auto responseHeaders = proxywasm::GetHttpCallResponseHeaders();
    auto responseBody = proxywasm::GetHttpCallResponseBody(0, bodySize);
    int status = statusOf(responseHeaders.value);
    log::Debugf("http call to %s answered with status %d, %d body bytes", cluster, status, responseBody.value.size());
    if (callback) callback(status, responseHeaders.value, responseBody.value);
  };
  auto token = proxywasm::DispatchHttpCall(cluster, request, body, {}, timeoutMs, std::move(onResponse));
  if (!token.ok()) return Errorf("http call to %s failed: %v", cluster, token.status);
  log::Debugf("http call to %s dispatched: %s %s (token %d)", cluster, method, target.path, token.value);
  return {};
}

}  // namespace internal
}  // namespace wasmgate::wrapper
