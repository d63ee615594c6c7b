// The lock-order graph: potential deadlocks (lock-order inversions), as
// TSan's detect_deadlocks and absl::Mutex's deadlock graph find them.
//
// Every mutex or rwlock a thread locks is a node; an edge A -> B is added
// the first time a thread requests B (a blocking lock) while it holds A. An
// edge that closes a cycle is an order of acquisitions that can hang when
// the threads run at the wrong moments, even though this run did not: it is
// reported once, with the two stacks of each edge (where the held lock was
// taken, and where the other one was requested).
//
// Cost: per thread, the locks it holds (a small array); per lock call, a
// lookup of the lock's node and, for each lock held, of the edge; the
// acquisition's stack comes from the blocking-site cache (one unwind per new
// call site, then a check of the cached return addresses). Only a new edge
// takes the graph's lock and searches it for a cycle.
//
// trylock: a successful trylock is an acquisition (the lock is held, so
// edges go out of it later) but never adds an edge into the trylocked lock:
// it cannot block. That is what keeps std::lock and std::scoped_lock of
// several mutexes quiet: libstdc++ locks the first and trylocks the others,
// backing off and starting from the one that failed.
//
// rwlocks: a read acquisition blocks only on a writer (glibc's default
// rwlock kind prefers readers), so a cycle is reported only if at each lock
// of it, the request or the hold it waits for is a write.
//
// Nothing here allocates on the lock path (the interceptors may run inside
// malloc's own locks): the tables are mmap'ed, the cycle search uses arrays
// of its own, and reports are rendered by the monitor thread (or the
// exiting thread).
#include "rt.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <sys/mman.h>

