#include "gateway/worker.h"

#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway/log.h"
#include "gateway/wasm/plugin_set.h"

namespace wasmgate::gateway {

static std::shared_ptr<WorkerGeneration> makeGeneration(Dispatcher& dispatcher, std::shared_ptr<const Snapshot> s) {
  auto g = std::make_shared<WorkerGeneration>();
  g->clusters = std::make_unique<ClusterSet>(dispatcher, *s->config);
  g->snapshot = std::move(s);
  return g;
}

// Plugin VMs belong to the worker thread (one V8 isolate per worker), so they are built there.
// `previous`: the generation a reload replaces (unchanged plugins keep their VMs).
static void attachPlugins(WorkerGeneration& g, Dispatcher& dispatcher,
                          std::shared_ptr<const WorkerGeneration> previous = nullptr) {
  if (g.plugin_filters || !g.snapshot->plugins) return;
  g.plugin_filters = wasm::PluginSet::forWorker(g.snapshot->plugins, *g.snapshot->config, *g.snapshot->routes,
                                                *g.clusters, dispatcher, std::move(previous));
}

Worker::Worker(int index, std::shared_ptr<const Snapshot> snapshot) : index_(index) {
  uv_loop_init(&loop_);
  dispatcher_ = std::make_unique<Dispatcher>(&loop_);
  uv_async_init(&loop_, &async_, [](uv_async_t* a) { static_cast<Worker*>(a->data)->runTasks(); });
  async_.data = this;
  generation_ = makeGeneration(*dispatcher_, std::move(snapshot));
}

Worker::~Worker() {
  join();
  uv_loop_close(&loop_);
}

Status Worker::bind(const std::vector<ListenerConfig>& listeners) {
  for (const ListenerConfig& l : listeners) {
    sockaddr_storage addr{};
    if (uv_ip4_addr(l.address.host.c_str(), l.address.port, reinterpret_cast<sockaddr_in*>(&addr)) != 0 &&
        uv_ip6_addr(l.address.host.c_str(), l.address.port, reinterpret_cast<sockaddr_in6*>(&addr)) != 0) {
      return makeError("listener " + l.name + ": '" + l.address.host + "' is not a numeric IP address");
    }
    // libuv 1.44 cannot set SO_REUSEPORT itself: build the socket, then hand it to libuv.
    int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&addr),
               addr.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in)) != 0) {
      std::string why = std::strerror(errno);
      if (fd >= 0) ::close(fd);
      return makeError("listener " + l.name + " on " + l.address.str() + ": " + why);
    }
    auto* tcp = new uv_tcp_t;
    uv_tcp_init(&loop_, tcp);
    tcp->data = this;
    uv_tcp_open(tcp, fd);
    int rc = uv_listen(reinterpret_cast<uv_stream_t*>(tcp), 1024, [](uv_stream_t* server, int status) {
      if (status == 0) static_cast<Worker*>(server->data)->onAccept(server);
    });
    listeners_.push_back(tcp);
    if (rc != 0) return makeError("listener " + l.name + " on " + l.address.str() + ": " + uv_strerror(rc));
  }
  return {};
}

void Worker::start() {
  thread_ = std::thread([this] {
    attachPlugins(*generation_, *dispatcher_);
    uv_run(&loop_, UV_RUN_DEFAULT);
    // Handles still open (timers of pooled connections...) get one more turn to close.
    uv_walk(&loop_, [](uv_handle_t* h, void*) { if (!uv_is_closing(h)) uv_close(h, nullptr); }, nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    // Plugin VMs die with this thread's isolate, not on the main thread.
    if (generation_) generation_->plugin_filters.reset();
  });
}

void Worker::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(tasks_mutex_);
    tasks_.push_back(std::move(task));
  }
  uv_async_send(&async_);
}

void Worker::runTasks() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard<std::mutex> lock(tasks_mutex_);
    tasks.swap(tasks_);
  }
  for (auto& t : tasks) t();
}

void Worker::onAccept(uv_stream_t* listener) {
  auto* c = new DownstreamConnection(*this);
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(c->handle())) != 0) {
    c->closeNow();
    return;
  }
  connections_.insert(c);
  connection_count_.store(connections_.size());
  c->start();
  if (draining_) c->drain();
}

void Worker::onConnectionClosed(DownstreamConnection* connection) {
  if (connections_.erase(connection)) connection_count_.store(connections_.size());
  delete connection;
}

void Worker::setSnapshot(std::shared_ptr<const Snapshot> snapshot) {
  post([this, snapshot = std::move(snapshot)]() mutable {
    std::shared_ptr<const WorkerGeneration> previous = std::move(generation_);
    generation_ = makeGeneration(*dispatcher_, std::move(snapshot));
    attachPlugins(*generation_, *dispatcher_, std::move(previous));
  });
}

void Worker::closeListeners() {
  for (uv_tcp_t* l : listeners_) {
    uv_close(reinterpret_cast<uv_handle_t*>(l), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  }
  listeners_.clear();
}

void Worker::drain() {
  post([this] {
    draining_ = true;
    closeListeners();
    std::vector<DownstreamConnection*> all(connections_.begin(), connections_.end());
    for (auto* c : all) c->drain();
  });
}

void Worker::stop() {
  post([this] {
    draining_ = true;
    closeListeners();
    std::vector<DownstreamConnection*> all(connections_.begin(), connections_.end());
    for (auto* c : all) c->closeNow();
    generation_.reset();
    dispatcher_->close();
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace wasmgate::gateway
