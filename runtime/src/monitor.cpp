// Options, initialization, triggers (SIGQUIT, exit, watchdog) and the
// monitor thread that finds deadlocks. Reports are built here, on the monitor
// thread or the exiting thread, never in a signal handler.
#include "rt.h"
#include "recorder.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace tether::rt {
extern std::atomic<bool> g_active;
namespace {
// glibc's first internal real-time signal (SIGCANCEL; SIGSETXID is next).
constexpr int kFirstLibcInternalSignal = 32;
} // namespace
void loadBuiltinModels();

namespace {
Options *g_opts = nullptr;
int g_pipe[2] = {-1, -1};
std::atomic<bool> g_exiting{false};
std::atomic<bool> g_inited{false};
SpinLock g_init_lock;
SpinLock g_report_lock;
// The monitor thread (joinable: a credential change stops and joins it).
pthread_t g_monitor;
bool g_monitor_running = false;
std::atomic<bool> g_monitor_stop{false};
SpinLock g_monitor_lock; // serializes stopMonitor/startMonitor

constexpr uint64_t kSampleAfterNs = 1000000000ull;

// A leak, deadlock or all-asleep report was made: the process exits with
// options().exitcode (sanitizer convention).
std::atomic<bool> g_problem_reported{false};
// The exit status was already decided by the wrapped main's return.
std::atomic<bool> g_status_from_main{false};
// Reports written so far (output's %n, and numbered files for json/pprof).
uint64_t g_report_count = 0; // under g_report_lock

// Deadlock/all-asleep/watchdog state (monitor thread only).
std::map<std::string, int> *g_cycles_seen;   // cycle key -> consecutive scans
std::set<std::string> *g_reported;
std::set<std::pair<uint64_t, uint64_t>> *g_stuck_reported;
std::string g_asleep_key;
int g_asleep_scans = 0;
bool g_asleep_reported = false;
// The kernel's view of each thread at the previous scan (pid -> sample),
// while the threads look all asleep.
struct KernelSample {
  char state = 0;      // /proc/self/task/TID/stat: 'S' sleeping, 'R' runnable...
  uint64_t run_ns = 0; // .../schedstat: time spent on a CPU
  bool operator==(const KernelSample &o) const { return state == o.state && run_ns == o.run_ns; }
};
std::map<pid_t, KernelSample> *g_asleep_samples;

// ----------------------------------------------------------- stderr
// fd 2 as it was when the shim started. A program may close its standard
// fds and open something else that lands on 2 (a data file, a socket): the
// shim writes to fd 2 only while it is still that same file, and otherwise
// to a fallback file of its own, TMPDIR/tether.PID.log.
struct FileId {
  bool valid = false;
  dev_t dev = 0;
  ino_t ino = 0;
  bool matches(int fd) const {
    struct stat st;
    return valid && fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
  }
  void set(int fd) {
    struct stat st;
    valid = fstat(fd, &st) == 0;
    dev = valid ? st.st_dev : 0;
    ino = valid ? st.st_ino : 0;
  }
};
FileId g_stderr_id;
FileId g_fallback_id;
char g_fallback_path[4096];
SpinLock g_stderr_lock;

// Opens the fallback file for appending: the one this process created, or
// a new one (O_EXCL, O_NOFOLLOW, 0600: never someone else's file or link).
int openFallbackLocked() {
  if (g_fallback_id.valid) {
    int fd = open(g_fallback_path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0 && g_fallback_id.matches(fd))
      return fd;
    if (fd >= 0)
      close(fd);
    g_fallback_id.valid = false;
  }
  const char *dir = secure_getenv("TMPDIR");
  if (!dir || dir[0] != '/' || strlen(dir) > 3000)
    dir = "/tmp";
  for (int i = 0; i < 10; ++i) {
    if (i == 0)
      snprintf(g_fallback_path, sizeof g_fallback_path, "%s/tether.%d.log", dir, int(getpid()));
    else
      snprintf(g_fallback_path, sizeof g_fallback_path, "%s/tether.%d.%d.log", dir, int(getpid()), i);
    int fd = open(g_fallback_path,
                  O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd >= 0) {
      g_fallback_id.set(fd);
      return fd;
    }
    if (errno != EEXIST)
      break;
  }
  return -1;
}

// Writes to the program's stderr if fd 2 is still it, else to the fallback.
void writeStderr(const std::string &text) {
  SpinGuard g(g_stderr_lock);
  if (g_stderr_id.matches(2)) {
    writeAll(2, text);
    return;
  }
  int fd = openFallbackLocked();
  if (fd < 0)
    return;
  writeAll(fd, text);
  close(fd);
}

void warn(const std::string &msg) { writeStderr("tether: " + msg + "\n"); }

// SIGQUIT dumps requested (by the signal handler) and served (by the
// monitor, which serves every request pending when it starts a dump).
std::atomic<uint64_t> g_dumps_requested{0};
std::atomic<uint64_t> g_dumps_served{0};
constexpr uint64_t kExitDumpWaitNs = 2000000000ull;

void onSigquit(int) {
  g_dumps_requested.fetch_add(1, std::memory_order_relaxed);
  pokeMonitor('q');
}

void dumpAll(const char *trigger) {
  auto ts = reportable(snapshot(true));
  std::string text = render(options().format, ts, trigger, taskSnapshot());
  if (options().format == Fmt::Debug2 || options().format == Fmt::Debug1)
    text = "tether: thread dump (" + std::string(trigger) + ")\n" + text;
  writeReport(text, trigger);
}

// The monitor scans without stacks (cheap). With eager_stacks=0 a blocked
// thread has none until asked, so before a report is rendered the stacks of
// the threads in it are filled from a capturing snapshot (the threads are
// still blocked in the same episode, or the report is moot anyway).
std::vector<ThreadSnap> withStacks(std::vector<ThreadSnap> ts) {
  bool missing = false;
  for (auto &t : ts)
    missing |= t.stack == 0;
  if (!missing)
    return ts;
  std::map<uint64_t, ThreadSnap> fresh;
  for (auto &f : snapshot(true))
    fresh[f.id] = std::move(f);
  for (auto &t : ts) {
    auto it = fresh.find(t.id);
    if (t.stack == 0 && it != fresh.end() && it->second.episode == t.episode)
      t.stack = it->second.stack;
  }
  return ts;
}

std::string cycleKey(const std::vector<const ThreadSnap *> &c) {
  std::vector<std::pair<uint64_t, uint64_t>> v;
  for (auto *t : c)
    v.push_back({t->id, t->episode});
  std::sort(v.begin(), v.end());
  std::string k;
  for (auto &[id, ep] : v)
    k += std::to_string(id) + "/" + std::to_string(ep) + ",";
  return k;
}

std::string describeWait(const ThreadSnap &t, const std::map<uint64_t, const ThreadSnap *> &by) {
  auto label = [&](uint64_t id) {
    auto it = by.find(id);
    std::string s = "\"thread " + std::to_string(id);
    if (it != by.end() && !it->second->name.empty())
      s += " " + it->second->name;
    return s + "\"";
  };
  char obj[32];
  snprintf(obj, sizeof obj, "%#lx", (unsigned long)t.object);
  switch (t.reason) {
  case kMutexLock:
    return "  waiting to lock mutex " + std::string(obj) + ", which is held by " + label(t.holder_id);
  case kRwlockRead:
  case kRwlockWrite:
    return "  waiting to lock rwlock " + std::string(obj) + ", which is held by " + label(t.holder_id);
  case kThreadJoin:
    return "  waiting to join " + label(t.join_target) + ", which has not exited";
  default:
    return "  waiting (" + effectiveReason(t) + ")";
  }
}

uint64_t edge(const ThreadSnap &t) {
  if (t.state != kStateBlocked || t.timed)
    return 0;
  if ((t.reason == kMutexLock || t.reason == kRwlockWrite || t.reason == kRwlockRead) && t.holder_id)
    return t.holder_id;
  if (t.reason == kThreadJoin)
    return t.join_target;
  return 0;
}

void checkDeadlocks(const std::vector<ThreadSnap> &ts) {
  std::map<uint64_t, const ThreadSnap *> by;
  for (auto &t : ts)
    by[t.id] = &t;
  std::map<std::string, int> seen_now;
  std::set<uint64_t> done;
  for (auto &t : ts) {
    if (done.count(t.id))
      continue;
    // Out-degree is at most one: walk until we repeat or fall off.
    std::vector<const ThreadSnap *> path;
    std::map<uint64_t, size_t> pos;
    const ThreadSnap *cur = &t;
    while (cur && !done.count(cur->id) && !pos.count(cur->id)) {
      pos[cur->id] = path.size();
      path.push_back(cur);
      uint64_t nx = edge(*cur);
      auto it = nx ? by.find(nx) : by.end();
      cur = it == by.end() ? nullptr : it->second;
    }
    if (cur && pos.count(cur->id)) {
      std::vector<const ThreadSnap *> cyc(path.begin() + long(pos[cur->id]), path.end());
      std::string key = cycleKey(cyc);
      int n = (*g_cycles_seen)[key] + 1;
      seen_now[key] = n;
      if (n >= 2 && !g_reported->count(key)) {
        g_reported->insert(key);
        std::vector<ThreadSnap> members;
        for (auto *m : cyc)
          members.push_back(*m);
        members = withStacks(std::move(members));
        std::string o = "tether: Found one deadlock:\n=============================\n";
        for (auto *m : cyc) {
          o += "\"thread " + std::to_string(m->id) + (m->name.empty() ? "" : " " + m->name) + "\":\n";
          o += describeWait(*m, by) + "\n";
        }
        o += "\nStacks of the threads listed above:\n===================================\n";
        for (auto &m : members)
          o += renderDebug2One(m, ts) + "\n";
        o += "Found 1 deadlock.\n";
        g_problem_reported.store(true);
        writeTextReport(o, "deadlock");
        if (options().deadlock == 2)
          abort();
      }
    }
    for (auto *p : path)
      done.insert(p->id);
  }
  *g_cycles_seen = std::move(seen_now);
}

// Reads a small /proc file whole (at most size - 1 bytes, NUL-terminated).
bool readSmallFile(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ssize_t n = real::read(fd, buf, size - 1);
  close(fd);
  if (n <= 0)
    return false;
  buf[n] = 0;
  return true;
}

bool kernelSample(pid_t tid, KernelSample &out) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/self/task/%d/stat", int(tid));
  if (!readSmallFile(path, buf, sizeof buf))
    return false;
  const char *p = strrchr(buf, ')'); // the name in parentheses may hold anything
  if (!p || p[1] != ' ' || !p[2])
    return false;
  out.state = p[2];
  snprintf(path, sizeof path, "/proc/self/task/%d/schedstat", int(tid));
  if (!readSmallFile(path, buf, sizeof buf))
    return false;
  out.run_ns = strtoull(buf, nullptr, 10);
  return true;
}

