// Waits that a stop request reaches, waits with no token in scope, and short
// or bounded waits.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <queue>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <msd/channel.hpp>

using namespace std::chrono_literals;

void process(int v);
void handle(const std::string &s);
int compute(int n);

// condition_variable_any with the token: request_stop() wakes it.
class Worker {
public:
  Worker()
      : thread_([this](std::stop_token st) {
          std::unique_lock<std::mutex> lk(mu_);
          while (cv_.wait(lk, st, [this] { return !items_.empty(); })) {
            int v = items_.front();
            items_.pop();
            process(v);
          }
        }) {}
  void post(int v) {
    {
      std::lock_guard<std::mutex> g(mu_);
      items_.push(v);
    }
    cv_.notify_one();
  }

private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::queue<int> items_;
  std::jthread thread_;
};

// A timed wait in a loop that checks the token: stop is seen within 100ms.
class Poller {
public:
  void run(std::stop_token st) {
    std::unique_lock<std::mutex> lk(mu_);
    while (!st.stop_requested()) {
      if (cv_.wait_for(lk, 100ms, [this] { return pending_ > 0; })) {
        --pending_;
        process(pending_);
      }
    }
  }
  void kick() {
    {
      std::lock_guard<std::mutex> g(mu_);
      ++pending_;
    }
    cv_.notify_one();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  int pending_ = 0;
};

// No token in scope: a plain wait is the only thing this code can do.
class Mailbox {
public:
  std::string take() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return !mail_.empty(); });
    std::string m = mail_.front();
    mail_.pop();
    return m;
  }
  void put(std::string m) {
    {
      std::lock_guard<std::mutex> g(mu_);
      mail_.push(std::move(m));
    }
    cv_.notify_one();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::queue<std::string> mail_;
};

// Short sleeps: the token is checked every 200ms.
void heartbeat(std::stop_token st) {
  while (!st.stop_requested()) {
    process(0);
    std::this_thread::sleep_for(200ms);
  }
}

// A sleep whose length is not a constant: not judged.
void backoff(std::stop_token st, std::chrono::milliseconds delay) {
  while (!st.stop_requested()) {
    process(1);
    std::this_thread::sleep_for(delay);
  }
}

// A stop_callback notifies the condition variable and the predicate reads
// the token: the plain wait is interruptible.
class Dispatcher {
public:
  void loop(std::stop_token st) {
    std::stop_callback wake(st, [this] {
      std::lock_guard<std::mutex> g(mu_);
      cv_.notify_all();
    });
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      cv_.wait(lk, [&] { return st.stop_requested() || !jobs_.empty(); });
      if (st.stop_requested())
        return;
      int j = jobs_.front();
      jobs_.pop();
      process(j);
    }
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::queue<int> jobs_;
};

// A channel closed on the stop path: the receive fails and the loop ends.
class Feed {
public:
  Feed()
      : reader_([this](std::stop_token st) {
          std::stop_callback closer(st, [this] { lines_.close(); });
          std::string line;
          while (lines_.read(line))
            handle(line);
        }) {}
  void push(std::string s) { lines_.write(std::move(s)); }

private:
  msd::channel<std::string> lines_;
  std::jthread reader_;
};

// A channel handed in by the caller: whoever owns it may close it.
void drain(std::stop_token st, msd::channel<int> &in) {
  int v = 0;
  while (!st.stop_requested() && in.read(v))
    process(v);
}

// The future is polled with a timeout before get(): the token is checked in
// between.
int fetch(std::stop_token st, int id) {
  auto f = std::async(std::launch::async, compute, id);
  while (f.wait_for(50ms) != std::future_status::ready)
    if (st.stop_requested())
      return -1;
  return f.get();
}

// A hand-rolled stop flag in the predicate, set and notified by shutdown():
// the wait has its own stop path.
class Pipeline {
public:
  void stage(std::stop_token st) {
    std::unique_lock<std::mutex> lk(mu_);
    while (!st.stop_requested()) {
      cv_.wait(lk, [this] { return stopping_ || !work_.empty(); });
      if (stopping_)
        return;
      work_.pop();
    }
  }
  void shutdown() {
    {
      std::lock_guard<std::mutex> g(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::queue<int> work_;
  bool stopping_ = false;
};

// The stop callback sets a flag of the class under the lock and notifies;
// the predicate reads that flag.
class Drainer {
public:
  void run(std::stop_token st) {
    std::stop_callback on_stop(st, [this] {
      {
        std::lock_guard<std::mutex> g(mu_);
        wake_ = true;
      }
      cv_.notify_all();
    });
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      cv_.wait(lk, [this] { return wake_ || !q_.empty(); });
      if (wake_)
        return;
      q_.pop_front();
    }
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> q_;
  bool wake_ = false;
};
