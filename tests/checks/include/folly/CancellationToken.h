// A minimal stand-in with the API of folly's cancellation types
// (folly/CancellationToken.h), written for tether's tests:
// CancellationSource::requestCancellation/getToken, CancellationToken
// queries, CancellationCallback. Not the library's code.
#pragma once
#include <functional>
#include <memory>
#include <utility>

namespace folly {

namespace detail {
struct CancellationState {
  bool requested = false;
  std::function<void()> callback;
};
} // namespace detail

class CancellationToken {
public:
  CancellationToken() noexcept = default;
  explicit CancellationToken(std::shared_ptr<detail::CancellationState> s)
      : state_(std::move(s)) {}
  bool isCancellationRequested() const noexcept {
    return state_ && state_->requested;
  }
  bool canBeCancelled() const noexcept { return state_ != nullptr; }

private:
  friend class CancellationCallback;
  std::shared_ptr<detail::CancellationState> state_;
};

class CancellationSource {
public:
  CancellationSource()
      : state_(std::make_shared<detail::CancellationState>()) {}
  CancellationToken getToken() const noexcept {
    return CancellationToken(state_);
  }
  bool requestCancellation() const noexcept {
    bool was = state_->requested;
    state_->requested = true;
    if (!was && state_->callback)
      state_->callback();
    return was;
  }
  bool isCancellationRequested() const noexcept { return state_->requested; }
  bool canBeCancelled() const noexcept { return true; }

private:
  std::shared_ptr<detail::CancellationState> state_;
};

class CancellationCallback {
public:
  template <typename F>
  CancellationCallback(CancellationToken &&token, F &&f)
      : state_(token.state_) {
    if (state_)
      state_->callback = std::forward<F>(f);
  }
  template <typename F>
  CancellationCallback(const CancellationToken &token, F &&f)
      : state_(token.state_) {
    if (state_)
      state_->callback = std::forward<F>(f);
  }
  ~CancellationCallback() {
    if (state_)
      state_->callback = nullptr;
  }
  CancellationCallback(const CancellationCallback &) = delete;
  CancellationCallback &operator=(const CancellationCallback &) = delete;

private:
  std::shared_ptr<detail::CancellationState> state_;
};

} // namespace folly