// The shim's records say every thread waits with no timeout, in the same
// episodes as at the last scans. A thread can still be running: woken (a
// notify, an unlock) but not yet scheduled on a loaded machine, so it has not
// yet left the wait in our records; or inside a wait declared through the
// API while it polls. The kernel knows: every thread must be sleeping ('S'),
// and no thread may have run between this scan and the previous one.
// Returns whether that holds now (and remembers this scan's samples); true
// when /proc cannot tell.
bool kernelConfirmsAsleep(const std::vector<ThreadSnap> &ts) {
  std::map<pid_t, KernelSample> now;
  for (const ThreadSnap &t : ts) {
    KernelSample k;
    if (t.tid <= 0 || !kernelSample(t.tid, k))
      return true; // no /proc (or the thread is gone): the records decide
    now[t.tid] = k;
  }
  bool still = true;
  for (auto &[tid, k] : now) {
    auto it = g_asleep_samples->find(tid);
    still &= k.state == 'S' && it != g_asleep_samples->end() && it->second == k;
  }
  *g_asleep_samples = std::move(now);
  return still;
}

void checkAllAsleep(const std::vector<ThreadSnap> &ts) {
  if (ts.empty())
    return;
  auto awake = [] {
    g_asleep_scans = 0;
    g_asleep_key.clear();
    g_asleep_reported = false;
    g_asleep_samples->clear();
  };
  std::string key;
  for (auto &t : ts) {
    if (t.state != kStateBlocked || t.timed || t.reason == kIOWait || t.reason == kSleep) {
      awake();
      return;
    }
    key += std::to_string(t.id) + "/" + std::to_string(t.episode) + ",";
  }
  // Tasks: a worker thread that idles in its scheduler (a fiber scheduler's
  // wait, a pool's queue) makes no progress only if none of its tasks can
  // run: a runnable task is about to, and a task suspended with a timeout
  // (a sleep, a timer the shim does not see) runs again when it expires,
  // whatever its thread waits in. Only when every task is suspended with no
  // timer is the process asleep.
  std::vector<TaskSnap> tasks = taskSnapshot();
  for (const TaskSnap &t : tasks)
    if (t.state == kTaskRunnable || (t.state == kTaskSuspended && t.timed)) {
      awake();
      return;
    }
  if (key == g_asleep_key) {
    ++g_asleep_scans;
  } else {
    g_asleep_key = key;
    g_asleep_scans = 1;
    g_asleep_reported = false;
    g_asleep_samples->clear();
  }
  // Sampled from the second scan on, so that the third can compare.
  if (g_asleep_scans < 2 || g_asleep_reported)
    return;
  bool confirmed = kernelConfirmsAsleep(ts);
  if (g_asleep_scans >= 3 && confirmed) {
    g_asleep_reported = true;
    std::string o =
        "tether: all threads are asleep - deadlock!\n\n" + renderDebug2(withStacks(ts), tasks);
    g_problem_reported.store(true);
    writeTextReport(o, "all-asleep");
    if (options().deadlock == 2)
      abort();
  }
}

