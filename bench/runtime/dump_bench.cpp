// Time to dump N blocked threads in the grouped (debug=1) format.
//   dump_bench N [SETTLE_MS]
// SETTLE_MS (default 0): how long the threads stay blocked before the first
// dump. A hung program is dumped long after its threads blocked, when the
// shim's monitor has already sampled the stacks of threads blocked for a
// second; a dump right after they block must ask every thread for its stack.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <fcntl.h>
#include <mutex>
#include <thread>
#include <pthread.h>
#include <unistd.h>
#include <vector>

std::mutex mu;
std::condition_variable cv;
bool go = false;
int parked = 0;

static void *park(void *) {
  std::unique_lock<std::mutex> l(mu);
  ++parked;
  cv.wait(l, [] { return go; });
  return nullptr;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10000;
  int settle_ms = argc > 2 ? atoi(argv[2]) : 0;
  auto dump = reinterpret_cast<int (*)(int, int)>(dlsym(RTLD_DEFAULT, "tether_dump"));
  if (!dump)
    return 2;
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 64 * 1024);
  std::vector<pthread_t> ts(n);
  for (auto &t : ts)
    if (pthread_create(&t, &a, park, nullptr) != 0)
      return 3;
  for (;;) {
    std::lock_guard<std::mutex> l(mu);
    if (parked == n)
      break;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(settle_ms));
  int fd = open("/dev/null", O_WRONLY);
  // The first dump also symbolizes and, unless stacks were captured when
  // the threads blocked (eager_stacks), asks each thread for its stack.
  auto t0 = std::chrono::steady_clock::now();
  dump(fd, 1);
  double first_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  t0 = std::chrono::steady_clock::now();
  dump(fd, 1);
  double second_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  printf("%d threads blocked for %d ms: first debug=1 dump %.1f ms (stacks and "
         "symbolization), next dump %.1f ms\n",
         n, settle_ms, first_ms, second_ms);
  {
    std::lock_guard<std::mutex> l(mu);
    go = true;
  }
  cv.notify_all();
  for (auto &t : ts)
    pthread_join(t, nullptr);
  return 0;
}
