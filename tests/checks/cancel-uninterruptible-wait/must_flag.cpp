// Code with a stop token in scope that blocks where a stop request cannot
// reach it.
#include <chrono>
#include <condition_variable>
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

// A std::condition_variable has no token overload: request_stop() does not
// wake the wait. The only use of cv_ besides notify is this wait, so the
// fix-it turns it into condition_variable_any and passes the token.
class Worker {
public:
  Worker()
      : thread_([this](std::stop_token st) { run(st); }) {}
  void post(int v) {
    {
      std::lock_guard<std::mutex> g(mu_);
      items_.push(v);
    }
    cv_.notify_one();
  }

private:
  void run(std::stop_token st) { // want-note "stop token 'st' in scope here"
    while (!st.stop_requested()) {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return !items_.empty(); }); // want cancel-uninterruptible-wait "wait on 'cv_' \(std::condition_variable\) cannot be interrupted by a stop request"
      int v = items_.front();
      items_.pop();
      lk.unlock();
      process(v);
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::queue<int> items_;
  std::jthread thread_;
};

// The predicate looks at the token, but nothing notifies the condition
// variable when stop is requested: the waiter sleeps until the next post.
class Batcher {
public:
  void loop(std::stop_token st) {
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      ready_.wait(lk, [&] { return st.stop_requested() || batch_.size() >= 16; }); // want cancel-uninterruptible-wait "wait on 'ready_'" want-note "no std::stop_callback notifies 'ready_'"
      if (st.stop_requested())
        return;
      flush();
    }
  }
  void add(std::string s) {
    std::lock_guard<std::mutex> g(mu_);
    batch_.push_back(std::move(s));
    if (batch_.size() >= 16)
      ready_.notify_one();
  }

private:
  void flush() {
    for (auto &s : batch_)
      handle(s);
    batch_.clear();
  }
  std::mutex mu_;
  std::condition_variable ready_;
  std::vector<std::string> batch_;
};

// condition_variable_any can take the token, but this wait does not.
class Gate {
public:
  void pass(std::stop_token st) {
    std::unique_lock<std::mutex> lk(mu_);
    open_cv_.wait(lk, [this] { return open_; }); // want cancel-uninterruptible-wait "does not pass the stop token 'st'"
    if (st.stop_requested())
      return;
    ++passed_;
  }
  void open() {
    {
      std::lock_guard<std::mutex> g(mu_);
      open_ = true;
    }
    open_cv_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable_any open_cv_;
  bool open_ = false;
  int passed_ = 0;
};

// A receive on a channel that nothing ever closes: stop is requested, the
// loop would end at its next check, but the receive never returns.
class Subscriber {
public:
  Subscriber()
      : reader_([this](std::stop_token st) {
          while (!st.stop_requested()) {
            std::string msg;
            updates_.read(msg); // want cancel-uninterruptible-wait "receive on channel 'updates_' cannot be interrupted by a stop request"
            handle(msg);
          }
        }) {}
  void publish(std::string s) { updates_.write(std::move(s)); }

private:
  msd::channel<std::string> updates_; // want-note "channel declared here"
  std::jthread reader_;
};

// Long sleeps between checks of the token.
void refresher(std::stop_token st) {
  while (!st.stop_requested()) {
    process(compute(1));
    std::this_thread::sleep_for(5s); // want cancel-uninterruptible-wait "'sleep_for' of 5000 ms cannot be interrupted"
  }
}
void reporter(std::stop_token st) {
  while (!st.stop_requested()) {
    process(compute(2));
    std::this_thread::sleep_until(std::chrono::steady_clock::now() + std::chrono::minutes(2)); // want cancel-uninterruptible-wait "'sleep_until' of 120000 ms"
  }
}

// A future's get() with a token in scope: stop cannot cut the wait short.
int fetch_all(std::stop_token st, const std::vector<int> &ids) {
  int total = 0;
  for (int id : ids) {
    if (st.stop_requested())
      break;
    auto part = std::async(std::launch::async, compute, id);
    total += part.get(); // want cancel-uninterruptible-wait "'get' on future 'part' blocks until the task finishes"
  }
  return total;
}

// A token from a stop_source; a wait without predicate in a loop that checks
// the token, but no stop_callback wakes the condition variable.
class Scheduler {
public:
  void drive() {
    std::stop_token st = source_.get_token();
    std::unique_lock<std::mutex> lk(mu_);
    while (!st.stop_requested()) {
      while (due_ == 0)
        tick_.wait(lk); // want cancel-uninterruptible-wait "wait on 'tick_'"
      --due_;
    }
  }
  void stop() { source_.request_stop(); }

private:
  std::stop_source source_;
  std::mutex mu_;
  std::condition_variable tick_;
  int due_ = 0;
};

// The condition variable is also handed to other code: flagged, but no
// fix-it (changing its type could break that code).
void register_waker(std::condition_variable &cv);
class Uploader {
public:
  Uploader() { register_waker(wake_); }
  void run(std::stop_token st) {
    std::unique_lock<std::mutex> lk(mu_);
    while (!st.stop_requested()) {
      wake_.wait(lk, [this] { return queued_ > 0; }); // want cancel-uninterruptible-wait "wait on 'wake_'"
      --queued_;
    }
  }

private:
  std::mutex mu_;
  std::condition_variable wake_;
  int queued_ = 0;
};