void checkStuck(const std::vector<ThreadSnap> &ts) {
  uint64_t now = nowNs();
  for (auto &t : ts) {
    if (t.state != kStateBlocked || now - t.since_ns < options().stuck_after_ns)
      continue;
    if (!g_stuck_reported->insert({t.id, t.episode}).second)
      continue;
    std::string o = "tether: thread " + std::to_string(t.id) + " blocked for more than " +
                    formatDuration(options().stuck_after_ns) + "\n" +
                    renderDebug2One(withStacks({t})[0], ts) + "\n";
    writeTextReport(o, "stuck");
  }
}

void *monitorMain(void *) {
  setInternalThread();
  // Visible as such in /proc/PID/task/*/comm, top -H, gdb.
  pthread_setname_np(pthread_self(), "tether-monitor");
  // Kept across restarts (a credential change restarts the monitor).
  if (!g_cycles_seen) {
    g_cycles_seen = new std::map<std::string, int>();
    g_reported = new std::set<std::string>();
    g_stuck_reported = new std::set<std::pair<uint64_t, uint64_t>>();
    g_asleep_samples = new std::map<pid_t, KernelSample>();
  }
  int interval_ms = int(options().check_interval_ns / 1000000);
  if (interval_ms < 1)
    interval_ms = 1;
  for (;;) {
    pollfd p{g_pipe[0], POLLIN, 0};
    int rc = real::poll(&p, 1, interval_ms);
    if (g_exiting.load())
      return nullptr;
    bool quit = false;
    if (rc > 0) {
      char buf[64];
      ssize_t n = real::read(g_pipe[0], buf, sizeof buf);
      for (ssize_t i = 0; i < n; ++i)
        quit |= buf[i] == 'q';
      // Asked to stop with a dump request pending: the next monitor owns it.
      if (g_monitor_stop.load() && quit) {
        char q = 'q';
        ssize_t w = real::write(g_pipe[1], &q, 1);
        (void)w;
      }
    }
    if (g_monitor_stop.load())
      return nullptr;
    if (quit) {
      uint64_t req = g_dumps_requested.load();
      dumpAll("SIGQUIT");
      g_dumps_served.store(req);
    }
    flushLockOrderReports();
    bool want = options().deadlock != 0 || options().on_stuck;
    if (!want)
      continue;
    // Threads blocked for a second or more without a stack are asked for it
    // once per blocking episode, so that reports find it ready.
    auto ts = reportable(options().eager_stacks == 1 ? snapshot(false)
                                                     : snapshot(true, kSampleAfterNs));
    // A thread blocked for a second is what a hang report will show:
    // symbolize its stacks now, on this thread, so that the report (often a
    // SIGQUIT much later) does not pay for loading debug information.
    // Programs whose threads never block that long never pay for it.
    std::vector<uint32_t> settled;
    uint64_t now = nowNs();
    for (const ThreadSnap &t : ts)
      if (t.state == kStateBlocked && t.stack && now - t.since_ns >= kSampleAfterNs) {
        settled.push_back(t.stack);
        settled.push_back(t.create_stack);
      }
    if (!settled.empty())
      symbolizeStacks(settled); // cached: only new stacks cost anything
    if (options().deadlock != 0) {
      checkDeadlocks(ts);
      if (options().all_asleep)
        checkAllAsleep(ts);
    }
    if (options().on_stuck)
      checkStuck(ts);
  }
}

