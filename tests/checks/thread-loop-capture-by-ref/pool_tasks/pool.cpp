#include "pool.h"

namespace acme {

ThreadPool::ThreadPool(unsigned n) {
  for (unsigned i = 0; i < n; ++i)
    workers_.emplace_back([this] {
      for (;;) {
        std::function<void()> task;
        {
          std::unique_lock<std::mutex> lk(mu_);
          cv_.wait(lk, [this] { return stop_ || !tasks_.empty(); });
          if (stop_ && tasks_.empty())
            return;
          task = std::move(tasks_.front());
          tasks_.pop_front();
        }
        task();
      }
    });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto &w : workers_)
    w.join();
}

void ThreadPool::post(std::function<void()> f) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    tasks_.push_back(std::move(f));
  }
  cv_.notify_one();
}

void ThreadPool::wait_idle() {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [this] { return tasks_.empty(); });
}

} // namespace acme
