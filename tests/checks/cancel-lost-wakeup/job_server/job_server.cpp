#include "job_server.h"

JobServer::JobServer(int workers) {
  for (int i = 0; i < workers; ++i)
    workers_.emplace_back([this] { work(); });
}

JobServer::~JobServer() { shutdown(); }

void JobServer::post(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> g(mu_);
    jobs_.push_back(std::move(job));
  }
  has_work_.notify_one();
}

void JobServer::work() {
  for (;;) {
    std::unique_lock<std::mutex> lk(mu_);
    has_work_.wait(lk, [this] { return shutting_down_ || !jobs_.empty(); });
    if (jobs_.empty())
      return;
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lk.unlock();
    job();
  }
}

void JobServer::shutdown() {
  if (workers_.empty())
    return;
  shutting_down_ = true; // want cancel-lost-wakeup "'shutting_down_' is set without holding 'mu_'"
  has_work_.notify_all();
  for (auto &w : workers_)
    w.join();
  workers_.clear();
}
