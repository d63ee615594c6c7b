// A hand-rolled canceller: a shared flag, tokens that read it.
#pragma once
#include <atomic>
#include <memory>
#include <string>

namespace acme {
class CancelToken {
public:
  CancelToken() = default;
  explicit CancelToken(std::shared_ptr<std::atomic<bool>> f) : flag_(std::move(f)) {}
  bool cancelled() const { return flag_ && flag_->load(); }

private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

class Canceller {
public:
  Canceller() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  CancelToken token() const { return CancelToken(flag_); }
  void cancel() { flag_->store(true); }

private:
  std::shared_ptr<std::atomic<bool>> flag_;
};
} // namespace acme

// Starts a background scan; returns at once.
void start_scan(const std::string &root, acme::CancelToken tok);
bool scan_allowed(const std::string &root);
