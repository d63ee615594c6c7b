#pragma once
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

namespace acme {
// A bounded blocking queue: put() waits while full, take() while empty.
template <typename T> class Handoff {
public:
  explicit Handoff(std::size_t capacity) : cap_(capacity) {}
  void put(T v) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return down_ || q_.size() < cap_; });
    if (down_) return;
    q_.push_back(std::move(v));
    cv_.notify_all();
  }
  bool offer(T v) {
    std::lock_guard<std::mutex> lk(m_);
    if (down_ || q_.size() >= cap_) return false;
    q_.push_back(std::move(v));
    cv_.notify_all();
    return true;
  }
  bool take_for(T &out, std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lk(m_);
    if (!cv_.wait_for(lk, d, [&] { return down_ || !q_.empty(); }) || q_.empty())
      return false;
    out = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return true;
  }
  void shutdown() {
    std::lock_guard<std::mutex> lk(m_);
    down_ = true;
    cv_.notify_all();
  }

private:
  std::size_t cap_;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> q_;
  bool down_ = false;
};
} // namespace acme

using Result = acme::Handoff<int>;

// Computes and hands the result over (defined in compute.cpp).
void compute_blocking(std::shared_ptr<Result> out);
void compute_offering(std::shared_ptr<Result> out);
