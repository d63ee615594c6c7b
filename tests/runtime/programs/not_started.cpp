// Threads that have not started running when the leak report is made at
// exit: the report must still say what each runs (its entry function), not
// just that its stack is unavailable.
//
// A thread cannot be kept from starting from inside the process, so a child
// process holds the new threads back with ptrace: it seizes the main thread
// with PTRACE_O_TRACECLONE, so every thread the main thread creates is traced
// from its first instruction and stops there (PTRACE_EVENT_STOP) before it
// runs any of its own code; the child lets the main thread go on and never
// lets the new threads run. main then returns with the threads created and
// not joined (detached), and the process exits with them still stopped.
//
// Exit status 3 (and a line on stderr) when ptrace is not permitted here.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <pthread.h>
#include <set>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

static void namedWorker(int) {}
static void *plainStart(void *) { return nullptr; }

// The tracer: attaches to `main_tid`, reports on `ready` ('y' or 'n'), then
// keeps every new thread stopped until the traced process is gone.
[[noreturn]] static void tracer(pid_t main_tid, int ready) {
  if (ptrace(PTRACE_SEIZE, main_tid, nullptr, reinterpret_cast<void *>(PTRACE_O_TRACECLONE)) != 0) {
    fprintf(stderr, "not_started: ptrace unavailable: %s\n", strerror(errno));
    char n = 'n';
    (void)!write(ready, &n, 1);
    _exit(0);
  }
  char y = 'y';
  (void)!write(ready, &y, 1);
  close(ready);
  std::set<pid_t> held;
  for (;;) {
    int st = 0;
    pid_t t = waitpid(-1, &st, __WALL);
    if (t < 0)
      _exit(0); // every traced thread is gone
    if (!WIFSTOPPED(st))
      continue;
    if (t != main_tid) {
      held.insert(t); // a new thread, stopped before its first instruction: keep it there
      continue;
    }
    int event = st >> 16, sig = WSTOPSIG(st);
    // The main thread: a clone event or a signal for it; let it go on (with
    // the signal, if one was stopped for).
    int inject = (event == 0 && sig != SIGTRAP) ? sig : 0;
    ptrace(PTRACE_CONT, t, nullptr, reinterpret_cast<void *>(intptr_t(inject)));
  }
}

int main() {
  int p[2];
  if (pipe(p) != 0)
    return 2;
  pid_t main_tid = getpid();
  // With the Yama LSM, a process may trace its parent only if the parent
  // says so (before the child tries: it may run first).
  prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  pid_t child = fork();
  if (child < 0)
    return 2;
  if (child == 0) {
    close(p[0]);
    tracer(main_tid, p[1]);
  }
  close(p[1]);
  char ok = 0;
  if (read(p[0], &ok, 1) != 1 || ok != 'y') {
    fprintf(stderr, "not_started: ptrace unavailable\n");
    return 3;
  }
  std::thread lambda([] { printf("lambda ran\n"); });
  std::thread fnptr(namedWorker, 7);
  pthread_t pt;
  pthread_create(&pt, nullptr, plainStart, nullptr);
  lambda.detach();
  fnptr.detach();
  pthread_detach(pt);
  return 0;
}
