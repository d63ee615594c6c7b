// A thread blocked reading a pipe (its stack is asked for with the stack
// signal at dump time), one SIGQUIT dump, then a clean exit.
#include "await_report.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>
#include <unistd.h>

int main() {
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
  raise(SIGQUIT);
  awaitReport();
  ssize_t n = write(p[1], "x", 1);
  (void)n;
  reader.join();
  printf("done\n");
  return 0;
}
