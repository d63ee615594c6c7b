// A thread blocked in a condition-variable wait reached only through calls the
// compiler inlines (built with -O2): dumps must show the inlined functions.
#include "await_report.h"
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <unistd.h>

std::mutex mu;
std::condition_variable cv;
bool go = false;
volatile int sink = 0;

static inline __attribute__((always_inline)) void waitForGo() {
  std::unique_lock<std::mutex> l(mu);
  cv.wait(l, [] { return go; }); // INLINED-WAIT
}

static inline __attribute__((always_inline)) void middle() {
  waitForGo(); // INLINED-CALL
  sink = sink + 1;
}

__attribute__((noinline)) void worker() {
  pthread_setname_np(pthread_self(), "inl");
  middle(); // WORKER-CALL
  sink = sink + 2;
}

int main() {
  std::thread t(worker);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(getpid(), SIGQUIT);
  awaitReport();
  {
    std::lock_guard<std::mutex> l(mu);
    go = true;
  }
  cv.notify_all();
  t.join();
  return 0;
}
