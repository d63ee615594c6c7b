// Which thread each step of the path runs in (the `threads` of the JSON
// output, one SARIF thread flow each). A join under a mutex that the joined
// thread takes is a two-thread deadlock: the holder's steps are in the
// thread of the function that joins, the acquisition in the joined thread,
// named by where it is started. Other findings of the check stay in one
// thread.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

// The worker is started in the constructor's initializer and takes the
// mutex in a helper of its loop.
class Pool {
public:
  Pool() : worker_([this] { run(); }) {}
  void post(std::function<void()> job) {
    std::lock_guard<std::mutex> g(mu_);
    jobs_.push_back(std::move(job));
    ready_.notify_one();
  }
  void stop() {
    std::lock_guard<std::mutex> g(mu_); // want-note "mutex locked here" thread "^thread running 'Pool::stop'$"
    stopping_ = true;
    ready_.notify_all();
    worker_.join(); // want lock-held-across-blocking "joined thread takes it too" thread "^thread running 'Pool::stop'$"
  }

private:
  void run() {
    while (std::function<void()> job = next())
      job();
  }
  std::function<void()> next() {
    std::unique_lock<std::mutex> lk(mu_); // want-note "the joined thread takes the mutex here" thread "^thread started at thread_flows.cpp:20$"
    ready_.wait(lk, [this] { return stopping_ || !jobs_.empty(); });
    if (stopping_)
      return {};
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    return job;
  }

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread worker_;
};

// A local thread joined under a shared_ptr-held mutex that its lambda takes.
struct Journal {
  std::mutex mu;
  std::vector<int> entries;
};

void replay(std::shared_ptr<Journal> j) {
  std::unique_lock<std::mutex> lk(j->mu); // want-note "mutex locked here" thread "^thread running 'replay'$"
  std::thread flusher([j] {
    std::lock_guard<std::mutex> g(j->mu); // want-note "the joined thread takes the mutex here" thread "^thread started at thread_flows.cpp:63$"
    j->entries.clear();
  });
  flusher.join(); // want lock-held-across-blocking "joined thread takes it too" thread "^thread running 'replay'$"
}

// One thread: a sleep under the lock. Its notes name no thread.
class Throttle {
public:
  void tick() {
    std::lock_guard<std::mutex> g(mu_); // want-note "mutex locked here" thread "^$"
    ++ticks_;
    std::this_thread::sleep_for(std::chrono::milliseconds(5)); // want lock-held-across-blocking "held across a blocking" thread "^$"
  }

private:
  std::mutex mu_;
  int ticks_ = 0;
};
