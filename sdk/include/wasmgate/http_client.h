// Outbound HTTP calls to a cluster (Go: wasm-go pkg/wrapper http_wrapper.go):
//   auto client = wrapper::NewClusterClient(wrapper::FQDNCluster{.FQDN = "auth", .Port = 80});
//   client.Get("/check?u=1", {{"x-user", "a"}}, [](int status, const types::Headers& headers,
//              std::string_view body) { ...; proxywasm::ResumeHttpRequest(); }, 3000);
//
// Public header. The URL may be a path or "http://host/path"; the request's :authority is the
// URL host, else the cluster's HostName(), else "unknownhost". The default timeout is 500 ms.
// The callback gets the status (502 when the host delivered no :status, e.g. a reset; 500 when
// unparseable), the response headers and body, with the calling stream made effective again; it
// is skipped if that stream is gone. Single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <wasmgate/error.h>
#include <wasmgate/types.h>

namespace wasmgate::wrapper {

inline constexpr uint32_t kDefaultHttpTimeoutMs = 500;

using ResponseCallback =
    std::function<void(int statusCode, const types::Headers& responseHeaders, std::string_view responseBody)>;

// First value of header `name` (case-insensitive), or "" (Go http.Header.Get).
std::string_view GetHeaderValue(const types::Headers& headers, std::string_view name);

namespace internal {
Error DispatchClusterCall(const std::string& cluster, const std::string& hostName, std::string_view method,
                          std::string_view url, const types::Headers& headers, std::string_view body,
                          ResponseCallback callback, uint32_t timeoutMs);
}

class ClusterClient {
 public:
  // Any cluster type of <wasmgate/cluster.h> (or anything with ClusterName() and HostName()).
  template <typename Cluster>
  explicit ClusterClient(Cluster cluster)
      : clusterName_([cluster] { return cluster.ClusterName(); }), hostName_([cluster] { return cluster.HostName(); }) {}

  Error Get(std::string_view url, const types::Headers& headers, ResponseCallback cb,
            uint32_t timeoutMs = kDefaultHttpTimeoutMs) const {
    return Call("GET", url, headers, "", std::move(cb), timeoutMs);
  }
  Error Head(std::string_view url, const types::Headers& headers, ResponseCallback cb,
             uint32_t timeoutMs = kDefaultHttpTimeoutMs) const {
    return Call("HEAD", url, headers, "", std::move(cb), timeoutMs);
  }
  Error Options(std::string_view url, const types::Headers& headers, ResponseCallback cb,
                uint32_t timeoutMs = kDefaultHttpTimeoutMs) const {
    return Call("OPTIONS", url, headers, "", std::move(cb), timeoutMs);
  }
  Error Post(std::string_view url, const types::Headers& headers, std::string_view body, ResponseCallback cb,
             uint32_t timeoutMs = kDefaultHttpTimeoutMs) const {
    return Call("POST", url, headers, body, std::move(cb), timeoutMs);
  }
  Error Put(std::string_view url, const types::Headers& headers, std::string_view body, ResponseCallback cb,
            uint32_t timeoutMs = kDefaultHttpTimeoutMs) const {
    return Call("PUT", url, headers, body, std::move(cb), timeoutMs);
  }
  Error Patch(std::string_view url, const types::Headers& headers, std::string_view body, ResponseCallback cb,
              uint32_t timeoutMs = kDefaultHttpTimeoutMs) const {
    return Call("PATCH", url, headers, body, std::move(cb), timeoutMs);
  }
  Error Delete(std::string_view url, const types::Headers& headers, std::string_view body, ResponseCallback cb,
               uint32_t timeoutMs = kDefaultHttpTimeoutMs) const {
    return Call("DELETE", url, headers, body, std::move(cb), timeoutMs);
  }
  Error Connect(std::string_view url, const types::Headers& headers, std::string_view body, ResponseCallback cb,
                uint32_t timeoutMs = kDefaultHttpTimeoutMs) const {
    return Call("CONNECT", url, headers, body, std::move(cb), timeoutMs);
  }
  Error Trace(std::string_view url, const types::Headers& headers, std::string_view body, ResponseCallback cb,
              uint32_t timeoutMs = kDefaultHttpTimeoutMs) const {
    return Call("TRACE", url, headers, body, std::move(cb), timeoutMs);
  }
  Error Call(std::string_view method, std::string_view url, const types::Headers& headers, std::string_view body,
             ResponseCallback cb, uint32_t timeoutMs = kDefaultHttpTimeoutMs) const {
    return internal::DispatchClusterCall(clusterName_(), hostName_(), method, url, headers, body, std::move(cb),
                                         timeoutMs);
  }

  std::string ClusterName() const { return clusterName_(); }
  std::string HostName() const { return hostName_(); }

 private:
  std::function<std::string()> clusterName_;
  std::function<std::string()> hostName_;
};

template <typename Cluster>
ClusterClient NewClusterClient(Cluster cluster) {
  return ClusterClient(std::move(cluster));
}

// One call without keeping a client (Go wrapper.HttpCall).
template <typename Cluster>
Error HttpCall(const Cluster& cluster, std::string_view method, std::string_view url, const types::Headers& headers,
               std::string_view body, ResponseCallback cb, uint32_t timeoutMs = kDefaultHttpTimeoutMs) {
  return internal::DispatchClusterCall(cluster.ClusterName(), cluster.HostName(), method, url, headers, body,
                                       std::move(cb), timeoutMs);
}

}  // namespace wasmgate::wrapper
