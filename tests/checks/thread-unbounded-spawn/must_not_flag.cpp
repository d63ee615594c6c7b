// Spawns in loops whose number of live threads is bounded (not reported by
// thread-unbounded-spawn). Detached handlers that use the server after it may
// be destroyed are thread-leak findings, marked where they occur.
#include <atomic>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <vector>

struct Request {
  std::string path;
  std::shared_ptr<std::string> body;
};
void handle(const Request &r);
void serve(int fd);

// 1. Constant trip counts: a fixed number, the machine's cores.
void fixed_workers(const std::vector<Request> &requests) {
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i)
    workers.emplace_back([&requests, i] {
      for (size_t k = i; k < requests.size(); k += 4)
        handle(requests[k]);
    });
  unsigned n = std::thread::hardware_concurrency();
  for (unsigned i = 0; i < n; ++i)
    workers.emplace_back([] {});
  for (auto &t : workers)
    t.join();
}

// 2. A counting semaphore acquired before every spawn.
class LimitedServer {
public:
  void run(int listen_fd) {
    for (;;) {
      int fd = ::accept(listen_fd, nullptr, nullptr);
      if (fd < 0)
        break;
      slots_.acquire();
      std::thread([this, fd] {
        serve(fd);
        slots_.release();
      }).detach();  // want thread-leak "uses 'this' of 'LimitedServer'"
    }
  }

private:
  std::counting_semaphore<64> slots_{64};
};

// 3. Joined in the same iteration (one at a time), and a jthread local to
//    the iteration whose destructor joins.
void sequential(const std::vector<Request> &requests) {
  for (const Request &r : requests) {
    std::thread t(handle, std::cref(r));
    t.join();
  }
  for (const Request &r : requests) {
    std::jthread t([&r] { handle(r); });
  }
}

// 4. Batches joined inside the loop every 16 threads.
void batched(const std::vector<Request> &requests) {
  std::vector<std::thread> batch;
  for (const Request &r : requests) {
    batch.emplace_back(handle, std::cref(r));
    if (batch.size() == 16) {
      for (auto &t : batch)
        t.join();
      batch.clear();
    }
  }
  for (auto &t : batch)
    t.join();
}

// 5. A counter compared against a limit, with a wait.
class Throttled {
public:
  void run(const std::vector<Request> &requests) {
    std::vector<std::thread> workers;
    for (const Request &r : requests) {
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [this] { return active_ < limit_; });
        ++active_;
      }
      workers.emplace_back([this, &r] {
        handle(r);
        std::lock_guard<std::mutex> lk(mu_);
        --active_;
        cv_.notify_one();
      });
    }
    for (auto &t : workers)
      t.join();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  int active_ = 0;
  int limit_ = 8;
};

// 6. Admission control: connections over the limit are refused.
class Admission {
public:
  void run(int listen_fd) {
    while (true) {
      int fd = ::accept(listen_fd, nullptr, nullptr);
      if (active_.load() >= 128) {
        ::shutdown(fd, SHUT_RDWR);
        continue;
      }
      ++active_;
      std::thread([this, fd] {
        serve(fd);
        --active_;
      }).detach();  // want thread-leak "uses 'this' of 'Admission'"
    }
  }

private:
  std::atomic<int> active_{0};
};

// 7. A worker pool sized by its constructor's argument, and std::async
//    futures that are awaited (or discarded, which waits) each iteration.
class Pool {
public:
  explicit Pool(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i)
      workers_.emplace_back([] {});
  }
  ~Pool() {
    for (auto &t : workers_)
      t.join();
  }

private:
  std::vector<std::thread> workers_;
};
int checksum(const Request &r);
int sum_all(const std::vector<Request> &requests) {
  int total = 0;
  for (const Request &r : requests) {
    auto f = std::async(std::launch::async, checksum, std::cref(r));
    total += f.get();
  }
  return total;
}

// 8. Fork-join over the caller's data: a thread per element, all joined
//    before returning. No caller is visible here, so the size is the
//    callers' input and it is reported (fork_join_callers/ has the
//    callers that bound it). And a number of identical workers that share
//    a queue: a pool, whatever the count.
int checksum_all(const std::vector<Request> &requests) {
  std::vector<int> sums(requests.size());
  std::vector<std::thread> workers;
  for (size_t i = 0; i < requests.size(); ++i)
    workers.emplace_back([&sums, &requests, i] { sums[i] = checksum(requests[i]); });  // want thread-unbounded-spawn "parameter 'requests' of 'checksum_all', whose size comes from its callers"
  for (auto &t : workers)
    t.join();
  int total = 0;
  for (int s : sums)
    total += s;
  return total;
}
bool next_request(Request &r);
void drain_with(unsigned n) {
  std::vector<std::jthread> workers;
  for (unsigned i = 0; i < n; ++i)
    workers.emplace_back([] {
      Request r;
      while (next_request(r))
        handle(r);
    });
}

// A fixed-size pool (mtrebi/thread-pool): the constructor sizes the vector
// once and init() fills each existing slot; the loop's count is the pool's
// own size, and the threads never outnumber the slots.
class FixedPool {
public:
  explicit FixedPool(int n) : threads_(n) {}
  void init() {
    for (std::size_t i = 0; i < threads_.size(); ++i)
      threads_[i] = std::thread(&FixedPool::worker, this, i);
  }
  void shutdown() {
    {
      std::lock_guard<std::mutex> g(mu_);
      done_ = true;
    }
    cv_.notify_all();
    for (auto &t : threads_)
      if (t.joinable())
        t.join();
  }

private:
  void worker(std::size_t) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return done_; });
  }
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};
