// Mutex/condition-variable producer-consumer throughput (items/s).
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

int main(int argc, char **argv) {
  long items = argc > 1 ? atol(argv[1]) : 2000000;
  const size_t cap = 64;
  std::mutex mu;
  std::condition_variable not_empty, not_full;
  std::deque<long> q;
  auto t0 = std::chrono::steady_clock::now();
  std::thread producer([&] {
    for (long i = 0; i < items; ++i) {
      std::unique_lock<std::mutex> l(mu);
      not_full.wait(l, [&] { return q.size() < cap; });
      q.push_back(i);
      not_empty.notify_one();
    }
  });
  long sum = 0;
  std::thread consumer([&] {
    for (long i = 0; i < items; ++i) {
      std::unique_lock<std::mutex> l(mu);
      not_empty.wait(l, [&] { return !q.empty(); });
      sum += q.front();
      q.pop_front();
      not_full.notify_one();
    }
  });
  producer.join();
  consumer.join();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  printf("%.0f\n", items / s);
  return sum == items * (items - 1) / 2 ? 0 : 1;
}
