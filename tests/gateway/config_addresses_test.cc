// What each kind of address in the YAML accepts (docs/configuration.md, "Addresses"): listener
// and admin addresses take IPs or host names resolved at load; a .static service takes only
// IP:port endpoints; a DNS service takes a host name. Unit tests of the loader, plus the real
// binary started on `localhost` listener and admin addresses.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gateway/config_loader.h"
#include "tests/gateway/support/gateway_harness.h"

namespace wasmgate::gateway {
namespace {

const char* kService = "services: [{name: s, builtin: httpbin}]\n";

std::string loadError(const std::string& yaml, const HostResolver& resolve = resolveWithSystem) {
  auto c = parseConfig(yaml, "addr.yaml", resolve);
  return c.ok() ? "(loaded)" : c.message();
}

TEST(ConfigAddresses, LocalhostListenerAndAdminResolveAtLoad) {
  auto c = parseConfig(std::string("listeners: [{name: l, address: 'localhost:10000'}]\n"
                                   "admin: {address: 'localhost:15000'}\n") + kService,
                       "addr.yaml");
  ASSERT_TRUE(c.ok()) << c.message();
  // /etc/hosts lists 127.0.0.1 for localhost; IPv4 is preferred over ::1.
  EXPECT_EQ(c->listeners[0].address.host, "127.0.0.1");
  EXPECT_EQ(c->listeners[0].address.port, 10000);
  ASSERT_TRUE(c->has_admin);
  EXPECT_EQ(c->admin.str(), "127.0.0.1:15000");
}

TEST(ConfigAddresses, NumericAddressesNeverReachTheResolver) {
  std::vector<std::string> asked;
  HostResolver recording = [&](const std::string& host) -> Result<std::string> {
    asked.push_back(host);
    return std::string("10.9.8.7");
  };
  auto c = parseConfig(std::string("listeners:\n  - {address: '0.0.0.0:80'}\n  - {address: '[::1]:81'}\n"
                                   "  - {address: 'gw.internal:82'}\nadmin: {address: '127.0.0.1:90'}\n") + kService,
                       "addr.yaml", recording);
  ASSERT_TRUE(c.ok()) << c.message();
  EXPECT_EQ(asked, std::vector<std::string>{"gw.internal"});
  EXPECT_EQ(c->listeners[0].address.str(), "0.0.0.0:80");
  EXPECT_EQ(c->listeners[1].address.str(), "[::1]:81");
  EXPECT_EQ(c->listeners[2].address.str(), "10.9.8.7:82");
}

TEST(ConfigAddresses, ResolverMayAnswerIpv6) {
  HostResolver v6only = [](const std::string&) -> Result<std::string> { return std::string("::1"); };
  auto c = parseConfig(std::string("listeners: [{address: 'ip6-localhost:8080'}]\n") + kService, "addr.yaml", v6only);
  ASSERT_TRUE(c.ok()) << c.message();
  EXPECT_EQ(c->listeners[0].address.str(), "[::1]:8080");
}

TEST(ConfigAddresses, UnresolvableListenerNamesFileAndPath) {
  // .invalid is reserved (RFC 6761): never resolves, and resolvers answer it at once.
  std::string e = loadError(std::string("listeners: [{name: l, address: 127.0.0.1:1}, "
                                        "{name: m, address: 'no-such-host.invalid:8080'}]\n") + kService);
  EXPECT_NE(e.find("addr.yaml: listeners[1].address: cannot resolve host name 'no-such-host.invalid'"),
            std::string::npos) << e;
}

TEST(ConfigAddresses, UnresolvableAdminNamesFileAndPathAndCause) {
  HostResolver failing = [](const std::string&) -> Result<std::string> {
    return makeError("Temporary failure in name resolution");
  };
  std::string e = loadError(std::string("listeners: [{address: '127.0.0.1:1'}]\nadmin: {address: 'admin.lan:9901'}\n") +
                                kService,
                            failing);
  EXPECT_NE(e.find("addr.yaml: admin.address: cannot resolve host name 'admin.lan': "
                   "Temporary failure in name resolution"),
            std::string::npos) << e;
}

TEST(ConfigAddresses, HostNameStillNeedsAPort) {
  std::string e = loadError(std::string("listeners: [{address: localhost}]\n") + kService);
  EXPECT_NE(e.find("addr.yaml: listeners[0].address: missing port in 'localhost'"), std::string::npos) << e;
}

TEST(ConfigAddresses, StaticServiceRejectsHostNamesAndSuggestsDns) {
  std::string e = loadError(
      "listeners: [{address: '127.0.0.1:1'}]\n"
      "services:\n  - name: 'outbound|8080||api.static'\n    endpoints: ['127.0.0.1:8080', 'localhost:8081']\n");
  EXPECT_NE(e.find("addr.yaml: services[0].endpoints[1]: 'localhost' is a host name, but a static service takes only "
                   "IP:port endpoints; use a DNS service"),
            std::string::npos) << e;
  EXPECT_NE(e.find("outbound|PORT||NAME.dns"), std::string::npos) << e;
  EXPECT_EQ(e.find("endpoints[0]"), std::string::npos) << e;
}

TEST(ConfigAddresses, StaticServiceTakesIpv4AndIpv6WithPortFromName) {
  auto c = parseConfig("listeners: [{address: '127.0.0.1:1'}]\n"
                       "services:\n  - name: 'outbound|8080||api.static'\n"
                       "    endpoints: ['10.0.0.1', '[fd00::1]:9090', '10.0.0.2:81']\n",
                       "addr.yaml");
  ASSERT_TRUE(c.ok()) << c.message();
  const auto& eps = c->services[0].endpoints;
  ASSERT_EQ(eps.size(), 3u);
  EXPECT_EQ(eps[0].str(), "10.0.0.1:8080");
  EXPECT_EQ(eps[1].str(), "[fd00::1]:9090");
  EXPECT_EQ(eps[2].str(), "10.0.0.2:81");
}

TEST(ConfigAddresses, DnsServicesKeepTheNameForPeriodicResolution) {
  // A DNS service is resolved by the upstream cluster (and re-resolved), not at load.
  HostResolver refusing = [](const std::string& host) -> Result<std::string> {
    return makeError("the loader must not resolve " + host);
  };
  auto c = parseConfig("listeners: [{address: '127.0.0.1:1'}]\n"
                       "services:\n  - {name: 'outbound|443||api.example.com.dns'}\n"
                       "  - {name: plain, dns: 'backend.invalid:8080'}\n",
                       "addr.yaml", refusing);
  ASSERT_TRUE(c.ok()) << c.message();
  EXPECT_EQ(c->services[0].kind, ServiceConfig::Kind::Dns);
  EXPECT_EQ(c->services[0].endpoints[0].str(), "api.example.com:443");
  EXPECT_EQ(c->services[1].endpoints[0].str(), "backend.invalid:8080");
}

// The real binary, bound through names: the listener serves and the admin answers /ready.
TEST(ConfigAddresses, BinaryServesOnLocalhostListenerAndAdmin) {
  int port = test::freePort();
  int admin = test::freePort();
  char dir_template[] = "/tmp/wasmgate-addr-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  std::string config = std::string(dir_template) + "/gateway.yaml";
  std::ofstream(config) << "listeners: [{name: main, address: 'localhost:" << port << "'}]\n"
                        << "admin: {address: 'localhost:" << admin << "'}\n"
                        << "routes: [{name: default/all, match: {prefix: /}, service: s}]\n"
                        << kService;
  std::string log = std::string(dir_template) + "/gateway.log";
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(WASMGATE_BINARY, WASMGATE_BINARY, "run", "--config", config.c_str(), "--workers", "1",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(pid, 0);
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ready = test::httpGet(admin, "/ready").status == 200;
  }
  test::HttpResponse r = test::httpGet(port, "/get");
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::ifstream in(log);
  std::string logs((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(ready) << logs;
  EXPECT_EQ(r.status, 200) << logs;
  EXPECT_NE(r.body.find("\"url\""), std::string::npos) << r.body;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << logs;
  std::remove(log.c_str());
  std::remove(config.c_str());
  ::rmdir(dir_template);
}

// A listener name that does not resolve stops the binary at start with the file and path.
TEST(ConfigAddresses, BinaryRefusesUnresolvableListener) {
  char dir_template[] = "/tmp/wasmgate-addr-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  std::string config = std::string(dir_template) + "/bad.yaml";
  std::ofstream(config) << "listeners: [{address: 'no-such-host.invalid:80'}]\n" << kService;
  std::string cmd = std::string(WASMGATE_BINARY) + " run --config " + config + " --workers 1 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = ::pclose(p);
  EXPECT_NE(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("bad.yaml: listeners[0].address: cannot resolve host name 'no-such-host.invalid'"),
            std::string::npos) << out;
  std::remove(config.c_str());
  ::rmdir(dir_template);
}

}  // namespace
}  // namespace wasmgate::gateway