namespace tether::rt {

std::atomic<bool> g_lock_order{false};

namespace {

constexpr int kMaxHeld = 32;           // locks one thread holds at once (more: not tracked)
constexpr uint32_t kMapSlots = 1u << 20; // lock addresses (power of two)
constexpr uint32_t kMaxNodes = 1u << 19;
constexpr uint32_t kEdgeSlots = 1u << 20; // (from, to) pairs (power of two)
constexpr uint32_t kMaxEdges = 1u << 19;
constexpr int kMaxCycle = 16;  // edges shown per cycle
constexpr int kMaxReports = 64; // potential deadlocks kept for the JSON dumps

struct Held {
  uintptr_t addr;
  uint32_t node;
  uint32_t stack; // where it was taken
  uint32_t count; // recursive acquisitions
  bool write;
};

struct ThreadLocks {
  int n;
  bool busy; // inside the slow path: a lock taken there is not the program's
  Held h[kMaxHeld];
};
TETHER_TLS __thread ThreadLocks t_locks;

struct MapSlot {
  std::atomic<uintptr_t> addr;
  std::atomic<uint32_t> node; // 0: destroyed (a new node at the next lock)
};

struct Node {
  uintptr_t addr;
  uint32_t first_out; // edge index + 1, 0: none
  uint32_t mark;      // search epoch << 2 | visited-with bits
  uint8_t kind;
  std::atomic<bool> dead;
};

struct Edge {
  uint32_t from, to;
  uint32_t next_out; // next edge index + 1 out of `from`
  uint32_t held_stack, req_stack;
  std::atomic<uint8_t> modes; // bit 0: held for writing, bit 1: requested for writing
  uint64_t thread_id, parent_id;
  uint32_t create_stack;
  char thread_name[kNameLen];
};

struct EdgeSlot {
  std::atomic<uint64_t> key; // from << 32 | to
  std::atomic<uint32_t> edge; // index + 1
};

struct Cycle {
  int n;          // edges shown
  int total;      // edges in the cycle
  uint32_t e[kMaxCycle];
};

SpinLock g_graph; // inserts, destroys, the cycle search
MapSlot *g_map = nullptr;
Node *g_nodes = nullptr;
std::atomic<uint32_t> g_node_count{0};
Edge *g_edges = nullptr;
EdgeSlot *g_edge_slots = nullptr;
std::atomic<uint32_t> g_edge_count{0};
std::atomic<bool> g_full{false};
uint32_t g_epoch = 0;
// The cycle search's stack: (node, arrived by a write request, next edge,
// edge it arrived by).
struct Frame {
  uint32_t node;
  bool in_write;
  uint32_t next; // edge index + 1 still to try
  uint32_t via;  // edge index + 1 that led here
};
Frame *g_dfs = nullptr;

Cycle g_cycles[kMaxReports];
std::atomic<int> g_cycle_count{0}; // found (may exceed kMaxReports)
int g_cycles_written = 0;           // under g_report_lock
SpinLock g_report_lock;

void *mapZeroed(size_t bytes) {
  void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

bool ensureTables() {
  if (__builtin_expect(g_dfs != nullptr, 1))
    return true;
  SpinGuard g(g_graph);
  if (g_dfs)
    return true;
  g_map = static_cast<MapSlot *>(mapZeroed(sizeof(MapSlot) * kMapSlots));
  g_nodes = static_cast<Node *>(mapZeroed(sizeof(Node) * (kMaxNodes + 1)));
  g_edges = static_cast<Edge *>(mapZeroed(sizeof(Edge) * kMaxEdges));
  g_edge_slots = static_cast<EdgeSlot *>(mapZeroed(sizeof(EdgeSlot) * kEdgeSlots));
  auto *dfs = static_cast<Frame *>(mapZeroed(sizeof(Frame) * 2 * (kMaxNodes + 1)));
  if (!g_map || !g_nodes || !g_edges || !g_edge_slots || !dfs) {
    g_full.store(true);
    return false;
  }
  std::atomic_thread_fence(std::memory_order_release);
  g_dfs = dfs;
  return true;
}

uint32_t hashAddr(uintptr_t a) {
  uint64_t h = uint64_t(a) * 0x9e3779b97f4a7c15ull;
  return uint32_t(h >> 40);
}
uint32_t hashKey(uint64_t k) {
  k ^= k >> 31;
  k *= 0xbf58476d1ce4e5b9ull;
  k ^= k >> 29;
  return uint32_t(k);
}

// The map slot of addr, or null (lock-free).
MapSlot *findSlot(uintptr_t addr) {
  for (uint32_t i = hashAddr(addr) & (kMapSlots - 1), probe = 0; probe < kMapSlots;
       ++probe, i = (i + 1) & (kMapSlots - 1)) {
    uintptr_t a = g_map[i].addr.load(std::memory_order_acquire);
    if (a == addr)
      return &g_map[i];
    if (a == 0)
      return nullptr;
  }
  return nullptr;
}

// The node of the lock at addr, made on first use. 0 when the tables are full.
uint32_t nodeOf(uintptr_t addr, LockKind kind) {
  if (MapSlot *s = findSlot(addr)) {
    uint32_t n = s->node.load(std::memory_order_acquire);
    if (n)
      return n;
  }
  if (g_full.load(std::memory_order_relaxed))
    return 0;
  SpinGuard g(g_graph);
  uint32_t i = hashAddr(addr) & (kMapSlots - 1);
  for (uint32_t probe = 0; probe < kMapSlots / 2; ++probe, i = (i + 1) & (kMapSlots - 1)) {
    uintptr_t a = g_map[i].addr.load(std::memory_order_relaxed);
    if (a != 0 && a != addr)
      continue;
    uint32_t n = g_map[i].node.load(std::memory_order_relaxed);
    if (a == addr && n)
      return n;
    n = g_node_count.load(std::memory_order_relaxed) + 1;
    if (n > kMaxNodes)
      break;
    Node &node = g_nodes[n];
    node.addr = addr;
    node.kind = kind;
    node.first_out = 0;
    node.mark = 0;
    node.dead.store(false, std::memory_order_relaxed);
    g_node_count.store(n, std::memory_order_relaxed);
    g_map[i].node.store(n, std::memory_order_release);
    g_map[i].addr.store(addr, std::memory_order_release);
    return n;
  }
  g_full.store(true);
  return 0;
}

// The edge from -> to, or null (lock-free).
Edge *findEdge(uint32_t from, uint32_t to) {
  uint64_t key = uint64_t(from) << 32 | to;
  for (uint32_t i = hashKey(key) & (kEdgeSlots - 1), probe = 0; probe < kEdgeSlots;
       ++probe, i = (i + 1) & (kEdgeSlots - 1)) {
    uint64_t k = g_edge_slots[i].key.load(std::memory_order_acquire);
    if (k == key) {
      uint32_t e = g_edge_slots[i].edge.load(std::memory_order_acquire);
      return e ? &g_edges[e - 1] : nullptr;
    }
    if (k == 0)
      return nullptr;
  }
  return nullptr;
}

constexpr uint8_t kHeldWrite = 1, kReqWrite = 2;

// Searches (g_graph held) for a path from the edge's target back to its
// source along which every request can block: at each lock, the request
// arriving there or the hold of the next edge is a write. Fills c.
bool findCycle(uint32_t edge_index, Cycle &c) {
  const Edge &start = g_edges[edge_index];
  uint8_t start_modes = start.modes.load(std::memory_order_relaxed);
  if (++g_epoch >= (1u << 30))
    g_epoch = 1;
  auto visited = [](uint32_t n, bool w) {
    const Node &node = g_nodes[n];
    return (node.mark >> 2) == g_epoch && (node.mark & (w ? 2u : 1u));
  };
  auto visit = [](uint32_t n, bool w) {
    Node &node = g_nodes[n];
    if ((node.mark >> 2) != g_epoch)
      node.mark = g_epoch << 2;
    node.mark |= w ? 2u : 1u;
  };
  int sp = 0;
  bool w0 = start_modes & kReqWrite;
  g_dfs[sp++] = {start.to, w0, g_nodes[start.to].first_out, edge_index + 1};
  visit(start.to, w0);
  while (sp > 0) {
    Frame &f = g_dfs[sp - 1];
    if (!f.next) {
      --sp;
      continue;
    }
    uint32_t ei = f.next - 1;
    const Edge &e = g_edges[ei];
    f.next = e.next_out;
    uint8_t m = e.modes.load(std::memory_order_relaxed);
    // The request that led to this lock blocks on this edge's hold of it.
    if (!f.in_write && !(m & kHeldWrite))
      continue;
    if (g_nodes[e.to].dead.load(std::memory_order_relaxed))
      continue;
    bool w = m & kReqWrite;
    if (e.to == start.from) {
      // Closing: this request blocks on the start edge's hold.
      if (!w && !(start_modes & kHeldWrite))
        continue;
      int total = sp + 1;
      c.total = total;
      c.n = total < kMaxCycle ? total : kMaxCycle;
      // The start edge first, then the path in order.
      c.e[0] = edge_index;
      int k = 1;
      for (int i = 1; i < sp && k < c.n; ++i)
        c.e[k++] = g_dfs[i].via - 1;
      if (k < c.n)
        c.e[k++] = ei;
      c.n = k;
      // Shown from the oldest edge: M1 is the lock the first order took first.
      if (c.n == total) {
        int oldest = 0;
        for (int i = 1; i < c.n; ++i)
          if (c.e[i] < c.e[oldest])
            oldest = i;
        uint32_t rot[kMaxCycle];
        for (int i = 0; i < c.n; ++i)
          rot[i] = c.e[(oldest + i) % c.n];
        memcpy(c.e, rot, sizeof(uint32_t) * c.n);
      }
      return true;
    }
    if (visited(e.to, w) || (!w && visited(e.to, true)))
      continue;
    if (uint32_t(sp) >= 2 * kMaxNodes)
      continue;
    visit(e.to, w);
    g_dfs[sp++] = {e.to, w, g_nodes[e.to].first_out, ei + 1};
  }
  return false;
}

void copyName(char *dst, const ThreadRecord *r) {
  // The calling thread's own record: its name is stable while it runs here.
  memset(dst, 0, kNameLen);
  if (r)
    memcpy(dst, r->name, kNameLen - 1);
}

// Adds (or strengthens) the edge from -> to (g_graph not held); reports a
// cycle it closes. held: the held lock's entry; req_stack: this request's.
void addEdge(const Held &held, uint32_t to, bool write, uint32_t req_stack) {
  uint8_t modes = uint8_t((held.write ? kHeldWrite : 0) | (write ? kReqWrite : 0));
  ThreadRecord *r = currentThreadIfKnown();
  Cycle c{};
  bool found = false;
  {
    SpinGuard g(g_graph);
    uint64_t key = uint64_t(held.node) << 32 | to;
    uint32_t i = hashKey(key) & (kEdgeSlots - 1);
    uint32_t index = 0;
    for (uint32_t probe = 0; probe < kEdgeSlots / 2; ++probe, i = (i + 1) & (kEdgeSlots - 1)) {
      uint64_t k = g_edge_slots[i].key.load(std::memory_order_relaxed);
      if (k == key) {
        index = g_edge_slots[i].edge.load(std::memory_order_relaxed);
        break;
      }
      if (k != 0)
        continue;
      uint32_t n = g_edge_count.load(std::memory_order_relaxed);
      if (n >= kMaxEdges)
        break;
      Edge &e = g_edges[n];
      e.from = held.node;
      e.to = to;
      e.modes.store(0, std::memory_order_relaxed);
      e.next_out = g_nodes[held.node].first_out;
      g_nodes[held.node].first_out = n + 1;
      g_edge_count.store(n + 1, std::memory_order_relaxed);
      g_edge_slots[i].edge.store(n + 1, std::memory_order_release);
      g_edge_slots[i].key.store(key, std::memory_order_release);
      index = n + 1;
      break;
    }
    if (!index) {
      g_full.store(true);
      return;
    }
    Edge &e = g_edges[index - 1];
    uint8_t old = e.modes.load(std::memory_order_relaxed);
    if (old != 0 && (old | modes) == old)
      return; // another thread added it meanwhile
    // New, or now seen in a stronger mode: this occurrence's stacks.
    e.held_stack = held.stack;
    e.req_stack = req_stack;
    e.thread_id = r ? r->id : 0;
    e.parent_id = r ? r->parent_id : 0;
    e.create_stack = r ? r->create_stack : 0;
    copyName(e.thread_name, r);
    e.modes.store(uint8_t(old | modes), std::memory_order_release);
    found = !g_nodes[held.node].dead.load() && !g_nodes[to].dead.load() &&
            findCycle(index - 1, c);
    if (found) {
      int n = g_cycle_count.load(std::memory_order_relaxed);
      if (n < kMaxReports)
        g_cycles[n] = c;
      g_cycle_count.store(n + 1, std::memory_order_release);
    }
  }
  if (found)
    pokeMonitor('l'); // the monitor writes the report
}

// Chains of calls kept per lock call site: at -O0 every std::mutex is locked
// from the same call (in __gthread_mutex_lock), so the chains differ only
// further out; a failed check costs a few loads (the chains part early).
constexpr int kLockSiteAlternatives = 32;

uint32_t stackHere(ThreadRecord *r, uintptr_t site_pc, uintptr_t site_cfa) {
  uint32_t s = r ? stackAtSite(r, site_pc, site_cfa, true, kLockSiteAlternatives) : 0;
  // No known stack bounds (a thread the shim did not start, a fiber's
  // stack): the call site alone, rather than an unwind at every lock.
  return s ? s : depotPut(&site_pc, 1);
}

Held *findHeld(uintptr_t addr) {
  ThreadLocks &t = t_locks;
  for (int i = t.n - 1; i >= 0; --i)
    if (t.h[i].addr == addr)
      return &t.h[i];
  return nullptr;
}

struct BusyScope {
  BusyScope() { t_locks.busy = true; }
  ~BusyScope() { t_locks.busy = false; }
};

} // namespace

uint32_t lockRequested(uintptr_t lock, LockKind kind, bool write, uintptr_t site_pc,
                       uintptr_t site_cfa) {
  ThreadLocks &t = t_locks;
  if (t.busy || !ensureTables())
    return 0;
  BusyScope busy;
  ThreadRecord *r = currentThread();
  uint32_t stack = stackHere(r, site_pc, site_cfa);
  if (t.n == 0 || findHeld(lock))
    return stack; // nothing held, or a recursive acquisition: no edge
  uint32_t to = nodeOf(lock, kind);
  if (!to)
    return stack;
  uint8_t want = write ? kReqWrite : 0;
  for (int i = 0; i < t.n && i < kMaxHeld; ++i) {
    const Held &h = t.h[i];
    if (!h.node || h.node == to)
      continue;
    Edge *e = findEdge(h.node, to);
    uint8_t need = uint8_t(want | (h.write ? kHeldWrite : 0));
    uint8_t have = e ? e->modes.load(std::memory_order_acquire) : 0;
    if (e && have != 0 && (have | need) == have)
      continue; // the steady state: a known edge
    addEdge(h, to, write, stack);
  }
  return stack;
}

void lockAcquired(uintptr_t lock, LockKind kind, bool write, uint32_t token, uintptr_t site_pc,
                  uintptr_t site_cfa) {
  ThreadLocks &t = t_locks;
  if (t.busy || !ensureTables())
    return;
  if (Held *h = findHeld(lock)) {
    ++h->count;
    return;
  }
  if (t.n >= kMaxHeld)
    return;
  BusyScope busy;
  uint32_t stack = token ? token : stackHere(currentThread(), site_pc, site_cfa);
  t.h[t.n++] = {lock, nodeOf(lock, kind), stack, 1, write};
}

void lockReleased(uintptr_t lock) {
  ThreadLocks &t = t_locks;
  for (int i = t.n - 1; i >= 0; --i) {
    if (t.h[i].addr != lock)
      continue;
    if (--t.h[i].count == 0) {
      for (int j = i; j + 1 < t.n; ++j)
        t.h[j] = t.h[j + 1];
      --t.n;
    }
    return;
  }
}

void lockDestroyed(uintptr_t lock) {
  if (!g_dfs)
    return;
  MapSlot *s = findSlot(lock);
  if (!s || !s->node.load(std::memory_order_relaxed))
    return;
  SpinGuard g(g_graph);
  uint32_t n = s->node.load(std::memory_order_relaxed);
  if (!n)
    return;
  // Edges into and out of it stay (reports already made keep their
  // stacks), but the cycle search no longer goes through it.
  g_nodes[n].dead.store(true);
  s->node.store(0, std::memory_order_release);
}

namespace {

const char *kindName(uint8_t kind) { return kind == kLockRwlock ? "rwlock" : "mutex"; }

std::string hexAddr(uintptr_t a) {
  char b[32];
  snprintf(b, sizeof b, "%#lx", (unsigned long)a);
  return b;
}

// M1, M2... in the order the cycle visits them.
struct Names {
  std::vector<uint32_t> nodes;
  std::string operator()(uint32_t node) {
    for (size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i] == node)
        return std::string(g_nodes[node].kind == kLockRwlock ? "R" : "M") + std::to_string(i + 1);
    nodes.push_back(node);
    return (*this)(node);
  }
};

std::string threadText(const Edge &e) {
  std::string o = "thread " + std::to_string(e.thread_id);
  if (e.thread_name[0])
    o += " \"" + std::string(e.thread_name, strnlen(e.thread_name, kNameLen)) + "\"";
  return o;
}

std::string modeText(const Edge &e, bool held) {
  if (g_nodes[held ? e.from : e.to].kind != kLockRwlock)
    return "";
  uint8_t m = e.modes.load();
  bool w = held ? (m & kHeldWrite) : (m & kReqWrite);
  return w ? " for writing" : " for reading";
}

std::string cycleText(const Cycle &c) {
  Names name;
  for (int i = 0; i < c.n; ++i)
    name(g_edges[c.e[i]].from);
  std::string o = "tether: potential deadlock (lock-order inversion)\n"
                  "=================================================\n";
  o += "Cycle in the lock-order graph: ";
  for (int i = 0; i < c.n; ++i) {
    const Edge &e = g_edges[c.e[i]];
    o += name(e.from) + " (" + kindName(g_nodes[e.from].kind) + " " + hexAddr(g_nodes[e.from].addr) +
         ") => ";
  }
  o += name(g_edges[c.e[0]].from);
  if (c.total > c.n)
    o += " (" + std::to_string(c.total - c.n) + " more edges not shown)";
  o += "\nNo thread is stuck: these threads take the locks in orders that can hang.\n";
  std::vector<const Edge *> threads;
  for (int i = 0; i < c.n; ++i) {
    const Edge &e = g_edges[c.e[i]];
    std::string held = name(e.from), req = name(e.to);
    o += "\n" + std::string(g_nodes[e.to].kind == kLockRwlock ? "Rwlock " : "Mutex ") + req +
         " acquired" + modeText(e, false) + " here while holding " + kindName(g_nodes[e.from].kind) +
         " " + held + modeText(e, true) + " in " + threadText(e) + ":\n";
    o += stackText(e.req_stack);
    o += "\n" + std::string(g_nodes[e.from].kind == kLockRwlock ? "Rwlock " : "Mutex ") + held +
         " previously acquired" + modeText(e, true) + " by the same thread here:\n";
    o += stackText(e.held_stack);
    bool seen = false;
    for (const Edge *t : threads)
      seen |= t->thread_id == e.thread_id;
    if (!seen)
      threads.push_back(&e);
  }
  o += "\n";
  for (const Edge *e : threads) {
    std::string created = createdByText(e->create_stack, e->parent_id);
    std::string t = threadText(*e);
    t[0] = 'T';
    o += created.empty() ? t + " (the main thread, or not started by the shim)\n"
                         : t + " " + created;
  }
  o += "Found 1 potential deadlock.\n";
  return o;
}

std::string cycleJson(const Cycle &c) {
  Names name;
  std::string o = "{\"kind\":\"lock-order inversion\",\"locks\":[";
  for (int i = 0; i < c.n; ++i) {
    const Node &n = g_nodes[g_edges[c.e[i]].from];
    o += i ? "," : "";
    o += "{\"name\":\"" + name(g_edges[c.e[i]].from) + "\",\"kind\":\"" + kindName(n.kind) +
         "\",\"address\":\"" + hexAddr(n.addr) + "\"}";
  }
  o += "],\"edges\":[";
  for (int i = 0; i < c.n; ++i) {
    const Edge &e = g_edges[c.e[i]];
    uint8_t m = e.modes.load();
    o += i ? "," : "";
    o += "{\"held\":\"" + name(e.from) + "\",\"acquired\":\"" + name(e.to) +
         "\",\"held_for_writing\":" + ((m & kHeldWrite) ? "true" : "false") +
         ",\"acquired_for_writing\":" + ((m & kReqWrite) ? "true" : "false") +
         ",\"thread_id\":" + std::to_string(e.thread_id) + ",\"thread_name\":" +
         jsonString(std::string(e.thread_name, strnlen(e.thread_name, kNameLen))) +
         ",\"acquired_at\":" + stackJson(e.req_stack) + ",\"held_acquired_at\":" +
         stackJson(e.held_stack) + "}";
  }
  o += "],\"edges_total\":" + std::to_string(c.total) + "}";
  return o;
}

} // namespace

void flushLockOrderReports() {
  int found = g_cycle_count.load(std::memory_order_acquire);
  if (found == 0)
    return;
  SpinGuard g(g_report_lock);
  int upto = found < kMaxReports ? found : kMaxReports;
  bool any = false;
  for (; g_cycles_written < upto; ++g_cycles_written) {
    writeTextReport(cycleText(g_cycles[g_cycles_written]), "potential-deadlock");
    any = true;
  }
  if (!any)
    return;
  noteProblemReported();
  if (options().lock_order == 2)
    abort();
}

void lockOrderAfterForkChild() {
  // Another thread may have held them at fork time; it does not exist here.
  new (&g_graph) SpinLock();
  new (&g_report_lock) SpinLock();
}

std::string lockOrderJson() {
  int found = g_cycle_count.load(std::memory_order_acquire);
  if (found == 0)
    return {};
  int n = found < kMaxReports ? found : kMaxReports;
  std::string o = ",\"potential_deadlocks\":[";
  for (int i = 0; i < n; ++i)
    o += (i ? ",\n" : "\n") + cycleJson(g_cycles[i]);
  return o + "\n]";
}

} // namespace tether::rt
