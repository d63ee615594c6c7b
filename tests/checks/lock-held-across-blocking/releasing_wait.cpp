// User condition-variable classes whose wait(Lockable&) unlocks the lock it
// is given while it blocks, as std::condition_variable_any::wait does: the
// fact "releases parameter N while blocking" follows the wrapper, so the
// caller's mutex passed as that argument is not held across the wait. A
// second mutex held across it still is, and so is a user wait that blocks
// without releasing what the caller holds.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

// A portable condition variable over any lockable, built on
// condition_variable_any.
class CondVar {
public:
  template <class Lockable> void wait(Lockable &m) { cv_.wait(m); }
  void notify_one() { cv_.notify_one(); }
  void notify_all() { cv_.notify_all(); }

private:
  std::condition_variable_any cv_;
};

// A condition variable built on a semaphore: wait() unlocks the caller's
// mutex by hand, blocks on the semaphore and locks the mutex again.
class SemCondVar {
public:
  void wait(std::mutex &m) {
    waiters_.fetch_add(1);
    m.unlock();
    sem_.acquire();
    m.lock();
  }
  void notify_one() {
    if (waiters_.load() > 0) {
      waiters_.fetch_sub(1);
      sem_.release();
    }
  }

private:
  std::atomic<int> waiters_{0};
  std::counting_semaphore<> sem_{0};
};

// A monitor whose wait goes through a helper that does the actual wait.
class Monitor {
public:
  void wait(std::unique_lock<std::mutex> &lk) { block_on(lk); }
  void signal() { cv_.notify_all(); }

private:
  void block_on(std::unique_lock<std::mutex> &lk) { cv_.wait(lk); }
  std::condition_variable cv_;
};

// A wait that does not release what the caller holds: it waits on its own
// mutex for the idle count.
class IdleTracker {
public:
  void wait_idle() {
    std::unique_lock<std::mutex> lk(mu_);
    idle_cv_.wait(lk, [this] { return busy_ == 0; });
  }
  void enter() {
    std::lock_guard<std::mutex> g(mu_);
    ++busy_;
  }
  void leave() {
    {
      std::lock_guard<std::mutex> g(mu_);
      --busy_;
    }
    idle_cv_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable idle_cv_;
  int busy_ = 0;
};

class JobQueue {
public:
  void push(std::string job) {
    m_.lock();
    jobs_.push_back(std::move(job));
    ready_ = true;
    m_.unlock();
    cv_.notify_one();
  }

  // m_ is released by cv_.wait(m_) while it blocks: not held across it.
  std::string pop() {
    m_.lock();
    while (!ready_)
      cv_.wait(m_);
    std::string j = std::move(jobs_.front());
    jobs_.pop_front();
    ready_ = !jobs_.empty();
    m_.unlock();
    return j;
  }

  // The same through a guard.
  std::string pop_guarded() {
    std::lock_guard<std::mutex> g(m_);
    while (!ready_)
      cv_.wait(m_);
    std::string j = std::move(jobs_.front());
    jobs_.pop_front();
    ready_ = !jobs_.empty();
    return j;
  }

  // stats_mu_ is not the mutex the wait releases: still held while it
  // blocks.
  std::string pop_counted() {
    std::lock_guard<std::mutex> s(stats_mu_); // want-note "mutex locked here"
    ++pops_;
    m_.lock();
    while (!ready_)
      cv_.wait(m_); // want lock-held-across-blocking "mutex 'this->stats_mu_' is held across a call to 'wait', which blocks \(cond wait\)"
    std::string j = std::move(jobs_.front());
    jobs_.pop_front();
    ready_ = !jobs_.empty();
    m_.unlock();
    return j;
  }

  // Waits for the workers to go idle with the queue's mutex held: the
  // tracker's wait releases nothing of the caller's.
  void drain() {
    std::lock_guard<std::mutex> g(m_); // want-note "mutex locked here"
    jobs_.clear();
    ready_ = false;
    idle_.wait_idle(); // want lock-held-across-blocking "mutex 'this->m_' is held across a call to 'wait_idle', which blocks \(cond wait\)"
  }

private:
  std::mutex m_;
  std::mutex stats_mu_;
  CondVar cv_;
  IdleTracker idle_;
  std::deque<std::string> jobs_;
  bool ready_ = false;
  long pops_ = 0;
};

// The monitor's wait releases the guard it is given, through its helper.
class Mailbox {
public:
  void put(std::string m) {
    {
      std::lock_guard<std::mutex> g(mu_);
      box_.push_back(std::move(m));
    }
    mon_.signal();
  }
  std::string take() {
    std::unique_lock<std::mutex> lk(mu_);
    while (box_.empty())
      mon_.wait(lk);
    std::string m = std::move(box_.front());
    box_.pop_front();
    return m;
  }
  // A second lock taken around the take: still held across the monitor's
  // wait.
  std::string take_logged() {
    std::lock_guard<std::mutex> g(log_mu_); // want-note "mutex locked here"
    std::unique_lock<std::mutex> lk(mu_);
    while (box_.empty())
      mon_.wait(lk); // want lock-held-across-blocking "mutex 'this->log_mu_' is held across a call to 'wait', which blocks \(cond wait\)"
    std::string m = std::move(box_.front());
    box_.pop_front();
    ++taken_;
    return m;
  }

private:
  std::mutex mu_;
  std::mutex log_mu_;
  Monitor mon_;
  std::deque<std::string> box_;
  long taken_ = 0;
};

// The semaphore-based condition variable: the mutex handed to wait() is
// released while it blocks; the event log's mutex is not.
class EventQueue {
public:
  void post(int ev) {
    mu_.lock();
    events_.push_back(ev);
    ready_ = true;
    mu_.unlock();
    cv_.notify_one();
  }
  int next() {
    mu_.lock();
    while (!ready_)
      cv_.wait(mu_);
    int ev = events_.front();
    events_.pop_front();
    ready_ = !events_.empty();
    mu_.unlock();
    return ev;
  }
  int next_logged() {
    std::lock_guard<std::mutex> g(log_mu_); // want-note "mutex locked here"
    mu_.lock();
    while (!ready_)
      cv_.wait(mu_); // want lock-held-across-blocking "mutex 'this->log_mu_' is held across a call to 'wait', which blocks \(semacquire\)"
    int ev = events_.front();
    events_.pop_front();
    ready_ = !events_.empty();
    mu_.unlock();
    ++logged_;
    return ev;
  }

private:
  std::mutex mu_;
  std::mutex log_mu_;
  SemCondVar cv_;
  std::deque<int> events_;
  bool ready_ = false;
  long logged_ = 0;
};
