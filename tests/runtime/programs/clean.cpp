// Threads that all finish and are joined: tether must stay silent.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <latch>
#include <mutex>
#include <queue>
#include <semaphore>
#include <thread>
#include <vector>

int main() {
  std::mutex mu;
  std::condition_variable cv;
  std::queue<int> q;
  bool done = false;
  long sum = 0;
  std::thread consumer([&] {
    std::unique_lock<std::mutex> l(mu);
    for (;;) {
      cv.wait(l, [&] { return !q.empty() || done; });
      if (q.empty())
        return;
      sum += q.front();
      q.pop();
    }
  });
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p)
    producers.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        std::lock_guard<std::mutex> l(mu);
        q.push(i);
        cv.notify_one();
      }
    });
  for (auto &t : producers)
    t.join();
  {
    std::lock_guard<std::mutex> l(mu);
    done = true;
  }
  cv.notify_all();
  consumer.join();
  std::latch latch(2);
  std::counting_semaphore<4> sem(0);
  std::jthread j([&] {
    latch.count_down();
    sem.release();
  });
  latch.count_down();
  latch.wait();
  sem.acquire();
  auto f = std::async(std::launch::async, [] { return 42; });
  printf("sum %ld async %d\n", sum, f.get());
  return 0;
}
