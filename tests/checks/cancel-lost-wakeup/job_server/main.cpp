#include "job_server.h"

#include <atomic>

// A latch-like helper done right: the count changes under the mutex.
class Countdown {
public:
  explicit Countdown(int n) : left_(n) {}
  void done() {
    std::lock_guard<std::mutex> g(mu_);
    if (--left_ == 0)
      cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return left_ == 0; });
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  int left_;
};

int main() {
  JobServer server(2);
  Countdown c(3);
  for (int i = 0; i < 3; ++i)
    server.post([&c] { c.done(); });
  c.wait();
  server.shutdown();
  return 0;
}
