#pragma once
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace acme {

struct queue_closed : std::runtime_error {
  queue_closed() : std::runtime_error("queue closed") {}
};

enum class queue_status { success, closed };

// An unbounded queue; receivers end once it is closed and drained.
template <typename T> class WorkQueue {
public:
  void push(T v) {
    std::lock_guard<std::mutex> lk(m_);
    if (closed_)
      throw queue_closed();
    items_.push_back(std::move(v));
    cv_.notify_one();
  }
  // Empty once closed and drained.
  std::optional<T> pop() {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return closed_ || !items_.empty(); });
    if (items_.empty())
      return std::nullopt;
    return take_front();
  }
  // Throws queue_closed once closed and drained.
  void pull(T &out) {
    if (auto v = pop())
      out = std::move(*v);
    else
      throw queue_closed();
  }
  // False once closed and drained.
  bool read(T &out) {
    auto v = pop();
    if (!v)
      return false;
    out = std::move(*v);
    return true;
  }
  queue_status wait_pop(T &out) {
    return read(out) ? queue_status::success : queue_status::closed;
  }
  bool try_pop(T &out) {
    std::lock_guard<std::mutex> lk(m_);
    if (items_.empty())
      return false;
    out = take_front();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    closed_ = true;
    cv_.notify_all();
  }

private:
  T take_front() {
    T v = std::move(items_.front());
    items_.pop_front();
    return v;
  }
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> items_;
  bool closed_ = false;
};

// No close: a consumer stops when it takes a null message.
template <typename T> class Mailbox {
public:
  void post(std::unique_ptr<T> m) {
    std::lock_guard<std::mutex> lk(m_);
    box_.push_back(std::move(m));
    cv_.notify_one();
  }
  std::unique_ptr<T> take() {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return !box_.empty(); });
    auto m = std::move(box_.front());
    box_.pop_front();
    return m;
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<T>> box_;
};

} // namespace acme
