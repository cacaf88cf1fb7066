// Default answers of the host interfaces: Unimplemented, so a host overrides only what it serves.
#include <cstdio>
#include <ctime>

#include "runtime/guest_host.h"
#include "runtime/host.h"
#include "runtime/pairs.h"

namespace wasmgate::runtime {

Status HeaderMapHost::getHeader(abi::MapType, std::string_view, std::string*) { return Status::Unimplemented; }
Status HeaderMapHost::addHeader(abi::MapType, std::string_view, std::string_view) { return Status::Unimplemented; }
Status HeaderMapHost::replaceHeader(abi::MapType, std::string_view, std::string_view) { return Status::Unimplemented; }
Status HeaderMapHost::removeHeader(abi::MapType, std::string_view) { return Status::Unimplemented; }
Status HeaderMapHost::getHeaders(abi::MapType, Pairs*) { return Status::Unimplemented; }
Status HeaderMapHost::visitHeaders(abi::MapType type, HeaderVisitor visit) {
  Pairs pairs;
  const Status s = getHeaders(type, &pairs);
  if (s != Status::Ok) return s;
  for (const auto& [key, value] : pairs) visit(key, value);
  return Status::Ok;
}
Status HeaderMapHost::measureHeaders(abi::MapType type, size_t* count, size_t* bytes) {
  *count = *bytes = 0;
  return visitHeaders(type, [&](std::string_view k, std::string_view v) {
    ++*count;
    *bytes += k.size() + v.size();
  });
}
Status HeaderMapHost::writeHeaders(abi::MapType type, PairsWriter& out) {
  return visitHeaders(type, [&](std::string_view k, std::string_view v) { out.put(k, v); });
}
Status HeaderMapHost::setHeaders(abi::MapType, const Pairs&) { return Status::Unimplemented; }
Status HeaderMapHost::getHeaderMapSize(abi::MapType, uint32_t*) { return Status::Unimplemented; }

Status BufferHost::getBuffer(abi::BufferType, uint64_t, uint64_t, std::string*) { return Status::Unimplemented; }
Status BufferHost::setBuffer(abi::BufferType, uint64_t, uint64_t, std::string_view) { return Status::Unimplemented; }
Status BufferHost::getBufferStatus(abi::BufferType, uint64_t*, uint32_t*) { return Status::Unimplemented; }

Status PropertyHost::getProperty(std::string_view, std::string*) { return Status::Unimplemented; }
Status PropertyHost::setProperty(std::string_view, std::string_view) { return Status::Unimplemented; }

Status StreamControlHost::continueStream(abi::StreamType) { return Status::Unimplemented; }
Status StreamControlHost::closeStream(abi::StreamType) { return Status::Unimplemented; }
Status StreamControlHost::sendLocalResponse(const LocalResponse&) { return Status::Unimplemented; }
Status StreamControlHost::injectEncodedData(std::string_view, bool) { return Status::Unimplemented; }
Status StreamControlHost::setUpstreamOverrideHost(std::string_view) { return Status::Unimplemented; }
Status StreamControlHost::getUpstreamHosts(Pairs*) { return Status::Unimplemented; }

void LogHost::log(abi::LogLevel level, std::string_view plugin, std::string_view message) {
  std::fprintf(stderr, "[%u] [%.*s] %.*s\n", static_cast<unsigned>(level), static_cast<int>(plugin.size()),
               plugin.data(), static_cast<int>(message.size()), message.data());
}
abi::LogLevel LogHost::logLevel() { return abi::LogLevel::Info; }

Status HttpCallHost::dispatch(uint32_t, uint32_t, const HttpCallRequest&) { return Status::Unimplemented; }

Status RedisHost::init(std::string_view, std::string_view, std::string_view, uint32_t) { return Status::Unimplemented; }
Status RedisHost::call(uint32_t, uint32_t, std::string_view, std::string_view) { return Status::Unimplemented; }

Status TimerHost::setTickPeriod(uint32_t, uint32_t) { return Status::Unimplemented; }

Status SharedDataHost::get(std::string_view, std::string_view, std::string*, uint32_t*) { return Status::Unimplemented; }
Status SharedDataHost::set(std::string_view, std::string_view, std::string_view, uint32_t) { return Status::Unimplemented; }
Status SharedDataHost::registerQueue(std::string_view, std::string_view, uint32_t, uint32_t*) { return Status::Unimplemented; }
Status SharedDataHost::resolveQueue(std::string_view, std::string_view, uint32_t*) { return Status::Unimplemented; }
Status SharedDataHost::enqueue(uint32_t, std::string_view) { return Status::Unimplemented; }
Status SharedDataHost::dequeue(uint32_t, std::string*) { return Status::Unimplemented; }

Status MetricsHost::define(abi::MetricType, std::string_view, uint32_t*) { return Status::Unimplemented; }
Status MetricsHost::increment(uint32_t, int64_t) { return Status::Unimplemented; }
Status MetricsHost::record(uint32_t, uint64_t) { return Status::Unimplemented; }
Status MetricsHost::get(uint32_t, uint64_t*) { return Status::Unimplemented; }

Status ForeignFunctionHost::call(std::string_view, std::string_view, std::string*) { return Status::Unimplemented; }

namespace {
uint64_t readSystemClock(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}
}  // namespace

uint64_t ClockHost::realtimeNs() { return readSystemClock(CLOCK_REALTIME); }
uint64_t ClockHost::monotonicNs() { return readSystemClock(CLOCK_MONOTONIC); }

ClockHost& GuestHost::clock() {
  static ClockHost system_clock;  // stateless
  return system_clock;
}

}  // namespace wasmgate::runtime
