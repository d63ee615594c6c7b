// Joining a thread with a mutex held deadlocks only if that thread can take
// the mutex. The joined thread's body is found from its handle (a member
// started in any method of the class, a member container of threads, a
// local) and its callees are followed: a thread that takes the mutex is a
// deadlock, one whose start is not visible is reported as unknown, and one
// that provably never takes it (a lifecycle lock) is not reported.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// A lifecycle lock: start() and stop() serialise on m_, the worker only
// ever takes queue_mu_. Joining under m_ cannot deadlock.
class Service {
public:
  void start() {
    std::lock_guard<std::mutex> g(m_);
    if (state_ != State::Idle)
      return;
    state_ = State::Running;
    quit_.store(false);
    worker_ = std::thread([this] { serve(); });
  }
  void stop() {
    std::lock_guard<std::mutex> g(m_);
    if (state_ != State::Running)
      return;
    state_ = State::Stopping;
    quit_.store(true);
    worker_.join();
    state_ = State::Idle;
  }
  void post(int job) {
    std::lock_guard<std::mutex> g(queue_mu_);
    queue_.push_back(job);
  }

private:
  void serve() {
    while (!quit_.load())
      handle_one();
  }
  void handle_one() {
    std::lock_guard<std::mutex> g(queue_mu_);
    if (!queue_.empty())
      queue_.pop_front();
  }
  enum class State { Idle, Running, Stopping };
  std::mutex m_;
  std::mutex queue_mu_;
  State state_ = State::Idle;
  std::atomic<bool> quit_{false};
  std::thread worker_;
  std::deque<int> queue_;
};

// A pool whose workers take mu_ in a helper: joining them under mu_ is a
// deadlock (a worker woken by the notify blocks on mu_ forever).
class Pool {
public:
  explicit Pool(int n) {
    for (int i = 0; i < n; ++i)
      workers_.emplace_back([this] { loop(); });
  }
  ~Pool() {
    std::lock_guard<std::mutex> g(mu_); // want-note "mutex locked here"
    stop_ = true;
    cv_.notify_all();
    for (auto &t : workers_)
      t.join(); // want lock-held-across-blocking "mutex 'this->mu_' is held across a blocking thread join; the joined thread takes it too \(in 'Pool::next'\): a deadlock"
  }
  void submit(std::function<void()> f) {
    {
      std::lock_guard<std::mutex> g(mu_);
      tasks_.push_back(std::move(f));
    }
    cv_.notify_one();
  }

private:
  void loop() {
    while (auto task = next())
      task();
  }
  std::function<void()> next() {
    std::unique_lock<std::mutex> lk(mu_); // want-note "the joined thread takes the mutex here"
    cv_.wait(lk, [this] { return stop_ || !tasks_.empty(); });
    if (tasks_.empty())
      return {};
    auto f = std::move(tasks_.front());
    tasks_.pop_front();
    return f;
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> workers_;
};

// A member function started on `this`: close() joins under the buffer's
// mutex, which the flusher takes; reconfigure() joins under a mutex the
// flusher never takes.
class Logger {
public:
  Logger() : flusher_(&Logger::flush_loop, this) {}
  void close() {
    std::lock_guard<std::mutex> g(buf_mu_);
    closing_ = true;
    flusher_.join(); // want lock-held-across-blocking "the joined thread takes it too \(in 'Logger::flush_loop'\)"
  }
  void reconfigure(const std::string &path) {
    std::lock_guard<std::mutex> g(cfg_mu_);
    path_ = path;
    closing_ = true;
    if (flusher_.joinable())
      flusher_.join();
  }

private:
  void flush_loop() {
    for (;;) {
      std::lock_guard<std::mutex> g(buf_mu_);
      lines_.clear();
      if (closing_)
        return;
    }
  }
  std::mutex buf_mu_;
  std::mutex cfg_mu_;
  std::atomic<bool> closing_{false};
  std::string path_;
  std::vector<std::string> lines_;
  std::thread flusher_;
};

// Locals: the thread captures the mutex by reference.
int local_deadlock() {
  std::mutex m;
  int n = 0;
  std::thread t([&] {
    std::lock_guard<std::mutex> g(m);
    ++n;
  });
  std::lock_guard<std::mutex> g(m);
  t.join(); // want lock-held-across-blocking "mutex 'm' is held across a blocking thread join; the joined thread takes it too"
  return n;
}

int local_other_mutex() {
  std::mutex m, other;
  int n = 0;
  std::thread t([&] {
    std::lock_guard<std::mutex> g(other);
    ++n;
  });
  std::lock_guard<std::mutex> g(m);
  t.join();
  return n;
}

// A thread handed in: where it starts is not visible, so it may take m.
void stop_external(std::mutex &m, std::thread &t) {
  std::lock_guard<std::mutex> g(m);
  t.join(); // want lock-held-across-blocking "whether the joined thread takes it is unknown \(where the thread starts is not visible here\)"
}
