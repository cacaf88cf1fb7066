#include "tests/gateway/support/gateway_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include "gateway/http/parser.h"

namespace wasmgate::test {

using Clock = std::chrono::steady_clock;

namespace {

bool canBindLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

// Ports come from below the kernel's ephemeral range (32768+ here), so a port handed out and
// then released cannot be taken by an outgoing connection before the server under test binds
// it. Each process walks the range from its own pseudo-random start, and never hands out a port
// twice, so tests running side by side under ctest -j rarely meet.
int freePort() {
  constexpr int kFirst = 20000, kCount = 12000;
  static std::mutex mutex;
  static unsigned next = static_cast<unsigned>(::getpid()) * 2654435761u ^
                         static_cast<unsigned>(Clock::now().time_since_epoch().count());
  std::lock_guard<std::mutex> lock(mutex);
  for (int tries = 0; tries < kCount; ++tries) {
    int port = kFirst + static_cast<int>(next++ % kCount);
    if (canBindLoopback(port)) return port;
  }
  return 0;
}

int connectLocal(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Reads what is available within the deadline: >0 bytes, 0 on EOF, -1 on timeout/error.
static ssize_t readSome(int fd, std::string& out, Clock::time_point deadline) {
  int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
  if (left <= 0) return -1;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, left) <= 0) return -1;
  char buf[65536];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n > 0) out.append(buf, static_cast<size_t>(n));
  return n < 0 ? -1 : n;
}

RawClient::RawClient(int port) : fd_(connectLocal(port)) {}
RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawClient::send(const std::string& bytes) {
  return fd_ >= 0 && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

namespace {
struct ResponseCollector : gateway::Http1Parser::Callbacks {
  HttpResponse* out;
  bool done = false;
  void onResponseHead(gateway::ResponseHead&& head) override {
    out->status = head.status;
    out->headers = std::move(head.headers);
  }
  void onBody(std::string_view chunk) override { out->body.append(chunk); }
  void onMessageComplete() override { done = true; }
};
}  // namespace

HttpResponse RawClient::readResponse(int timeout_ms, bool head_request) {
  HttpResponse response;
  if (fd_ < 0) return response;
  ResponseCollector collector;
  collector.out = &response;
  gateway::Http1Parser parser(gateway::Http1Parser::Kind::Response, collector);
  parser.expectNoBody(head_request);
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (!buffered_.empty()) {
      auto progress = parser.feed(buffered_);
      buffered_.erase(0, progress.consumed);
      if (progress.state == gateway::Http1Parser::State::Error) return response;
      if (collector.done) {
        response.ok = true;
        return response;
      }
    }
    ssize_t n = readSome(fd_, buffered_, deadline);
    if (n == 0) {
      if (parser.finish() == gateway::Http1Parser::State::MessageDone) response.ok = true;
      return response;
    }
    if (n < 0) return response;
  }
}

std::string RawClient::readAll(int timeout_ms) {
  std::string out = std::move(buffered_);
  buffered_.clear();
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (readSome(fd_, out, deadline) > 0) {
  }
  return out;
}

bool RawClient::closedByPeer(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string ignored;
  while (true) {
    ssize_t n = readSome(fd_, ignored, deadline);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

HttpResponse httpGet(int port, const std::string& path, const std::string& extra_headers) {
  RawClient c(port);
  c.send("GET " + path + " HTTP/1.1\r\nHost: test.local\r\n" + extra_headers + "\r\n");
  return c.readResponse();
}

static std::string makeTempDir() {
  char tmpl[] = "/tmp/wasmgate-test-XXXXXX";
  return ::mkdtemp(tmpl) ? std::string(tmpl) : std::string("/tmp");
}

GatewayProcess::~GatewayProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

bool GatewayProcess::start(const std::string& yaml, int workers) {
  dir_ = makeTempDir();
  config_path_ = dir_ + "/gateway.yaml";
  rewriteConfig(yaml);
  std::string log = dir_ + "/gateway.log";
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::string w = std::to_string(workers);
    if (workers > 0) {
      ::execl(WASMGATE_BINARY, WASMGATE_BINARY, "run", "--config", config_path_.c_str(), "--workers", w.c_str(),
              static_cast<char*>(nullptr));
    } else {
      ::execl(WASMGATE_BINARY, WASMGATE_BINARY, "run", "--config", config_path_.c_str(), static_cast<char*>(nullptr));
    }
    ::_exit(127);
  }
  // Ready when the admin port answers /ready (the admin address is in the YAML).
  size_t at = yaml.find("admin:");
  size_t colon = yaml.find("127.0.0.1:", at);
  int admin_port = std::atoi(yaml.c_str() + colon + 10);
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    HttpResponse r = httpGet(admin_port, "/ready");
    if (r.ok && r.status == 200) return true;
    ::usleep(20000);
  }
  return false;
}

