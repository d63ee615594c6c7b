// tether::track_job on asio::thread_pool, a real pool: a job running on the
// pool's only thread waits for a mutex main holds, a second job is queued
// behind it. The program dumps itself (debug=2) to stdout, then lets the
// jobs finish.
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>

#include "await_report.h"
#include "tether/tether.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <sys/syscall.h>
#include <thread>

int main() {
  asio::thread_pool pool(1);
  std::mutex table;
  table.lock();
  std::atomic<pid_t> worker{0};
  std::atomic<int> done{0};
  asio::post(pool, tether::track_job( // JOB-A-POSTED
                       [&] {
                         worker = threadId();
                         std::lock_guard<std::mutex> l(table); // blocks: main holds it
                         ++done;
                       },
                       "job-a"));
  asio::post(pool, tether::track_job([&] { ++done; }, "job-b")); // JOB-B-POSTED
  while (worker.load() == 0)
    std::this_thread::yield();
  awaitInSyscall(worker.load(), SYS_futex);
  fflush(stdout);
  int rc = tether_dump(1, TETHER_FORMAT_DEBUG2);
  table.unlock();
  pool.join();
  return rc == 0 && done.load() == 2 ? 0 : 1;
}
