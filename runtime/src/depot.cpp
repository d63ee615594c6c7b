// Stack depot (deduplicated, append-only, lock-free lookups) and stack capture,
// including the async-signal-safe capture of another thread's stack.
#include "rt.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <sched.h>
#include <climits>
#include <ctime>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

namespace tether::rt {
namespace {

constexpr size_t kTableSize = 1 << 16;     // slots (power of two)
constexpr size_t kArenaWords = 1 << 21;    // 16 MiB of PCs, committed lazily

struct Entry {
  uint64_t hash;
  uint32_t offset; // into arena
  uint32_t n;
};

Entry *g_entries = nullptr;             // index = id - 1
std::atomic<uint32_t> *g_table = nullptr; // hash slot -> id
uintptr_t *g_arena = nullptr;
std::atomic<uint32_t> g_count{0};
size_t g_arena_used = 0;
std::atomic<bool> g_lock{false};
int g_signo = 0;
// Answers to the stack signal so far, and the count at which the handler
// wakes whoever waits for them (awaitStackAnswers).
std::atomic<uint32_t> g_answers{0};
std::atomic<uint32_t> g_answers_target{0};
uintptr_t g_own_lo = 0, g_own_hi = 0; // our own text: never shown in stacks

#ifndef TETHER_RT_STATIC
int findOwn(dl_phdr_info *info, size_t, void *base) {
  if (info->dlpi_addr != reinterpret_cast<uintptr_t>(base))
    return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto &ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
      continue;
    uintptr_t lo = info->dlpi_addr + ph.p_vaddr, hi = lo + ph.p_memsz;
    if (!g_own_lo || lo < g_own_lo)
      g_own_lo = lo;
    if (hi > g_own_hi)
      g_own_hi = hi;
  }
  return 1;
}
#endif

void *mapZeroed(size_t bytes) {
  void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

bool ensure() {
  if (g_table)
    return true;
  while (g_lock.exchange(true, std::memory_order_acquire))
    sched_yield();
  if (!g_table) {
    g_entries = static_cast<Entry *>(mapZeroed(sizeof(Entry) * kTableSize));
    g_arena = static_cast<uintptr_t *>(mapZeroed(sizeof(uintptr_t) * kArenaWords));
    auto *t = static_cast<std::atomic<uint32_t> *>(mapZeroed(sizeof(uint32_t) * kTableSize));
    std::atomic_thread_fence(std::memory_order_release);
    g_table = t;
  }
  g_lock.store(false, std::memory_order_release);
  return g_table && g_entries && g_arena;
}

uint64_t hashPcs(const uintptr_t *pcs, int n) {
  uint64_t h = 0xcbf29ce484222325ull ^ uint64_t(n);
  for (int i = 0; i < n; ++i) {
    h ^= pcs[i];
    h *= 0x100000001b3ull;
    h ^= h >> 29;
  }
  return h ? h : 1;
}

bool same(const Entry &e, uint64_t h, const uintptr_t *pcs, int n) {
  return e.hash == h && e.n == uint32_t(n) &&
         memcmp(g_arena + e.offset, pcs, sizeof(uintptr_t) * n) == 0;
}

void onStackSignal(int, siginfo_t *, void *) {
  int saved = errno;
  if (ThreadRecord *r = currentThreadIfKnown()) {
    uint32_t req = r->cap_req.load(std::memory_order_acquire);
    if (req != r->cap_done.load(std::memory_order_relaxed)) {
      uintptr_t tmp[kMaxFrames + 2];
      int n = backtrace(reinterpret_cast<void **>(tmp), kMaxFrames + 2);
      // Drop this handler and the signal trampoline.
      int skip = n > 2 ? 2 : 0;
      r->cap_n = n - skip;
      memcpy(r->cap_pcs, tmp + skip, sizeof(uintptr_t) * (n - skip));
      // Our own thread's fields: consistent here.
      r->cap_episode = uint32_t(r->episode);
      r->cap_blocked = r->depth > 0;
      r->cap_done.store(req, std::memory_order_release);
      uint32_t answers = g_answers.fetch_add(1, std::memory_order_acq_rel) + 1;
      if (answers == g_answers_target.load(std::memory_order_relaxed))
        syscall(SYS_futex, &g_answers, FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
    }
    r->eintr_epoch.fetch_add(1, std::memory_order_relaxed);
  }
  errno = saved;
}

} // namespace

uint32_t depotPut(const uintptr_t *pcs, int n) {
  if (n <= 0 || !ensure())
    return 0;
  uint64_t h = hashPcs(pcs, n);
  size_t mask = kTableSize - 1;
  size_t i = h & mask;
  for (size_t probe = 0; probe < kTableSize; ++probe, i = (i + 1) & mask) {
    uint32_t id = g_table[i].load(std::memory_order_acquire);
    if (id == 0)
      break;
    if (same(g_entries[id - 1], h, pcs, n))
      return id;
  }
  // Insert under the lock (re-probing: another thread may have won).
  while (g_lock.exchange(true, std::memory_order_acquire))
    sched_yield();
  uint32_t result = 0;
  i = h & mask;
  for (size_t probe = 0; probe < kTableSize; ++probe, i = (i + 1) & mask) {
    uint32_t id = g_table[i].load(std::memory_order_acquire);
    if (id != 0) {
      if (same(g_entries[id - 1], h, pcs, n)) {
        result = id;
        break;
      }
      continue;
    }
    uint32_t count = g_count.load();
    if (count + 1 >= kTableSize / 2 || g_arena_used + n > kArenaWords)
      break; // full: callers treat 0 as "no stack"
    Entry &e = g_entries[count];
    e.hash = h;
    e.n = uint32_t(n);
    e.offset = uint32_t(g_arena_used);
    memcpy(g_arena + g_arena_used, pcs, sizeof(uintptr_t) * n);
    g_arena_used += n;
    g_count.store(count + 1);
    g_table[i].store(count + 1, std::memory_order_release);
    result = count + 1;
    break;
  }
  g_lock.store(false, std::memory_order_release);
  return result;
}

int depotGet(uint32_t id, uintptr_t *pcs, int max) {
  if (id == 0 || id > g_count.load(std::memory_order_acquire))
    return 0;
  const Entry &e = g_entries[id - 1];
  int n = int(e.n) < max ? int(e.n) : max;
  memcpy(pcs, g_arena + e.offset, sizeof(uintptr_t) * n);
  return n;
}

int dropOwnFrames(uintptr_t *pcs, int n) {
  int k = 0;
  for (int i = 0; i < n; ++i)
    if (pcs[i] < g_own_lo || pcs[i] >= g_own_hi)
      pcs[k++] = pcs[i];
  return k;
}

int captureStack(uintptr_t *pcs, int max, int) {
  uintptr_t tmp[kMaxFrames + 16];
  int n = backtrace(reinterpret_cast<void **>(tmp), kMaxFrames + 16);
  n = dropOwnFrames(tmp, n);
  int k = n < max ? n : max;
  memcpy(pcs, tmp, sizeof(uintptr_t) * k);
  return k;
}

uint32_t captureToDepot(int skip) {
  uintptr_t pcs[kMaxFrames];
  int n = captureStack(pcs, kMaxFrames, skip + 1);
  return depotPut(pcs, n);
}

#ifdef TETHER_RT_OWN_SECTION
extern "C" __attribute__((visibility("hidden"))) char __start_tether_rt_text[];
extern "C" __attribute__((visibility("hidden"))) char __stop_tether_rt_text[];
#endif

void initStackSignal(int signo) {
  // backtrace() loads libgcc_s on first use; do that now, not in a handler.
  void *warm[4];
  backtrace(warm, 4);
#ifdef TETHER_RT_OWN_SECTION
  g_own_lo = reinterpret_cast<uintptr_t>(__start_tether_rt_text);
  g_own_hi = reinterpret_cast<uintptr_t>(__stop_tether_rt_text);
#elif defined(TETHER_RT_STATIC)
  // No section bounds (not clang): our frames stay in stacks.
#else
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&initStackSignal), &info))
    dl_iterate_phdr(findOwn, info.dli_fbase);
#endif
  g_signo = signo;
  struct sigaction sa {};
  sa.sa_sigaction = onStackSignal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(signo, &sa, nullptr);
}

int stackSignal() { return g_signo; }

uint32_t stackAnswers() { return g_answers.load(std::memory_order_acquire); }

void expectStackAnswers(uint32_t target) {
  g_answers_target.store(target, std::memory_order_relaxed);
}

void awaitStackAnswers(uint32_t target, uint64_t timeout_ns) {
  uint32_t now = g_answers.load(std::memory_order_acquire);
  if (int32_t(now - target) >= 0)
    return;
  timespec ts{time_t(timeout_ns / 1000000000ull), long(timeout_ns % 1000000000ull)};
  syscall(SYS_futex, &g_answers, FUTEX_WAIT_PRIVATE, now, &ts, nullptr, 0);
}

bool safeRead(const void *addr, void *out, size_t n) {
  if (!addr)
    return false;
  iovec local{out, n}, remote{const_cast<void *>(addr), n};
  return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == ssize_t(n);
}

} // namespace tether::rt
