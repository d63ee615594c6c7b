// A thread blocked reading a pipe (its stack is asked for with the stack
// signal at dump time), one SIGQUIT dump, then a clean exit.
#include "await_report.h"

#include <csignal>
#include <cstdio>
#include <thread>
#include <unistd.h>

int main() {
  int p[2];
  if (pipe(p) != 0)
    return 2;
  std::thread reader([&] {
    char c;
    ssize_t n = read(p[0], &c, 1);
    (void)n;
  });
  usleep(20 * 1000);
  raise(SIGQUIT);
  awaitReport();
  ssize_t n = write(p[1], "x", 1);
  (void)n;
  reader.join();
  printf("done\n");
  return 0;
}
