// Thread registry: fixed, lazily committed table of ThreadRecords, a
// pthread_t -> slot map, and the block/unblock bookkeeping the interceptors call.
#include "rt.h"
#include "recorder.h"

#include <algorithm>

#include <cstring>
#include <ctime>
#include <csignal>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace tether::rt {
namespace {

using Guard = SpinGuard;

constexpr size_t kCapacity = 1 << 16;
constexpr size_t kMapSize = kCapacity * 2;

ThreadRecord *g_slots = nullptr;
std::atomic<size_t> g_high{0};
uint32_t *g_free = nullptr; // stack of free slot indices
size_t g_nfree = 0;
SpinLock g_lock;
std::atomic<uint64_t> g_next_id{1};
std::atomic<bool> g_in_main{false};

// pthread_t -> slot+1 (0 empty, ~0 tombstone); guarded by g_lock
struct MapEntry {
  pthread_t key;
  uint32_t val;
};
MapEntry *g_map = nullptr;
constexpr uint32_t kTomb = ~0u;

TETHER_TLS __thread ThreadRecord *t_rec = nullptr;
TETHER_TLS __thread bool t_internal = false;

void *mapZeroed(size_t bytes) {
  void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void ensureTables() {
  if (g_slots)
    return;
  g_slots = static_cast<ThreadRecord *>(mapZeroed(sizeof(ThreadRecord) * kCapacity));
  g_free = static_cast<uint32_t *>(mapZeroed(sizeof(uint32_t) * kCapacity));
  g_map = static_cast<MapEntry *>(mapZeroed(sizeof(MapEntry) * kMapSize));
}

size_t hashPt(pthread_t t) {
  uint64_t x = static_cast<uint64_t>(t);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x & (kMapSize - 1);
}

void mapPutLocked(pthread_t t, uint32_t idx) {
  size_t h = hashPt(t), tomb = kMapSize;
  for (size_t i = 0; i < kMapSize; ++i, h = (h + 1) & (kMapSize - 1)) {
    MapEntry &e = g_map[h];
    if (e.val == 0) {
      MapEntry &dst = tomb != kMapSize ? g_map[tomb] : e;
      dst.key = t;
      dst.val = idx + 1;
      return;
    }
    if (e.val == kTomb) {
      if (tomb == kMapSize)
        tomb = h;
      continue;
    }
    if (e.key == t) {
      e.val = idx + 1;
      return;
    }
  }
}

MapEntry *mapFindLocked(pthread_t t) {
  size_t h = hashPt(t);
  for (size_t i = 0; i < kMapSize; ++i, h = (h + 1) & (kMapSize - 1)) {
    MapEntry &e = g_map[h];
    if (e.val == 0)
      return nullptr;
    if (e.val != kTomb && e.key == t)
      return &e;
  }
  return nullptr;
}

void writeBlock(ThreadRecord *r, auto &&fn) {
  r->bseq.fetch_add(1, std::memory_order_acq_rel);
  std::atomic_thread_fence(std::memory_order_release);
  fn();
  r->bseq.fetch_add(1, std::memory_order_release);
}

} // namespace

void SpinLock::lock() {
  while (locked_.exchange(true, std::memory_order_acquire))
    sched_yield();
}

uint64_t nowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
}
uint64_t wallNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
}

bool inMain() { return g_in_main.load(std::memory_order_relaxed); }
void setInMain() { g_in_main.store(true); }
bool isInternalThread() { return t_internal; }
void setInternalThread() { t_internal = true; }
size_t highWater() { return g_high.load(std::memory_order_acquire); }
ThreadRecord *slot(size_t i) { return &g_slots[i]; }
uint64_t lastThreadId() { return g_next_id.load() - 1; }

