// Where a spawn loop's count comes from. One thread per element of a
// container the caller hands in (or a message carries) grows with the input,
// even when all of them are joined at the end. A pool's configured worker
// count (an options field whose default is hardware_concurrency() or a
// constant) is a bound, and so is splitting the input into a fixed number of
// chunks.
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

// Fan-out with one thread per request of the caller's batch, joined before
// returning: a batch of 10 000 requests starts 10 000 threads.
std::vector<Response> handle_all(const std::vector<Request> &requests) {
  std::vector<Response> out(requests.size());
  std::vector<std::thread> threads;
  std::size_t i = 0;
  for (auto &r : requests) // want-note "loop whose trip count depends on input"
    threads.emplace_back([&out, &r, i = i++] { out[i] = handle(r); }); // want thread-unbounded-spawn "a range over parameter 'requests'" want-note "threads accumulate in 'threads' until after the loop"
  for (auto &t : threads)
    t.join();
  return out;
}

// The same over a message's items, through a function pointer and index.
struct Batch {
  std::vector<Request> items;
  std::string origin;
};
void handle_into(const Request &r, Response *out);

void process_batch(const Batch &b, std::vector<Response> &out) {
  out.resize(b.items.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < b.items.size(); ++i) // want-note "loop whose trip count depends on input"
    threads.emplace_back(handle_into, std::cref(b.items[i]), &out[i]); // want thread-unbounded-spawn "a count from the size of" want-note "threads accumulate in 'threads' until after the loop"
  for (auto &t : threads)
    t.join();
}

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

// Chunking: the caller's data is split into one chunk per hardware thread;
// the number of threads is the number of chunks, not the number of items.
long sum_range(const std::vector<int> &v, std::size_t from, std::size_t to);

long parallel_sum(const std::vector<int> &values) {
  std::size_t workers = std::max(1u, std::thread::hardware_concurrency());
  std::size_t chunk = (values.size() + workers - 1) / workers;
  if (chunk == 0)
    return 0;
  std::vector<long> partial(workers, 0);
  std::vector<std::thread> threads;
  for (std::size_t from = 0, w = 0; from < values.size(); from += chunk, ++w)
    threads.emplace_back([&, from, w] {
      partial[w] = sum_range(values, from, std::min(from + chunk, values.size()));
    });
  for (auto &t : threads)
    t.join();
  long total = 0;
  for (long p : partial)
    total += p;
  return total;
}

// A fixed stride through the input is not chunking into a bounded number of
// parts: 64 items per thread still grows with the input.
void handle_block(const std::vector<Request> &rs, std::size_t from);

void handle_blocks(const std::vector<Request> &requests) {
  std::vector<std::thread> threads;
  for (std::size_t from = 0; from < requests.size(); from += 64) // want-note "loop whose trip count depends on input"
    threads.emplace_back(handle_block, std::cref(requests), from); // want thread-unbounded-spawn "a count from the size of parameter 'requests'" want-note "threads accumulate in 'threads' until after the loop"
  for (auto &t : threads)
    t.join();
}
