// A wrapper library: Sender forwards to a shared Buffer. The user cannot
// change this header, so findings belong on the user's lines.
#pragma once
#include <memory>
#include <mutex>
#include <deque>

namespace wrap {
template <typename T> class Buffer {
public:
  void insert(T v) {
    std::lock_guard<std::mutex> lk(m_);
    if (!shut_) q_.push_back(v);
  }
  bool next(T &v) {
    std::lock_guard<std::mutex> lk(m_);
    if (q_.empty()) return false;
    v = q_.front();
    q_.pop_front();
    return true;
  }
  void shut() {
    std::lock_guard<std::mutex> lk(m_);
    shut_ = true;
  }

private:
  std::mutex m_;
  std::deque<T> q_;
  bool shut_ = false;
};

template <typename T> class Sender {
public:
  Sender() : buf_(std::make_shared<Buffer<T>>()) {}
  void send(T v) { buf_->insert(v); }
  void close() { buf_->shut(); }

private:
  std::shared_ptr<Buffer<T>> buf_;
};
} // namespace wrap