ThreadRecord *allocThread(uint64_t parent, uint32_t create_stack, bool pre_main) {
  ThreadRecord *r;
  {
    Guard g(g_lock);
    ensureTables();
    if (!g_slots)
      return nullptr;
    size_t idx;
    if (g_nfree)
      idx = g_free[--g_nfree];
    else if (g_high.load() < kCapacity)
      idx = g_high.load();
    else
      return nullptr;
    r = &g_slots[idx];
    r->gen.fetch_add(1);
    r->id = g_next_id.fetch_add(1);
    r->parent_id = parent;
    r->tid.store(0);
    r->pthread = 0;
    r->create_stack = create_stack;
    r->start_ns = nowNs();
    r->start_wall_ns = wallNs();
    r->state.store(kStateCreated);
    r->detached.store(false);
    r->joined.store(false);
    r->exited.store(false);
    r->pre_main = pre_main;
    r->adopted = false;
    r->scope.store(0);
    r->leak_reported.store(false);
    r->entry_fn = r->entry_arg = 0;
    r->stack_base = r->stack_lo = 0;
    r->reason = kRunning;
    r->depth = 0;
    r->object = 0;
    r->since_ns = r->start_ns;
    r->block_stack = 0;
    r->join_target = 0;
    r->user_reason[0] = 0;
    r->name[0] = 0;
    r->labels[0] = 0;
    r->labels[1] = 0;
    r->cap_n = 0;
    r->sig_blocked.store(false);
    r->sampled.store(0);
    r->cap_done.store(r->cap_req.load());
    r->in_use.store(1, std::memory_order_release);
    if (idx == g_high.load())
      g_high.store(idx + 1, std::memory_order_release);
  }
  recordThreadCreate(r, r->start_ns);
  return r;
}

void registerPthread(ThreadRecord *r, pthread_t t) {
  Guard g(g_lock);
  r->pthread = t;
  mapPutLocked(t, uint32_t(r - g_slots));
}

void noteSignalMask(ThreadRecord *r) {
  int sig = stackSignal();
  sigset_t cur;
  if (!r || sig <= 0 || !real::pthread_sigmask ||
      real::pthread_sigmask(SIG_BLOCK, nullptr, &cur) != 0)
    return;
  r->sig_blocked.store(sigismember(&cur, sig) == 1, std::memory_order_relaxed);
}

void attachCurrent(ThreadRecord *r) {
  t_rec = r;
  r->tid.store(pid_t(syscall(SYS_gettid)));
  noteSignalMask(r);
  registerPthread(r, pthread_self());
  r->state.store(kStateRunning, std::memory_order_release);
}

ThreadRecord *currentThreadIfKnown() { return t_rec; }

ThreadRecord *currentThread() {
  if (t_rec || t_internal)
    return t_rec;
  // A thread we did not create (main, or created before we were loaded).
  bool is_main = getpid() == pid_t(syscall(SYS_gettid));
  uint32_t st = captureToDepot(1);
  ThreadRecord *r = allocThread(0, st, !inMain() && !is_main);
  if (!r)
    return nullptr;
  r->adopted = !is_main;
  attachCurrent(r);
  return r;
}

void threadExited(ThreadRecord *r) {
  if (!r)
    return;
  if (!r->exited.load(std::memory_order_relaxed))
    recordThreadExit(r);
  r->state.store(kStateExited, std::memory_order_release);
  r->exited.store(true);
  if (t_rec == r) {
    // thread_local destructors may still block; they are not this thread's
    // life any more, so stop tracking it rather than adopting it again.
    t_rec = nullptr;
    t_internal = true;
  }
  releaseIfDone(r);
}

void releaseIfDone(ThreadRecord *r) {
  if (!r->exited.load() || !(r->joined.load() || r->detached.load()))
    return;
  uint32_t one = 1;
  if (!r->in_use.compare_exchange_strong(one, 0))
    return;
  Guard g(g_lock);
  uint32_t idx = uint32_t(r - g_slots);
  if (r->pthread) {
    MapEntry *e = mapFindLocked(r->pthread);
    if (e && e->val == idx + 1)
      e->val = kTomb;
  }
  g_free[g_nfree++] = idx;
}

