// Mutex/condition-variable producer-consumer throughput: pc_bench ITEMS [CAPACITY].
// CAPACITY 1 makes every item a hand-off (each side blocks once per item).
// Prints "<items per second> <CPU nanoseconds per item>" (CPU = user + system
// time of the whole process over the run, from getrusage).
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <sys/resource.h>
#include <thread>
#include <vector>

static double cpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv) {
  long items = argc > 1 ? atol(argv[1]) : 2000000;
  const size_t cap = argc > 2 ? size_t(atol(argv[2])) : 64;
  std::mutex mu;
  std::condition_variable not_empty, not_full;
  std::deque<long> q;
  double cpu0 = cpuSeconds();
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
  double cpu = cpuSeconds() - cpu0;
  printf("%.0f %.1f\n", items / s, cpu * 1e9 / double(items));
  return sum == items * (items - 1) / 2 ? 0 : 1;
}
