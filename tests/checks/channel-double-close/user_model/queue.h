#pragma once
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace acme {
// close() twice aborts: this queue's invariant is a single owner of the end.
template <typename T> class BlockingQueue {
public:
  void push(T v) {
    std::lock_guard<std::mutex> lk(m_);
    if (closed_) throw std::logic_error("push on closed queue");
    q_.push_back(std::move(v));
    cv_.notify_one();
  }
  std::optional<T> pop() {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return closed_ || !q_.empty(); });
    if (q_.empty()) return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
    return v;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    if (closed_) std::abort();
    closed_ = true;
    cv_.notify_all();
  }
  bool is_closed() const {
    std::lock_guard<std::mutex> lk(m_);
    return closed_;
  }
private:
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> q_;
  bool closed_ = false;
};
} // namespace acme
