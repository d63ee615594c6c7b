// Writes that look like the waiter's state but are not: a field of a local
// object that shares its name with what the waiter reads (the
// FiberTaskingLib shape), a member read only after the worker loop, a
// decrement whose notify is made under the mutex, counters no wait tests.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

struct Task {
  void (*Function)(void *) = nullptr;
  void *ArgData = nullptr;
};

struct TaskBundle {
  Task TaskToExecute;
  std::atomic<int> *Counter = nullptr;
};

// Tasks are built in locals and copied into the queue; the worker pops into
// a local of its own and tests that local's fields before sleeping. The two
// locals are different objects: a write of one is no write of the other.
class Scheduler {
public:
  explicit Scheduler(unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      threads_.emplace_back([this] { workerLoop(); });
  }
  ~Scheduler() {
    {
      std::lock_guard<std::mutex> g(sleep_mu_);
      quit_ = true;
    }
    sleep_cv_.notify_all();
    for (auto &t : threads_)
      t.join();
    delete[] exit_slots_;
  }

  void addTask(void (*fn)(void *), void *arg) {
    Task task{};
    task.Function = fn;
    task.ArgData = arg;
    TaskBundle bundle{};
    bundle.TaskToExecute = task;
    bundle.Counter = nullptr;
    {
      std::lock_guard<std::mutex> g(queue_mu_);
      queue_.push_back(bundle);
    }
    sleep_cv_.notify_one();
  }

  // Called before the threads start: sets up where finished workers report.
  void prepareExit(unsigned n) {
    exit_slots_ = new int[n]();
    sleep_cv_.notify_all();
  }

private:
  bool popTask(TaskBundle *out) {
    std::lock_guard<std::mutex> g(queue_mu_);
    if (queue_.empty())
      return false;
    *out = queue_.front();
    queue_.pop_front();
    return true;
  }

  void workerLoop() {
    unsigned failed = 0;
    while (!quit_.load(std::memory_order_acquire)) {
      TaskBundle next{};
      bool found = popTask(&next);
      if (found && next.TaskToExecute.Function != nullptr) {
        next.TaskToExecute.Function(next.TaskToExecute.ArgData);
        failed = 0;
        continue;
      }
      if (++failed < 16)
        continue;
      std::unique_lock<std::mutex> lk(sleep_mu_);
      if (!quit_)
        sleep_cv_.wait(lk);
      failed = 0;
    }
    // Read once the loop is over: it does not decide whether to sleep.
    if (exit_slots_ != nullptr)
      exit_slots_[0] = 1;
  }

  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  std::atomic<bool> quit_{false};
  std::mutex queue_mu_;
  std::deque<TaskBundle> queue_;
  int *exit_slots_ = nullptr;
  std::vector<std::thread> threads_;
};

// The log4cplus fix: the decrement stays outside the mutex, but the notify
// is made holding it, so the waiter is either before its test or asleep.
class InFlight {
public:
  void finishOne() {
    std::size_t prev = std::atomic_fetch_sub_explicit(&count_, std::size_t(1), std::memory_order_acq_rel);
    if (prev == 1) {
      std::unique_lock<std::mutex> g(mu_);
      cv_.notify_all();
    }
  }
  void startOne() { count_.fetch_add(1, std::memory_order_relaxed); }
  void waitNone() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return count_ == 0; });
  }

private:
  std::atomic<std::size_t> count_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

// Statistics counters bumped without the lock next to a notify: no wait
// tests them.
class Stats {
public:
  void push(int v) {
    {
      std::lock_guard<std::mutex> g(mu_);
      items_.push_back(v);
    }
    pushed_.fetch_add(1, std::memory_order_relaxed);
    ++notifies_;
    cv_.notify_one();
  }
  int pop() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return !items_.empty(); });
    int v = items_.front();
    items_.pop_front();
    popped_.fetch_add(1, std::memory_order_relaxed);
    return v;
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> items_;
  std::atomic<long> pushed_{0};
  std::atomic<long> popped_{0};
  std::atomic<long> notifies_{0};
};

// A local counter of the same name as the waiter's member, counted down by
// the function that owns it: it is not the member.
class Gate {
public:
  void open(int rounds) {
    std::atomic<int> remaining_{rounds};
    while (remaining_.fetch_sub(1) > 0)
      cv_.notify_one();
  }
  void pass() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return remaining_ > 0; });
  }
  void arm(int n) {
    std::lock_guard<std::mutex> g(mu_);
    remaining_ = n;
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  int remaining_ = 0;
};

// A heartbeat: each round waits until a deadline computed for that round;
// a lost notify costs one round, not the thread.
class Heartbeat {
public:
  Heartbeat() : t_([this] { beat(); }) {}
  ~Heartbeat() {
    stopping_.store(true);
    cv_.notify_all();
    t_.join();
  }

private:
  void beat() {
    std::unique_lock<std::mutex> lk(mu_);
    while (!stopping_.load()) {
      auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
      cv_.wait_until(lk, next, [this] { return stopping_.load(); });
      ++beats_;
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
  long beats_ = 0;
  std::thread t_;
};

void noop(void *) {}

int main() {
  Scheduler s(2);
  s.addTask(noop, nullptr);
  InFlight f;
  f.startOne();
  std::thread t([&] { f.finishOne(); });
  f.waitNone();
  t.join();
  Stats st;
  st.push(1);
  st.pop();
  Heartbeat hb;
  Gate g;
  g.arm(1);
  std::thread p([&] { g.pass(); });
  g.open(1);
  p.join();
}
