// The libc boundary. Every interceptor has the same shape:
//
//   TETHER_INTERCEPTOR(ret, name, args) {
//     BIND(name);                         // real function, bound lazily
//     if (!active()) return REAL(name)(...);
//     Blocker b(reason, object, timed, eager_stack);
//     return REAL(name)(...);
//   }
//
// All bookkeeping lives in registry.cpp; nothing here allocates or reports.
#include "rt.h"

#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <dlfcn.h>
#include <linux/futex.h>
#include <poll.h>
#include <semaphore.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <ctime>
#include <grp.h>
#include <unistd.h>

using namespace tether::rt;

#define TETHER_INTERCEPTOR(ret, name, ...)                                                        \
  extern "C" __attribute__((visibility("default"))) ret name(__VA_ARGS__)
#define DECLARE_REAL(ret, name, ...) static ret (*real_##name)(__VA_ARGS__) = nullptr;
#define REAL(name) real_##name
#define BIND(name)                                                                                \
  do {                                                                                            \
    if (__builtin_expect(!real_##name, 0))                                                        \
      real_##name = reinterpret_cast<decltype(real_##name)>(dlsym(RTLD_NEXT, #name));             \
  } while (0)
#define BIND_VERSION(name, version)                                                               \
  do {                                                                                            \
    if (__builtin_expect(!real_##name, 0)) {                                                      \
      real_##name = reinterpret_cast<decltype(real_##name)>(dlvsym(RTLD_NEXT, #name, version));   \
      if (!real_##name)                                                                           \
        real_##name = reinterpret_cast<decltype(real_##name)>(dlsym(RTLD_NEXT, #name));           \
    }                                                                                             \
  } while (0)

namespace tether::rt {
std::atomic<bool> g_active{false};
}

namespace {

inline bool active() {
  return g_active.load(std::memory_order_relaxed) && !isInternalThread();
}

// Marks the calling thread blocked for the lifetime of the object.
struct Blocker {
  ThreadRecord *r;
  uint32_t epoch = 0; // read only when r is set; initialised for GCC's -Wmaybe-uninitialized
  // Inlined into the interceptor: its return address and frame are the
  // blocking site the stack cache is keyed by.
  __attribute__((always_inline)) Blocker(Reason reason, const void *object, bool timed,
                                         bool eager, uint64_t join = 0)
      : r(currentThread()) {
    if (r) {
      blockBegin(r, reason, reinterpret_cast<uintptr_t>(object), timed, eager, join, nullptr,
                 reinterpret_cast<uintptr_t>(__builtin_return_address(0)),
                 reinterpret_cast<uintptr_t>(__builtin_dwarf_cfa()));
      epoch = r->eintr_epoch.load(std::memory_order_relaxed);
    }
  }
  ~Blocker() {
    if (r)
      blockEnd(r);
  }
  // True if an EINTR came from our stack-capture signal: retry transparently.
  bool ourSignal() {
    if (!r)
      return false;
    uint32_t now = r->eintr_epoch.load(std::memory_order_relaxed);
    bool ours = now != epoch;
    epoch = now;
    return ours;
  }
};

uint64_t deadlineAfterMs(int ms) { return ms < 0 ? 0 : nowNs() + uint64_t(ms) * 1000000ull; }
int msLeft(uint64_t deadline) {
  uint64_t now = nowNs();
  return now >= deadline ? 0 : int((deadline - now + 999999) / 1000000);
}

struct Trampoline {
  void *(*fn)(void *);
  void *arg;
  ThreadRecord *rec;
};

struct ExitMark {
  ThreadRecord *r;
  ~ExitMark() {
    if (currentThreadIfKnown() == r)
      threadExited(r);
  }
};

void *threadStart(void *p) {
  Trampoline t = *static_cast<Trampoline *>(p);
  free(p);
  attachCurrent(t.rec);
  noteStackBase(t.rec, reinterpret_cast<uintptr_t>(__builtin_frame_address(0)));
  ExitMark mark{t.rec};
  return t.fn(t.arg);
}

} // namespace

// ------------------------------------------------------------------ threads
DECLARE_REAL(int, pthread_create, pthread_t *, const pthread_attr_t *, void *(*)(void *), void *)
TETHER_INTERCEPTOR(int, pthread_create, pthread_t *thread, const pthread_attr_t *attr,
                   void *(*fn)(void *), void *arg) {
  BIND(pthread_create);
  if (!active())
    return REAL(pthread_create)(thread, attr, fn, arg);
  ThreadRecord *parent = currentThread();
  ThreadRecord *r = allocThread(parent ? parent->id : 0, captureToDepot(0), !inMain());
  auto *t = static_cast<Trampoline *>(malloc(sizeof(Trampoline)));
  if (!r || !t) {
    free(t);
    return REAL(pthread_create)(thread, attr, fn, arg);
  }
  if (parent) {
    copyLabels(r, parent);
    r->scope.store(parent->scope.load(std::memory_order_relaxed), std::memory_order_relaxed);
  }
  r->entry_fn = reinterpret_cast<uintptr_t>(fn);
  r->entry_arg = reinterpret_cast<uintptr_t>(arg);
  *t = {fn, arg, r};
  int detach = PTHREAD_CREATE_JOINABLE;
  if (attr)
    pthread_attr_getdetachstate(attr, &detach);
  r->detached.store(detach == PTHREAD_CREATE_DETACHED);
  int rc = REAL(pthread_create)(thread, attr, threadStart, t);
  if (rc != 0) {
    free(t);
    r->detached.store(true);
    threadExited(r);
    return rc;
  }
  registerPthread(r, *thread);
  return rc;
}

DECLARE_REAL(int, pthread_join, pthread_t, void **)
TETHER_INTERCEPTOR(int, pthread_join, pthread_t thread, void **ret) {
  BIND(pthread_join);
  if (!active())
    return REAL(pthread_join)(thread, ret);
  ThreadRecord *target = findByPthread(thread);
  int rc;
  {
    Blocker b(kThreadJoin, reinterpret_cast<void *>(thread), false, true, target ? target->id : 0);
    rc = REAL(pthread_join)(thread, ret);
  }
  if (rc == 0 && target) {
    target->joined.store(true);
    releaseIfDone(target);
  }
  return rc;
}

DECLARE_REAL(int, pthread_timedjoin_np, pthread_t, void **, const struct timespec *)
TETHER_INTERCEPTOR(int, pthread_timedjoin_np, pthread_t thread, void **ret,
                   const struct timespec *abstime) {
  BIND(pthread_timedjoin_np);
  if (!active())
    return REAL(pthread_timedjoin_np)(thread, ret, abstime);
  ThreadRecord *target = findByPthread(thread);
  int rc;
  {
    Blocker b(kThreadJoin, reinterpret_cast<void *>(thread), true, true, target ? target->id : 0);
    rc = REAL(pthread_timedjoin_np)(thread, ret, abstime);
  }
  if (rc == 0 && target) {
    target->joined.store(true);
    releaseIfDone(target);
  }
  return rc;
}

DECLARE_REAL(int, pthread_tryjoin_np, pthread_t, void **)
TETHER_INTERCEPTOR(int, pthread_tryjoin_np, pthread_t thread, void **ret) {
  BIND(pthread_tryjoin_np);
  ThreadRecord *target = active() ? findByPthread(thread) : nullptr;
  int rc = REAL(pthread_tryjoin_np)(thread, ret);
  if (rc == 0 && target) {
    target->joined.store(true);
    releaseIfDone(target);
  }
  return rc;
}

DECLARE_REAL(int, pthread_detach, pthread_t)
TETHER_INTERCEPTOR(int, pthread_detach, pthread_t thread) {
  BIND(pthread_detach);
  ThreadRecord *target = active() ? findByPthread(thread) : nullptr;
  int rc = REAL(pthread_detach)(thread);
  if (rc == 0 && target) {
    target->detached.store(true);
    releaseIfDone(target);
  }
  return rc;
}

DECLARE_REAL(void, pthread_exit, void *)
TETHER_INTERCEPTOR(void, pthread_exit, void *value) {
  BIND(pthread_exit);
  if (active())
    threadExited(currentThreadIfKnown());
  setInternalThread(); // thread_local destructors run after this point
  REAL(pthread_exit)(value);
  __builtin_unreachable();
}

DECLARE_REAL(int, pthread_setname_np, pthread_t, const char *)
TETHER_INTERCEPTOR(int, pthread_setname_np, pthread_t thread, const char *name) {
  BIND(pthread_setname_np);
  int rc = REAL(pthread_setname_np)(thread, name);
  if (rc == 0 && active()) {
    ThreadRecord *r = pthread_equal(thread, pthread_self()) ? currentThread() : findByPthread(thread);
    if (r)
      setName(r, name);
  }
  return rc;
}

// ------------------------------------------------------------------ mutexes
namespace {
// The lock-order graph's view of one lock call (lockorder.cpp), when
// lock_order is on. Inlined into the interceptor, like Blocker: its return
// address and frame are the call site the acquisition's stack is cached by.
struct LockOrder {
  uintptr_t lock;
  LockKind kind;
  bool write, on;
  uintptr_t pc = 0, cfa = 0;
  uint32_t token = 0;
  // request: a blocking acquisition (edges into the lock); false: a trylock.
  __attribute__((always_inline)) LockOrder(const void *l, LockKind k, bool w, bool request)
      : lock(reinterpret_cast<uintptr_t>(l)), kind(k), write(w), on(lockOrderOn()) {
    if (__builtin_expect(on, 0)) {
      pc = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
      cfa = reinterpret_cast<uintptr_t>(__builtin_dwarf_cfa());
      if (request)
        token = lockRequested(lock, kind, write, pc, cfa);
    }
  }
  void acquired(int rc) {
    if (__builtin_expect(on, 0) && rc == 0)
      lockAcquired(lock, kind, write, token, pc, cfa);
  }
};
} // namespace

DECLARE_REAL(int, pthread_mutex_lock, pthread_mutex_t *)
DECLARE_REAL(int, pthread_mutex_trylock, pthread_mutex_t *)
TETHER_INTERCEPTOR(int, pthread_mutex_lock, pthread_mutex_t *m) {
  BIND(pthread_mutex_lock);
  BIND(pthread_mutex_trylock);
  if (!active())
    return REAL(pthread_mutex_lock)(m);
  LockOrder lo(m, kLockMutex, true, true);
  int rc = REAL(pthread_mutex_trylock)(m);
  if (rc == EBUSY) {
    Blocker b(kMutexLock, m, false, true);
    rc = REAL(pthread_mutex_lock)(m);
  }
  lo.acquired(rc);
  return rc;
}

TETHER_INTERCEPTOR(int, pthread_mutex_trylock, pthread_mutex_t *m) {
  BIND(pthread_mutex_trylock);
  int rc = REAL(pthread_mutex_trylock)(m);
  if (rc == 0 && lockOrderOn() && active())
    LockOrder(m, kLockMutex, true, false).acquired(rc);
  return rc;
}

DECLARE_REAL(int, pthread_mutex_timedlock, pthread_mutex_t *, const struct timespec *)
TETHER_INTERCEPTOR(int, pthread_mutex_timedlock, pthread_mutex_t *m, const struct timespec *t) {
  BIND(pthread_mutex_timedlock);
  BIND(pthread_mutex_trylock);
  if (!active())
    return REAL(pthread_mutex_timedlock)(m, t);
  LockOrder lo(m, kLockMutex, true, true);
  int rc = REAL(pthread_mutex_trylock)(m);
  if (rc == EBUSY) {
    Blocker b(kMutexLock, m, true, true);
    rc = REAL(pthread_mutex_timedlock)(m, t);
  }
  lo.acquired(rc);
  return rc;
}

DECLARE_REAL(int, pthread_mutex_clocklock, pthread_mutex_t *, clockid_t, const struct timespec *)
TETHER_INTERCEPTOR(int, pthread_mutex_clocklock, pthread_mutex_t *m, clockid_t c,
                   const struct timespec *t) {
  BIND(pthread_mutex_clocklock);
  BIND(pthread_mutex_trylock);
  if (!active())
    return REAL(pthread_mutex_clocklock)(m, c, t);
  LockOrder lo(m, kLockMutex, true, true);
  int rc = REAL(pthread_mutex_trylock)(m);
  if (rc == EBUSY) {
    Blocker b(kMutexLock, m, true, true);
    rc = REAL(pthread_mutex_clocklock)(m, c, t);
  }
  lo.acquired(rc);
  return rc;
}

DECLARE_REAL(int, pthread_mutex_unlock, pthread_mutex_t *)
TETHER_INTERCEPTOR(int, pthread_mutex_unlock, pthread_mutex_t *m) {
  BIND(pthread_mutex_unlock);
  if (lockOrderOn())
    lockReleased(reinterpret_cast<uintptr_t>(m));
  return REAL(pthread_mutex_unlock)(m);
}

// A destroyed (or re-initialized) mutex leaves the lock-order graph: another
// one at the same address later is a new node.
DECLARE_REAL(int, pthread_mutex_destroy, pthread_mutex_t *)
TETHER_INTERCEPTOR(int, pthread_mutex_destroy, pthread_mutex_t *m) {
  BIND(pthread_mutex_destroy);
  if (lockOrderOn())
    lockDestroyed(reinterpret_cast<uintptr_t>(m));
  return REAL(pthread_mutex_destroy)(m);
}

DECLARE_REAL(int, pthread_mutex_init, pthread_mutex_t *, const pthread_mutexattr_t *)
TETHER_INTERCEPTOR(int, pthread_mutex_init, pthread_mutex_t *m, const pthread_mutexattr_t *a) {
  BIND(pthread_mutex_init);
  if (lockOrderOn())
    lockDestroyed(reinterpret_cast<uintptr_t>(m));
  return REAL(pthread_mutex_init)(m, a);
}

// ------------------------------------------------------------------ rwlocks
#define RWLOCK_INTERCEPTOR(name, tryname, reason, write)                                          \
  DECLARE_REAL(int, name, pthread_rwlock_t *)                                                     \
  DECLARE_REAL(int, tryname, pthread_rwlock_t *)                                                  \
  TETHER_INTERCEPTOR(int, name, pthread_rwlock_t *l) {                                            \
    BIND(name);                                                                                   \
    BIND(tryname);                                                                                \
    if (!active())                                                                                \
      return REAL(name)(l);                                                                       \
    LockOrder lo(l, kLockRwlock, write, true);                                                    \
    int rc = REAL(tryname)(l);                                                                    \
    if (rc == EBUSY) {                                                                            \
      Blocker b(reason, l, false, true);                                                          \
      rc = REAL(name)(l);                                                                         \
    }                                                                                             \
    lo.acquired(rc);                                                                              \
    return rc;                                                                                    \
  }                                                                                               \
  TETHER_INTERCEPTOR(int, tryname, pthread_rwlock_t *l) {                                         \
    BIND(tryname);                                                                                \
    int rc = REAL(tryname)(l);                                                                    \
    if (rc == 0 && lockOrderOn() && active())                                                     \
      LockOrder(l, kLockRwlock, write, false).acquired(rc);                                       \
    return rc;                                                                                    \
  }
RWLOCK_INTERCEPTOR(pthread_rwlock_rdlock, pthread_rwlock_tryrdlock, kRwlockRead, false)
RWLOCK_INTERCEPTOR(pthread_rwlock_wrlock, pthread_rwlock_trywrlock, kRwlockWrite, true)

#define TIMED_RWLOCK_INTERCEPTOR(name, reason, write)                                             \
  DECLARE_REAL(int, name, pthread_rwlock_t *, const struct timespec *)                            \
  TETHER_INTERCEPTOR(int, name, pthread_rwlock_t *l, const struct timespec *t) {                  \
    BIND(name);                                                                                   \
    if (!active())                                                                                \
      return REAL(name)(l, t);                                                                    \
    LockOrder lo(l, kLockRwlock, write, true);                                                    \
    int rc;                                                                                       \
    {                                                                                             \
      Blocker b(reason, l, true, true);                                                           \
      rc = REAL(name)(l, t);                                                                      \
    }                                                                                             \
    lo.acquired(rc);                                                                              \
    return rc;                                                                                    \
  }
TIMED_RWLOCK_INTERCEPTOR(pthread_rwlock_timedrdlock, kRwlockRead, false)
TIMED_RWLOCK_INTERCEPTOR(pthread_rwlock_timedwrlock, kRwlockWrite, true)

DECLARE_REAL(int, pthread_rwlock_unlock, pthread_rwlock_t *)
TETHER_INTERCEPTOR(int, pthread_rwlock_unlock, pthread_rwlock_t *l) {
  BIND(pthread_rwlock_unlock);
  if (lockOrderOn())
    lockReleased(reinterpret_cast<uintptr_t>(l));
  return REAL(pthread_rwlock_unlock)(l);
}

DECLARE_REAL(int, pthread_rwlock_destroy, pthread_rwlock_t *)
TETHER_INTERCEPTOR(int, pthread_rwlock_destroy, pthread_rwlock_t *l) {
  BIND(pthread_rwlock_destroy);
  if (lockOrderOn())
    lockDestroyed(reinterpret_cast<uintptr_t>(l));
  return REAL(pthread_rwlock_destroy)(l);
}

DECLARE_REAL(int, pthread_rwlock_init, pthread_rwlock_t *, const pthread_rwlockattr_t *)
TETHER_INTERCEPTOR(int, pthread_rwlock_init, pthread_rwlock_t *l, const pthread_rwlockattr_t *a) {
  BIND(pthread_rwlock_init);
  if (lockOrderOn())
    lockDestroyed(reinterpret_cast<uintptr_t>(l));
  return REAL(pthread_rwlock_init)(l, a);
}

// --------------------------------------------------------------- conditions
// Versioned in glibc: bind the GLIBC_2.3.2 (current) implementation.
// For the lock-order graph the wait releases the mutex and locks it again
// (TSan's view): locks taken after the mutex and still held make edges into it.
namespace {
struct CondReacquire {
  pthread_mutex_t *m;
  bool on;
  uintptr_t pc, cfa;
  __attribute__((always_inline)) explicit CondReacquire(pthread_mutex_t *mu)
      : m(mu), on(lockOrderOn()), pc(reinterpret_cast<uintptr_t>(__builtin_return_address(0))),
        cfa(reinterpret_cast<uintptr_t>(__builtin_dwarf_cfa())) {
    if (__builtin_expect(on, 0))
      lockReleased(reinterpret_cast<uintptr_t>(m));
  }
  ~CondReacquire() {
    if (__builtin_expect(on, 0)) {
      uintptr_t l = reinterpret_cast<uintptr_t>(m);
      lockAcquired(l, kLockMutex, true, lockRequested(l, kLockMutex, true, pc, cfa), pc, cfa);
    }
  }
};
} // namespace

DECLARE_REAL(int, pthread_cond_wait, pthread_cond_t *, pthread_mutex_t *)
TETHER_INTERCEPTOR(int, pthread_cond_wait, pthread_cond_t *c, pthread_mutex_t *m) {
  BIND_VERSION(pthread_cond_wait, "GLIBC_2.3.2");
  if (!active())
    return REAL(pthread_cond_wait)(c, m);
  CondReacquire re(m);
  Blocker b(kCondWait, c, false, true);
  return REAL(pthread_cond_wait)(c, m);
}

DECLARE_REAL(int, pthread_cond_timedwait, pthread_cond_t *, pthread_mutex_t *,
             const struct timespec *)
TETHER_INTERCEPTOR(int, pthread_cond_timedwait, pthread_cond_t *c, pthread_mutex_t *m,
                   const struct timespec *t) {
  BIND_VERSION(pthread_cond_timedwait, "GLIBC_2.3.2");
  if (!active())
    return REAL(pthread_cond_timedwait)(c, m, t);
  CondReacquire re(m);
  Blocker b(kCondWait, c, true, true);
  return REAL(pthread_cond_timedwait)(c, m, t);
}

DECLARE_REAL(int, pthread_cond_clockwait, pthread_cond_t *, pthread_mutex_t *, clockid_t,
             const struct timespec *)
TETHER_INTERCEPTOR(int, pthread_cond_clockwait, pthread_cond_t *c, pthread_mutex_t *m,
                   clockid_t clk, const struct timespec *t) {
  BIND(pthread_cond_clockwait);
  if (!active())
    return REAL(pthread_cond_clockwait)(c, m, clk, t);
  CondReacquire re(m);
  Blocker b(kCondWait, c, true, true);
  return REAL(pthread_cond_clockwait)(c, m, clk, t);
}

// --------------------------------------------------------------- semaphores
DECLARE_REAL(int, sem_wait, sem_t *)
TETHER_INTERCEPTOR(int, sem_wait, sem_t *s) {
  BIND(sem_wait);
  if (!active())
    return REAL(sem_wait)(s);
  Blocker b(kSemacquire, s, false, true);
  int rc;
  while ((rc = REAL(sem_wait)(s)) == -1 && errno == EINTR && b.ourSignal()) {
  }
  return rc;
}

DECLARE_REAL(int, sem_timedwait, sem_t *, const struct timespec *)
TETHER_INTERCEPTOR(int, sem_timedwait, sem_t *s, const struct timespec *t) {
  BIND(sem_timedwait);
  if (!active())
    return REAL(sem_timedwait)(s, t);
  Blocker b(kSemacquire, s, true, true);
  int rc;
  while ((rc = REAL(sem_timedwait)(s, t)) == -1 && errno == EINTR && b.ourSignal()) {
  }
  return rc;
}

DECLARE_REAL(int, sem_clockwait, sem_t *, clockid_t, const struct timespec *)
TETHER_INTERCEPTOR(int, sem_clockwait, sem_t *s, clockid_t c, const struct timespec *t) {
  BIND(sem_clockwait);
  if (!active())
    return REAL(sem_clockwait)(s, c, t);
  Blocker b(kSemacquire, s, true, true);
  int rc;
  while ((rc = REAL(sem_clockwait)(s, c, t)) == -1 && errno == EINTR && b.ourSignal()) {
  }
  return rc;
}

// -------------------------------------------------------------------- sleep
DECLARE_REAL(int, nanosleep, const struct timespec *, struct timespec *)
TETHER_INTERCEPTOR(int, nanosleep, const struct timespec *req, struct timespec *rem) {
  BIND(nanosleep);
  if (!active())
    return REAL(nanosleep)(req, rem);
  Blocker b(kSleep, nullptr, true, true);
  struct timespec left = *req, r2;
  int rc;
  while ((rc = REAL(nanosleep)(&left, &r2)) == -1 && errno == EINTR && b.ourSignal())
    left = r2;
  if (rc == -1 && rem)
    *rem = r2;
  return rc;
}

DECLARE_REAL(int, clock_nanosleep, clockid_t, int, const struct timespec *, struct timespec *)
TETHER_INTERCEPTOR(int, clock_nanosleep, clockid_t clk, int flags, const struct timespec *req,
                   struct timespec *rem) {
  BIND(clock_nanosleep);
  if (!active())
    return REAL(clock_nanosleep)(clk, flags, req, rem);
  Blocker b(kSleep, nullptr, true, true);
  struct timespec left = *req, r2{};
  int rc;
  while ((rc = REAL(clock_nanosleep)(clk, flags, &left, &r2)) == EINTR && b.ourSignal()) {
    if (!(flags & TIMER_ABSTIME))
      left = r2;
  }
  if (rc == EINTR && rem)
    *rem = r2;
  return rc;
}

DECLARE_REAL(int, usleep, useconds_t)
TETHER_INTERCEPTOR(int, usleep, useconds_t us) {
  BIND(usleep);
  if (!active())
    return REAL(usleep)(us);
  struct timespec ts{time_t(us / 1000000), long(us % 1000000) * 1000};
  return nanosleep(&ts, nullptr);
}

DECLARE_REAL(unsigned, sleep, unsigned)
TETHER_INTERCEPTOR(unsigned, sleep, unsigned s) {
  BIND(sleep);
  if (!active())
    return REAL(sleep)(s);
  struct timespec ts{time_t(s), 0}, rem{};
  if (nanosleep(&ts, &rem) == -1)
    return unsigned(rem.tv_sec + (rem.tv_nsec > 0));
  return 0;
}

// -------------------------------------------------------------------- futex
// libstdc++'s atomic::wait, std::latch and std::counting_semaphore call
// syscall(SYS_futex, ...) directly.
DECLARE_REAL(long, syscall, long, ...)
TETHER_INTERCEPTOR(long, syscall, long n, ...) {
  BIND(syscall);
  va_list ap;
  va_start(ap, n);
  long a1 = va_arg(ap, long), a2 = va_arg(ap, long), a3 = va_arg(ap, long),
       a4 = va_arg(ap, long), a5 = va_arg(ap, long), a6 = va_arg(ap, long);
  va_end(ap);
  if (n == SYS_futex && active()) {
    int op = int(a2) & FUTEX_CMD_MASK;
    if (op == FUTEX_WAIT || op == FUTEX_WAIT_BITSET) {
      Blocker b(kFutexWait, reinterpret_cast<void *>(a1), a4 != 0, true);
      long rc;
      while ((rc = REAL(syscall)(n, a1, a2, a3, a4, a5, a6)) == -1 && errno == EINTR &&
             b.ourSignal() && a4 == 0) {
      }
      return rc;
    }
  }
  return REAL(syscall)(n, a1, a2, a3, a4, a5, a6);
}

// ----------------------------------------------------------------------- IO
// IO waits record no stack eagerly (they are frequent and usually short); a
// dump asks the thread for its stack with a signal and the EINTR that may
// cause is retried here with the remaining timeout.
DECLARE_REAL(int, poll, struct pollfd *, nfds_t, int)
TETHER_INTERCEPTOR(int, poll, struct pollfd *fds, nfds_t n, int timeout) {
  BIND(poll);
  if (!active())
    return REAL(poll)(fds, n, timeout);
  Blocker b(kIOWait, n ? reinterpret_cast<void *>(intptr_t(fds[0].fd)) : nullptr, timeout >= 0,
            false);
  uint64_t dl = deadlineAfterMs(timeout);
  int rc;
  while ((rc = REAL(poll)(fds, n, timeout)) == -1 && errno == EINTR && b.ourSignal())
    if (timeout >= 0)
      timeout = msLeft(dl);
  return rc;
}

DECLARE_REAL(int, ppoll, struct pollfd *, nfds_t, const struct timespec *, const sigset_t *)
TETHER_INTERCEPTOR(int, ppoll, struct pollfd *fds, nfds_t n, const struct timespec *t,
                   const sigset_t *mask) {
  BIND(ppoll);
  if (!active())
    return REAL(ppoll)(fds, n, t, mask);
  Blocker b(kIOWait, n ? reinterpret_cast<void *>(intptr_t(fds[0].fd)) : nullptr, t != nullptr,
            false);
  return REAL(ppoll)(fds, n, t, mask);
}

DECLARE_REAL(int, epoll_wait, int, struct epoll_event *, int, int)
TETHER_INTERCEPTOR(int, epoll_wait, int epfd, struct epoll_event *ev, int max, int timeout) {
  BIND(epoll_wait);
  if (!active())
    return REAL(epoll_wait)(epfd, ev, max, timeout);
  Blocker b(kIOWait, reinterpret_cast<void *>(intptr_t(epfd)), timeout >= 0, false);
  uint64_t dl = deadlineAfterMs(timeout);
  int rc;
  while ((rc = REAL(epoll_wait)(epfd, ev, max, timeout)) == -1 && errno == EINTR && b.ourSignal())
    if (timeout >= 0)
      timeout = msLeft(dl);
  return rc;
}

DECLARE_REAL(int, epoll_pwait, int, struct epoll_event *, int, int, const sigset_t *)
TETHER_INTERCEPTOR(int, epoll_pwait, int epfd, struct epoll_event *ev, int max, int timeout,
                   const sigset_t *mask) {
  BIND(epoll_pwait);
  if (!active())
    return REAL(epoll_pwait)(epfd, ev, max, timeout, mask);
  Blocker b(kIOWait, reinterpret_cast<void *>(intptr_t(epfd)), timeout >= 0, false);
  uint64_t dl = deadlineAfterMs(timeout);
  int rc;
  while ((rc = REAL(epoll_pwait)(epfd, ev, max, timeout, mask)) == -1 && errno == EINTR &&
         b.ourSignal())
    if (timeout >= 0)
      timeout = msLeft(dl);
  return rc;
}

DECLARE_REAL(int, select, int, fd_set *, fd_set *, fd_set *, struct timeval *)
TETHER_INTERCEPTOR(int, select, int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t) {
  BIND(select);
  if (!active())
    return REAL(select)(n, r, w, e, t);
  Blocker b(kIOWait, nullptr, t != nullptr, false);
  // Linux updates *t with the time left, so a retry keeps the deadline.
  fd_set r0, w0, e0;
  if (r) r0 = *r;
  if (w) w0 = *w;
  if (e) e0 = *e;
  int rc;
  while ((rc = REAL(select)(n, r, w, e, t)) == -1 && errno == EINTR && b.ourSignal()) {
    if (r) *r = r0;
    if (w) *w = w0;
    if (e) *e = e0;
  }
  return rc;
}

#define IO_INTERCEPTOR(ret, name, params, args, fd)                                               \
  DECLARE_REAL(ret, name, params)                                                                 \
  TETHER_INTERCEPTOR(ret, name, params) {                                                         \
    BIND(name);                                                                                   \
    if (!active())                                                                                \
      return REAL(name)(args);                                                                    \
    Blocker blk(kIOWait, reinterpret_cast<void *>(intptr_t(fd)), false, false);                   \
    return REAL(name)(args);                                                                      \
  }
#define P(...) __VA_ARGS__
IO_INTERCEPTOR(int, accept, P(int fd, struct sockaddr *a, socklen_t *l), P(fd, a, l), fd)
IO_INTERCEPTOR(int, accept4, P(int fd, struct sockaddr *a, socklen_t *l, int f), P(fd, a, l, f), fd)
IO_INTERCEPTOR(ssize_t, read, P(int fd, void *b, size_t n), P(fd, b, n), fd)
IO_INTERCEPTOR(ssize_t, recv, P(int fd, void *b, size_t n, int f), P(fd, b, n, f), fd)
IO_INTERCEPTOR(ssize_t, recvfrom,
               P(int fd, void *b, size_t n, int f, struct sockaddr *a, socklen_t *l),
               P(fd, b, n, f, a, l), fd)
IO_INTERCEPTOR(ssize_t, recvmsg, P(int fd, struct msghdr *m, int f), P(fd, m, f), fd)

// ------------------------------------------------------------ signal masks
// A thread that blocks the stack signal cannot be asked for its stack at
// report time; with eager_stacks=auto it gets one captured when it blocks.
DECLARE_REAL(int, pthread_sigmask, int, const sigset_t *, sigset_t *)
TETHER_INTERCEPTOR(int, pthread_sigmask, int how, const sigset_t *set, sigset_t *old) {
  BIND(pthread_sigmask);
  int rc = REAL(pthread_sigmask)(how, set, old);
  if (rc == 0 && set && active())
    noteSignalMask(currentThreadIfKnown());
  return rc;
}

DECLARE_REAL(int, sigprocmask, int, const sigset_t *, sigset_t *)
TETHER_INTERCEPTOR(int, sigprocmask, int how, const sigset_t *set, sigset_t *old) {
  BIND(sigprocmask);
  int rc = REAL(sigprocmask)(how, set, old);
  if (rc == 0 && set && active())
    noteSignalMask(currentThreadIfKnown());
  return rc;
}

// ------------------------------------------------------------- credentials
// glibc makes every thread of the process apply a set*id() change (its
// SIGSETXID broadcast); the monitor thread stays out of it (CredentialChange).
#define SETXID_INTERCEPTOR(name, params, args)                                                    \
  DECLARE_REAL(int, name, params)                                                                 \
  TETHER_INTERCEPTOR(int, name, params) {                                                         \
    BIND(name);                                                                                   \
    CredentialChange change;                                                                      \
    return REAL(name)(args);                                                                      \
  }
SETXID_INTERCEPTOR(setuid, P(uid_t u), P(u))
SETXID_INTERCEPTOR(seteuid, P(uid_t u), P(u))
SETXID_INTERCEPTOR(setreuid, P(uid_t r, uid_t e), P(r, e))
SETXID_INTERCEPTOR(setresuid, P(uid_t r, uid_t e, uid_t s), P(r, e, s))
SETXID_INTERCEPTOR(setgid, P(gid_t g), P(g))
SETXID_INTERCEPTOR(setegid, P(gid_t g), P(g))
SETXID_INTERCEPTOR(setregid, P(gid_t r, gid_t e), P(r, e))
SETXID_INTERCEPTOR(setresgid, P(gid_t r, gid_t e, gid_t s), P(r, e, s))
SETXID_INTERCEPTOR(setgroups, P(size_t n, const gid_t *g), P(n, g))
SETXID_INTERCEPTOR(initgroups, P(const char *user, gid_t g), P(user, g))

// ------------------------------------------------------------ process start
// Wrapping main tells threads created by static constructors (not leaks)
// from the program's own.
namespace {
int (*g_main)(int, char **, char **) = nullptr;
int wrappedMain(int argc, char **argv, char **envp) {
  setInMain();
  initRuntime();
  if (ThreadRecord *r = active() ? currentThread() : nullptr)
    noteStackBase(r, reinterpret_cast<uintptr_t>(__builtin_frame_address(0)));
  int rc = g_main(argc, argv, envp);
  return atMainReturn(rc); // the leak report, before static destructors run
}
} // namespace

using StartMain = int (*)(int (*)(int, char **, char **), int, char **, void (*)(), void (*)(),
                          void (*)(), void *);
TETHER_INTERCEPTOR(int, __libc_start_main, int (*main)(int, char **, char **), int argc,
                   char **argv, void (*init)(), void (*fini)(), void (*rtld_fini)(),
                   void *stack_end) {
  auto real = reinterpret_cast<StartMain>(dlsym(RTLD_NEXT, "__libc_start_main"));
  g_main = main;
  return real(wrappedMain, argc, argv, init, fini, rtld_fini, stack_end);
}

namespace tether::real {
int (*pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
int (*pthread_join)(pthread_t, void **);
int (*pthread_detach)(pthread_t);
int (*pthread_mutex_lock)(pthread_mutex_t *);
int (*pthread_mutex_trylock)(pthread_mutex_t *);
int (*pthread_mutex_unlock)(pthread_mutex_t *);
int (*poll)(pollfd *, nfds_t, int);
ssize_t (*read)(int, void *, size_t);
ssize_t (*write)(int, const void *, size_t);
int (*pthread_sigmask)(int, const sigset_t *, sigset_t *);

void bind() {
  BIND(pthread_create);
  BIND(pthread_join);
  BIND(pthread_detach);
  BIND(pthread_mutex_lock);
  BIND(pthread_mutex_trylock);
  BIND(poll);
  BIND(read);
  pthread_create = REAL(pthread_create);
  pthread_join = REAL(pthread_join);
  pthread_detach = REAL(pthread_detach);
  pthread_mutex_lock = REAL(pthread_mutex_lock);
  pthread_mutex_trylock = REAL(pthread_mutex_trylock);
  BIND(pthread_mutex_unlock);
  pthread_mutex_unlock = REAL(pthread_mutex_unlock);
  poll = reinterpret_cast<decltype(poll)>(REAL(poll));
  read = REAL(read);
  write = reinterpret_cast<decltype(write)>(dlsym(RTLD_NEXT, "write"));
  BIND(pthread_sigmask);
  pthread_sigmask = REAL(pthread_sigmask);
}
} // namespace tether::real
