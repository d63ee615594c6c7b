// The flight recorder on a known sequence of events, dumped by the program
// itself to stdout (tether_dump) in the format named by argv[1]:
//   json|trace  a worker that waits for a mutex main holds, then exits and is
//               joined; a task resumed, suspended on a channel, resumed and
//               ended; then, at the dump, a second worker waiting on a
//               condition variable and a task suspended in `chan send`.
//   wrap        100 waits declared with tether_block_begin ("step-0" ...
//               "step-99"), then a JSON dump (run with a small history=N).
#include "await_report.h"
#include "tether/tether.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <string>
#include <sys/syscall.h>
#include <thread>

namespace {

struct Channel {
  std::mutex mu;
  std::condition_variable cv;
  bool open = true;
};

// Waits until `tid` has published itself and sits in futex(2).
void awaitBlocked(const std::atomic<pid_t> &tid) {
  while (tid.load() == 0)
    std::this_thread::yield();
  awaitInSyscall(tid.load(), SYS_futex);
}

int story(int format) {
  tether_set_thread_name("rec-main");
  std::mutex table;
  table.lock();
  std::atomic<pid_t> worker_tid{0};
  std::thread worker([&] {
    pthread_setname_np(pthread_self(), "rec-worker");
    worker_tid.store(threadId());
    std::lock_guard<std::mutex> l(table); // WORKER-LOCK: blocks, main holds it
  });
  awaitBlocked(worker_tid);
  table.unlock();
  worker.join();

  // A task through its whole life.
  int inbox = 0;
  {
    tether::Task t("rec-task");
    t.resume();
    t.suspend("chan receive", &inbox); // TASK-AWAIT
    t.resume();
  }

  // What the dump catches in the middle: a thread waiting, a task suspended.
  Channel ch;
  std::atomic<pid_t> waiter_tid{0};
  std::thread waiter([&] {
    pthread_setname_np(pthread_self(), "rec-waiter");
    std::unique_lock<std::mutex> l(ch.mu);
    waiter_tid.store(threadId());
    ch.cv.wait(l, [&] { return !ch.open; });
  });
  awaitBlocked(waiter_tid);
  tether::Task pending("rec-pending");
  pending.resume();
  pending.suspend("chan send", &ch);

  fflush(stdout);
  int rc = tether_dump(1, format);
  {
    std::lock_guard<std::mutex> l(ch.mu);
    ch.open = false;
  }
  ch.cv.notify_all();
  waiter.join();
  return rc == 0 ? 0 : 1;
}

int wrap() {
  int step = 0;
  char reason[16];
  for (int i = 0; i < 100; ++i) {
    snprintf(reason, sizeof reason, "step-%d", i);
    tether_block_begin(reason, &step);
    ++step;
    tether_block_end();
  }
  fflush(stdout);
  return tether_dump(1, TETHER_FORMAT_JSON) == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  std::string mode = argc > 1 ? argv[1] : "trace";
  if (mode == "wrap")
    return wrap();
  return story(mode == "json" ? TETHER_FORMAT_JSON : TETHER_FORMAT_TRACE);
}
