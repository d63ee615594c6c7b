// Flags read by condition-variable waits, written without the wait's mutex,
// then notified: the waiter can test the flag, miss the notify and sleep.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

// The bshoshany/thread-pool (#93/#100) shape: an atomic flag, set without
// the tasks mutex, read by the workers' wait predicate.
class thread_pool {
public:
  explicit thread_pool(unsigned n) {
    running_ = true;
    for (unsigned i = 0; i < n; ++i)
      threads_.emplace_back([this] { worker(); });
  }
  ~thread_pool() {
    running_ = false; // want cancel-lost-wakeup "'running_' is set without holding 'tasks_mutex_', the mutex of the wait on 'task_available_cv_'"
    task_available_cv_.notify_all(); // want-note "the notify that can be lost"
    for (auto &t : threads_)
      t.join();
  }

private:
  void worker() {
    while (running_) {
      std::function<void()> task;
      std::unique_lock<std::mutex> tasks_lock(tasks_mutex_);
      task_available_cv_.wait(tasks_lock, [this] { return !tasks_.empty() || !running_; }); // want-note "the wait.s predicate reads .running_. here"
      if (!running_)
        return;
      task = std::move(tasks_.front());
      tasks_.pop();
      tasks_lock.unlock();
      task();
    }
  }
  std::atomic<bool> running_{false};
  std::condition_variable task_available_cv_;
  std::mutex tasks_mutex_;
  std::queue<std::function<void()>> tasks_;
  std::vector<std::thread> threads_;
};

// The mtrebi/thread-pool (#13) shape: the worker is another class reaching
// the pool through a pointer, waits without predicate inside a loop on the
// flag.
class Pool {
  class Worker {
  public:
    explicit Worker(Pool *p) : pool_(p) {}
    void operator()() {
      while (!pool_->shutdown_) {
        std::unique_lock<std::mutex> lock(pool_->cond_mutex_);
        if (pool_->queue_.empty())
          pool_->cond_.wait(lock); // want-note "and waits here"
        if (!pool_->queue_.empty()) {
          auto f = std::move(pool_->queue_.front());
          pool_->queue_.pop_front();
          lock.unlock();
          f();
        }
      }
    }

  private:
    Pool *pool_;
  };

public:
  void init(int n) {
    for (int i = 0; i < n; ++i)
      threads_.emplace_back(Worker(this));
  }
  void shutdown() {
    shutdown_ = true; // want cancel-lost-wakeup "'shutdown_' is set without holding 'cond_mutex_'"
    cond_.notify_all();
    for (auto &t : threads_)
      t.join();
  }

private:
  bool shutdown_ = false;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  std::mutex cond_mutex_;
  std::condition_variable cond_;
};

// The cpp-channel (#37) shape: close() stores the flag, the reader's
// predicate calls closed().
template <typename T> class Channel {
public:
  void close() {
    closed_.store(true); // want cancel-lost-wakeup "'closed_' is set without holding 'mtx_'"
    cnd_.notify_all();
  }
  bool closed() const { return closed_.load(); }
  bool read(T &out) {
    std::unique_lock<std::mutex> lock{mtx_};
    cnd_.wait(lock, [this] { return !queue_.empty() || closed(); });
    if (queue_.empty())
      return false;
    out = std::move(queue_.front());
    queue_.pop_front();
    return true;
  }
  void write(T v) {
    {
      std::lock_guard<std::mutex> lock{mtx_};
      queue_.push_back(std::move(v));
    }
    cnd_.notify_one();
  }

private:
  std::deque<T> queue_;
  std::atomic<bool> closed_{false};
  std::mutex mtx_;
  std::condition_variable cnd_;
};

int use_channel() {
  Channel<int> ch;
  std::thread t([&] {
    int v;
    while (ch.read(v)) {
    }
  });
  ch.write(1);
  ch.close();
  t.join();
  return 0;
}

// Locals shared with a thread through a by-reference capture.
void run_once() {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::thread waiter([&] {
    std::unique_lock<std::mutex> lk(m);
    cv.wait(lk, [&] { return done; });
  });
  done = true; // want cancel-lost-wakeup "'done' is set without holding 'm'"
  cv.notify_one();
  waiter.join();
}

// A flag guarded by another mutex than the wait's.
class Monitor {
public:
  void stop() {
    std::lock_guard<std::mutex> g(state_mu_);
    stopping_ = true; // want cancel-lost-wakeup "'stopping_' is set without holding 'wait_mu_'"
    wake_.notify_all();
  }
  void run() {
    std::unique_lock<std::mutex> lk(wait_mu_);
    while (!stopping_)
      wake_.wait(lk);
  }

private:
  std::mutex state_mu_, wait_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

// A named predicate lambda, and a shared state struct held by shared_ptr.
struct Shared {
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> cancel{false};
  int pending = 0;
};

void consumer(std::shared_ptr<Shared> s) {
  std::unique_lock<std::mutex> lk(s->mu);
  auto wake = [&] { return s->pending > 0 || s->cancel; };
  s->cv.wait(lk, wake);
}

void cancel_all(const std::shared_ptr<Shared> &s) {
  s->cancel.store(true, std::memory_order_release); // want cancel-lost-wakeup "'cancel' is set without holding 'mu'"
  s->cv.notify_all();
}

// The lock reaches the wait as a parameter (cpp-channel before #37's fix):
// its mutex is the one every caller locks.
template <typename T> class Mailbox {
public:
  void close() {
    is_closed_.store(true); // want cancel-lost-wakeup "'is_closed_' is set without holding 'mtx_'"
    cnd_.notify_all();
  }
  bool closed() const { return is_closed_.load(); }
  bool take(T &out) {
    std::unique_lock<std::mutex> lock{mtx_};
    wait_before_read(lock);
    if (items_.empty())
      return false;
    out = items_.front();
    items_.pop_front();
    return true;
  }

private:
  void wait_before_read(std::unique_lock<std::mutex> &lock) {
    cnd_.wait(lock, [this] { return !items_.empty() || closed(); });
  }
  std::deque<T> items_;
  std::atomic<bool> is_closed_{false};
  std::mutex mtx_;
  std::condition_variable cnd_;
};

void use_mailbox(Mailbox<int> &m) {
  int v;
  m.take(v);
  m.close();
}

// The same helper, but one caller forgot the lock.
class Timer {
public:
  void cancel() {
    std::lock_guard<std::mutex> g(mu_);
    fire();
  }
  void expire() { fire(); }
  void wait() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return fired_; });
  }

private:
  void fire() {
    fired_ = true; // want cancel-lost-wakeup "'fired_' is set without holding 'mu_'"
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool fired_ = false;
};
