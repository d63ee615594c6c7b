// Locks released before blocking, waits on the lock's own condition variable,
// locks that are never taken: nothing to report.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <future>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include <msd/channel.hpp>

using namespace std::chrono_literals;

// The progschj/ThreadPool shape: wait on the guard's own condition variable,
// join after the guard's scope has ended.
class ThreadPool {
public:
  explicit ThreadPool(size_t n) {
    for (size_t i = 0; i < n; ++i)
      workers_.emplace_back([this] {
        for (;;) {
          std::function<void()> task;
          {
            std::unique_lock<std::mutex> lock(queue_mutex_);
            condition_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
            if (stop_ && tasks_.empty())
              return;
            task = std::move(tasks_.front());
            tasks_.pop();
          }
          task();
        }
      });
  }
  ~ThreadPool() {
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      stop_ = true;
    }
    condition_.notify_all();
    for (std::thread &worker : workers_)
      worker.join();
  }

private:
  std::vector<std::thread> workers_;
  std::queue<std::function<void()>> tasks_;
  std::mutex queue_mutex_;
  std::condition_variable condition_;
  bool stop_ = false;
};

class Service {
public:
  void stop() {
    std::unique_lock<std::mutex> lk(mu_);
    running_ = false;
    std::thread t = std::move(worker_);
    lk.unlock();
    if (t.joinable())
      t.join();
  }
  void poll() {
    // defer_lock and never locked: nothing is held.
    std::unique_lock<std::mutex> lk(mu_, std::defer_lock);
    std::this_thread::sleep_for(1ms);
    if (lk.try_lock())
      ++polls_;
  }
  void maybe_work() {
    std::unique_lock<std::mutex> lk(mu_, std::try_to_lock);
    if (!lk.owns_lock()) {
      std::this_thread::sleep_for(1ms); // not holding it here
      return;
    }
    ++polls_;
  }

private:
  std::mutex mu_;
  bool running_ = true;
  int polls_ = 0;
  std::thread worker_;
};

// A guard per iteration: the sleep is outside its scope.
void ticker(std::mutex &m, int &ticks, const bool &stop) {
  while (!stop) {
    {
      std::lock_guard<std::mutex> g(m);
      ++ticks;
    }
    std::this_thread::sleep_for(10ms);
  }
}

// Manual lock/unlock around the critical part only; early return unlocks.
int manual(std::mutex &m, std::vector<int> &v, std::future<int> &f) {
  m.lock();
  if (v.empty()) {
    m.unlock();
    return f.get();
  }
  int x = v.back();
  m.unlock();
  return x + f.get();
}

// Timed and try operations do not block indefinitely; a lambda built under
// the lock runs later, elsewhere.
class Batcher {
public:
  void flush(std::future<int> &f) {
    std::lock_guard<std::mutex> g(mu_);
    if (f.wait_for(0ms) == std::future_status::ready)
      total_ += f.get(); // ready: get() returns at once
  }
  std::function<void()> make_job() {
    std::lock_guard<std::mutex> g(mu_);
    return [this] {
      std::this_thread::sleep_for(1ms);
      std::lock_guard<std::mutex> inner(mu_);
      ++total_;
    };
  }

private:
  std::mutex mu_;
  int total_ = 0;
};

// The guard is moved into a scope that ends before the join.
void handoff(std::mutex &m, std::thread &t) {
  std::unique_lock<std::mutex> lk(m);
  {
    std::unique_lock<std::mutex> inner(std::move(lk));
  }
  t.join();
}

// condition_variable_any waiting with the mutex itself.
struct Gate {
  std::mutex m;
  std::condition_variable_any cv;
  bool open = false;
  void pass() {
    m.lock();
    cv.wait(m, [this] { return open; });
    m.unlock();
  }
};

// Sending on the channel after the scope of the lock.
void produce(msd::channel<int> &out, std::mutex &m, int &seq) {
  int v;
  {
    std::lock_guard<std::mutex> g(m);
    v = ++seq;
  }
  out << v;
}

// A helper that retries a syscall with a short sleep: only waits for other
// threads make a callee blocking (the cpp-httplib handle_EINTR shape).
template <typename F> long retry_eintr(F fn) {
  long r;
  while ((r = fn()) < 0)
    std::this_thread::sleep_for(std::chrono::microseconds(1));
  return r;
}
class Client {
public:
  long send_request() {
    std::lock_guard<std::recursive_mutex> g(request_mu_);
    return retry_eintr([this] { return ++sent_; });
  }

private:
  std::recursive_mutex request_mu_;
  long sent_ = 0;
};

// The guard is handed to a helper that may unlock it: what it holds after
// the call is not known, so nothing is reported.
class Handoff {
public:
  void step(std::thread &t) {
    std::unique_lock<std::mutex> lk(mu_);
    release_early(lk);
    t.join();
  }

private:
  void release_early(std::unique_lock<std::mutex> &lk) { lk.unlock(); }
  std::mutex mu_;
};

// Unreachable after return: nothing held there matters.
void early(std::mutex &m, std::thread &t, bool fast) {
  {
    std::lock_guard<std::mutex> g(m);
    if (fast)
      return;
  }
  t.join();
}

// Reaping retired threads under the pool's mutex (cpp-httplib's dynamic
// threads): a worker moves itself to finished_ as the last thing it does
// under the lock and never takes the lock again, so joining it there cannot
// deadlock. The join sits behind `joinable()` in a loop in a helper: a
// helper that blocks only on some paths is not taken as blocking.
class DynamicPool {
public:
  void spawn() {
    std::unique_lock<std::mutex> lock(mu_);
    cleanup_finished();
    dynamic_.emplace_back([this] { worker(); });
  }
  ~DynamicPool() {
    {
      std::lock_guard<std::mutex> g(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
    std::list<std::thread> rest;
    {
      std::lock_guard<std::mutex> g(mu_);
      rest.swap(dynamic_);
    }
    for (auto &t : rest)
      t.join();
    std::unique_lock<std::mutex> lock(mu_);
    cleanup_finished();
  }

private:
  void worker() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(1), [&] { return shutdown_; }))
      retire(std::this_thread::get_id()); // the last thing done under mu_
  }
  void retire(std::thread::id id) {
    for (auto it = dynamic_.begin(); it != dynamic_.end(); ++it)
      if (it->get_id() == id) {
        finished_.splice(finished_.end(), dynamic_, it);
        return;
      }
  }
  void cleanup_finished() {
    for (auto &t : finished_)
      if (t.joinable())
        t.join();
    finished_.clear();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::list<std::thread> dynamic_, finished_;
  bool shutdown_ = false;
};
