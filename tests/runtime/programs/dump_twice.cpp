// A thread blocked reading a pipe, N SIGQUIT dumps (default 2), each awaited
// as the N-th non-empty file named "report*" in the directory argv[1] (the
// test sets output=DIR/report... with %n, or a json/pprof format), then a
// clean exit.
#include "await_report.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

static int reports(const std::string &dir) {
  int n = 0;
  if (DIR *d = opendir(dir.c_str())) {
    while (dirent *e = readdir(d)) {
      struct stat st;
      std::string name = e->d_name;
      if (name.rfind("report", 0) == 0 && stat((dir + "/" + name).c_str(), &st) == 0 &&
          S_ISREG(st.st_mode) && st.st_size > 0)
        ++n;
    }
    closedir(d);
  }
  return n;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  int dumps = argc > 2 ? atoi(argv[2]) : 2;
  int p[2];
  if (pipe(p) != 0)
    return 2;
  std::atomic<pid_t> tid{0};
  std::thread reader([&] {
    tid = threadId();
    char c;
    ssize_t n = read(p[0], &c, 1);
    (void)n;
  });
  while (tid == 0)
    std::this_thread::yield();
  awaitInSyscall(tid, SYS_read);
  for (int i = 1; i <= dumps; ++i) {
    raise(SIGQUIT);
    // Bounded at 60 s; asserts nothing about speed.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (reports(argv[1]) < i && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    // The file exists before its single write ends: let it finish.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ssize_t n = write(p[1], "x", 1);
  (void)n;
  reader.join();
  printf("done\n");
  return 0;
}