ThreadRecord *findByPthread(pthread_t t) {
  Guard g(g_lock);
  if (!g_map)
    return nullptr;
  MapEntry *e = mapFindLocked(t);
  if (!e)
    return nullptr;
  ThreadRecord *r = &g_slots[e->val - 1];
  return r->in_use.load() ? r : nullptr;
}

ThreadRecord *findByTid(pid_t tid) {
  size_t n = highWater();
  for (size_t i = 0; i < n; ++i) {
    ThreadRecord *r = &g_slots[i];
    if (r->in_use.load(std::memory_order_acquire) && r->tid.load() == tid && !r->exited.load())
      return r;
  }
  return nullptr;
}

ThreadRecord *findById(uint64_t id) {
  size_t n = highWater();
  for (size_t i = 0; i < n; ++i) {
    ThreadRecord *r = &g_slots[i];
    if (r->in_use.load(std::memory_order_acquire) && r->id == id)
      return r;
  }
  return nullptr;
}

void registryAfterForkChild() {
  // Only the forking thread survives; every other record describes a thread
  // that does not exist in the child.
  g_lock.~SpinLock();
  new (&g_lock) SpinLock();
  ThreadRecord *self = t_rec;
  size_t n = highWater();
  for (size_t i = 0; i < n; ++i) {
    ThreadRecord *r = &g_slots[i];
    if (r == self || !r->in_use.load())
      continue;
    r->exited.store(true);
    r->joined.store(true);
    r->state.store(kStateExited);
    releaseIfDone(r);
  }
  if (self)
    self->tid.store(pid_t(syscall(SYS_gettid)));
  recordFork(self);
}

void blockBegin(ThreadRecord *r, Reason reason, uintptr_t object, bool timed, bool eager_stack,
                uint64_t join_target, const char *user_reason, uintptr_t site_pc,
                uintptr_t site_cfa) {
  if (r->depth++ > 0)
    return;
  // The stack is what a report made while the thread waits shows. With
  // eager_stacks=1 it is taken now, always; with auto, when the blocking
  // site's stack is known (cached from an earlier block through the same
  // calls: cheap) or can be learnt once for the site, or when the thread
  // blocks the stack signal (it cannot be asked later). Otherwise a report
  // asks the thread for it.
  int eager = options().eager_stacks;
  uint32_t st = 0;
  if (eager_stack && eager != 0) {
    bool must = eager == 1 || r->sig_blocked.load(std::memory_order_relaxed);
    st = site_pc ? stackAtSite(r, site_pc, site_cfa, must) : 0;
    if (!st && must)
      st = captureToDepot(2);
  }
  uint64_t now = nowNs();
  r->block_at_site = site_pc != 0;
  writeBlock(r, [&] {
    r->reason = reason;
    r->object = object;
    r->timed = timed;
    r->since_ns = now;
    r->block_stack = st;
    r->join_target = join_target;
    r->episode++;
    if (user_reason) {
      strncpy(r->user_reason, user_reason, kUserReasonLen - 1);
      r->user_reason[kUserReasonLen - 1] = 0;
    }
  });
  recordBlock(r, now);
  r->state.store(kStateBlocked, std::memory_order_release);
}

void blockEnd(ThreadRecord *r) {
  if (r->depth == 0 || --r->depth > 0)
    return;
  uint64_t now = nowNs();
  recordUnblock(r, now);
  writeBlock(r, [&] {
    r->reason = kRunning;
    r->object = 0;
    r->since_ns = now;
    r->block_stack = 0;
    r->join_target = 0;
  });
  r->state.store(kStateRunning, std::memory_order_release);
}

namespace {
void writeNames(ThreadRecord *r, auto &&fn) {
  r->nseq.fetch_add(1, std::memory_order_acq_rel);
  fn();
  r->nseq.fetch_add(1, std::memory_order_release);
}
} // namespace

