// Robustness: many short-lived threads on few cores while another thread
// dumps in a loop (and SIGQUITs arrive). Must not crash, hang or leak.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <fcntl.h>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <vector>

using Dump = int (*)(int, int);

int main(int argc, char **argv) {
  int total = argc > 1 ? atoi(argv[1]) : 20000;
  auto dump = reinterpret_cast<Dump>(dlsym(RTLD_DEFAULT, "tether_dump"));
  if (!dump) {
    fprintf(stderr, "tether_dump not found\n");
    return 2;
  }
  int devnull = open("/dev/null", O_WRONLY);
  std::atomic<bool> stop{false};
  std::atomic<int> dumps{0};
  std::thread dumper([&] {
    int f = 0;
    while (!stop.load()) {
      if (dump(devnull, f++ % 4) != 0)
        abort();
      dumps++;
      if (f % 8 == 0)
        kill(getpid(), SIGQUIT);
    }
  });
  std::mutex mu;
  long counter = 0;
  const int batch = 64;
  for (int done = 0; done < total; done += batch) {
    std::vector<std::thread> ts;
    for (int i = 0; i < batch && done + i < total; ++i)
      ts.emplace_back([&] {
        std::lock_guard<std::mutex> g(mu);
        ++counter;
      });
    for (int i = 0; i < 4 && done + i < total; ++i) // and some detached ones
      std::thread([&] { std::lock_guard<std::mutex> g(mu); }).detach();
    for (auto &t : ts)
      t.join();
  }
  stop = true;
  dumper.join();
  printf("threads %ld dumps %d\n", counter, dumps.load());
  return counter == total ? 0 : 1;
}
