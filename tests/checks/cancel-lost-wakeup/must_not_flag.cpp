// Flags written under the wait's mutex, token-aware waits, barriers: the
// wakeup cannot be lost.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <queue>
#include <stop_token>
#include <thread>
#include <vector>

// progschj/ThreadPool: the flag is set under the queue mutex.
class ThreadPool {
public:
  explicit ThreadPool(size_t threads) : stop(false) {
    for (size_t i = 0; i < threads; ++i)
      workers.emplace_back([this] {
        for (;;) {
          std::function<void()> task;
          {
            std::unique_lock<std::mutex> lock(this->queue_mutex);
            this->condition.wait(lock, [this] { return this->stop || !this->tasks.empty(); });
            if (this->stop && this->tasks.empty())
              return;
            task = std::move(this->tasks.front());
            this->tasks.pop();
          }
          task();
        }
      });
  }
  ~ThreadPool() {
    {
      std::unique_lock<std::mutex> lock(queue_mutex);
      stop = true;
    }
    condition.notify_all();
    for (std::thread &worker : workers)
      worker.join();
  }

private:
  std::vector<std::thread> workers;
  std::queue<std::function<void()>> tasks;
  std::mutex queue_mutex;
  std::condition_variable condition;
  bool stop;
};

// An atomic flag, still written under the lock; notify under the lock too.
class Queue {
public:
  void close() {
    std::lock_guard<std::mutex> g(mu_);
    closed_.store(true);
    cv_.notify_all();
  }
  bool pop(int &out) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return closed_ || !items_.empty(); });
    if (items_.empty())
      return false;
    out = items_.front();
    items_.pop();
    return true;
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> closed_{false};
  std::queue<int> items_;
};

// condition_variable_any with a stop token: request_stop() wakes the wait.
class TokenWorker {
public:
  void run(std::stop_token st) {
    std::unique_lock<std::mutex> lk(mu_);
    while (!st.stop_requested()) {
      if (!cv_.wait(lk, st, [this] { return paused_ == false && work_ > 0; }))
        return;
      --work_;
    }
  }
  void pause() {
    paused_ = true;
    cv_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  bool paused_ = false;
  int work_ = 0;
};

// Write, then an empty critical section on the wait's mutex, then notify:
// the waiter is either before its test (and sees the flag) or in wait().
class Barrier {
public:
  void shutdown() {
    quit_ = true;
    { std::lock_guard<std::mutex> sync(mu_); }
    cv_.notify_all();
  }
  void loop() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return quit_.load(); });
  }

private:
  std::atomic<bool> quit_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

// Manual lock/unlock around the write; notify after.
class Manual {
public:
  void finish() {
    mu_.lock();
    finished_ = true;
    mu_.unlock();
    cv_.notify_one();
  }
  void await() {
    std::unique_lock<std::mutex> lk(mu_);
    while (!finished_)
      cv_.wait(lk);
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool finished_ = false;
};

// A counter nobody waits on is written without the lock: not a wakeup flag.
class Stats {
public:
  void submit(int v) {
    submitted_ = submitted_ + 1;
    {
      std::lock_guard<std::mutex> g(mu_);
      q_.push(v);
    }
    cv_.notify_one();
  }
  int take() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return !q_.empty(); });
    int v = q_.front();
    q_.pop();
    return v;
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::queue<int> q_;
  std::atomic<int> submitted_{0};
};

// Constructor initialisation before any waiter exists, no notify.
class Lazy {
public:
  Lazy() { ready_ = false; }
  void wait_ready() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return ready_; });
  }
  void set_ready() {
    std::unique_lock<std::mutex> lk(mu_);
    ready_ = true;
    lk.unlock();
    cv_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool ready_;
};

// A timed wait wakes up by itself: a lost notify costs one period (the
// cpp-httplib heartbeat shape).
class Heartbeat {
public:
  void close() {
    if (closed_.exchange(true))
      return;
    cv_.notify_all();
  }
  void run() {
    std::unique_lock<std::mutex> lk(mu_);
    while (!closed_) {
      cv_.wait_for(lk, std::chrono::seconds(30));
      if (closed_)
        break;
      ++pings_;
    }
  }

private:
  std::atomic<bool> closed_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  int pings_ = 0;
};

// The flag is set under the lock inside a catch handler (the cpp-httplib
// thread-pool constructor's cleanup).
class Spawner {
public:
  Spawner() {
    try {
      for (int i = 0; i < 4; ++i)
        threads_.emplace_back([this] { work(); });
    } catch (...) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        shutdown_ = true;
      }
      cv_.notify_all();
      for (auto &t : threads_)
        t.join();
      throw;
    }
  }

private:
  void work() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return shutdown_; });
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

// A helper documented "call with mu_ held": every caller holds it.
class Scheduler {
public:
  void cancel() {
    std::lock_guard<std::mutex> g(mu_);
    stop_locked();
  }
  void reset() {
    std::unique_lock<std::mutex> lk(mu_);
    pending_ = 0;
    stop_locked();
  }
  void run() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return stopped_ || pending_ > 0; });
  }

private:
  void stop_locked() {
    stopped_ = true;
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  int pending_ = 0;
};
