// The all-asleep check: every thread waits with no timeout.
//   all_asleep hang    the main thread dumps (SIGQUIT) and then joins a worker
//                      that waits on a condition variable nobody notifies: a
//                      real hang, reported (the test runs it with
//                      deadlock=abort).
//   all_asleep spin    the worker is inside a wait declared through the API
//                      (tether_block_begin, no timeout) but keeps running: it
//                      spins for RUN_MS. The shim's records say every thread
//                      is asleep; the kernel says one runs: no report.
//   all_asleep poll    the same, but the worker polls: it sleeps in short
//                      nanosleep system calls the shim does not see (raw
//                      syscall) and wakes to look. Mostly sleeping, it still
//                      makes progress: no report.
// The API is looked up with dlsym so the same program runs linked or
// preloaded.
#include "await_report.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dlfcn.h>
#include <mutex>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

using BlockBegin = void (*)(const char *, const void *);
using BlockEnd = void (*)();

std::mutex mu;
std::condition_variable cv;
bool go = false;

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "hang";
  int run_ms = argc > 2 ? atoi(argv[2]) : 1500;
  auto begin = reinterpret_cast<BlockBegin>(dlsym(RTLD_DEFAULT, "tether_block_begin"));
  auto end = reinterpret_cast<BlockEnd>(dlsym(RTLD_DEFAULT, "tether_block_end"));
  if (!begin || !end) {
    fprintf(stderr, "tether_block_begin not found: not running under tether\n");
    return 2;
  }
  std::thread worker;
  if (strcmp(mode, "hang") == 0) {
    worker = std::thread([] {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [] { return go; }); // nobody sets go
    });
    raise(SIGQUIT);
    awaitReport();
  } else if (strcmp(mode, "spin") == 0 || strcmp(mode, "poll") == 0) {
    bool poll = strcmp(mode, "poll") == 0;
    worker = std::thread([=] {
      std::atomic<bool> done{false};
      begin("spin wait", &done);
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(run_ms);
      while (std::chrono::steady_clock::now() < until) {
        if (poll) {
          timespec ts{0, 2000000};
          syscall(SYS_nanosleep, &ts, nullptr);
        }
      }
      end();
    });
  } else {
    fprintf(stderr, "usage: all_asleep hang|spin|poll [RUN_MS]\n");
    return 2;
  }
  worker.join();
  return 0;
}
