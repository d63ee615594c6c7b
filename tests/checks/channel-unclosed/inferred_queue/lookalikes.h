#pragma once
// Classes that look like queues but are not channels: nothing ends their
// receivers by a close, so tether infers nothing for them.
#include <condition_variable>
#include <deque>
#include <mutex>

namespace etl {

// No closed state: pop() waits for an element only.
template <typename T> class WorkList {
public:
  void add(T v) {
    std::lock_guard<std::mutex> lk(mu_);
    items_.push_back(std::move(v));
    cv_.notify_one();
  }
  bool take(T &out) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return !items_.empty(); });
    out = std::move(items_.front());
    items_.pop_front();
    return true;
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> items_;
};

// A close that does not wake the receivers: a receiver already waiting
// stays asleep, so the flag is not a close a loop can wait for.
template <typename T> class LazyQueue {
public:
  void push(T v) {
    std::lock_guard<std::mutex> lk(mu_);
    items_.push_back(std::move(v));
    cv_.notify_one();
  }
  bool pop(T &out) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return done_ || !items_.empty(); });
    if (items_.empty())
      return false;
    out = std::move(items_.front());
    items_.pop_front();
    return true;
  }
  void finish() {
    std::lock_guard<std::mutex> lk(mu_);
    done_ = true;
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> items_;
  bool done_ = false;
};

} // namespace etl
