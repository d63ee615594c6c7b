// Counters and flags written by an atomic read-modify-write (fetch_sub,
// fetch_add, --, the free std::atomic_fetch_* functions) without the mutex
// of the wait that tests them, then notified: the waiter can test the old
// value, miss the notify and sleep forever.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

// The bulk_extractor (#678) shape: the worker is its own class and reaches
// the pool through a reference member; when it exits it decrements the
// pool's count of running workers and wakes the pool's owner, who waits
// for the count to reach zero.
class scan_pool;

class scan_worker {
public:
  scan_worker(scan_pool &pool, unsigned id) : pool_(pool), id_(id) {}
  void run();

private:
  scan_pool &pool_;
  unsigned id_;
};

class scan_pool {
public:
  explicit scan_pool(unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      workers_.push_back(std::make_unique<scan_worker>(*this, i));
      running_.fetch_add(1);
      threads_.emplace_back([w = workers_.back().get()] { w->run(); });
    }
  }
  void submit(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> g(mu_);
      jobs_.push(std::move(job));
    }
    to_worker_.notify_one();
  }
  void stop_and_wait() {
    {
      std::lock_guard<std::mutex> g(mu_);
      stopping_ = true;
    }
    to_worker_.notify_all();
    std::unique_lock<std::mutex> lk(mu_);
    to_main_.wait(lk, [this] { return running_ == 0; }); // want-note "the wait.s predicate reads .running_. here"
    lk.unlock();
    for (auto &t : threads_)
      t.join();
  }

private:
  friend class scan_worker;
  std::mutex mu_;
  std::condition_variable to_worker_;
  std::condition_variable to_main_;
  std::queue<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::atomic<unsigned> running_{0};
  std::vector<std::unique_ptr<scan_worker>> workers_;
  std::vector<std::thread> threads_;
};

void scan_worker::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lk(pool_.mu_);
      pool_.to_worker_.wait(lk, [this] { return pool_.stopping_ || !pool_.jobs_.empty(); });
      if (pool_.jobs_.empty())
        break;
      job = std::move(pool_.jobs_.front());
      pool_.jobs_.pop();
    }
    job();
  }
  pool_.running_.fetch_sub(1, std::memory_order_relaxed); // want cancel-lost-wakeup "'running_' is updated without holding 'mu_', the mutex of the wait on 'to_main_'"
  pool_.to_main_.notify_all(); // want-note "the notify that can be lost"
}

// The log4cplus ThreadPool shape: a guard object's destructor decrements the
// pool's in-flight count with the free atomic function and notifies the
// thread waiting for nothing to be in flight.
class task_pool {
public:
  explicit task_pool(unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      workers_.emplace_back([this] { loop(); });
  }
  ~task_pool() {
    {
      std::lock_guard<std::mutex> g(queue_mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (auto &t : workers_)
      t.join();
  }
  void post(std::function<void()> f) {
    {
      std::lock_guard<std::mutex> g(queue_mu_);
      tasks_.push(std::move(f));
      std::atomic_fetch_add_explicit(&in_flight_, std::size_t(1), std::memory_order_relaxed);
    }
    work_cv_.notify_one();
  }
  void wait_idle() {
    std::unique_lock<std::mutex> lk(idle_mu_);
    idle_cv_.wait(lk, [this] { return in_flight_ == 0; }); // want-note "the wait.s predicate reads .in_flight_. here"
  }

private:
  struct in_flight_guard {
    task_pool &tp;
    explicit in_flight_guard(task_pool &p) : tp(p) {}
    ~in_flight_guard() {
      std::size_t prev = std::atomic_fetch_sub_explicit(&tp.in_flight_, std::size_t(1), std::memory_order_acq_rel); // want cancel-lost-wakeup "'in_flight_' is updated without holding 'idle_mu_'"
      if (prev == 1)
        tp.idle_cv_.notify_all();
    }
  };
  void loop() {
    for (;;) {
      std::function<void()> f;
      {
        std::unique_lock<std::mutex> lk(queue_mu_);
        work_cv_.wait(lk, [this] { return stop_ || !tasks_.empty(); });
        if (stop_ && tasks_.empty())
          return;
        f = std::move(tasks_.front());
        tasks_.pop();
      }
      in_flight_guard guard(*this);
      f();
    }
  }
  std::mutex queue_mu_;
  std::condition_variable work_cv_;
  std::queue<std::function<void()>> tasks_;
  bool stop_ = false;
  std::mutex idle_mu_;
  std::condition_variable idle_cv_;
  std::atomic<std::size_t> in_flight_{0};
  std::vector<std::thread> workers_;
};

// A countdown decremented with the atomic's operator-- and a latch-like
// waiter without predicate, in a loop on the count.
class countdown {
public:
  explicit countdown(int n) : left_(n) {}
  void arrive() {
    --left_; // want cancel-lost-wakeup "'left_' is updated without holding 'mu_'"
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lk(mu_);
    while (left_.load() > 0)
      cv_.wait(lk);
  }

private:
  std::atomic<int> left_;
  std::mutex mu_;
  std::condition_variable cv_;
};

// The decrement is in a helper the notifying function calls first.
class batch {
public:
  void done_one() {
    release_slot();
    cv_.notify_one();
  }
  void wait_all() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return pending_.load() == 0; });
  }
  void add() { pending_.fetch_add(1); }

