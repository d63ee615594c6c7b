// Threads with an owner that waits for them: nothing to report.
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

// An RAII guard whose destructor joins: early returns are fine.
class JoinGuard {
public:
  explicit JoinGuard(std::thread &t) : t_(t) {}
  ~JoinGuard() {
    if (t_.joinable())
      t_.join();
  }
  JoinGuard(const JoinGuard &) = delete;
  JoinGuard &operator=(const JoinGuard &) = delete;

private:
  std::thread &t_;
};

void compute(int part);
bool ready();

int guarded(int parts) {
  std::thread t(compute, parts);
  JoinGuard g(t);
  if (!ready())
    return -1;
  compute(0);
  return parts;
}

// Threads in a vector, joined in a loop and with std::for_each.
void fan_out(int n) {
  std::vector<std::thread> ts;
  for (int i = 0; i < n; ++i)
    ts.emplace_back(compute, i);
  for (auto &t : ts)
    t.join();
}

void fan_out_for_each(int n) {
  std::vector<std::thread> ts;
  for (int i = 0; i < n; ++i)
    ts.push_back(std::thread([i] { compute(i); }));
  std::for_each(ts.begin(), ts.end(), [](std::thread &t) { t.join(); });
}

// A factory returns the thread: the caller owns it.
std::thread start_compute(int part) {
  std::thread t(compute, part);
  return t;
}

std::thread start_direct(int part) { return std::thread(compute, part); }

// Joined on every path, including the early return (joinable check first).
bool checked(int part) {
  std::thread t(compute, part);
  if (!ready()) {
    if (t.joinable())
      t.join();
    return false;
  }
  t.join();
  return true;
}

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

// std::jthread joins in its destructor: an early return is not a leak.
void with_jthread(int part) {
  std::jthread t([part] { compute(part); });
  if (!ready())
    return;
  compute(part + 1);
}

// A std::async future that is waited on.
int async_sum(int a, int b) {
  auto f = std::async(std::launch::async, [a, b] { return a + b; });
  return f.get();
}

// Handed to the caller through a vector it owns.
void spawn_into(std::vector<std::thread> &out, int part) {
  std::thread t(compute, part);
  out.push_back(std::move(t));
}
