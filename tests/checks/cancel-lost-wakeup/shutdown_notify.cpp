// Shutdown paths that set the stop flag but leave a waiter that reads it
// asleep: a condition variable whose wait tests the flag is never notified
// (the log4cplus ThreadPool producers), or is notified only before the flag
// changes (cpp-channel's close() before its notify-order fix). And the
// shutdowns that wake every such waiter.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <queue>
#include <stdexcept>
#include <thread>
#include <vector>

// A bounded pool: producers wait for room on one condition variable,
// consumers for work on another; both predicates read `stop`. The
// destructor wakes only the consumers.
class BoundedPool {
public:
  explicit BoundedPool(std::size_t threads, std::size_t limit) : limit_(limit) {
    for (std::size_t i = 0; i < threads; ++i)
      workers_.emplace_back([this] { consume(); });
  }
  ~BoundedPool() {
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      stop_ = true; // want cancel-lost-wakeup "'stop_' is set and '~BoundedPool' notifies 'consumers_', but 'producers_', whose wait reads 'stop_', is not notified"
      consumers_.notify_all(); // want-note "only this condition variable is notified"
    }
    for (std::thread &w : workers_)
      w.join();
  }
  std::future<int> enqueue(std::function<int()> f) {
    auto task = std::make_shared<std::packaged_task<int()>>(std::move(f));
    std::future<int> res = task->get_future();
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      producers_.wait(lock, [this] { return tasks_.size() < limit_ || stop_; }); // want-note "the wait.s predicate reads .stop_. here"
      if (stop_)
        throw std::runtime_error("enqueue on stopped pool");
      tasks_.emplace([task] { (*task)(); });
    }
    consumers_.notify_one();
    return res;
  }

private:
  void consume() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(queue_mutex_);
        consumers_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
        if (stop_ && tasks_.empty())
          return;
        task = std::move(tasks_.front());
        tasks_.pop();
        producers_.notify_one();
      }
      task();
    }
  }
  std::size_t limit_;
  bool stop_ = false;
  std::mutex queue_mutex_;
  std::condition_variable producers_;
  std::condition_variable consumers_;
  std::queue<std::function<void()>> tasks_;
  std::vector<std::thread> workers_;
};

// close() wakes one reader, then sets the flag: a reader that tested the
// flag before the store and went to sleep after the notify is never woken.
template <typename T> class Channel {
public:
  void close() {
    cnd_.notify_one(); // want-note "the notify comes before the write"
    closed_.store(true); // want cancel-lost-wakeup "'closed_' is set without holding 'mtx_', the mutex of the wait on 'cnd_' that reads it, after that condition variable was notified"
  }
  void write(T v) {
    {
      std::lock_guard<std::mutex> g(mtx_);
      queue_.push(std::move(v));
    }
    cnd_.notify_one();
  }
  bool read(T &out) {
    std::unique_lock<std::mutex> lock(mtx_);
    cnd_.wait(lock, [this] { return !queue_.empty() || closed_.load(); });
    if (queue_.empty())
      return false;
    out = std::move(queue_.front());
    queue_.pop();
    return true;
  }

private:
  std::mutex mtx_;
  std::condition_variable cnd_;
  std::atomic<bool> closed_{false};
  std::queue<T> queue_;
};

// stop() sets the flag under the lock and joins, notifying nobody: the
// worker sleeping on its condition variable never sees the flag.
class Poller {
public:
  Poller() : thread_([this] { loop(); }) {}
  void stop() {
    {
      std::lock_guard<std::mutex> g(mu_);
      done_ = true; // want cancel-lost-wakeup "'done_' is set and 'stop' joins, but 'cv_', whose wait reads 'done_', is not notified"
    }
    thread_.join(); // want-note "the join that waits for it"
  }
  void kick() {
    {
      std::lock_guard<std::mutex> g(mu_);
      ++kicks_;
    }
    cv_.notify_one();
  }

private:
  void loop() {
    std::unique_lock<std::mutex> lk(mu_);
    while (!done_) {
      cv_.wait(lk, [this] { return done_ || kicks_ > 0; });
      kicks_ = 0;
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  int kicks_ = 0;
  std::thread thread_;
};

// Not flagged: the shutdown wakes both sides, one of them through a helper.
class FairPool {
public:
  explicit FairPool(std::size_t threads) {
    for (std::size_t i = 0; i < threads; ++i)
      workers_.emplace_back([this] { consume(); });
  }
  ~FairPool() {
    {
      std::unique_lock<std::mutex> lock(mu_);
      stop_ = true;
      not_empty_.notify_all();
    }
    wakeProducers();
    for (std::thread &w : workers_)
      w.join();
  }
  void put(int v) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [this] { return items_.size() < 8 || stop_; });
    items_.push(v);
    not_empty_.notify_one();
  }

private:
  void wakeProducers() { not_full_.notify_all(); }
  void consume() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      not_empty_.wait(lock, [this] { return stop_ || !items_.empty(); });
      if (items_.empty())
        return;
      items_.pop();
      not_full_.notify_one();
    }
  }
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::queue<int> items_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

// Not flagged: pausing is no shutdown (nothing is joined or woken after the
// flag is set), and the flag of another object's condition variable.
class Pausable {
public:
  void pause() {
    std::lock_guard<std::mutex> g(mu_);
    paused_ = true;
  }
  void resume() {
    {
      std::lock_guard<std::mutex> g(mu_);
      paused_ = false;
    }
    cv_.notify_all();
  }
  void step() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return !paused_; });
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool paused_ = false;
};

struct Mailbox {
  std::mutex mu;
  std::condition_variable cv;
  bool closed = false;
  void wait_closed() {
    std::unique_lock<std::mutex> lk(mu);
    cv.wait(lk, [this] { return closed; });
  }
};

class Owner {
public:
  Owner() : t_([this] { box_.wait_closed(); }) {}
  ~Owner() {
    {
      std::lock_guard<std::mutex> g(box_.mu);
      box_.closed = true;
    }
    box_.cv.notify_all();
    t_.join();
  }

private:
  Mailbox box_;
  std::thread t_;
};

int main() {
  BoundedPool bp(2, 4);
  bp.enqueue([] { return 1; }).get();
  Channel<int> ch;
  std::thread r([&] {
    int v;
    while (ch.read(v)) {
    }
  });
  ch.write(1);
  ch.close();
  r.join();
  Poller p;
  p.kick();
  p.stop();
  FairPool fp(2);
  fp.put(1);
  Pausable ps;
  ps.pause();
  ps.resume();
  ps.step();
  Owner o;
}