// Starts the monitor thread; g_monitor_lock held (or single-threaded).
void startMonitorLocked() {
  if (g_pipe[0] < 0) {
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
      return;
    // Above the standard fds: a program started with fds 0-2 closed opens
    // its own stdin/stdout/stderr there later (closing them first).
    int r = fcntl(p[0], F_DUPFD_CLOEXEC, 3), w = fcntl(p[1], F_DUPFD_CLOEXEC, 3);
    close(p[0]);
    close(p[1]);
    if (r < 0 || w < 0) {
      if (r >= 0)
        close(r);
      if (w >= 0)
        close(w);
      return;
    }
    g_pipe[0] = r;
    g_pipe[1] = w;
  }
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 256 * 1024);
  // Keep the monitor from receiving signals meant for the program, but never
  // block the C library's internal signals (glibc: SIGCANCEL and SIGSETXID,
  // between __SIGRTMIN and SIGRTMIN): set*id() calls broadcast the
  // credential change to every thread with SIGSETXID and wait for each.
  // glibc's pthread_sigmask drops them itself; this does not rely on it.
  sigset_t all, old;
  sigfillset(&all);
  for (int s = kFirstLibcInternalSignal; s < SIGRTMIN; ++s)
    sigdelset(&all, s);
  real::pthread_sigmask(SIG_SETMASK, &all, &old);
  g_monitor_stop.store(false);
  g_monitor_running = real::pthread_create(&g_monitor, &a, monitorMain, nullptr) == 0;
  real::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&a);
}