private:
  void release_slot() { pending_.fetch_sub(1); } // want cancel-lost-wakeup "'pending_' is set in 'batch::release_slot' without holding 'mu_'"
  std::atomic<int> pending_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

// A local state object whose address is handed to the worker thread: the
// worker's parameter and the local are the same object.
struct job_state {
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> cancel{false};
  std::queue<int> items;
};

void consume(job_state *s) {
  std::unique_lock<std::mutex> lk(s->mu);
  s->cv.wait(lk, [s] { return s->cancel.load() || !s->items.empty(); });
}

void run_job() {
  job_state st;
  std::thread t(consume, &st);
  st.cancel.exchange(true); // want cancel-lost-wakeup "'cancel' is set without holding 'mu'"
  st.cv.notify_all();
  t.join();
}

// join(max_wait): the owner waits for the exiting workers until a fixed
// deadline; a lost notify makes it wait out the whole deadline and report a
// timeout although every worker has exited.
class deadline_pool {
public:
  explicit deadline_pool(unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      alive_.fetch_add(1);
      threads_.emplace_back([this] { work(); });
    }
  }
  bool join(std::chrono::seconds max_wait) {
    {
      std::lock_guard<std::mutex> g(mu_);
      quit_ = true;
    }
    to_worker_.notify_all();
    const auto deadline = std::chrono::steady_clock::now() + max_wait;
    std::unique_lock<std::mutex> lk(mu_);
    bool all = to_main_.wait_until(lk, deadline, [this] { return alive_.load() == 0; });
    lk.unlock();
    for (auto &t : threads_)
      t.join();
    return all;
  }

private:
  void work() {
    {
      std::unique_lock<std::mutex> lk(mu_);
      to_worker_.wait(lk, [this] { return quit_; });
    }
    alive_.fetch_sub(1); // want cancel-lost-wakeup "'alive_' is updated without holding 'mu_', .* sleep until its deadline"
    to_main_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable to_worker_;
  std::condition_variable to_main_;
  bool quit_ = false;
  std::atomic<int> alive_{0};
  std::vector<std::thread> threads_;
};

int main() {
  deadline_pool dp(2);
  dp.join(std::chrono::seconds(5));
  scan_pool sp(2);
  sp.submit([] {});
  sp.stop_and_wait();
  task_pool tp(2);
  tp.post([] {});
  tp.wait_idle();
  countdown c(1);
  std::thread a([&] { c.arrive(); });
  c.wait();
  a.join();
  batch b;
  b.add();
  std::thread d([&] { b.done_one(); });
  b.wait_all();
  d.join();
  run_job();
}
