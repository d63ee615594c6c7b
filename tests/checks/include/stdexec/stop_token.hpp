// Declarations with the shape of stdexec's <stdexec/stop_token.hpp> (P2300's
// inplace_stop_source, inplace_stop_token, inplace_stop_callback), for the
// check tests: Debian ships no stdexec. Written for the tests from the
// public API; only what the tests use, and bodies only where a test needs
// them to compile.
#pragma once

#include <atomic>
#include <utility>

namespace stdexec {

class inplace_stop_token;
template <class Fun> class inplace_stop_callback;

class inplace_stop_source {
public:
  inplace_stop_source() noexcept = default;
  ~inplace_stop_source();
  inplace_stop_source(inplace_stop_source &&) = delete;

  inplace_stop_token get_token() const noexcept;
  bool request_stop() noexcept;
  bool stop_requested() const noexcept {
    return stopped_.load(std::memory_order_acquire);
  }

private:
  std::atomic<bool> stopped_{false};
};

class inplace_stop_token {
public:
  template <class Fun> using callback_type = inplace_stop_callback<Fun>;

  inplace_stop_token() noexcept = default;
  [[nodiscard]] bool stop_requested() const noexcept {
    return source_ != nullptr && source_->stop_requested();
  }
  [[nodiscard]] bool stop_possible() const noexcept {
    return source_ != nullptr;
  }
  bool operator==(const inplace_stop_token &) const noexcept = default;

private:
  friend inplace_stop_source;
  explicit inplace_stop_token(const inplace_stop_source *s) noexcept
      : source_(s) {}
  const inplace_stop_source *source_ = nullptr;
};

inline inplace_stop_token inplace_stop_source::get_token() const noexcept {
  return inplace_stop_token{this};
}

template <class Fun> class inplace_stop_callback {
public:
  template <class Fun2>
  explicit inplace_stop_callback(inplace_stop_token token, Fun2 &&fun)
      : token_(token), fun_(std::forward<Fun2>(fun)) {}
  ~inplace_stop_callback();

private:
  inplace_stop_token token_;
  Fun fun_;
};

template <class Fun>
inplace_stop_callback(inplace_stop_token, Fun) -> inplace_stop_callback<Fun>;

} // namespace stdexec
