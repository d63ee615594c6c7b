// Public C and C++ API (include/tether/tether.h, tether.hpp).
#include "rt.h"
#include "recorder.h"
#include "tether/tether.h"
#include "tether/tether.hpp"

#include <algorithm>
#include <cerrno>
#include <ostream>
#include <unistd.h>

using namespace tether::rt;

extern "C" {

int tether_dump(int fd, int format) {
  initRuntime();
  RecorderPause pause; // the dump's own waits are not the program's history
  Fmt f;
  if (!parseFormat(std::to_string(format), f))
    return -1;
  std::string text = render(f, reportable(snapshot(true)), "api", taskSnapshot());
  if (!writeAll(fd, text))
    return -1;
  return 0;
}

void tether_block_begin(const char *reason, const void *object) {
  if (ThreadRecord *r = currentThread())
    blockBegin(r, kUser, reinterpret_cast<uintptr_t>(object), false, true, 0, reason);
}

void tether_block_end(void) {
  if (ThreadRecord *r = currentThreadIfKnown())
    blockEnd(r);
}

void tether_set_thread_name(const char *name) {
  if (ThreadRecord *r = currentThread())
    setName(r, name);
}

void tether_set_label(const char *key, const char *value) {
  if (ThreadRecord *r = currentThread())
    setLabel(r, key, value);
}

void tether_clear_labels(void) {
  if (ThreadRecord *r = currentThread())
    clearLabels(r);
}

unsigned long long tether_thread_id(void) {
  ThreadRecord *r = currentThread();
  return r ? r->id : 0;
}

tether_task *tether_task_begin(const char *name, tether_task *parent, const char *function,
                               const char *file, int line) {
  return reinterpret_cast<tether_task *>(
      taskBegin(name, reinterpret_cast<TaskRecord *>(parent), function, file, line));
}

void tether_task_resume(tether_task *task) { taskResume(reinterpret_cast<TaskRecord *>(task)); }

void tether_task_suspend(tether_task *task, const char *reason, const void *object, int timed,
                         const char *function, const char *file, int line) {
  taskSuspend(reinterpret_cast<TaskRecord *>(task), reason, reinterpret_cast<uintptr_t>(object),
              timed != 0, function, file, line);
}

void tether_task_suspend_stack(tether_task *task, const char *reason, const void *object,
                               int timed, int skip_frames) {
  taskSuspendStack(reinterpret_cast<TaskRecord *>(task), reason,
                   reinterpret_cast<uintptr_t>(object), timed != 0,
                   skip_frames > 0 ? skip_frames : 0);
}

void tether_task_end(tether_task *task) { taskEnd(reinterpret_cast<TaskRecord *>(task)); }

tether_task *tether_task_current(void) { return reinterpret_cast<tether_task *>(currentTask()); }

unsigned long long tether_task_id(const tether_task *task) {
  return task ? reinterpret_cast<const TaskRecord *>(task)->id : 0;
}

void tether_task_set_name(tether_task *task, const char *name) {
  taskSetName(reinterpret_cast<TaskRecord *>(task), name);
}

void tether_task_set_label(tether_task *task, const char *key, const char *value) {
  taskSetLabel(reinterpret_cast<TaskRecord *>(task), key, value);
}

} // extern "C"

