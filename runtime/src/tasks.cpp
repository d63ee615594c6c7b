// Task registry: fibers, coroutines and pool jobs declared through
// tether_task_*. A lazily committed table of TaskRecords like the threads',
// sized for millions of tasks; begin and end take a free slot from a stack
// under a spin lock and write the record, nothing else (no stack capture: the
// caller passes its creation site).
#include "rt.h"
#include "recorder.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <sched.h>
#include <sys/mman.h>
#include <unordered_map>

namespace tether::rt {
namespace {

constexpr size_t kTaskCapacity = size_t(1) << 22;

TaskRecord *g_tasks = nullptr;
uint32_t *g_task_free = nullptr;
size_t g_task_nfree = 0;
std::atomic<size_t> g_task_high{0};
std::atomic<uint64_t> g_next_task_id{1};
SpinLock g_task_lock;

TETHER_TLS __thread TaskRecord *t_task = nullptr;
// The id t_task had when it was set: a task ended on another thread (a
// coroutine frame destroyed elsewhere) leaves t_task pointing at a slot that
// may be free or reused.
TETHER_TLS __thread uint64_t t_task_id = 0;
// The calling thread's labels interned, and the thread's name/label sequence
// they were interned at (labels change rarely; tasks begin often).
TETHER_TLS __thread const ThreadRecord *t_labels_of = nullptr;
TETHER_TLS __thread uint32_t t_labels_seq = 0;
TETHER_TLS __thread uint32_t t_labels_id = 0;

void *mapZeroed(size_t bytes) {
  void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

bool ensureTaskTables() {
  if (g_tasks)
    return true;
  auto *tasks = static_cast<TaskRecord *>(mapZeroed(sizeof(TaskRecord) * kTaskCapacity));
  auto *free_list = static_cast<uint32_t *>(mapZeroed(sizeof(uint32_t) * kTaskCapacity));
  if (!tasks || !free_list)
    return false;
  g_task_free = free_list;
  g_tasks = tasks;
  return true;
}

// One writer at a time per task (the thread driving it): plain stores of
// the sequence, no read-modify-write.
template <typename F> void writeTask(TaskRecord *t, F &&fn) {
  uint32_t s = t->seq.load(std::memory_order_relaxed);
  t->seq.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  fn();
  t->seq.store(s + 2, std::memory_order_release);
}

// Label sets: a blob ("k\0v\0...\0") -> id, and id -> parsed pairs.
SpinLock g_labels_lock;
std::unordered_map<std::string, uint32_t> *g_label_ids;
// A deque: references to a set stay valid while others are added.
std::deque<std::vector<std::pair<std::string, std::string>>> *g_label_sets;

size_t blobLength(const char *blob, size_t max) {
  // Pairs of NUL-terminated strings up to an empty key.
  size_t i = 0;
  while (i < max && blob[i]) {
    for (int part = 0; part < 2; ++part) {
      while (i < max && blob[i])
        ++i;
      ++i;
    }
  }
  return std::min(i, max);
}

// The task a suspended or ended one interrupted becomes current again, if
// it is still running here.
void setCurrent(TaskRecord *t) {
  t_task = t;
  t_task_id = t ? t->id : 0;
}

uint32_t labelsOfCurrentThread() {
  ThreadRecord *r = currentThread();
  if (!r)
    return 0;
  uint32_t seq = r->nseq.load(std::memory_order_acquire);
  if (t_labels_of == r && t_labels_seq == seq)
    return t_labels_id;
  // Written only by this thread: no concurrent writer to race with.
  uint32_t id = internLabels(r->labels, blobLength(r->labels, kLabelLen - 1));
  t_labels_of = r;
  t_labels_seq = seq;
  t_labels_id = id;
  return id;
}

} // namespace

uint32_t internLabels(const char *blob, size_t len) {
  if (len == 0 || !blob[0])
    return 0;
  std::string key(blob, len);
  SpinGuard g(g_labels_lock);
  if (!g_label_ids) {
    g_label_ids = new std::unordered_map<std::string, uint32_t>();
    g_label_sets = new std::deque<std::vector<std::pair<std::string, std::string>>>(1);
  }
  auto it = g_label_ids->find(key);
  if (it != g_label_ids->end())
    return it->second;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 0; i < len && blob[i];) {
    std::string k = blob + i;
    i += k.size() + 1;
    std::string v = i < len ? blob + i : "";
    i += v.size() + 1;
    pairs.emplace_back(std::move(k), std::move(v));
  }
  g_label_sets->push_back(std::move(pairs));
  uint32_t id = uint32_t(g_label_sets->size() - 1);
  g_label_ids->emplace(std::move(key), id);
  return id;
}

const std::vector<std::pair<std::string, std::string>> &labelSet(uint32_t id) {
  static const std::vector<std::pair<std::string, std::string>> empty;
  SpinGuard g(g_labels_lock);
  if (!g_label_sets || id == 0 || id >= g_label_sets->size())
    return empty;
  return (*g_label_sets)[id];
}

TaskRecord *taskBegin(const char *name, TaskRecord *parent, const char *fn, const char *file,
                      int line) {
  ThreadRecord *thread = currentThread();
  if (!parent)
    parent = currentTask();
  uint32_t labels = parent ? parent->labels : labelsOfCurrentThread();
  uint64_t scope = parent ? parent->scope
                          : thread ? thread->scope.load(std::memory_order_relaxed) : 0;
  TaskRecord *t;
  {
    SpinGuard g(g_task_lock);
    if (!ensureTaskTables())
      return nullptr;
    size_t idx;
    if (g_task_nfree)
      idx = g_task_free[--g_task_nfree];
    else if (g_task_high.load(std::memory_order_relaxed) < kTaskCapacity)
      idx = g_task_high.load(std::memory_order_relaxed);
    else
      return nullptr;
    t = &g_tasks[idx];
    if (idx == g_task_high.load(std::memory_order_relaxed))
      g_task_high.store(idx + 1, std::memory_order_release);
  }
  uint64_t now = nowNs();
  writeTask(t, [&] {
    t->id = g_next_task_id.fetch_add(1, std::memory_order_relaxed);
    t->parent_id = parent ? parent->id : 0;
    t->creator_thread = thread ? thread->id : 0;
    t->scope = scope;
    t->start_ns = now;
    t->site_fn = fn;
    t->site_file = file;
    t->site_line = line;
    t->at_fn = t->at_file = nullptr;
    t->at_line = 0;
    t->reason = nullptr;
    t->state = kTaskRunnable;
    t->timed = false;
    t->leak_reported.store(false, std::memory_order_relaxed);
    t->labels = labels;
    t->thread_id = 0;
    t->since_ns = now;
    t->object = 0;
    t->stack = 0;
    t->resumer = nullptr;
    size_t n = name ? strnlen(name, kTaskNameLen - 1) : 0;
    memcpy(t->name, name ? name : "", n);
    t->name[n] = 0;
  });
  t->in_use.store(1, std::memory_order_release);
  recordTaskBegin(t);
  return t;
}

void taskResume(TaskRecord *t) {
  if (!t)
    return;
  ThreadRecord *thread = currentThread();
  uint64_t now = nowNs();
  TaskRecord *prev = currentTask();
  recordTask(kEvTaskResume, t, now, kTaskRunning);
  writeTask(t, [&] {
    t->state = kTaskRunning;
    t->thread_id = thread ? thread->id : 0;
    t->since_ns = now;
    t->reason = nullptr;
    t->object = 0;
    t->timed = false;
    t->resumer = prev != t ? prev : t->resumer;
  });
  t_task = t;
  t_task_id = t->id;
}

void taskSuspend(TaskRecord *t, const char *reason, uintptr_t object, bool timed, const char *fn,
                 const char *file, int line) {
  if (!t)
    return;
  uint64_t now = nowNs();
  TaskRecord *back = t->resumer;
  // Runnable without a point of its own (woken, queued): it stays where it
  // stopped last.
  bool keep_point = !reason && !fn && !file;
  recordTask(kEvTaskSuspend, t, now, reason ? kTaskSuspended : kTaskRunnable, reason, object,
             timed, keep_point ? t->at_fn : fn, keep_point ? t->at_file : file,
             keep_point ? t->at_line : line);
  writeTask(t, [&] {
    t->state = reason ? kTaskSuspended : kTaskRunnable;
    t->reason = reason;
    t->object = object;
    t->timed = timed;
    t->since_ns = now;
    if (!keep_point) {
      t->at_fn = fn;
      t->at_file = file;
      t->at_line = line;
      t->stack = 0;
    }
    t->resumer = nullptr;
  });
  if (t_task == t)
    setCurrent(back);
}

void taskSuspendStack(TaskRecord *t, const char *reason, uintptr_t object, bool timed, int skip) {
  if (!t)
    return;
  // The shim's own frames are dropped by address; then `skip` of the caller's.
  uintptr_t pcs[kMaxFrames];
  int n = captureStack(pcs, kMaxFrames, 0);
  int from = skip < n ? skip : 0;
  uint32_t st = depotPut(pcs + from, n - from);
  taskSuspend(t, reason, object, timed, nullptr, nullptr, 0);
  writeTask(t, [&] { t->stack = st; });
}

void taskEnd(TaskRecord *t) {
  if (!t)
    return;
  if (t_task == t)
    setCurrent(t->resumer);
  if (recorderOn())
    recordTask(kEvTaskEnd, t, nowNs());
  writeTask(t, [&] { t->state = kTaskDone; });
  uint32_t one = 1;
  if (!t->in_use.compare_exchange_strong(one, 0, std::memory_order_acq_rel))
    return;
  SpinGuard g(g_task_lock);
  g_task_free[g_task_nfree++] = uint32_t(t - g_tasks);
}

TaskRecord *currentTask() {
  TaskRecord *t = t_task;
  ThreadRecord *self = currentThreadIfKnown();
  if (t && (!t->in_use.load(std::memory_order_acquire) || t->id != t_task_id ||
            t->state != kTaskRunning || !self || t->thread_id != self->id)) {
    t_task = nullptr;
    return nullptr;
  }
  return t;
}

void taskSetName(TaskRecord *t, const char *name) {
  if (!t)
    return;
  writeTask(t, [&] {
    size_t n = name ? strnlen(name, kTaskNameLen - 1) : 0;
    memcpy(t->name, name ? name : "", n);
    t->name[n] = 0;
  });
}

void taskSetLabel(TaskRecord *t, const char *key, const char *value) {
  if (!t || !key || !*key)
    return;
  // The current set as a blob, key replaced (a NULL or empty value removes it).
  std::string blob;
  bool replaced = false;
  auto put = [&](const std::string &k, const std::string &v) {
    blob += k;
    blob += '\0';
    blob += v;
    blob += '\0';
  };
  std::vector<std::pair<std::string, std::string>> cur = labelSet(t->labels);
  for (auto &[k, v] : cur) {
    if (k == key) {
      replaced = true;
      if (value && *value)
        put(k, value);
    } else {
      put(k, v);
    }
  }
  if (!replaced && value && *value)
    put(key, value);
  uint32_t id = internLabels(blob.data(), blob.size());
  writeTask(t, [&] { t->labels = id; });
}

std::vector<TaskSnap> taskSnapshot() {
  std::vector<TaskSnap> out;
  size_t n = g_task_high.load(std::memory_order_acquire);
  if (!n)
    return out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    TaskRecord *t = &g_tasks[i];
    if (!t->in_use.load(std::memory_order_acquire))
      continue;
    TaskSnap s;
    bool ok = false;
    for (int tries = 0; tries < 1000; ++tries) {
      uint32_t b = t->seq.load(std::memory_order_acquire);
      if (b & 1) {
        sched_yield();
        continue;
      }
      s.id = t->id;
      s.parent_id = t->parent_id;
      s.creator_thread = t->creator_thread;
      s.scope = t->scope;
      s.start_ns = t->start_ns;
      s.thread_id = t->thread_id;
      s.since_ns = t->since_ns;
      s.site_fn = t->site_fn;
      s.site_file = t->site_file;
      s.at_fn = t->at_fn;
      s.at_file = t->at_file;
      s.reason = t->reason;
      s.site_line = t->site_line;
      s.at_line = t->at_line;
      s.state = t->state;
      s.timed = t->timed;
      s.leak_reported = t->leak_reported.load(std::memory_order_relaxed);
      s.labels = t->labels;
      s.object = t->object;
      s.stack = t->stack;
      memcpy(s.name, t->name, kTaskNameLen);
      s.name[kTaskNameLen - 1] = 0;
      std::atomic_thread_fence(std::memory_order_acquire);
      if (t->seq.load(std::memory_order_relaxed) == b) {
        ok = true;
        break;
      }
    }
    if (!ok || s.state == kTaskDone || !t->in_use.load(std::memory_order_acquire))
      continue;
    if (s.state == kTaskRunning) // its last await point is behind it
      s.at_fn = s.at_file = nullptr, s.at_line = 0, s.stack = 0;
    out.push_back(s);
  }
  // Slots are reused: sort by id, the order tasks began.
  std::sort(out.begin(), out.end(), [](const TaskSnap &a, const TaskSnap &b) { return a.id < b.id; });
  return out;
}