void startMonitor() {
  SpinGuard g(g_monitor_lock);
  startMonitorLocked();
}

std::atomic<bool> g_leaks_checked{false};

// A SIGQUIT dump requested before exit and not yet written (or still being
// written) by the monitor is waited for, at most kExitDumpWaitNs: otherwise
// the process ends under it and the report is cut or missing.
void awaitPendingDumps() {
  uint64_t want = g_dumps_requested.load();
  if (g_dumps_served.load() >= want)
    return;
  uint64_t deadline = nowNs() + kExitDumpWaitNs;
  while (g_dumps_served.load() < want && nowNs() < deadline) {
    {
      SpinGuard g(g_monitor_lock);
      if (!g_monitor_running)
        return;
    }
    real::poll(nullptr, 0, 1);
  }
}

// The exit report's part for tasks: one line each, then their blocks.
std::string tasksLeakText(const std::vector<TaskSnap> &tasks, const std::vector<ThreadSnap> &ts) {
  std::string o = "tether: " + std::to_string(tasks.size()) + " task(s) never ended at exit:\n";
  for (const TaskSnap &t : tasks)
    o += "  task " + std::to_string(t.id) + (t.name[0] ? " \"" + std::string(t.name) + "\"" : "") +
         " [" + taskReason(t, ts) + "] at " + taskWhere(t) + "\n";
  o += "\n";
  for (const TaskSnap &t : tasks)
    o += renderTaskDebug2One(t, ts) + "\n";
  return o;
}

