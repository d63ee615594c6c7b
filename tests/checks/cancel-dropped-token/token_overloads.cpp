// Blocking calls that have an overload taking the token, made without it
// while a token is in scope.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

template <typename T> class BlockingQueue {
public:
  void push(T v) {
    {
      std::lock_guard<std::mutex> g(mu_);
      items_.push_back(std::move(v));
    }
    cv_.notify_one();
  }
  // Waits for an item.
  bool pop(T &out) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return !items_.empty(); });
    out = std::move(items_.front());
    items_.pop_front();
    return true;
  }
  // Waits for an item or a stop request.
  bool pop(T &out, std::stop_token st) { // want-note "the overload taking a stop token"
    std::unique_lock<std::mutex> lk(mu_);
    if (!cv_.wait(lk, st, [this] { return !items_.empty(); }))
      return false;
    out = std::move(items_.front());
    items_.pop_front();
    return true;
  }

private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<T> items_;
};

struct Event {
  int kind = 0;
};

class Dispatcher {
public:
  // The worker has a token but waits with the overload that ignores it.
  void run(std::stop_token st) { // want-note "the token this function received"
    while (!st.stop_requested()) {
      Event e;
      if (!events_.pop(e)) // want cancel-dropped-token "'pop' has an overload that takes a stop token, but 'st' is not passed"
        break;
      handled_ += e.kind;
    }
  }
  BlockingQueue<Event> events_;
  int handled_ = 0;
};

// condition_variable_any::wait(lk, pred) while a token is in scope: the
// wait(lk, token, pred) overload exists. Waits on the models' interruptible
// condition variables are reported once, by cancel-uninterruptible-wait.
class Gate {
public:
  void open() {
    {
      std::lock_guard<std::mutex> g(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void pass(std::stop_token st) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return open_; }); // want cancel-uninterruptible-wait "does not pass the stop token 'st'"
    ++passed_;
  }
  bool pass_for(std::stop_token st, std::chrono::milliseconds d) { // want-note "the token this function received"
    std::unique_lock<std::mutex> lk(mu_);
    return cv_.wait_for(lk, d, [this] { return open_; }); // want cancel-dropped-token "'wait_for' has an overload that takes a stop token, but 'st' is not passed"
  }

private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  bool open_ = false;
  int passed_ = 0;
};