uint64_t lastTaskId() { return g_next_task_id.load() - 1; }

void markTaskLeakReported(uint64_t id) {
  size_t n = g_task_high.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    TaskRecord *t = &g_tasks[i];
    if (t->in_use.load(std::memory_order_acquire) && t->id == id) {
      t->leak_reported.store(true, std::memory_order_relaxed);
      return;
    }
  }
}

void tasksAfterForkChild() {
  // Tasks are data, not threads: a fiber or coroutine of the parent exists
  // in the child too (its memory was copied), so the records stay. Only
  // the locks another thread may have held are reset.
  g_task_lock.~SpinLock();
  new (&g_task_lock) SpinLock();
  g_labels_lock.~SpinLock();
  new (&g_labels_lock) SpinLock();
}

const char *taskStateName(uint8_t s) {
  switch (s) {
  case kTaskRunnable: return "runnable";
  case kTaskRunning: return "running";
  case kTaskSuspended: return "suspended";
  default: return "done";
  }
}

namespace {
const ThreadSnap *runningThread(const TaskSnap &t, const std::vector<ThreadSnap> &threads) {
  if (t.state != kTaskRunning)
    return nullptr;
  for (const ThreadSnap &th : threads)
    if (th.id == t.thread_id)
      return &th;
  return nullptr;
}
} // namespace

std::string taskReason(const TaskSnap &t, const std::vector<ThreadSnap> &threads) {
  switch (t.state) {
  case kTaskRunnable: return "runnable";
  case kTaskSuspended: {
    if (t.stack) {
      std::string m = modelReason(t.stack);
      if (!m.empty())
        return m;
    }
    return t.reason && *t.reason ? t.reason : "suspended";
  }
  case kTaskRunning: {
    // Running on a thread that is blocked: the task waits for what the
    // thread waits for.
    const ThreadSnap *th = runningThread(t, threads);
    if (th && th->state == kStateBlocked)
      return effectiveReason(*th);
    return "running";
  }
  default: return "done";
  }
}

uint64_t taskSince(const TaskSnap &t, const std::vector<ThreadSnap> &threads) {
  const ThreadSnap *th = runningThread(t, threads);
  if (th && th->state == kStateBlocked && th->since_ns > t.since_ns)
    return th->since_ns;
  return t.since_ns;
}

} // namespace tether::rt
