// Flight recorder cost per event: THREADS threads each declare PAIRS waits
// (tether_block_begin/tether_block_end: one blocking episode, two events,
// and the shim's own bookkeeping). Prints the CPU nanoseconds per pair;
// bench/runtime/recorder.sh runs it with history=0 and several sizes.
// Usage: event_bench THREADS PAIRS   (linked with libtether_rt)
#include "tether/tether.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>
#include <vector>

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  long pairs = argc > 2 ? atol(argv[2]) : 2000000;
  int object = 0;
  std::clock_t c0 = std::clock();
  std::vector<std::thread> ts;
  for (int i = 0; i < threads; ++i)
    ts.emplace_back([&] {
      for (long k = 0; k < pairs; ++k) {
        tether_block_begin("bench", &object);
        tether_block_end();
      }
    });
  for (auto &t : ts)
    t.join();
  double cpu_s = double(std::clock() - c0) / CLOCKS_PER_SEC;
  printf("%.1f\n", cpu_s * 1e9 / (double(pairs) * threads));
  return 0;
}