void reportLeaksAtExit() {
  if (!g_active.load() || isInternalThread() || g_leaks_checked.exchange(true))
    return;
  awaitPendingDumps();
  g_exiting.store(true);
  if (!options().on_exit)
    return;
  RecorderPause pause; // the report's own waits are not the program's history
  auto ts = reportable(snapshot(true));
  std::vector<ThreadSnap> leaked;
  for (auto &t : ts)
    if (!t.is_self && !t.pre_main && !t.joined && !t.leak_reported &&
        !(t.detached && options().ignore_detached) &&
        !leakIgnoredByName(t, options().ignore_name) &&
        !leakIgnored(t, options().ignore_top, options().ignore_created_by))
      leaked.push_back(t);
  // Tasks begun and never ended: a fiber or coroutine still suspended, a job
  // never run.
  std::vector<TaskSnap> leaked_tasks;
  for (const TaskSnap &t : taskSnapshot())
    if (!t.leak_reported)
      leaked_tasks.push_back(t);
  if (leaked.empty() && leaked_tasks.empty())
    return;
  std::string o;
  if (options().format == Fmt::Json) {
    o = renderJson(leaked, "exit-leaks", leaked_tasks);
  } else if (leaked.empty()) {
    o = tasksLeakText(leaked_tasks, ts);
  } else {
    o = "tether: " + std::to_string(leaked.size()) +
        " thread(s) still running at exit that nobody joined:\n";
    // One line each: what the thread is doing, by its first frame of the
    // program's own code; the details follow.
    std::vector<uint32_t> ids;
    for (auto &t : leaked)
      ids.push_back(t.stack), ids.push_back(t.create_stack);
    symbolizeStacks(ids);
    for (auto &t : leaked) {
      std::string where = firstUserFrame(t);
      o += "  thread " + std::to_string(t.id) + (t.name.empty() ? "" : " \"" + t.name + "\"") +
           " [" + effectiveReason(t) + "]" + (where.empty() ? "" : " in " + where) + "\n";
    }
    o += "\n";
    for (auto &t : leaked) {
      o += renderDebug2One(t, ts);
      if (t.create_stack) {
        o += "creation stack:\n";
        o += foldedFrames(
            textFrames(t.create_stack),
            [](const Frame &f) {
              return "  " + f.function + "\n  " + f.file + ":" + std::to_string(f.line) + "\n";
            },
            "  ");
      }
      o += "\n";
    }
    if (!leaked_tasks.empty())
      o += tasksLeakText(leaked_tasks, ts);
  }
  g_problem_reported.store(true);
  if (options().format == Fmt::Json) {
    writeReport(o, "exit");
    return;
  }
  writeTextReport(o, "exit");
  // format=trace: the text goes to stderr (above) and the history, with the
  // leaked threads and tasks as they are now, to the output.
  if (options().format == Fmt::Trace)
    writeReport(renderTrace(leaked, "exit-leaks", leaked_tasks), "exit");
}

// Called from atexit: a report made during the run or just now decides the
// exit status, unless main's return already did. Later atexit handlers (those
// registered before the shim started) do not run, as with LeakSanitizer.
void reportLeaksAtExitHandler() {
  if (!isInternalThread())
    flushLockOrderReports();
  reportLeaksAtExit();
  if (g_status_from_main.load() || !g_problem_reported.load() || options().exitcode == 0 ||
      isInternalThread())
    return;
  fflush(nullptr);
  _exit(options().exitcode);
}

void atforkChild() {
  registryAfterForkChild();
  tasksAfterForkChild();
  lockOrderAfterForkChild();
  monitorAfterForkChild();
}

} // namespace

void noteProblemReported() { g_problem_reported.store(true); }

int atMainReturn(int status) {
  flushLockOrderReports();
  reportLeaksAtExit();
  g_status_from_main.store(true);
  if (g_problem_reported.load() && options().exitcode != 0)
    return options().exitcode;
  return status;
}

const Options &options() {
  static Options defaults;
  return g_opts ? *g_opts : defaults;
}

void pokeMonitor(char why) {
  if (g_pipe[1] >= 0) {
    int saved = errno;
    ssize_t r = write(g_pipe[1], &why, 1);
    (void)r;
    errno = saved;
  }
}

