// Flags and counters of Boost.Atomic (models/boost-atomic.yaml) are atomics
// like the standard library's: a store, an exchange or a fetch_sub of one
// without the mutex of the wait that tests it is a lost wake-up; the same
// write under the mutex is not. A class of the program's own that happens to
// have a `store` method is not an atomic.
#include <boost/atomic.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

// A job queue whose shutdown flag is a boost::atomic<bool>.
class job_queue {
public:
  void push(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> g(mu_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

  bool pop(std::function<void()> &job) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return closed_.load() || !jobs_.empty(); });
    if (jobs_.empty())
      return false;
    job = std::move(jobs_.front());
    jobs_.pop_front();
    return true;
  }

  void close() {
    closed_.store(true); // want cancel-lost-wakeup "'closed_' is set without holding 'mu_'"
    cv_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  boost::atomic<bool> closed_{false};
};

// The owner waits until every worker has left; the count of live workers
// is a boost::atomic<int> decremented without the owner's mutex.
class crew {
public:
  explicit crew(unsigned n) : live_(int(n)) {
    for (unsigned i = 0; i < n; ++i)
      threads_.emplace_back([this] { work(); });
  }
  ~crew() {
    queue_.close();
    {
      std::unique_lock<std::mutex> l(done_mu_);
      done_cv_.wait(l, [this] { return live_.load() == 0; });
    }
    for (auto &t : threads_)
      t.join();
  }
  job_queue &queue() { return queue_; }

private:
  void work() {
    std::function<void()> job;
    while (queue_.pop(job))
      job();
    live_.fetch_sub(1); // want cancel-lost-wakeup "'live_' is updated without holding 'done_mu_'"
    done_cv_.notify_one();
  }

  job_queue queue_;
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  boost::atomic<int> live_;
  std::vector<std::thread> threads_;
};

// The same flag written under the waiters' mutex: correct.
class gate {
public:
  void wait_open() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return open_.load(); });
  }
  void open() {
    {
      std::lock_guard<std::mutex> g(mu_);
      open_.exchange(true);
    }
    cv_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  boost::atomic<bool> open_{false};
};

// A settings holder with a `store` method of its own: not an atomic, and
// its `store` is not a write of a flag the wait tests.
struct settings {
  bool ready = false;
  void store(bool v) { pending = v; }
  bool pending = false;
};

class config_loader {
public:
  void wait_loaded() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return loaded_; });
  }
  void load() {
    settings_.store(true);
    {
      std::lock_guard<std::mutex> g(mu_);
      loaded_ = true;
    }
    cv_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool loaded_ = false;
  settings settings_;
};

int main() {
  crew c(2);
  c.queue().push([] {});
  gate g;
  std::thread t([&] { g.wait_open(); });
  g.open();
  t.join();
  config_loader cl;
  std::thread u([&] { cl.wait_loaded(); });
  cl.load();
  u.join();
}
