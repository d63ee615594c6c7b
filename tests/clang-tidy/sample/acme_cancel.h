// The sample project's own cancellation source and token (modelled in
// .tether.yaml).
#pragma once

#include <atomic>
#include <memory>

namespace acme {

class CancelToken {
public:
  CancelToken() = default;
  explicit CancelToken(std::shared_ptr<std::atomic<bool>> flag)
      : flag_(std::move(flag)) {}
  bool cancelled() const { return flag_ && flag_->load(); }

private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

class Canceller {
public:
  CancelToken token() const { return CancelToken(flag_); }
  void cancel() { flag_->store(true); }

private:
  std::shared_ptr<std::atomic<bool>> flag_ =
      std::make_shared<std::atomic<bool>>(false);
};

} // namespace acme
