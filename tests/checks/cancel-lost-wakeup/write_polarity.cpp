// A write can lose a wake-up only if it could end the wait: a flag set to
// the value under which the waiter goes on waiting (a pool re-armed after
// its threads were joined, a state moved back to "running") wakes nobody.
// The same writes with the value that ends the wait are reported.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

// A pool whose JoinThreads() can be called again: after joining every
// thread it re-arms the exit flag. The waiters loop while `!exit_all_`, so
// `exit_all_ = false` cannot end anybody's wait; the `true` written under
// the mutex before the notify is the one that does. (RocksDB's
// ThreadPoolImpl::Impl::JoinThreads.)
class BackgroundPool {
public:
  void Schedule(std::function<void()> job) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(job));
    if (threads_.size() < limit_)
      threads_.emplace_back(&BackgroundPool::Run, this);
    signal_.notify_one();
  }

  void JoinThreads(bool drain) {
    std::unique_lock<std::mutex> lock(mu_);
    drain_ = drain;
    exit_all_ = true;
    limit_ = 0;
    lock.unlock();
    signal_.notify_all();
    for (auto &t : threads_)
      t.join();
    threads_.clear();
    exit_all_ = false;
    drain_ = false;
  }

private:
  void Run() {
    while (true) {
      std::unique_lock<std::mutex> lock(mu_);
      while (!exit_all_ && queue_.empty())
        signal_.wait(lock);
      if (exit_all_) {
        if (!drain_ || queue_.empty())
          break;
      } else if (threads_.size() > limit_) {
        // An excess thread retires: both branches leave, so this test says
        // nothing about which value of `exit_all_` ends the wait above.
        break;
      }
      auto job = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      job();
    }
  }

  std::mutex mu_;
  std::condition_variable signal_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  std::size_t limit_ = 4;
  bool exit_all_ = false;
  bool drain_ = false;
};

// A state machine with a predicate wait: the consumer waits until the
// state is Stopping or work arrives. Moving the state back to Running
// (without the mutex, after the notify) cannot end that wait.
enum class State { Running, Paused, Stopping };

class Consumer {
public:
  explicit Consumer(std::function<void(int)> sink) : sink_(std::move(sink)) {
    worker_ = std::thread([this] { Loop(); });
  }
  ~Consumer() {
    {
      std::lock_guard<std::mutex> g(mu_);
      state_ = State::Stopping;
    }
    cv_.notify_all();
    worker_.join();
  }
  void Push(int v) {
    {
      std::lock_guard<std::mutex> g(mu_);
      items_.push_back(v);
    }
    cv_.notify_one();
  }
  void Resume() {
    cv_.notify_all();
    state_.store(State::Running);
  }

private:
  void Loop() {
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      cv_.wait(lk, [this] {
        return state_.load() == State::Stopping || !items_.empty();
      });
      if (state_.load() == State::Stopping)
        return;
      int v = items_.front();
      items_.pop_front();
      lk.unlock();
      sink_(v);
      lk.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> items_;
  std::atomic<State> state_{State::Running};
  std::function<void(int)> sink_;
  std::thread worker_;
};

// --- must flag: the same shapes, with the value that ends the wait --------

class Pool2 {
public:
  Pool2() {
    for (int i = 0; i < 4; ++i)
      threads_.emplace_back([this] { Run(); });
  }
  void Shutdown() {
    signal_.notify_all(); // want-note "the notify comes before the write"
    exit_all_ = true; // want cancel-lost-wakeup "'exit_all_' is set without holding 'mu_'.*after that condition variable was notified"
    for (auto &t : threads_)
      t.join();
  }

private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!exit_all_ && queue_.empty())
      signal_.wait(lock);
  }

  std::mutex mu_;
  std::condition_variable signal_;
  std::deque<int> queue_;
  std::vector<std::thread> threads_;
  bool exit_all_ = false;
};

class Consumer2 {
public:
  void Stop() {
    state_.store(State::Stopping); // want cancel-lost-wakeup "'state_' is set without holding 'mu_'"
    cv_.notify_all(); // want-note "the notify that can be lost"
  }
  void Loop() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] {
      return state_.load() == State::Stopping || !items_.empty();
    });
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> items_;
  std::atomic<State> state_{State::Running};
};