void setName(ThreadRecord *r, const char *name) {
  recordThreadName(r, name);
  writeNames(r, [&] {
    strncpy(r->name, name ? name : "", kNameLen - 1);
    r->name[kNameLen - 1] = 0;
  });
}

void setLabel(ThreadRecord *r, const char *key, const char *value) {
  if (!key || !*key)
    return;
  // Rebuild the "k\0v\0...\0" list with key updated.
  char out[kLabelLen] = {};
  size_t o = 0;
  auto put = [&](const char *k, const char *v) {
    size_t kl = strlen(k), vl = strlen(v);
    if (o + kl + vl + 3 > sizeof(out))
      return;
    memcpy(out + o, k, kl + 1);
    o += kl + 1;
    memcpy(out + o, v, vl + 1);
    o += vl + 1;
  };
  const char *p = r->labels;
  bool replaced = false;
  while (*p) {
    const char *k = p, *v = p + strlen(p) + 1;
    if (strcmp(k, key) == 0) {
      if (value && *value)
        put(k, value);
      replaced = true;
    } else {
      put(k, v);
    }
    p = v + strlen(v) + 1;
  }
  if (!replaced && value && *value)
    put(key, value);
  writeNames(r, [&] { memcpy(r->labels, out, kLabelLen); });
}

void copyLabels(ThreadRecord *to, const ThreadRecord *from) {
  writeNames(to, [&] { memcpy(to->labels, from->labels, kLabelLen); });
}

void clearLabels(ThreadRecord *r) {
  writeNames(r, [&] { memset(r->labels, 0, kLabelLen); });
}

namespace {
SpinLock g_scope_lock;
std::vector<uint64_t> *g_scope_parent; // index: scope id - 1
} // namespace

uint64_t newScope(uint64_t parent) {
  SpinGuard g(g_scope_lock);
  if (!g_scope_parent)
    g_scope_parent = new std::vector<uint64_t>();
  g_scope_parent->push_back(parent);
  return g_scope_parent->size();
}

bool scopeWithin(uint64_t s, uint64_t ancestor) {
  if (ancestor == 0)
    return true;
  SpinGuard g(g_scope_lock);
  for (int hops = 0; s != 0 && hops < 1 << 20; ++hops) {
    if (s == ancestor)
      return true;
    if (!g_scope_parent || s > g_scope_parent->size())
      return false;
    s = (*g_scope_parent)[s - 1];
  }
  return false;
}

void markLeakReported(uint64_t id) {
  if (ThreadRecord *r = findById(id))
    r->leak_reported.store(true);
}

namespace {
// From this many threads to ask for their stacks, a helper thread asks.
constexpr size_t kAskInHelperFrom = 256;

// Sends the stack signal to each of `tids`, on the calling thread (run) or
// on a helper thread of the shim's own (start, then join `thread`).
struct StackAsker {
  std::vector<pid_t> tids;
  std::atomic<bool> done{false};
  pthread_t thread{};
  void run() {
    pid_t pid = getpid();
    int sig = stackSignal();
    for (pid_t tid : tids)
      if (tid > 0)
        syscall(SYS_tgkill, pid, tid, sig);
    done.store(true, std::memory_order_release);
  }
  static void *main(void *p) {
    setInternalThread();
    static_cast<StackAsker *>(p)->run();
    return nullptr;
  }
  bool start() {
    // No signal meant for the program, nor the stack signal, lands on the
    // helper; glibc's internal ones (SIGCANCEL, SIGSETXID) stay open.
    sigset_t all, old;
    sigfillset(&all);
    for (int s = 32; s < SIGRTMIN; ++s)
      sigdelset(&all, s);
    real::pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 64 * 1024);
    bool ok = real::pthread_create(&thread, &a, main, this) == 0;
    pthread_attr_destroy(&a);
    real::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return ok;
  }
};
} // namespace

