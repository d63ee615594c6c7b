// Local threads whose owner joins them on every path (an RAII guard, a
// joinable() check before an early return), threads handed to the caller,
// std::jthread and waited futures. Nothing to report.
#include <algorithm>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <queue>
#include <stdexcept>
#include <thread>
#include <vector>

void compute(int part);
bool ready();

// An RAII guard whose destructor joins: early returns are fine.
class JoinGuard {
public:
  explicit JoinGuard(std::thread &t) : t_(t) {}
  ~JoinGuard() {
    if (t_.joinable())
      t_.join();
  }
  JoinGuard(const JoinGuard &) = delete;
  JoinGuard &operator=(const JoinGuard &) = delete;

private:
  std::thread &t_;
};

int guarded(int parts) {
  std::thread t(compute, parts);
  JoinGuard g(t);
  if (!ready())
    return -1;
  compute(0);
  return parts;
}

// A factory returns the thread: the caller owns it.
std::thread start_compute(int part) {
  std::thread t(compute, part);
  return t;
}

std::thread start_direct(int part) { return std::thread(compute, part); }

// Joined on every path, including the early return (joinable check first).
bool checked(int part) {
  std::thread t(compute, part);
  if (!ready()) {
    if (t.joinable())
      t.join();
    return false;
  }
  t.join();
  return true;
}

// std::jthread joins in its destructor: an early return is not a leak.
void with_jthread(int part) {
  std::jthread t([part] { compute(part); });
  if (!ready())
    return;
  compute(part + 1);
}

// A std::async future that is waited on.
int async_sum(int a, int b) {
  auto f = std::async(std::launch::async, [a, b] { return a + b; });
  return f.get();
}

// Handed to the caller through a vector it owns.
void spawn_into(std::vector<std::thread> &out, int part) {
  std::thread t(compute, part);
  out.push_back(std::move(t));
}
