#include "registry.h"

#include <condition_variable>
#include <mutex>

// Waits on its own condition variable under its own lock: fine.
class Startup {
public:
  void wait_ready() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return ready_; });
  }
  void mark_ready() {
    {
      std::lock_guard<std::mutex> g(mu_);
      ready_ = true;
    }
    cv_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool ready_ = false;
};

int main() {
  Registry r;
  Startup s;
  r.add("a");
  r.add("b");
  s.mark_ready();
  s.wait_ready();
  r.remove("a");
  r.remove_all();
  return static_cast<int>(r.size());
}
