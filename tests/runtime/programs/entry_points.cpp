// Threads that block every signal (so, with eager_stacks=0, the shim cannot
// get their stacks) started four ways; one SIGQUIT dump, which must still
// say what each thread runs.
#include "await_report.h"

#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <unistd.h>

std::mutex mu;
std::condition_variable cv;
bool go = false;
int parked = 0;

static void park(const char *name) {
  pthread_setname_np(pthread_self(), name);
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  std::unique_lock<std::mutex> l(mu);
  ++parked;
  cv.notify_all();
  cv.wait(l, [] { return go; });
}

static void namedWorker(int) { park("e-fnptr"); }
static void *plainStart(void *) {
  park("e-pthread");
  return nullptr;
}

int main() {
  std::thread lambda([] { park("e-lambda"); });
  std::thread fnptr(namedWorker, 7);
  auto fut = std::async(std::launch::async, [] {
    park("e-async");
    return 1;
  });
  pthread_t pt;
  pthread_create(&pt, nullptr, plainStart, nullptr);
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [] { return parked == 4; });
  }
  raise(SIGQUIT);
  awaitReport();
  {
    std::lock_guard<std::mutex> l(mu);
    go = true;
  }
  cv.notify_all();
  lambda.join();
  fnptr.join();
  pthread_join(pt, nullptr);
  return fut.get() == 1 ? 0 : 1;
}
