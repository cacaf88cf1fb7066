// Integration tests of `.dns` service re-resolution through the real `wasmgate run` binary. The
// test process moves into a private mount namespace and bind-mounts a hosts file of its own over
// /etc/hosts; the gateway it starts inherits that view, so flipping the file's address between
// 127.0.0.1 and 127.0.0.2 changes what the service's name resolves to, and an upstream listening
// on both addresses tells which one each request reached. Needs CAP_SYS_ADMIN (root); skipped
// otherwise. The machine's own /etc/hosts is never touched.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

const char kName[] = "backend.wasmgate.test";

// /etc/hosts replaced, for this process and its children only, by a file the test rewrites.
class PrivateHosts {
 public:
  // Empty string: ready; else why not (the test is then skipped).
  std::string enter() {
    char tmpl[] = "/tmp/wasmgate-hosts-XXXXXX";
    if (!::mkdtemp(tmpl)) return "mkdtemp failed";
    path_ = std::string(tmpl) + "/hosts";
    if (!write("127.0.0.1")) return "cannot write " + path_;
    if (::unshare(CLONE_NEWNS) != 0) return std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
    // Private first, so the bind mount below cannot propagate back to the machine's namespace.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      return std::string("making / private: ") + std::strerror(errno);
    }
    if (::mount(path_.c_str(), "/etc/hosts", nullptr, MS_BIND, nullptr) != 0) {
      return std::string("bind mount over /etc/hosts: ") + std::strerror(errno);
    }
    mounted_ = true;
    return "";
  }
  ~PrivateHosts() {
    if (mounted_) ::umount2("/etc/hosts", MNT_DETACH);
  }
  // Points kName at `address` (always 9 characters), rewriting the file in place with one
  // write of the same length, so a concurrent lookup never sees it empty or half written.
  bool write(const std::string& address) {
    std::string text = address + " " + kName + "\n127.0.0.1 localhost\n";
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT, 0644);
    if (fd < 0) return false;
    bool ok = ::pwrite(fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size());
    ::close(fd);
    return ok;
  }

 private:
  std::string path_;
  bool mounted_ = false;
};

// Listens on 127.0.0.1:P and 127.0.0.2:P; answers every request with the local address the
// connection arrived on.
class TwoAddressUpstream {
 public:
  TwoAddressUpstream() {
    for (int attempt = 0; attempt < 20 && fds_.size() < 2; ++attempt) {
      closeAll();
      port_ = freePort();
      for (const char* ip : {"127.0.0.1", "127.0.0.2"}) {
        int fd = listenOn(ip, port_);
        if (fd >= 0) fds_.push_back(fd);
      }
    }
    if (fds_.size() == 2) accept_thread_ = std::thread([this] { acceptLoop(); });
  }
  ~TwoAddressUpstream() {
    stop_ = true;
    if (accept_thread_.joinable()) accept_thread_.join();
    for (auto& t : handlers_) t.join();
    closeAll();
  }
  bool listening() const { return fds_.size() == 2; }
  int port() const { return port_; }

 private:
  static int listenOn(const char* ip, int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, ip, &addr.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  void closeAll() {
    for (int fd : fds_) ::close(fd);
    fds_.clear();
  }
  void acceptLoop() {
    while (!stop_) {
      pollfd p[2] = {{fds_[0], POLLIN, 0}, {fds_[1], POLLIN, 0}};
      if (::poll(p, 2, 50) <= 0) continue;
      for (const pollfd& ready : p) {
        if (!(ready.revents & POLLIN)) continue;
        int fd = ::accept(ready.fd, nullptr, nullptr);
        if (fd >= 0) handlers_.emplace_back([fd] { answerWithLocalAddress(fd); });
      }
    }
  }
  static void answerWithLocalAddress(int fd) {
    sockaddr_in local{};
    socklen_t len = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
    char ip[INET_ADDRSTRLEN] = "";
    ::inet_ntop(AF_INET, &local.sin_addr, ip, sizeof ip);
    std::string body = ip;
    while (!ScriptedUpstream::readRequest(fd, 3000).empty()) {
      ScriptedUpstream::writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(body.size()) +
                                         "\r\n\r\n" + body);
    }
    ::close(fd);
  }

  std::vector<int> fds_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  std::vector<std::thread> handlers_;
};

class GatewayDnsRefresh : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = hosts_.enter(); !why.empty()) GTEST_SKIP() << "no private /etc/hosts: " << why;
    ASSERT_TRUE(upstream_.listening()) << "cannot listen on 127.0.0.1 and 127.0.0.2 with one port";
  }

  std::string config(const std::string& dns_refresh) {
    std::string service = "outbound|" + std::to_string(upstream_.port()) + "||" + kName + ".dns";
    return gatewayConfig(port_, admin_,
                         "routes:\n  - name: default/dns\n    match: {prefix: /}\n    service: '" + service + "'\n"
                         "services:\n  - name: '" + service + "'\n    dns_refresh: " + dns_refresh + "\n");
  }

  // The address the next request reaches ("" when it fails).
  std::string reached() {
    HttpResponse r = httpGet(port_, "/which");
    return r.ok && r.status == 200 ? r.body : "";
  }

  // Sends requests until one reaches `address`, for up to `limit`.
  bool eventuallyReaches(const std::string& address, Clock::duration limit) {
    auto deadline = Clock::now() + limit;
    while (reached() != address) {
      if (Clock::now() >= deadline) return false;
      usleep(50000);
    }
    return true;
  }

  PrivateHosts hosts_;
  TwoAddressUpstream upstream_;
  int port_ = freePort(), admin_ = freePort();
  GatewayProcess gw_;
};

TEST_F(GatewayDnsRefresh, NameIsResolvedAgainEveryDnsRefresh) {
  ASSERT_TRUE(gw_.start(config("200ms"), 1)) << gw_.logs();
  ASSERT_EQ(reached(), "127.0.0.1") << gw_.logs();

  ASSERT_TRUE(hosts_.write("127.0.0.2"));
  EXPECT_TRUE(eventuallyReaches("127.0.0.2", seconds(10))) << "the new address was never picked up\n" << gw_.logs();
  // A second change is picked up too: the refresh is periodic, not a one-off retry.
  ASSERT_TRUE(hosts_.write("127.0.0.1"));
  EXPECT_TRUE(eventuallyReaches("127.0.0.1", seconds(10))) << gw_.logs();
  // Each change of the address set is logged (at debug level, which the harness config sets).
  std::string port = std::to_string(upstream_.port());
  EXPECT_NE(gw_.logs().find(std::string(kName) + " resolved to 127.0.0.2:" + port), std::string::npos) << gw_.logs();
}

TEST_F(GatewayDnsRefresh, AddressIsKeptUntilTheNextRefresh) {
  ASSERT_TRUE(gw_.start(config("1h"), 1)) << gw_.logs();
  ASSERT_EQ(reached(), "127.0.0.1") << gw_.logs();
  ASSERT_TRUE(hosts_.write("127.0.0.2"));
  // Requests do not resolve the name themselves: within the hour the old address stays.
  auto until = Clock::now() + std::chrono::milliseconds(1500);
  while (Clock::now() < until) ASSERT_EQ(reached(), "127.0.0.1");
  // Whereas a reload builds new clusters, which resolve at once: the gateway does see the file.
  gw_.rewriteConfig(config("59m"));
  gw_.sighup();
  EXPECT_TRUE(eventuallyReaches("127.0.0.2", seconds(10))) << gw_.logs();
}

}  // namespace
}  // namespace wasmgate::test
