// Drops from root to nobody while threads run (glibc's set*id() makes every
// thread apply the change). "plain": setgroups, setresgid, setresuid with a
// thread of the program running, then a SIGQUIT dump from the restarted
// monitor. "keepcaps": what setpriv and daemons do in a single-threaded
// program: keep capabilities across setresuid, raise CAP_SETGID again with
// capset (per thread), then change groups. "dump": no change of its own (run
// under setpriv), a thread and a SIGQUIT dump.
#include "await_report.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

static int fail(const char *what) {
  fprintf(stderr, "%s: %s\n", what, strerror(errno));
  return 1;
}

static bool raiseCapSetgid() {
  __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[2]{};
  if (syscall(SYS_capget, &h, d) != 0)
    return false;
  d[0].effective |= 1u << CAP_SETGID;
  return syscall(SYS_capset, &h, d) == 0;
}

int main(int argc, char **argv) {
  bool keepcaps = argc > 1 && strcmp(argv[1], "keepcaps") == 0;
  if (keepcaps) {
    if (prctl(PR_SET_KEEPCAPS, 1) != 0)
      return fail("prctl");
    if (setresuid(65534, 65534, 65534) != 0)
      return fail("setresuid");
    if (!raiseCapSetgid())
      return fail("capset");
    if (setresgid(65534, 65534, 65534) != 0)
      return fail("setresgid");
    if (setgroups(0, nullptr) != 0)
      return fail("setgroups");
    std::thread t([] {});
    t.join();
  } else if (argc > 1 && strcmp(argv[1], "dump") == 0) {
    std::thread t([] { usleep(100 * 1000); });
    raise(SIGQUIT);
    awaitReport();
    t.join();
  } else {
    std::thread t([] { usleep(200 * 1000); });
    if (setgroups(0, nullptr) != 0)
      return fail("setgroups");
    if (setresgid(65534, 65534, 65534) != 0)
      return fail("setresgid");
    if (setresuid(65534, 65534, 65534) != 0)
      return fail("setresuid");
    t.join();
    raise(SIGQUIT);
    awaitReport();
  }
  printf("uid %d gid %d\n", int(getuid()), int(getgid()));
  return 0;
}
