// A minimal channel with the API of andreiavrammsd/cpp-channel (msd::channel),
// written for tether's tests: `ch << v` / `ch >> v`, write/read, close,
// closed, range-for. Not the library's code.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <stdexcept>

namespace msd {

struct closed_channel : std::runtime_error {
  closed_channel() : std::runtime_error("closed channel") {}
};

template <typename T> class channel {
public:
  explicit channel(std::size_t capacity = 0) : cap_(capacity) {}
  channel(const channel &) = delete;

  bool write(T v) {
    std::unique_lock<std::mutex> lk(m_);
    if (closed_) return false;
    q_.push_back(std::move(v));
    cv_.notify_one();
    return true;
  }
  bool read(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return closed_ || !q_.empty(); });
    if (q_.empty()) return false;
    out = std::move(q_.front());
    q_.pop_front();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    closed_ = true;
    cv_.notify_all();
  }
  bool closed() const {
    std::lock_guard<std::mutex> lk(m_);
    return closed_;
  }

  template <typename U> friend channel<U> &operator<<(channel<U> &ch, U v);
  template <typename U> friend channel<U> &operator>>(channel<U> &ch, U &v);

  struct iterator {
    channel *ch;
    T value{};
    bool done = false;
    T &operator*() { return value; }
    iterator &operator++() { done = !ch->read(value); return *this; }
    bool operator!=(const iterator &) const { return !done; }
  };
  iterator begin() { iterator it{this}; ++it; return it; }
  iterator end() { return iterator{this, T{}, true}; }

private:
  std::size_t cap_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> q_;
  bool closed_ = false;
};

template <typename U> channel<U> &operator<<(channel<U> &ch, U v) {
  if (!ch.write(std::move(v))) throw closed_channel();
  return ch;
}
template <typename U> channel<U> &operator>>(channel<U> &ch, U &v) {
  ch.read(v);
  return ch;
}

} // namespace msd