void monitorAfterForkChild() {
  if (g_pipe[0] >= 0) {
    close(g_pipe[0]);
    close(g_pipe[1]);
    g_pipe[0] = g_pipe[1] = -1;
  }
  new (&g_report_lock) SpinLock();
  new (&g_monitor_lock) SpinLock();
  new (&g_stderr_lock) SpinLock();
  g_fallback_id.valid = false; // the child's fallback file is its own (its pid)
  g_report_count = 0;           // and so are its report numbers
  g_problem_reported.store(false);
  g_monitor_running = false; // it does not exist in the child
  if (g_active.load() && !g_exiting.load())
    startMonitor();
}

// Credentials (uids, gids, groups, capabilities, keep-caps) are per thread in
// Linux; glibc's set*id() broadcasts the change to every thread, and aborts
// the process if one thread cannot make it. A thread that did not follow
// earlier per-thread changes (prctl(PR_SET_KEEPCAPS), capset(): what setpriv
// and daemons do between setresuid and setresgid) fails it. So the monitor is
// not running during a set*id() call: it is stopped before and started again
// after, created by the calling thread, whose credentials it inherits.
CredentialChange::CredentialChange() {
  if (!g_active.load() || isInternalThread())
    return;
  g_monitor_lock.lock();
  locked_ = true;
  if (!g_monitor_running)
    return;
  g_monitor_stop.store(true);
  pokeMonitor('s');
  real::pthread_join(g_monitor, nullptr);
  g_monitor_running = false;
  restart_ = true;
}

CredentialChange::~CredentialChange() {
  if (!locked_)
    return;
  int saved = errno;
  if (restart_ && !g_exiting.load())
    startMonitorLocked();
  g_monitor_lock.unlock();
  errno = saved;
}

// output=FILE: %p is the pid, %n the number of this report in the process
// (1, 2, ...). Text reports are appended to FILE. A json or pprof report is
// one document that readers take whole, so each gets a file of its own,
// created afresh: FILE for the first, FILE.2, FILE.3... for the next ones
// when the name has no %n.
std::string outputPath(uint64_t n, bool &own_file) {
  std::string path = options().output;
  bool numbered = false;
  for (size_t p = 0; (p = path.find('%', p)) != std::string::npos;) {
    std::string by;
    if (path.compare(p, 2, "%p") == 0)
      by = std::to_string(getpid());
    else if (path.compare(p, 2, "%n") == 0)
      by = std::to_string(n), numbered = true;
    else {
      ++p;
      continue;
    }
    path.replace(p, 2, by);
    p += by.size();
  }
  own_file = documentFormat(options().format);
  if (own_file && !numbered && n > 1)
    path += "." + std::to_string(n);
  return path;
}

void writeReport(const std::string &text, const char *trigger) {
  SpinGuard g(g_report_lock);
  uint64_t n = ++g_report_count;
  if (!options().output.empty() && options().output != "stderr") {
    bool own_file = false;
    std::string path = outputPath(n, own_file);
    int fd = open(path.c_str(),
                  O_WRONLY | O_CREAT | (own_file ? O_TRUNC : O_APPEND) | O_NOFOLLOW | O_CLOEXEC |
                      O_NOCTTY,
                  0600);
    if (fd >= 0) {
      writeAll(fd, text);
      close(fd);
      if (options().verbosity >= 1)
        warn("wrote the " + std::string(trigger ? trigger : "api") + " report to '" +
             shownOption(path) + "'");
      return;
    }
    warn("cannot open output '" + shownOption(path) + "': " + strerror(errno));
  }
  writeStderr(text);
}

void writeTextReport(const std::string &text, const char *trigger) {
  if (!documentFormat(options().format)) {
    writeReport(text, trigger);
    return;
  }
  // The output holds JSON or pprof documents, one per file, that readers take
  // whole: a text report there would be an unreadable document (or, with
  // the json files read in sequence, a gap). It goes to stderr.
  SpinGuard g(g_report_lock);
  writeStderr(text);
}

bool writeAll(int fd, const std::string &text) {
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    off += size_t(n);
  }
  return true;
}