namespace tether {

void dump(std::ostream &os, Format format) {
  initRuntime();
  RecorderPause pause;
  os << render(Fmt(int(format)), reportable(snapshot(true)), "api", taskSnapshot());
}

std::vector<unsigned long long> CurrentThreadIds() {
  initRuntime();
  std::vector<unsigned long long> ids;
  for (const ThreadSnap &s : snapshot(false))
    ids.push_back(s.id);
  return ids;
}

unsigned long long LastThreadId() { return lastThreadId(); }

namespace {

// Leaked threads among `all` for `opts` (and the TETHER_OPTIONS ignores),
// restricted to scope `scope` when it is not 0.
std::vector<const ThreadSnap *> candidates(const std::vector<ThreadSnap> &all,
                                           const LeakOptions &opts, uint64_t scope) {
  const Options &g = options();
  std::vector<const ThreadSnap *> out;
  for (const ThreadSnap &s : all) {
    if (s.is_self || s.pre_main || s.id <= opts.created_after || s.joined)
      continue;
    if (s.leak_reported && !opts.include_reported)
      continue;
    if (scope && !scopeWithin(s.scope, scope))
      continue;
    bool ignored = s.detached && g.ignore_detached;
    for (auto id : opts.ignore_ids)
      ignored |= id == s.id;
    if (ignored || leakIgnoredByName(s, g.ignore_name) ||
        leakIgnored(s, opts.ignore_top_functions, opts.ignore_created_by) ||
        leakIgnored(s, g.ignore_top, g.ignore_created_by))
      continue;
    out.push_back(&s);
  }
  return out;
}

std::vector<const TaskSnap *> taskCandidates(const std::vector<TaskSnap> &all,
                                             const LeakOptions &opts, uint64_t scope) {
  std::vector<const TaskSnap *> out;
  for (const TaskSnap &t : all) {
    if (t.id <= opts.tasks_created_after || (t.leak_reported && !opts.include_reported))
      continue;
    if (scope && !scopeWithin(t.scope, scope))
      continue;
    out.push_back(&t);
  }
  return out;
}

LeakReport findLeaks(const LeakOptions &opts, uint64_t scope) {
  initRuntime();
  RecorderPause pause; // its retries sleep: not the program's history
  uint64_t sleep_us = 1;
  uint64_t max_sleep = opts.max_sleep.count() > 0 ? uint64_t(opts.max_sleep.count()) : 1;
  for (int attempt = 0;; ++attempt) {
    // Stacks only once the answer is final: a check that finds nothing (a
    // clean test) never signals a thread.
    std::vector<ThreadSnap> all = reportable(snapshot(false));
    std::vector<const ThreadSnap *> leaked = candidates(all, opts, scope);
    std::vector<TaskSnap> all_tasks = taskSnapshot();
    std::vector<const TaskSnap *> leaked_tasks = taskCandidates(all_tasks, opts, scope);
    bool none = leaked.empty() && leaked_tasks.empty();
    bool final = none || attempt >= opts.max_retries;
    if (!final) {
      usleep(useconds_t(sleep_us));
      sleep_us = std::min(sleep_us * 2, max_sleep);
      continue;
    }
    LeakReport r;
    if (none)
      return r;
    for (const TaskSnap *t : leaked_tasks) {
      r.task_ids.push_back(t->id);
      r.text += renderTaskDebug2One(*t, all) + "\n";
      markTaskLeakReported(t->id);
    }
    if (leaked.empty())
      return r;
    all = reportable(snapshot(true));
    leaked = candidates(all, opts, scope);
    std::vector<uint32_t> ids;
    for (const ThreadSnap *s : leaked)
      ids.push_back(s->stack), ids.push_back(s->create_stack);
    symbolizeStacks(ids);
    for (const ThreadSnap *s : leaked) {
      r.thread_ids.push_back(s->id);
      r.text += renderDebug2One(*s, all) + "\n";
      markLeakReported(s->id);
    }
    return r;
  }
}

} // namespace

LeakReport FindLeaks(const LeakOptions &opts) { return findLeaks(opts, 0); }

LeakMark leak_mark() {
  initRuntime();
  LeakMark m;
  m.last_id = lastThreadId();
  m.last_task_id = lastTaskId();
  if (ThreadRecord *r = currentThread()) {
    m.scope = newScope(r->scope.load(std::memory_order_relaxed));
    r->scope.store(m.scope, std::memory_order_relaxed);
  }
  return m;
}

LeakReport leaked_since(const LeakMark &mark, LeakOptions opts) {
  if (opts.created_after < mark.last_id)
    opts.created_after = mark.last_id;
  if (opts.tasks_created_after < mark.last_task_id)
    opts.tasks_created_after = mark.last_task_id;
  return findLeaks(opts, mark.scope);
}

} // namespace tether
