// Threads that block at one call site through different calls. A stack
// learnt at a blocking site is reused for later blocks there only when the
// same calls led to it: "site-a" and "site-b" reach the same wait through
// two callers whose frames have the same size (the wait is the same distance
// from each thread's start); "deep-2" and "deep-5" through recursion to
// different depths; the "pool" threads all through the same calls. Each
// thread's dump must show its own stack.
#include "await_report.h"
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <pthread.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

std::mutex mu;
std::condition_variable cv;
bool go = false;
int parked = 0;

__attribute__((noinline)) void waitHere() {
  std::unique_lock<std::mutex> l(mu);
  ++parked;
  cv.wait(l, [] { return go; });
}

__attribute__((noinline)) void callerA() {
  waitHere();
  asm volatile("");
}

__attribute__((noinline)) void callerB() {
  waitHere();
  asm volatile("");
}

__attribute__((noinline)) void descend(int n) {
  if (n == 0)
    waitHere();
  else
    descend(n - 1);
  asm volatile("");
}

void awaitParked(int n) {
  for (;;) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (parked >= n)
        return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void named(const char *name) { pthread_setname_np(pthread_self(), name); }

int main() {
  std::vector<std::thread> ts;
  // One at a time, so that each later thread finds the earlier one's stack
  // learnt at the same site.
  ts.emplace_back([] { named("site-a"); callerA(); });
  awaitParked(1);
  ts.emplace_back([] { named("site-b"); callerB(); });
  awaitParked(2);
  ts.emplace_back([] { named("deep-5"); descend(5); });
  awaitParked(3);
  ts.emplace_back([] { named("deep-2"); descend(2); });
  awaitParked(4);
  for (int i = 0; i < 6; ++i)
    ts.emplace_back([i] { named(("pool-" + std::to_string(i)).c_str()); callerA(); });
  awaitParked(10);
  kill(getpid(), SIGQUIT);
  awaitReport();
  {
    std::lock_guard<std::mutex> l(mu);
    go = true;
  }
  cv.notify_all();
  for (auto &t : ts)
    t.join();
  return 0;
}