std::vector<ThreadSnap> snapshot(bool capture_stacks, uint64_t min_blocked_ns) {
  uint64_t now_ns = min_blocked_ns ? nowNs() : 0;
  std::vector<ThreadSnap> out;
  size_t n = highWater();
  ThreadRecord *self = t_rec;
  std::vector<ThreadRecord *> need_stack;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    ThreadRecord *r = &g_slots[i];
    if (!r->in_use.load(std::memory_order_acquire) || r->exited.load())
      continue;
    ThreadSnap s{};
    for (int tries = 0;; ++tries) {
      uint32_t b = r->bseq.load(std::memory_order_acquire);
      if (b & 1) {
        sched_yield();
        continue;
      }
      s.reason = r->reason;
      s.timed = r->timed;
      s.object = r->object;
      s.since_ns = r->since_ns;
      s.stack = r->block_stack;
      s.join_target = r->join_target;
      s.episode = r->episode;
      char ur[kUserReasonLen];
      memcpy(ur, r->user_reason, sizeof ur);
      ur[kUserReasonLen - 1] = 0;
      std::atomic_thread_fence(std::memory_order_acquire);
      if (r->bseq.load(std::memory_order_relaxed) == b || tries > 100) {
        s.user_reason = ur;
        break;
      }
    }
    for (int tries = 0;; ++tries) {
      uint32_t b = r->nseq.load(std::memory_order_acquire);
      if (b & 1) {
        sched_yield();
        continue;
      }
      char nm[kNameLen], lb[kLabelLen];
      memcpy(nm, r->name, sizeof nm);
      memcpy(lb, r->labels, sizeof lb);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (r->nseq.load(std::memory_order_relaxed) == b || tries > 100) {
        nm[kNameLen - 1] = 0;
        lb[kLabelLen - 2] = lb[kLabelLen - 1] = 0;
        s.name = nm;
        for (const char *p = lb; *p;) {
          std::string k = p;
          p += k.size() + 1;
          std::string v = p;
          p += v.size() + 1;
          s.labels.emplace_back(k, v);
        }
        break;
      }
    }
    s.id = r->id;
    s.parent_id = r->parent_id;
    s.tid = r->tid.load();
    s.state = r->state.load();
    if (s.state == kStateBlocked && s.reason == kRunning)
      s.state = kStateRunning;
    s.detached = r->detached.load();
    s.joined = r->joined.load();
    s.pre_main = r->pre_main;
    s.adopted = r->adopted;
    s.is_self = r == self;
    s.start_ns = r->start_ns;
    s.start_wall_ns = r->start_wall_ns;
    s.create_stack = r->create_stack;
    s.scope = r->scope.load(std::memory_order_relaxed);
    s.leak_reported = r->leak_reported.load(std::memory_order_relaxed);
    s.entry_fn = r->entry_fn;
    s.entry_arg = r->entry_arg;
    if (s.reason == kMutexLock || s.reason == kRwlockWrite || s.reason == kRwlockRead) {
      int owner = 0;
      if (s.reason == kMutexLock) {
        auto *m = reinterpret_cast<pthread_mutex_t *>(s.object);
        safeRead(&m->__data.__owner, &owner, sizeof owner);
      } else {
        auto *l = reinterpret_cast<pthread_rwlock_t *>(s.object);
        safeRead(&l->__data.__cur_writer, &owner, sizeof owner);
      }
      s.holder_tid = owner > 0 ? owner : 0;
    }
    if (s.stack == 0 && s.state == kStateBlocked) {
      uint64_t sm = r->sampled.load(std::memory_order_acquire);
      if (sm && uint32_t(sm >> 32) == uint32_t(s.episode))
        s.stack = uint32_t(sm);
    }
    bool sample_ok = min_blocked_ns == 0 ||
                     (s.state == kStateBlocked && now_ns - s.since_ns >= min_blocked_ns &&
                      s.reason != kIOWait && s.reason != kUser &&
                      !(s.reason == kFutexWait && s.timed));
    if (s.is_self) {
      s.stack = captureToDepot(1);
    } else if (s.stack == 0 && capture_stacks && s.tid > 0 && sample_ok) {
      need_stack.push_back(r);
    }
    out.push_back(std::move(s));
  }
  if (!need_stack.empty()) {
    // Ask every thread at once, then collect within one deadline.
    std::vector<uint32_t> req(need_stack.size());
    // The last answer wakes the collecting loop below (a concurrent snapshot
    // moving the target only costs a timed wait).
    uint32_t answered_at = stackAnswers() + uint32_t(need_stack.size());
    expectStackAnswers(answered_at);
    StackAsker asker;
    for (size_t i = 0; i < need_stack.size(); ++i) {
      ThreadRecord *r = need_stack[i];
      req[i] = r->cap_req.fetch_add(1) + 1;
      asker.tids.push_back(r->tid.load());
    }
    // Each asked thread preempts the asking one to run its handler, so
    // asking many takes as long as their answers: a helper thread asks
    // while this one symbolizes (below), on another core if there is one.
    bool helper = asker.tids.size() >= kAskInHelperFrom && asker.start();
    if (!helper)
      asker.run();
    uint64_t deadline = nowNs() + 200ull * 1000000ull;
    // Index in `out` of each thread asked.
    std::vector<size_t> at(need_stack.size());
    for (size_t i = 0, k = 0; i < out.size() && k < need_stack.size(); ++i)
      if (out[i].id == need_stack[k]->id)
        at[k++] = i;
    // Collect answers in any order. While the threads answer (each must be
    // scheduled to run its handler), symbolize every stack not seen before:
    // the first report of a process pays for loading debug information
    // then, overlapped with the answers, rather than after them.
    std::vector<size_t> pending(need_stack.size());
    for (size_t k = 0; k < pending.size(); ++k)
      pending[k] = k;
    std::vector<uint32_t> seen{0};
    auto symbolizeNew = [&](uint32_t id) {
      if (std::find(seen.begin(), seen.end(), id) != seen.end() || seen.size() > 64)
        return;
      seen.push_back(id);
      symbolizeStacks({id});
    };
    for (const ThreadSnap &s : out)
      symbolizeNew(s.create_stack);
    while (!pending.empty()) {
      bool late = nowNs() >= deadline;
      size_t kept = 0;
      for (size_t j = 0; j < pending.size(); ++j) {
        size_t k = pending[j];
        ThreadRecord *r = need_stack[k];
        if (r->cap_done.load(std::memory_order_acquire) != req[k]) {
          pending[kept++] = k;
          continue;
        }
        ThreadSnap &s = out[at[k]];
        if (r->cap_n > 0) {
          uintptr_t pcs[kMaxFrames];
          int n = r->cap_n;
          memcpy(pcs, r->cap_pcs, sizeof(uintptr_t) * n);
          s.stack = depotPut(pcs, r->cap_in_interceptor ? dropToBlockingSite(pcs, n)
                                                 : dropOwnFrames(pcs, n));
          // Taken inside the same blocking episode: good for later reports too.
          if (s.stack && s.state == kStateBlocked && r->cap_blocked &&
              r->cap_episode == uint32_t(s.episode))
            r->sampled.store(uint64_t(uint32_t(s.episode)) << 32 | s.stack,
                             std::memory_order_release);
          symbolizeNew(s.stack);
        }
      }
      pending.resize(kept);
      // The deadline counts from when the last thread was asked.
      if (helper && !asker.done.load(std::memory_order_acquire))
        deadline = nowNs() + 200ull * 1000000ull;
      else if (late)
        break;
      // Wait for answers without taking the CPU they need: until all have
      // come or a little while (to symbolize those that came meanwhile).
      if (kept)
        awaitStackAnswers(answered_at, 2000000);
    }
    if (helper)
      real::pthread_join(asker.thread, nullptr);
  }
  for (auto &s : out) {
    if (s.holder_tid) {
      if (ThreadRecord *h = findByTid(s.holder_tid))
        s.holder_id = h->id;
    }
  }
  return out;
}

} // namespace tether::rt
