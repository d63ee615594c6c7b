// progschj/ThreadPool and threads started in constructors: members joined in
// the destructor or in a stop() the destructor calls. Nothing to report.
#include <algorithm>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <queue>
#include <stdexcept>
#include <thread>
#include <vector>

void compute(int part);
bool ready();

// progschj/ThreadPool: workers joined in the destructor.
class ThreadPool {
public:
  explicit ThreadPool(size_t n) {
    for (size_t i = 0; i < n; ++i)
      workers_.emplace_back([this] {
        for (;;) {
          std::function<void()> task;
          {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
            if (stop_ && tasks_.empty())
              return;
            task = std::move(tasks_.front());
            tasks_.pop();
          }
          task();
        }
      });
  }

  template <class F> auto enqueue(F &&f) -> std::future<decltype(f())> {
    auto task = std::make_shared<std::packaged_task<decltype(f())()>>(
        std::forward<F>(f));
    std::future<decltype(f())> res = task->get_future();
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stop_)
        throw std::runtime_error("enqueue on stopped ThreadPool");
      tasks_.emplace([task] { (*task)(); });
    }
    cv_.notify_one();
    return res;
  }

  ~ThreadPool() {
    {
      std::unique_lock<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread &worker : workers_)
      worker.join();
  }

private:
  std::vector<std::thread> workers_;
  std::queue<std::function<void()>> tasks_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

// A thread moved into a member that the destructor joins.
class Sampler {
public:
  void start() {
    std::thread t([this] { sample(); });
    worker_ = std::move(t);
  }
  ~Sampler() {
    if (worker_.joinable())
      worker_.join();
  }

private:
  void sample() { compute(rate_); }
  std::thread worker_;
  int rate_ = 10;
};

// A thread started in the constructor, joined in stop() and the destructor.
class Ticker {
public:
  Ticker() : thread_(&Ticker::run, this) {}
  ~Ticker() { stop(); }
  void stop() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable())
      thread_.join();
  }

private:
  void run() {
    std::unique_lock<std::mutex> lk(mu_);
    while (!done_)
      cv_.wait(lk);
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