void initRuntime() {
  if (g_inited.load(std::memory_order_acquire))
    return;
  SpinGuard g(g_init_lock);
  if (g_inited.load())
    return;
  real::bind();
  g_stderr_id.set(2); // before anything is written
  auto *o = new Options();
  parseOptions(getenv("TETHER_OPTIONS"), *o, [](const std::string &m) { warn(m); });
  g_opts = o;
  recorderInit(o->history);
  if (o->help) {
    writeStderr(optionsHelp());
    _exit(0);
  }
  loadBuiltinModels();
  std::string why;
  if (!o->models.empty() && !loadModelFile(o->models.c_str(), why)) {
    warn("ignoring option '" + shownOption("models=" + o->models) + "': " + why +
         "; using the default");
    o->models.clear();
  }
  if (o->stack_signal) {
    // A real-time signal the program (or a library loaded before it) already
    // handles is not ours to take.
    struct sigaction old {};
    sigaction(o->stack_signal, nullptr, &old);
    if ((old.sa_flags & SA_SIGINFO) ? old.sa_sigaction != nullptr
                                    : (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN)) {
      warn("ignoring option 'stack_signal=" + std::to_string(o->stack_signal) +
           "': the program already handles that signal; using the default");
      o->stack_signal = 0;
    }
  }
  initStackSignal(o->stack_signal ? o->stack_signal : SIGRTMIN + 4);
  if (o->on_quit) {
    struct sigaction old {};
    sigaction(SIGQUIT, nullptr, &old);
    // SIG_IGN at this point was inherited (a shell starts background jobs
    // with SIGQUIT ignored); the dump never terminates the process, so
    // replacing it changes nothing but that the dump appears.
    if (old.sa_handler == SIG_DFL || old.sa_handler == SIG_IGN) {
      struct sigaction sa {};
      sa.sa_handler = onSigquit;
      sa.sa_flags = SA_RESTART;
      sigemptyset(&sa.sa_mask);
      sigaction(SIGQUIT, &sa, nullptr);
    }
  }
  pthread_atfork(nullptr, nullptr, atforkChild);
  atexit(reportLeaksAtExitHandler);
  g_lock_order.store(o->lock_order != 0);
  g_active.store(true);
  currentThread(); // the main thread (or whoever loaded us) is thread 1
  startMonitor();
  if (o->verbosity >= 1)
    warn("active in pid " + std::to_string(getpid()) + ", reports to " +
         (o->output.empty() ? std::string("stderr") : "'" + shownOption(o->output) + "'"));
  g_inited.store(true, std::memory_order_release);
}

namespace {
// A pattern names a frame by function (substring of the demangled name) or,
// for stripped code where the function is "??", by module file name
// ("libjemalloc.so").
bool frameMatches(const Frame &f, const std::string &p) {
  if (f.function.find(p) != std::string::npos)
    return true;
  if (f.function != "??")
    return false;
  size_t slash = f.module.rfind('/');
  std::string base = slash == std::string::npos ? f.module : f.module.substr(slash + 1);
  return !base.empty() && base.find(p) != std::string::npos;
}
} // namespace

bool leakIgnored(const ThreadSnap &s, const std::vector<std::string> &top,
                 const std::vector<std::string> &created_by) {
  if (!top.empty() && s.stack) {
    const auto &fs = symbolizeStack(s.stack);
    for (size_t i = 0; i < fs.size() && i < 4; ++i)
      for (auto &p : top)
        if (frameMatches(fs[i], p))
          return true;
  }
  if (!created_by.empty() && s.create_stack) {
    for (const Frame &f : symbolizeStack(s.create_stack))
      for (auto &p : created_by)
        if (frameMatches(f, p))
          return true;
  }
  return false;
}

bool leakIgnoredByName(const ThreadSnap &s, const std::vector<std::string> &names) {
  for (auto &p : names) {
    if (p.empty())
      continue;
    if (p.back() == '*' ? s.name.compare(0, p.size() - 1, p, 0, p.size() - 1) == 0 : s.name == p)
      return true;
  }
  return false;
}

} // namespace tether::rt

__attribute__((constructor)) static void tetherInit() { tether::rt::initRuntime(); }