void GatewayProcess::rewriteConfig(const std::string& yaml) {
  std::string tmp = config_path_ + ".tmp";
  std::ofstream(tmp) << yaml;
  ::rename(tmp.c_str(), config_path_.c_str());
}

void GatewayProcess::sighup() { ::kill(pid_, SIGHUP); }

int GatewayProcess::terminate(int timeout_ms) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  return waitExit(timeout_ms);
}

int GatewayProcess::waitExit(int timeout_ms) {
  if (pid_ <= 0) return -1;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    ::usleep(10000);
  }
  return -1;
}

std::string GatewayProcess::logs() const {
  std::ifstream in(dir_ + "/gateway.log");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ScriptedUpstream::ScriptedUpstream(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  ::listen(listen_fd_, 64);
  thread_ = std::thread([this] {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++connections_;
      handlers_.emplace_back([this, fd] {
        handler_(fd);
        ::close(fd);
      });
    }
  });
}

ScriptedUpstream::~ScriptedUpstream() {
  stop_ = true;
  thread_.join();
  for (auto& t : handlers_) t.join();
  ::close(listen_fd_);
}

std::string ScriptedUpstream::readRequest(int fd, int timeout_ms) {
  std::string data;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (data.find("\r\n\r\n") == std::string::npos) {
    if (readSome(fd, data, deadline) <= 0) return data;
  }
  size_t head_end = data.find("\r\n\r\n") + 4;
  std::string lower = gateway::toLower(data.substr(0, head_end));
  size_t cl = lower.find("content-length:");
  if (cl != std::string::npos) {
    size_t want = head_end + std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
    while (data.size() < want && readSome(fd, data, deadline) > 0) {
    }
  } else if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    while (data.find("\r\n0\r\n\r\n", head_end - 2) == std::string::npos && readSome(fd, data, deadline) > 0) {
    }
  }
  return data;
}

void ScriptedUpstream::writeAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

void ScriptedUpstream::answerHello(int fd) {
  while (!readRequest(fd, 3000).empty()) writeAll(fd, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello");
}

NginxUpstream::~NginxUpstream() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
}

bool NginxUpstream::start(const std::string& server_block_body) {
  if (::access("/usr/sbin/nginx", X_OK) != 0) return false;
  dir_ = makeTempDir();
  port_ = freePort();
  std::ofstream(dir_ + "/nginx.conf")
      << "daemon off;\nworker_processes 1;\npid " << dir_ << "/nginx.pid;\nerror_log " << dir_
      << "/error.log;\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n  client_body_temp_path " << dir_
      << ";\n  proxy_temp_path " << dir_ << ";\n  fastcgi_temp_path " << dir_ << ";\n  uwsgi_temp_path " << dir_
      << ";\n  scgi_temp_path " << dir_ << ";\n  server {\n    listen 127.0.0.1:" << port_ << ";\n"
      << server_block_body << "\n  }\n}\n";
  pid_ = ::fork();
  if (pid_ == 0) {
    std::string conf = dir_ + "/nginx.conf";
    ::execl("/usr/sbin/nginx", "nginx", "-p", dir_.c_str(), "-c", conf.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    int fd = connectLocal(port_);
    if (fd >= 0) {
      ::close(fd);
      return true;
    }
    ::usleep(20000);
  }
  return false;
}

std::string gatewayConfig(int listen_port, int admin_port, const std::string& rest) {
  return "listeners:\n  - name: main\n    address: 127.0.0.1:" + std::to_string(listen_port) +
         "\nadmin:\n  address: 127.0.0.1:" + std::to_string(admin_port) + "\nlog_level: debug\n" + rest;
}

}  // namespace wasmgate::test
