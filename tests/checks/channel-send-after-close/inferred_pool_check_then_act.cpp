// A project's own task pool, inferred to be a channel (its workers wait
// until a task arrives or `stopping_` is set; the destructor sets it and
// wakes them; submit() adds a task and notifies). submit() refuses work
// after the stop by testing `stopping_` — but before taking the lock under
// which it pushes: the destructor can set `stopping_` in between, the task
// is queued after the workers left, and its future never becomes ready.
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <queue>
#include <stdexcept>
#include <thread>
#include <vector>

// --- must flag -------------------------------------------------------------

class TaskPool {
public:
  explicit TaskPool(unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      workers_.emplace_back([this] {
        for (;;) {
          std::function<void()> task;
          {
            std::unique_lock<std::mutex> lk(mu_);
            wake_.wait(lk, [this] { return stopping_ || !tasks_.empty(); });
            if (stopping_ && tasks_.empty())
              return;
            task = std::move(tasks_.front());
            tasks_.pop();
          }
          task();
        }
      });
  }

  template <typename F> std::future<void> submit(F f) {
    if (stopping_) // want channel-send-after-close "tested without holding 'this->mu_'.*inferred to be a channel"
      throw std::runtime_error("submit on a stopped pool");
    auto job = std::make_shared<std::packaged_task<void()>>(std::move(f));
    std::future<void> done = job->get_future();
    {
      std::lock_guard<std::mutex> lk(mu_);
      tasks_.push([job] { (*job)(); }); // want-note "the push holds 'this->mu_' here"
    }
    wake_.notify_one();
    return done;
  }

  ~TaskPool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread &w : workers_)
      w.join();
  }

private:
  std::vector<std::thread> workers_;
  std::queue<std::function<void()>> tasks_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

// --- must not flag ---------------------------------------------------------

// The same pool with the test under the lock of the push.
class LockedTaskPool {
public:
  explicit LockedTaskPool(unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      workers_.emplace_back([this] {
        for (;;) {
          std::function<void()> task;
          {
            std::unique_lock<std::mutex> lk(mu_);
            wake_.wait(lk, [this] { return stopping_ || !tasks_.empty(); });
            if (stopping_ && tasks_.empty())
              return;
            task = std::move(tasks_.front());
            tasks_.pop();
          }
          task();
        }
      });
  }

  template <typename F> std::future<void> submit(F f) {
    auto job = std::make_shared<std::packaged_task<void()>>(std::move(f));
    std::future<void> done = job->get_future();
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (stopping_)
        throw std::runtime_error("submit on a stopped pool");
      tasks_.push([job] { (*job)(); });
    }
    wake_.notify_one();
    return done;
  }

  ~LockedTaskPool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread &w : workers_)
      w.join();
  }

private:
  std::vector<std::thread> workers_;
  std::queue<std::function<void()>> tasks_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

// Not a channel: nothing waits for `closed_` (a log buffer flushed by its
// owner). The same unlocked test is not a send after close here.
class LogBuffer {
public:
  void append(std::string line) {
    if (closed_)
      return;
    std::lock_guard<std::mutex> lk(mu_);
    lines_.push(std::move(line));
  }
  void close() {
    std::lock_guard<std::mutex> lk(mu_);
    closed_ = true;
  }

private:
  std::mutex mu_;
  std::queue<std::string> lines_;
  bool closed_ = false;
};

int use_pools() {
  TaskPool a(2);
  a.submit([] {}).get();
  LockedTaskPool b(2);
  b.submit([] {}).get();
  LogBuffer log;
  log.append("x");
  log.close();
  return 0;
}
