// Small libuv helpers every gateway object uses: a one-shot/repeating Timer whose handle outlives
// it safely, a Dispatcher (one per worker loop) with deferred deletion and a shared read buffer,
// and TcpWriter, which batches a connection's output and writes it with as few syscalls as
// possible (uv_try_write first, one uv_write for the rest) and reports when its queue crosses the
// flow-control watermarks.
//
// Internal header (gateway/). Thread affinity: everything here belongs to one loop's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

namespace wasmgate::gateway {

// Anything whose destruction must wait until the current callback has unwound.
class Deletable {
 public:
  virtual ~Deletable() = default;
};

// An output that is written once per loop iteration, however many times it was touched.
class Flushable {
 public:
  virtual ~Flushable() = default;
  virtual void flushNow() = 0;
};

class DeadlineLists;

class Dispatcher {
 public:
  explicit Dispatcher(uv_loop_t* loop);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  uv_loop_t* loop() const { return loop_; }
  // Destroys `object` after the current loop iteration's callbacks (never inside them).
  void deferDelete(std::unique_ptr<Deletable> object);
  // Runs `output->flushNow()` after this iteration's I/O callbacks, so a response whose head,
  // body and end arrive in one upstream read leaves in one write. The object must stay alive
  // until then (close callbacks run after the flush phase, so connections do).
  void scheduleFlush(Flushable* output);
  // A read buffer shared by every connection of this loop: reads are handled synchronously.
  uv_buf_t readBuffer();
  uint64_t nowMs() const { return uv_now(loop_); }
  // This loop's per-request timeouts (gateway/net/deadline.h).
  DeadlineLists& deadlines() { return *deadlines_; }
  // Closes the internal handles; call before the loop's final run.
  void close();

 private:
  static void onCheck(uv_check_t* handle);

  uv_loop_t* loop_;
  void armCheck();

  uv_check_t* check_;
  uv_idle_t* idle_;  // active while work is queued: keeps the poll phase from blocking
  std::vector<std::unique_ptr<Deletable>> to_delete_;
  std::vector<Flushable*> to_flush_;
  std::vector<std::unique_ptr<Deletable>> deleting_;  // the batch being deleted (onCheck)
  std::vector<Flushable*> flushing_;                  // the batch being flushed (onCheck)
  std::unique_ptr<char[]> read_buffer_;
  std::unique_ptr<DeadlineLists> deadlines_;
};

// A uv timer owned by an object: destroying the Timer stops it and frees the handle later.
class Timer {
 public:
  Timer(uv_loop_t* loop, std::function<void()> callback);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  void start(uint64_t timeout_ms, uint64_t repeat_ms = 0);
  void stop();
  bool active() const;

 private:
  struct Handle;
  Handle* handle_;
};

// Flow control thresholds of one connection's output, as Envoy's per-connection buffer limit:
// above `high` bytes buffered the producer is paused, below `low` it resumes. The gap keeps a
// slow peer from toggling reads on every write completion.
struct Watermarks {
  size_t high = 1024 * 1024;
  size_t low = 256 * 1024;
};

// Buffered output of one stream handle. The owner appends, then calls flush() once per event.
class TcpWriter {
 public:
  // `on_error` runs (from a libuv callback) when a write fails; `on_drained` whenever all
  // buffered bytes have been handed to the kernel.
  TcpWriter(uv_stream_t* stream, std::function<void(int)> on_error, std::function<void()> on_drained);
  ~TcpWriter();
  TcpWriter(const TcpWriter&) = delete;
  TcpWriter& operator=(const TcpWriter&) = delete;
  std::string& buffer() { return out_; }
  void append(std::string_view data) { out_.append(data); }
  void flush();
  size_t pending() const { return out_.size() + inflight_.size(); }
  bool writing() const { return writing_; }

  // Flow control: `on_high` runs when a flush leaves more than `high` bytes queued (the peer
  // reads slower than we produce), `on_low` once the queue falls back under `low`. Each fires
  // once per crossing. Both may be empty.
  void setWatermarks(Watermarks marks, std::function<void()> on_high, std::function<void()> on_low);
  bool aboveHighWatermark() const { return above_high_; }

 private:
  static void onWrite(uv_write_t* req, int status);
  void checkWatermarks();

  uv_stream_t* stream_;
  std::function<void(int)> on_error_;
  std::function<void()> on_drained_;
  std::function<void()> on_high_;
  std::function<void()> on_low_;
  Watermarks marks_;
  std::string out_;
  std::string inflight_;
  uv_write_t req_;
  size_t accounted_ = 0;  // this writer's share of bufferedOutputBytes()
  bool writing_ = false;
  bool above_high_ = false;
};

// Bytes queued in every TcpWriter of the process (all workers), for /stats and tests: the
// figure flow control keeps bounded.
size_t bufferedOutputBytes();

// "ip:port" of a socket address.
std::string formatAddress(const sockaddr* addr);

}  // namespace wasmgate::gateway
