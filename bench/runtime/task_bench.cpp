// Task registry cost: begin/end and resume/suspend per call, and the time to
// dump a million registered tasks grouped (debug=1) and as JSON. Prints
// numbers; asserts nothing. Linked with libtether_rt (bench/runtime/tasks.sh).
#include "tether/tether.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

namespace {
using Clock = std::chrono::steady_clock;
double nsSince(Clock::time_point t0, size_t n) {
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / double(n);
}
double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}
// CPU time of the process: on a shared machine less noisy than wall time.
double cpuMs() { return double(std::clock()) * 1000.0 / CLOCKS_PER_SEC; }

// Ten await points, as a service's tasks wait at a handful of places.
void park(tether_task *t, size_t i) {
  switch (i % 10) {
  case 0: tether_task_suspend(t, "chan receive", nullptr, 0, "recvLoop", "svc/recv.cpp", 41); break;
  case 1: tether_task_suspend(t, "chan send", nullptr, 0, "sendLoop", "svc/send.cpp", 17); break;
  case 2: tether_task_suspend(t, "sleep", nullptr, 1, "backoff", "svc/retry.cpp", 88); break;
  case 3: tether_task_suspend(t, "IO wait", nullptr, 0, "readFrame", "svc/conn.cpp", 203); break;
  case 4: tether_task_suspend(t, nullptr, nullptr, 0, "yieldPoint", "svc/sched.cpp", 12); break;
  default: tether_task_suspend(t, "chan receive", nullptr, 0, "worker", "svc/pool.cpp", 64 + int(i % 10)); break;
  }
}
} // namespace

int main(int argc, char **argv) {
  size_t n = argc > 1 ? size_t(atoll(argv[1])) : 1000000;
  size_t pairs = 10 * n;
  tether_set_label("svc", "bench");
  // Warm up: commits the table's pages for n tasks.
  std::vector<tether_task *> ts(n);
  for (size_t i = 0; i < n; ++i)
    ts[i] = tether_task_begin("w", nullptr, "main", "task_bench.cpp", __LINE__);
  for (size_t i = 0; i < n; ++i)
    tether_task_end(ts[i]);

  auto t0 = Clock::now();
  double c0 = cpuMs();
  for (size_t i = 0; i < pairs; ++i)
    tether_task_end(tether_task_begin("conn", nullptr, "accept", "svc/listen.cpp", 30));
  double pair_ns = nsSince(t0, pairs), pair_cpu_ns = (cpuMs() - c0) * 1e6 / double(pairs);

  t0 = Clock::now();
  for (size_t i = 0; i < n; ++i)
    ts[i] = tether_task_begin("conn", nullptr, "accept", "svc/listen.cpp", 30);
  double begin_ns = nsSince(t0, n);
  t0 = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    tether_task_resume(ts[i]);
    park(ts[i], i);
  }
  double switch_ns = nsSince(t0, n);
  printf("tasks: %zu\n", n);
  printf("begin+end pair: %.1f ns wall, %.1f ns cpu (%zu pairs)\n", pair_ns, pair_cpu_ns, pairs);
  printf("begin with %zu live: %.1f ns\n", n, begin_ns);
  printf("resume+suspend pair: %.1f ns\n", switch_ns);

  int null = open("/dev/null", O_WRONLY);
  for (int round = 0; round < 3; ++round) {
    t0 = Clock::now();
    double c0 = cpuMs();
    tether_dump(null, TETHER_FORMAT_DEBUG1);
    double d1 = msSince(t0), d1_cpu = cpuMs() - c0;
    t0 = Clock::now();
    c0 = cpuMs();
    tether_dump(null, TETHER_FORMAT_JSON);
    double js = msSince(t0), js_cpu = cpuMs() - c0;
    printf("dump of %zu tasks: debug=1 (grouped) %.0f ms (cpu %.0f ms), json %.0f ms (cpu %.0f ms)\n",
           n, d1, d1_cpu, js, js_cpu);
  }
  close(null);
  t0 = Clock::now();
  for (size_t i = 0; i < n; ++i)
    tether_task_end(ts[i]);
  printf("end with %zu live: %.1f ns\n", n, nsSince(t0, n));
  return 0;
}
