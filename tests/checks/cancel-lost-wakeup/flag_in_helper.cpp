// The flag is written by a helper the notifying function calls first:
// `~Pool() { stop(); cv_.notify_all(); }` with `void stop() { done_ = true; }`.
// The finding is at the write (the line to fix), with the call as a note.
// A helper that takes the wait's mutex around the write, or a caller that
// holds it across the call, is correct.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

// The helper writes an atomic flag without the mutex; the destructor
// notifies after calling it.
class Pool {
public:
  explicit Pool(unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      workers_.emplace_back([this] { run(); });
  }
  ~Pool() {
    stop(); // want-note "set through this call to 'stop'"
    cv_.notify_all(); // want-note "the notify that can be lost"
    for (auto &t : workers_)
      t.join();
  }
  void submit(std::function<void()> f) {
    {
      std::lock_guard<std::mutex> g(mu_);
      jobs_.push_back(std::move(f));
    }
    cv_.notify_one();
  }

private:
  void stop() {
    done_.store(true); // want cancel-lost-wakeup "'done_' is set in 'Pool::stop' without holding 'mu_', the mutex of the wait on 'cv_' that reads it, and notified after the call"
  }
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [this] { return done_.load() || !jobs_.empty(); });
        if (done_.load() && jobs_.empty())
          return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> done_{false};
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> workers_;
};

// Two levels of helpers and a plain bool; called from two places that both
// notify: one finding, at the write.
class Server {
public:
  Server() : acceptor_([this] { accept_loop(); }) {}
  ~Server() {
    shutdown();
    if (acceptor_.joinable())
      acceptor_.join();
  }
  void shutdown() {
    begin_shutdown();
    wake_.notify_all();
  }
  void restart() {
    begin_shutdown();
    wake_.notify_one();
  }

private:
  void begin_shutdown() { mark(); }
  void mark() {
    quitting_ = true; // want cancel-lost-wakeup "'quitting_' is set in 'Server::mark' without holding 'conn_mu_'"
  }
  void accept_loop() {
    std::unique_lock<std::mutex> lk(conn_mu_);
    while (!quitting_) {
      wake_.wait(lk);
      ++accepted_;
    }
  }
  std::mutex conn_mu_;
  std::condition_variable wake_;
  bool quitting_ = false;
  int accepted_ = 0;
  std::thread acceptor_;
};

// Correct: the helper writes under the wait's mutex.
class Queue {
public:
  Queue() : consumer_([this] { consume(); }) {}
  ~Queue() {
    close();
    cv_.notify_all();
    consumer_.join();
  }

private:
  void close() {
    std::lock_guard<std::mutex> g(mu_);
    closed_ = true;
  }
  void consume() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return closed_; });
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  std::thread consumer_;
};

// Correct: the caller holds the wait's mutex across the helper's write.
class Timer {
public:
  Timer() : ticker_([this] { tick(); }) {}
  ~Timer() {
    {
      std::lock_guard<std::mutex> g(mu_);
      cancel();
    }
    cv_.notify_all();
    ticker_.join();
  }

private:
  void cancel() { cancelled_ = true; }
  void tick() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return cancelled_; });
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool cancelled_ = false;
  std::thread ticker_;
};

// Correct: the helper notifies itself after its own write under the mutex;
// the caller's later notify is redundant, not lost.
class Latch {
public:
  Latch() : waiter_([this] { wait(); }) {}
  ~Latch() {
    release();
    cv_.notify_all();
    waiter_.join();
  }

private:
  void release() {
    {
      std::lock_guard<std::mutex> g(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return open_; });
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  std::thread waiter_;
};
