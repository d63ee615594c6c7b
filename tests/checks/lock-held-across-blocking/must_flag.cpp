// Mutexes held across operations that block: joins, futures, sleeps, waits on
// another condition variable, channel receives, helpers that block.
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

#include <msd/channel.hpp>

using namespace std::chrono_literals;

class Server {
public:
  void start() {
    std::lock_guard<std::mutex> g(mu_);
    running_ = true;
    worker_ = std::thread([this] { loop(); });
  }
  // Joining under the mutex the worker needs: deadlock.
  void stop() {
    std::lock_guard<std::mutex> g(mu_); // want-note "mutex locked here"
    running_ = false;
    if (worker_.joinable())
      worker_.join(); // want lock-held-across-blocking "mutex 'this->mu_' is held across a blocking thread join"
  }

private:
  void loop() {
    for (;;) {
      std::lock_guard<std::mutex> g(mu_);
      if (!running_)
        return;
    }
  }
  std::mutex mu_;
  bool running_ = false;
  std::thread worker_;
};

struct Cache {
  std::mutex mu;
  std::vector<int> values;
  std::future<int> pending;

  int refresh() {
    std::unique_lock<std::mutex> lk(mu);
    int v = pending.get(); // want lock-held-across-blocking "held across a blocking future wait"
    values.push_back(v);
    return v;
  }
};

class Poller {
public:
  void run() {
    while (!done_) {
      mu_.lock(); // want-note "mutex locked here"
      poll_once();
      std::this_thread::sleep_for(10ms); // want lock-held-across-blocking "'this->mu_' is held across a blocking sleep"
      mu_.unlock();
    }
  }

private:
  void poll_once() {}
  std::mutex mu_;
  bool done_ = false;
};

// Waiting on one condition variable while another mutex stays locked.
class Pipeline {
public:
  void take() {
    std::lock_guard<std::mutex> outer(stats_mu_);
    std::unique_lock<std::mutex> lk(queue_mu_);
    ready_.wait(lk, [this] { return items_ > 0; }); // want lock-held-across-blocking "'this->stats_mu_' is held across a blocking cond wait"
    --items_;
    ++taken_;
  }

private:
  std::mutex stats_mu_, queue_mu_;
  std::condition_variable ready_;
  int items_ = 0, taken_ = 0;
};

// A channel receive under a lock (the seed's "mutex across a channel op").
class Collector {
public:
  explicit Collector(std::shared_ptr<msd::channel<int>> in) : in_(std::move(in)) {}
  void collect_one() {
    std::scoped_lock lock(mu_);
    int v = 0;
    in_->read(v); // want lock-held-across-blocking "held across a blocking channel receive"
    sum_ += v;
  }

private:
  std::shared_ptr<msd::channel<int>> in_;
  std::mutex mu_;
  long sum_ = 0;
};

// The helper blocks; the caller holds the mutex.
class Draining {
public:
  void drain_all() {
    std::lock_guard<std::mutex> g(mu_);
    while (count_ > 0) {
      wait_one(); // want lock-held-across-blocking "held across a call to 'wait_one', which blocks \(channel receive\)"
      --count_;
    }
  }

private:
  void wait_one() {
    int v;
    ch_ >> v; // want-note "blocks here"
  }
  std::mutex mu_;
  int count_ = 0;
  msd::channel<int> ch_{8};
};

// defer_lock, then lock(): held from the lock() on; a move keeps it held.
void deferred_then_locked(std::mutex &m, std::thread &t) {
  std::unique_lock<std::mutex> lk(m, std::defer_lock);
  lk.lock(); // want-note "mutex locked here"
  std::unique_lock<std::mutex> moved = std::move(lk);
  t.join(); // want lock-held-across-blocking "mutex 'm' is held across a blocking thread join"
}

// scoped_lock of two mutexes, shared_lock of a shared_mutex.
struct Registry {
  std::mutex a, b;
  std::shared_mutex rw;
  std::vector<std::thread> threads;

  void join_all() {
    std::scoped_lock both(a, b);
    for (auto &t : threads)
      t.join(); // want lock-held-across-blocking "mutex 'this->a' is held across a blocking thread join \(1 more mutex held\)"
  }
  void slow_read() {
    std::shared_lock<std::shared_mutex> r(rw);
    std::this_thread::sleep_for(1ms); // want lock-held-across-blocking "'this->rw' is held across a blocking sleep"
  }
};

// try_to_lock: held on the branch where it succeeded.
void try_then_sleep(std::mutex &m) {
  std::unique_lock<std::mutex> lk(m, std::try_to_lock);
  if (lk.owns_lock()) {
    std::this_thread::sleep_for(5ms); // want lock-held-across-blocking "'m' is held across a blocking sleep"
  }
}

// Re-locked after an unlock in a loop.
void relock(std::mutex &m, std::future<void> &f) {
  std::unique_lock<std::mutex> lk(m);
  lk.unlock();
  lk.lock();
  f.wait(); // want lock-held-across-blocking "'m' is held across a blocking future wait"
}

// A lambda called under the lock blocks on a future.
int call_under_lock(std::mutex &m, std::future<int> &f) {
  auto fetch = [&] { return f.get(); };
  std::lock_guard<std::mutex> g(m);
  return fetch(); // want lock-held-across-blocking "held across a call to 'operator\(\)', which blocks \(future wait\)"
}
