#pragma once
// The project's own queue: no model describes it; tether reads it as a
// channel from its code (pop waits until an element or `closed_`, close
// sets `closed_` and wakes the waiters).
#include <condition_variable>
#include <deque>
#include <mutex>

namespace etl {

template <typename T> class BlockingQueue {
public:
  void push(T v) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      items_.push_back(std::move(v));
    }
    ready_.notify_one();
  }
  // False once the queue is closed and drained.
  bool pop(T &out) {
    std::unique_lock<std::mutex> lk(mu_);
    ready_.wait(lk, [this] { return closed_ || !items_.empty(); });
    if (items_.empty())
      return false;
    out = std::move(items_.front());
    items_.pop_front();
    return true;
  }
  void close() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      closed_ = true;
    }
    ready_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<T> items_;
  bool closed_ = false;
};

} // namespace etl
