#include "gateway/net/loop.h"

#include <arpa/inet.h>

#include <atomic>

#include "gateway/net/deadline.h"

namespace wasmgate::gateway {

namespace {
constexpr size_t kReadBufferSize = 64 * 1024;
// Sum of TcpWriter::pending() over the process; updated at each flush and write completion,
// which is when the queues change size for the kernel's sake (appends between flushes are
// counted at the next flush).
std::atomic<int64_t> g_buffered_output{0};
}

size_t bufferedOutputBytes() {
  int64_t v = g_buffered_output.load(std::memory_order_relaxed);
  return v > 0 ? static_cast<size_t>(v) : 0;
}

Dispatcher::Dispatcher(uv_loop_t* loop)
    : loop_(loop), check_(new uv_check_t), idle_(new uv_idle_t), read_buffer_(new char[kReadBufferSize]),
      deadlines_(std::make_unique<DeadlineLists>(loop)) {
  uv_check_init(loop_, check_);
  check_->data = this;
  uv_idle_init(loop_, idle_);
}

void Dispatcher::armCheck() {
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(check_))) return;
  uv_check_start(check_, &Dispatcher::onCheck);
  uv_idle_start(idle_, [](uv_idle_t*) {});
}

Dispatcher::~Dispatcher() { to_delete_.clear(); }

void Dispatcher::deferDelete(std::unique_ptr<Deletable> object) {
  to_delete_.push_back(std::move(object));
  armCheck();
}

void Dispatcher::scheduleFlush(Flushable* output) {
  to_flush_.push_back(output);
  armCheck();
}

void Dispatcher::onCheck(uv_check_t* handle) {
  auto* self = static_cast<Dispatcher*>(handle->data);
  // The batches are members, swapped rather than rebuilt, so their capacity survives the loop
  // turn: no vector allocation per turn for either queue.
  while (!self->to_flush_.empty()) {
    self->flushing_.swap(self->to_flush_);
    for (Flushable* f : self->flushing_) f->flushNow();
    self->flushing_.clear();
  }
  // Deleting may defer more deletions; loop until none are left.
  while (!self->to_delete_.empty()) {
    self->deleting_.swap(self->to_delete_);
    self->deleting_.clear();
  }
  uv_check_stop(handle);
  uv_idle_stop(self->idle_);
}

uv_buf_t Dispatcher::readBuffer() { return uv_buf_init(read_buffer_.get(), kReadBufferSize); }

void Dispatcher::close() {
  to_flush_.clear();
  to_delete_.clear();
  deleting_.clear();
  deadlines_->close();
  if (check_) {
    uv_close(reinterpret_cast<uv_handle_t*>(check_), [](uv_handle_t* h) { delete reinterpret_cast<uv_check_t*>(h); });
    uv_close(reinterpret_cast<uv_handle_t*>(idle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_idle_t*>(h); });
    check_ = nullptr;
    idle_ = nullptr;
  }
}

struct Timer::Handle {
  uv_timer_t timer;
  std::function<void()> callback;
};

Timer::Timer(uv_loop_t* loop, std::function<void()> callback) : handle_(new Handle) {
  uv_timer_init(loop, &handle_->timer);
  handle_->timer.data = handle_;
  handle_->callback = std::move(callback);
}

Timer::~Timer() {
  uv_timer_stop(&handle_->timer);
  handle_->callback = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_->timer),
           [](uv_handle_t* h) { delete static_cast<Handle*>(h->data); });
}

void Timer::start(uint64_t timeout_ms, uint64_t repeat_ms) {
  uv_timer_start(&handle_->timer, [](uv_timer_t* t) {
    auto* h = static_cast<Handle*>(t->data);
    if (h->callback) {
      auto callback = h->callback;  // the callback may destroy the Timer
      callback();
    }
  }, timeout_ms, repeat_ms);
}

void Timer::stop() { uv_timer_stop(&handle_->timer); }
bool Timer::active() const { return uv_is_active(reinterpret_cast<const uv_handle_t*>(&handle_->timer)); }

TcpWriter::TcpWriter(uv_stream_t* stream, std::function<void(int)> on_error, std::function<void()> on_drained)
    : stream_(stream), on_error_(std::move(on_error)), on_drained_(std::move(on_drained)) {
  req_.data = this;
}

TcpWriter::~TcpWriter() { g_buffered_output.fetch_sub(static_cast<int64_t>(accounted_), std::memory_order_relaxed); }

void TcpWriter::setWatermarks(Watermarks marks, std::function<void()> on_high, std::function<void()> on_low) {
  marks_ = marks;
  on_high_ = std::move(on_high);
  on_low_ = std::move(on_low);
}

void TcpWriter::checkWatermarks() {
  size_t now = pending();
  g_buffered_output.fetch_add(static_cast<int64_t>(now) - static_cast<int64_t>(accounted_), std::memory_order_relaxed);
  accounted_ = now;
  if (!above_high_ && now > marks_.high) {
    above_high_ = true;
    if (on_high_) on_high_();
  } else if (above_high_ && now < marks_.low) {
    above_high_ = false;
    if (on_low_) on_low_();
  }
}

void TcpWriter::flush() {
  if (writing_ || out_.empty()) {
    checkWatermarks();
    return;
  }
  uv_buf_t buf = uv_buf_init(out_.data(), static_cast<unsigned>(out_.size()));
  int n = uv_try_write(stream_, &buf, 1);
  if (n == static_cast<int>(out_.size())) {
    out_.clear();
    checkWatermarks();
    if (on_drained_) on_drained_();
    return;
  }
  if (n < 0 && n != UV_EAGAIN) {
    out_.clear();
    checkWatermarks();
    if (on_error_) on_error_(n);
    return;
  }
  size_t written = n > 0 ? static_cast<size_t>(n) : 0;
  // The unwritten tail becomes the in-flight buffer; swapping keeps out_'s capacity from
  // piling up a second copy of a large body.
  inflight_.assign(out_, written, std::string::npos);
  out_.clear();
  buf = uv_buf_init(inflight_.data(), static_cast<unsigned>(inflight_.size()));
  writing_ = true;
  int rc = uv_write(&req_, stream_, &buf, 1, &TcpWriter::onWrite);
  if (rc != 0) {
    writing_ = false;
    inflight_.clear();
    checkWatermarks();
    if (on_error_) on_error_(rc);
    return;
  }
  checkWatermarks();
}

void TcpWriter::onWrite(uv_write_t* req, int status) {
  auto* self = static_cast<TcpWriter*>(req->data);
  self->writing_ = false;
  self->inflight_.clear();
  if (status < 0) {
    self->out_.clear();
    self->checkWatermarks();
    if (status != UV_ECANCELED && self->on_error_) self->on_error_(status);
    return;
  }
  if (!self->out_.empty()) {
    self->flush();
  } else {
    self->checkWatermarks();
    if (self->on_drained_) self->on_drained_();
  }
}

std::string formatAddress(const sockaddr* addr) {
  char ip[INET6_ADDRSTRLEN] = {0};
  if (addr->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    uv_ip4_name(in, ip, sizeof ip);
    return std::string(ip) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (addr->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    uv_ip6_name(in6, ip, sizeof ip);
    std::string out;
    out.reserve(64);
    out.push_back('[');
    out.append(ip);
    out.append("]:");
    out.append(std::to_string(ntohs(in6->sin6_port)));
    return out;
  }
  return "unknown";
}

}  // namespace wasmgate::gateway
