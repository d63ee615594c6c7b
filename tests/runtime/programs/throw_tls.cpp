// Exceptions thrown through frames on many threads, exceptions carried by
// futures, and thread_local destructors that lock.
#include <cstdio>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

std::mutex mu;
int destroyed = 0;

struct Tls {
  ~Tls() {
    std::lock_guard<std::mutex> g(mu);
    ++destroyed;
  }
};
thread_local Tls tls;

static int deep(int n) {
  if (n == 0)
    throw std::runtime_error("boom");
  return deep(n - 1) + 1;
}

int main() {
  std::vector<std::thread> ts;
  int caught = 0;
  for (int i = 0; i < 8; ++i)
    ts.emplace_back([&] {
      (void)&tls;
      for (int k = 0; k < 50; ++k) {
        try {
          deep(20);
        } catch (const std::exception &) {
          std::lock_guard<std::mutex> g(mu);
          ++caught;
        }
      }
    });
  for (auto &t : ts)
    t.join();
  auto f = std::async(std::launch::async, [] { (void)&tls; return deep(5); });
  int from_future = 0;
  try {
    f.get();
  } catch (const std::runtime_error &) {
    from_future = 1;
  }
  printf("caught %d future %d destroyed %d\n", caught, from_future, destroyed);
  return caught == 400 && from_future == 1 && destroyed == 9 ? 0 : 1;
}
