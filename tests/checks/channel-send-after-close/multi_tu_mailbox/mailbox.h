// An actor mailbox: post() after seal() writes into freed storage.
#pragma once
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace actor {
template <typename T> class Mailbox {
public:
  bool post(T v) {
    std::lock_guard<std::mutex> lk(m_);
    q_.push_back(std::move(v));
    cv_.notify_one();
    return true;
  }
  std::optional<T> take() {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return sealed_ || !q_.empty(); });
    if (q_.empty())
      return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
    return v;
  }
  void seal() {
    std::lock_guard<std::mutex> lk(m_);
    sealed_ = true;
    cv_.notify_all();
  }
  bool sealed() const {
    std::lock_guard<std::mutex> lk(m_);
    return sealed_;
  }

private:
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> q_;
  bool sealed_ = false;
};
} // namespace actor

struct Message {
  std::string to, body;
};

class Actor {
public:
  explicit Actor(std::string name) : name_(std::move(name)) {}
  void start();
  void tell(const std::string &body);
  void stop_and_greet();
  void stop();

private:
  std::string name_;
  actor::Mailbox<Message> inbox_;
  std::thread loop_;
};
