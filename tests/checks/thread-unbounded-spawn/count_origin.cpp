// Where a spawn loop's count comes from (analysis/CountOrigin). A pool's
// configured worker count — an options field whose default is
// hardware_concurrency() or a non-zero constant — is a bound, not input;
// a member without such a default (a message's count) is input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct Request {
  std::string path;
  std::string body;
};
struct Response {
  int status = 0;
  std::string body;
};
Response handle(const Request &r);
void record(const Response &r);

// A pool sized by its options: the default is the hardware's concurrency,
// a caller may configure another number. A configured size, not input.
class ThreadPool {
public:
  struct options {
    uint32_t thread_count = std::thread::hardware_concurrency();
    std::function<void(std::size_t)> on_thread_start = nullptr;
  };

  static std::unique_ptr<ThreadPool> make(options opts) {
    auto tp = std::unique_ptr<ThreadPool>(new ThreadPool(std::move(opts)));
    for (uint32_t i = 0; i < tp->opts_.thread_count; ++i)
      tp->threads_.emplace_back([p = tp.get(), i] { p->run(i); });
    return tp;
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> g(mu_);
      stop_ = true;
    }
    for (auto &t : threads_)
      t.join();
  }

private:
  explicit ThreadPool(options opts) : opts_(std::move(opts)) {}
  void run(std::size_t id) {
    if (opts_.on_thread_start)
      opts_.on_thread_start(id);
    for (;;) {
      std::lock_guard<std::mutex> g(mu_);
      if (stop_)
        return;
    }
  }
  options opts_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  bool stop_ = false;
};

// A server config whose worker count defaults to a constant.
struct ServerConfig {
  std::string bind = "0.0.0.0";
  int io_threads = 4;
};
void io_loop(int id);

void start_io(const ServerConfig &cfg, std::vector<std::thread> &out) {
  for (int i = 0; i < cfg.io_threads; ++i)
    out.emplace_back(io_loop, i);
}


// A count carried by a message: no configured default, so it is input. The
// threads are detached, one per requested replica.
struct ReplicateMsg {
  int replicas;
  std::string key;
};
void replicate_to(const std::string &key, int replica);

void on_replicate(const ReplicateMsg &m) {
  for (int i = 0; i < m.replicas; ++i) // want-note "loop whose trip count depends on input"
    std::thread(replicate_to, m.key, i).detach(); // want thread-unbounded-spawn "a count from member 'replicas'" want-note "the thread is detached here"
}

// A counter that starts at zero is not a configured size either.
class Fanout {
public:
  void add_peer() { ++peers_; }
  void announce(const std::string &what) {
    for (int i = 0; i < peers_; ++i) // want-note "loop whose trip count depends on input"
      std::thread(replicate_to, what, i).detach(); // want thread-unbounded-spawn "a count from member 'peers_'" want-note "the thread is detached here"
  }

private:
  int peers_ = 0;
};
