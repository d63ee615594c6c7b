#include "jobs.h"

Jobs::~Jobs() {
  for (std::thread &t : threads_)
    t.join();
}

void Jobs::start(std::function<void()> job) {
  std::lock_guard<std::mutex> g(mu_);
  threads_.emplace_back(std::move(job));
}

int Jobs::flushed() const {
  std::lock_guard<std::mutex> g(mu_);
  return flushed_;
}
