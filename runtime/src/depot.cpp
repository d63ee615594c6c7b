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
#include <pthread.h>
#include <unwind.h>
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
      r->cap_in_interceptor = r->depth > 0 && r->block_at_site;
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

int dropToBlockingSite(uintptr_t *pcs, int n) {
  // The innermost run of our frames is the interceptor the thread blocks
  // in; what is inside it (the C library's wait) goes with it, as in the
  // stacks taken when a thread blocks, which start at the blocking call.
  int i = 0;
  while (i < n && (pcs[i] < g_own_lo || pcs[i] >= g_own_hi))
    ++i;
  if (i == n)
    return dropOwnFrames(pcs, n);
  int j = i;
  while (j < n && pcs[j] >= g_own_lo && pcs[j] < g_own_hi)
    ++j;
  memmove(pcs, pcs + j, sizeof(uintptr_t) * (n - j));
  return dropOwnFrames(pcs, n - j);
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

// ------------------------------------------------------ blocking-site stacks
// A report right after many threads block must not ask each of them for its
// stack (a signal, two context switches and an unwind per thread: ~200 ms
// for 10,000 threads), and unwinding at every block costs every blocking
// call. Threads mostly block at few sites through the same calls: a pool's
// workers in one wait. So the first block at a site unwinds once, and records
// for each frame where its return address is stored (relative to the
// thread's stack base) and what it is. A later block at the same call site,
// the same distance from its stack base, in a thread running the same entry
// function, takes that stack after checking that every one of those return
// addresses is in its own stack: the same chain of calls, without unwinding.
// A site reached through different calls keeps a few alternatives; beyond
// that it is left to the report (the signal).
namespace {
#if defined(__x86_64__)
constexpr size_t kSiteSlots = 1 << 12; // power of two
constexpr uint32_t kSiteMaxEntries = kSiteSlots / 2;
constexpr int kSiteAlternatives = 4;
constexpr int kSiteFrames = kMaxFrames + 8;

struct SiteFrame {
  uint32_t below_base; // the slot is at stack_base - below_base
  uintptr_t ra;        // the return address it holds
};
struct SiteEntry {
  std::atomic<uint32_t> ready; // published
  uint32_t depth;              // stack_base - site_cfa
  uintptr_t pc, entry;
  uint32_t stack;
  uint32_t n;
  SiteFrame f[kSiteFrames];
};

SiteEntry *g_sites = nullptr;
std::atomic<uint32_t> g_site_count{0};
std::atomic<bool> g_site_lock{false};

bool ensureSites() {
  if (g_sites)
    return true;
  while (g_site_lock.exchange(true, std::memory_order_acquire))
    sched_yield();
  if (!g_sites)
    g_sites = static_cast<SiteEntry *>(mapZeroed(sizeof(SiteEntry) * kSiteSlots));
  g_site_lock.store(false, std::memory_order_release);
  return g_sites != nullptr;
}

size_t siteHash(uintptr_t pc, uint32_t depth, uintptr_t entry) {
  uint64_t h = pc * 0x9e3779b97f4a7c15ull;
  h ^= (uint64_t(depth) << 1 | 1) * 0xc2b2ae3d27d4eb4full;
  h ^= entry * 0x165667b19e3779f9ull;
  return size_t(h ^ (h >> 31)) & (kSiteSlots - 1);
}

bool holds(const SiteEntry &e, uintptr_t base) {
  for (uint32_t i = 0; i < e.n; ++i)
    if (*reinterpret_cast<const uintptr_t *>(base - e.f[i].below_base) != e.f[i].ra)
      return false;
  return true;
}

// Unwinds the calling thread, recording for each frame its IP (a return
// address past the first) and the CFA libgcc reports with it: the CFA of the
// frame it returns from, just above where the call stored that address.
struct Walk {
  uintptr_t ip[kSiteFrames], cfa[kSiteFrames];
  int n = 0;
};
_Unwind_Reason_Code walkFrame(_Unwind_Context *ctx, void *p) {
  auto *w = static_cast<Walk *>(p);
  uintptr_t ip = _Unwind_GetIP(ctx), cfa = _Unwind_GetCFA(ctx);
  // No progress (as glibc's backtrace checks): stop.
  if (w->n > 0 && w->ip[w->n - 1] == ip && w->cfa[w->n - 1] == cfa)
    return _URC_END_OF_STACK;
  w->ip[w->n] = ip;
  w->cfa[w->n] = cfa;
  return ++w->n == kSiteFrames ? _URC_END_OF_STACK : _URC_NO_REASON;
}
#endif
} // namespace

void noteStackBase(ThreadRecord *r, uintptr_t base) {
#if defined(__x86_64__)
  pthread_attr_t a;
  if (pthread_getattr_np(pthread_self(), &a) != 0)
    return;
  void *lo = nullptr;
  size_t size = 0;
  if (pthread_attr_getstack(&a, &lo, &size) == 0 && lo && base > uintptr_t(lo) &&
      base <= uintptr_t(lo) + size) {
    r->stack_lo = uintptr_t(lo);
    r->stack_base = base;
  }
  pthread_attr_destroy(&a);
#endif
}

uint32_t stackAtSite(ThreadRecord *r, uintptr_t site_pc, uintptr_t site_cfa,
                     bool capture_if_uncached, int max_alternatives) {
#if defined(__x86_64__)
  uintptr_t base = r->stack_base;
  // Only a site on the thread's own stack (not a fiber's, not a signal
  // stack), where every slot between the site and the base is mapped.
  if (!base || site_cfa <= r->stack_lo || site_cfa >= base || base - site_cfa > UINT32_MAX ||
      !ensureSites())
    return 0;
  uint32_t depth = uint32_t(base - site_cfa);
  size_t start = siteHash(site_pc, depth, r->entry_fn);
  int alternatives = 0;
  for (size_t i = start, probe = 0; probe < kSiteSlots; ++probe, i = (i + 1) & (kSiteSlots - 1)) {
    const SiteEntry &e = g_sites[i];
    if (!e.ready.load(std::memory_order_acquire))
      break;
    if (e.pc != site_pc || e.depth != depth || e.entry != r->entry_fn)
      continue;
    if (holds(e, base))
      return e.stack;
    ++alternatives;
  }
  bool cacheable = alternatives < (max_alternatives > 0 ? max_alternatives : kSiteAlternatives) &&
                   g_site_count.load(std::memory_order_relaxed) < kSiteMaxEntries;
  if (!cacheable && !capture_if_uncached)
    return 0;
  Walk w;
  _Unwind_Backtrace(walkFrame, &w);
  // libgcc ends with a null return address above the outermost frame.
  if (w.n > 1 && w.ip[w.n - 1] == 0)
    --w.n;
  // The stack shown: from the site (the frame the interceptor returns to)
  // outwards, without the shim's own frames (the trampoline).
  uintptr_t pcs[kSiteFrames];
  int n = 0;
  int first = -1; // the site's frame: its IP is site_pc, its CFA site_cfa
  for (int i = 0; i < w.n; ++i) {
    if (first < 0 && w.cfa[i] == site_cfa && w.ip[i] == site_pc)
      first = i;
    if (w.cfa[i] >= site_cfa && n < kMaxFrames)
      pcs[n++] = w.ip[i];
  }
  uint32_t stack = depotPut(pcs, dropOwnFrames(pcs, n));
  if (!cacheable || first < 0 || !stack)
    return stack;
  // Every frame from the site's to the last inside the base: a call stored
  // its return address just below the CFA reported with it (x86-64). A
  // return address found elsewhere (a signal frame) is not a plain call:
  // such a site is not cached.
  SiteEntry fresh{};
  for (int i = first; i < w.n && w.cfa[i] <= base; ++i) {
    uintptr_t slot = w.cfa[i] - sizeof(uintptr_t);
    if (*reinterpret_cast<const uintptr_t *>(slot) != w.ip[i] || fresh.n == kSiteFrames)
      return stack;
    fresh.f[fresh.n++] = {uint32_t(base - slot), w.ip[i]};
  }
  if (fresh.n == 0)
    return stack;
  while (g_site_lock.exchange(true, std::memory_order_acquire))
    sched_yield();
  for (size_t i = start, probe = 0; probe < kSiteSlots; ++probe, i = (i + 1) & (kSiteSlots - 1)) {
    SiteEntry &e = g_sites[i];
    if (e.ready.load(std::memory_order_relaxed)) {
      // Another thread learnt the same chain meanwhile.
      if (e.pc == site_pc && e.depth == depth && e.entry == r->entry_fn && e.n == fresh.n &&
          memcmp(e.f, fresh.f, sizeof(SiteFrame) * fresh.n) == 0)
        break;
      continue;
    }
    e.depth = depth;
    e.pc = site_pc;
    e.entry = r->entry_fn;
    e.stack = stack;
    e.n = fresh.n;
    memcpy(e.f, fresh.f, sizeof(SiteFrame) * fresh.n);
    g_site_count.fetch_add(1, std::memory_order_relaxed);
    e.ready.store(1, std::memory_order_release);
    break;
  }
  g_site_lock.store(false, std::memory_order_release);
  return stack;
#else
  (void)r, (void)site_pc, (void)site_cfa, (void)capture_if_uncached, (void)max_alternatives;
  return 0;
#endif
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
