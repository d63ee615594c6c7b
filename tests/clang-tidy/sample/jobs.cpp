// Jobs that hand stop tokens (std and the project's own acme::Canceller) to
// workers: the source must be requested on every way out, or handed on.
#include "pipeline.h"

#include <future>
#include <memory>
#include <thread>
#include <vector>

class Job {
public:
  explicit Job(std::vector<Batch> work) : work_(std::move(work)) {}

  // The validation failure returns without requesting stop: the workers
  // keep uploading for a job that has already failed.
  bool run() {
    std::stop_source cancel; // expect: cancel-lost
    std::vector<std::jthread> workers;
    for (std::size_t i = 0; i < work_.size() && i < 8; ++i)
      workers.emplace_back([this, i, tok = cancel.get_token()] {
        upload(work_[i], tok);
      });
    if (!healthy())
      return false;
    cancel.request_stop();
    return true;
  }

  // The project's own canceller, the same mistake.
  bool run_acme() {
    acme::Canceller c; // expect: cancel-lost
    auto f = std::async(std::launch::async, [this, tok = c.token()] {
      return upload_with(work_.front(), tok);
    });
    if (!healthy())
      return false;
    c.cancel();
    return f.get();
  }

  // Requested on every path.
  bool run_guarded() {
    acme::Canceller c;
    auto f = std::async(std::launch::async, [this, tok = c.token()] {
      return upload_with(work_.front(), tok);
    });
    bool ok = healthy();
    c.cancel();
    return f.get() && ok;
  }

  // Handed on to an owner that outlives the call.
  std::shared_ptr<std::stop_source> start() {
    auto src = std::make_shared<std::stop_source>();
    std::thread([this, tok = src->get_token()] { upload(work_.front(), tok); })
        .detach();
    return src;
  }

private:
  std::vector<Batch> work_;
};

// The token's source is requested by the destructor of the caller's guard;
// the check cannot see that, so it is suppressed here.
void fire_and_forget(const Batch &b) {
  std::stop_source s; // NOLINT(tether-cancel-lost)
  std::thread([b, tok = s.get_token()] { upload(b, tok); }).detach();
}
