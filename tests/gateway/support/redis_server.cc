#include "tests/gateway/support/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "gateway/redis/resp_splitter.h"
#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::testing {

std::string respCommand(const std::vector<std::string>& args) {
  std::string out;
  out.append("*").append(std::to_string(args.size())).append("\r\n");
  for (const auto& arg : args) {
    out.append("$").append(std::to_string(arg.size())).append("\r\n").append(arg).append("\r\n");
  }
  return out;
}

RedisServer::RedisServer(std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)), port_(test::freePort()) {}

RedisServer::~RedisServer() { stop(); }

bool RedisServer::start() {
  if (running()) return true;
  std::vector<std::string> args = {"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                   "--save", "", "--appendonly", "no", "--daemonize", "no",
                                   "--dir", "/tmp", "--loglevel", "warning", "--logfile", "/dev/null"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("redis-server", argv.data());
    ::_exit(127);
  }
  for (int i = 0; i < 500; ++i) {
    int fd = test::connectLocal(port_);
    if (fd >= 0) {
      ::close(fd);
      return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "redis-server exited during start-up (status " + std::to_string(status) + ")";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  error_ = "redis-server did not listen on port " + std::to_string(port_) + " within 5 s";
  stop();
  return false;
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string RedisServer::command(const std::vector<std::vector<std::string>>& commands) const {
  int fd = test::connectLocal(port_);
  if (fd < 0) return "";
  std::string out;
  for (const auto& c : commands) out += respCommand(c);
  if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) {
    ::close(fd);
    return "";
  }
  gateway::redis::RespSplitter splitter;
  std::vector<std::string> replies;
  char buf[4096];
  while (replies.size() < commands.size()) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0 || !splitter.feed(std::string_view(buf, static_cast<size_t>(n)), &replies)) break;
  }
  ::close(fd);
  return replies.size() == commands.size() ? replies.back() : "";
}

}  // namespace wasmgate::testing
