// Flight recorder: one ring of fixed-size slots for the whole process,
// allocated once at start (history=N slots; history=0: none). A writer takes
// the next position with one fetch_add and fills that slot under a per-slot
// sequence number (0 while it is written, position + 1 once complete), so
// recording is lock-free, never allocates and is safe in a signal handler, at
// exit and in a forked child (a slot a vanished thread was writing stays
// incomplete and is left out). A dump copies the slots whose sequence number is the one
// their position expects, before and after the copy (a slot being rewritten
// is left out), oldest first.
#include "recorder.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <errno.h>
#include <map>
#include <set>
#include <sys/mman.h>
#include <unistd.h>

namespace tether::rt {

// report.cpp
std::string jsonEscape(const std::string &s);

namespace {

// Two cache lines of their own: threads recording at once never write the
// same line but the head's.
struct alignas(64) Slot {
  std::atomic<uint64_t> seq{0}; // 0: never written or being written; else position + 1
  Event e;
};
static_assert(sizeof(Slot) == 128, "a slot is two cache lines");

Slot *g_ring = nullptr;
size_t g_capacity = 0; // history=N: the newest N are kept
uint64_t g_mask = 0;   // slots - 1: N rounded up to a power of two (no division per event)
std::atomic<uint64_t> g_head{0}; // events recorded so far

TETHER_TLS __thread bool t_paused = false;

} // namespace

void recorderInit(size_t capacity) {
  if (g_ring || capacity == 0)
    return;
  size_t slots = 1;
  while (slots < capacity)
    slots <<= 1;
  // Committed page by page as the ring fills; never freed (events may be
  // recorded until the process's last instruction).
  void *p = mmap(nullptr, sizeof(Slot) * slots, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return;
  g_capacity = capacity;
  g_mask = slots - 1;
  g_ring = static_cast<Slot *>(p);
}

size_t recorderCapacity() { return g_ring ? g_capacity : 0; }

namespace {
// Takes the next slot and lets fill() write the event in place (no copy).
template <typename F> inline void emit(F &&fill) {
  Slot *ring = g_ring;
  if (!ring || t_paused)
    return;
  uint64_t pos = g_head.fetch_add(1, std::memory_order_relaxed);
  Slot &s = ring[pos & g_mask];
  // Seqlock writer: the slot reads as incomplete before any field changes.
  s.seq.store(0, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  Event &e = s.e;
  e.seq = pos;
  e.thread = e.other = e.since = 0;
  e.object = 0;
  e.reason = e.site_fn = e.site_file = nullptr;
  e.site_line = 0;
  e.stack = 0;
  e.code = e.code2 = 0;
  e.timed = false;
  e.text[0] = 0;
  fill(e);
  s.seq.store(pos + 1, std::memory_order_release);
}
} // namespace


std::vector<Event> recentEvents(uint64_t *total) {
  std::vector<Event> out;
  uint64_t head = g_head.load(std::memory_order_acquire);
  if (total)
    *total = head;
  if (!g_ring)
    return out;
  uint64_t from = head > g_capacity ? head - g_capacity : 0;
  out.reserve(size_t(head - from));
  for (uint64_t pos = from; pos < head; ++pos) {
    Slot &s = g_ring[pos & g_mask];
    if (s.seq.load(std::memory_order_acquire) != pos + 1)
      continue; // still being written, or already overwritten
    Event e = s.e;
    std::atomic_thread_fence(std::memory_order_acquire);
    if (s.seq.load(std::memory_order_relaxed) != pos + 1)
      continue;
    out.push_back(e);
  }
  return out;
}

RecorderPause::RecorderPause() : was_(t_paused) { t_paused = true; }
RecorderPause::~RecorderPause() { t_paused = was_; }

namespace {
void copyText(char (&dst)[kEventTextLen], const char *src) {
  if (!src)
    return;
  size_t n = strnlen(src, kEventTextLen - 1);
  memcpy(dst, src, n);
  dst[n] = 0;
}
} // namespace

void recordThreadCreate(const ThreadRecord *r, uint64_t ts) {
  emit([&](Event &e) {
    e.kind = kEvThreadCreate;
    e.ts = ts;
    e.id = r->id;
    e.thread = e.other = r->parent_id;
  });
}

void recordThreadExit(const ThreadRecord *r) {
  if (!g_ring)
    return;
  uint64_t ts = nowNs();
  emit([&](Event &e) {
    e.kind = kEvThreadExit;
    e.ts = ts;
    e.id = e.thread = r->id;
  });
}

void recordThreadName(const ThreadRecord *r, const char *name) {
  if (!g_ring)
    return;
  uint64_t ts = nowNs();
  emit([&](Event &e) {
    e.kind = kEvThreadName;
    e.ts = ts;
    e.id = e.thread = r->id;
    copyText(e.text, name);
  });
}

namespace {
// The block fields of r (written by r's own thread, the caller).
void blockFields(Event &e, const ThreadRecord *r) {
  e.id = e.thread = r->id;
  e.code = r->reason;
  e.object = r->object;
  e.timed = r->timed;
  e.since = r->since_ns;
  e.stack = r->block_stack;
  e.other = r->join_target;
  if (r->reason == kUser)
    copyText(e.text, r->user_reason);
}
} // namespace

void recordBlock(const ThreadRecord *r, uint64_t ts) {
  emit([&](Event &e) {
    e.kind = kEvBlock;
    e.ts = ts;
    blockFields(e, r);
  });
}

void recordUnblock(const ThreadRecord *r, uint64_t ts) {
  emit([&](Event &e) {
    e.kind = kEvUnblock;
    e.ts = ts;
    blockFields(e, r);
  });
}

void recordFork(const ThreadRecord *self) {
  if (!g_ring)
    return;
  uint64_t ts = nowNs();
  emit([&](Event &e) {
    e.kind = kEvFork;
    e.ts = ts;
    e.id = e.thread = self ? self->id : 0;
    e.other = uint64_t(getpid());
  });
}

uint64_t currentThreadId() {
  const ThreadRecord *r = currentThreadIfKnown();
  return r ? r->id : 0;
}

void recordTaskBegin(const TaskRecord *t) {
  emit([&](Event &e) {
    e.kind = kEvTaskBegin;
    e.ts = t->start_ns;
    e.id = t->id;
    e.thread = t->creator_thread;
    e.other = t->parent_id;
    copyText(e.text, t->name);
  });
}

void recordTask(uint8_t kind, const TaskRecord *t, uint64_t ts, uint8_t to, const char *reason,
                uintptr_t object, bool timed, const char *fn, const char *file, int line) {
  if (!g_ring)
    return;
  uint64_t thread = currentThreadId();
  emit([&](Event &e) {
    e.kind = kind;
    e.ts = ts;
    e.id = t->id;
    e.thread = thread;
    e.code = t->state;
    e.code2 = to;
    e.since = t->since_ns;
    if (kind == kEvTaskSuspend) {
      // What it leaves is running; what it enters is described by the call.
      e.reason = reason;
      e.object = object;
      e.timed = timed;
      e.site_fn = fn;
      e.site_file = file;
      e.site_line = line;
    } else {
      e.reason = t->reason;
      e.object = t->object;
      e.timed = t->timed;
    }
  });
}

// ------------------------------------------------------------ rendering
namespace {

const char *kindName(uint8_t k) {
  switch (k) {
  case kEvThreadCreate: return "thread create";
  case kEvThreadExit: return "thread exit";
  case kEvThreadName: return "thread name";
  case kEvBlock: return "block";
  case kEvUnblock: return "unblock";
  case kEvTaskBegin: return "task begin";
  case kEvTaskResume: return "task resume";
  case kEvTaskSuspend: return "task suspend";
  case kEvTaskEnd: return "task end";
  case kEvFork: return "fork";
  default: return "unknown";
  }
}

bool isTaskEvent(uint8_t k) { return k >= kEvTaskBegin && k <= kEvTaskEnd; }

std::string hexOf(uintptr_t v) {
  char b[32];
  snprintf(b, sizeof b, "\"0x%" PRIxPTR "\"", v);
  return b;
}

// The reason of a blocking episode as a dump names it: the model table's
// (from the stack taken when it blocked, if any) or the intercepted one.
std::string blockReason(const Event &e) {
  if (e.code == kUser)
    return e.text[0] ? std::string(e.text) : std::string("blocked");
  if (e.stack && (e.code == kCondWait || e.code == kFutexWait || e.code == kMutexLock ||
                  e.code == kSemacquire)) {
    std::string m = modelReason(e.stack);
    if (!m.empty())
      return m;
  }
  return reasonName(Reason(e.code));
}

// A task state's name in a span: the reason of a suspension, else the state.
std::string taskStateSpan(uint8_t state, const char *reason) {
  if (state == kTaskSuspended)
    return reason && *reason ? reason : "suspended";
  return taskStateName(state);
}

// Microseconds, the trace format's unit, from monotonic nanoseconds: exact.
std::string micros(uint64_t ns) {
  char b[40];
  snprintf(b, sizeof b, "%" PRIu64 ".%03u", ns / 1000, unsigned(ns % 1000));
  return b;
}

std::string jstr(const std::string &s) { return "\"" + jsonEscape(s) + "\""; }

void eventJson(std::string &o, const Event &e, int64_t wall_minus_mono) {
  o += "{\"seq\":" + std::to_string(e.seq) + ",\"kind\":\"" + kindName(e.kind) +
       "\",\"time_ns\":" + std::to_string(e.ts) +
       ",\"time_unix_ns\":" + std::to_string(int64_t(e.ts) + wall_minus_mono);
  bool task = isTaskEvent(e.kind);
  o += task ? ",\"task\":" : ",\"thread\":";
  o += std::to_string(e.id);
  switch (e.kind) {
  case kEvThreadCreate:
    o += ",\"parent_id\":" + std::to_string(e.other);
    break;
  case kEvThreadName:
    o += ",\"name\":" + jstr(e.text);
    break;
  case kEvBlock:
  case kEvUnblock:
    o += ",\"reason\":" + jstr(blockReason(e));
    o += ",\"intercepted_reason\":" + jstr(e.code == kUser ? e.text : reasonName(Reason(e.code)));
    o += ",\"object\":" + (e.object ? hexOf(e.object) : std::string("null"));
    o += std::string(",\"timed\":") + (e.timed ? "true" : "false");
    if (e.code == kThreadJoin && e.other)
      o += ",\"join_target\":" + std::to_string(e.other);
    if (e.kind == kEvUnblock)
      o += ",\"since_ns\":" + std::to_string(e.since);
    break;
  case kEvTaskBegin:
    o += ",\"in_thread\":" + std::to_string(e.thread) + ",\"parent_id\":" + std::to_string(e.other) +
         ",\"name\":" + jstr(e.text);
    break;
  case kEvTaskResume:
  case kEvTaskSuspend:
  case kEvTaskEnd: {
    o += ",\"in_thread\":" + std::to_string(e.thread);
    o += std::string(",\"from\":\"") + taskStateName(e.code) + "\",\"since_ns\":" +
         std::to_string(e.since);
    if (e.kind != kEvTaskEnd)
      o += std::string(",\"to\":\"") + taskStateName(e.code2) + "\"";
    // The reason of the suspension ended (resume, end) or begun (suspend).
    bool suspended = e.kind == kEvTaskSuspend ? e.code2 == kTaskSuspended : e.code == kTaskSuspended;
    if (suspended) {
      o += ",\"reason\":" + jstr(e.reason ? e.reason : "suspended");
      o += ",\"object\":" + (e.object ? hexOf(e.object) : std::string("null"));
      o += std::string(",\"timed\":") + (e.timed ? "true" : "false");
    }
    if (e.kind == kEvTaskSuspend && (e.site_fn || e.site_file))
      o += ",\"await\":{\"function\":" + jstr(e.site_fn ? e.site_fn : "") +
           ",\"file\":" + jstr(e.site_file ? e.site_file : "") +
           ",\"line\":" + std::to_string(e.site_line) + "}";
    break;
  }
  case kEvFork:
    o += ",\"child_pid\":" + std::to_string(e.other);
    break;
  default:
    break;
  }
  o += '}';
}

} // namespace

void historyJson(std::string &o) {
  uint64_t total = 0;
  std::vector<Event> evs = recentEvents(&total);
  int64_t wall_minus_mono = int64_t(wallNs()) - int64_t(nowNs());
  o += ",\"history\":{\"capacity\":" + std::to_string(recorderCapacity()) +
       ",\"recorded\":" + std::to_string(total) + ",\"events\":[";
  for (size_t i = 0; i < evs.size(); ++i) {
    o += i ? ",\n" : "\n";
    eventJson(o, evs[i], wall_minus_mono);
  }
  o += "\n]}";
}

// ------------------------------------------------------------ format=trace
namespace {

// Tasks get tracks of their own next to the threads' (thread tracks are
// numbered by tether thread id): task N is track kTaskTrack + N.
constexpr uint64_t kTaskTrack = uint64_t(1) << 30;

struct TraceEvent {
  uint64_t ts;
  uint64_t order; // ties: in the order produced
  uint64_t track;
  std::string json;
};

} // namespace

std::string renderTrace(const std::vector<ThreadSnap> &ts, const char *trigger,
                        const std::vector<TaskSnap> &tasks) {
  uint64_t total = 0;
  std::vector<Event> evs = recentEvents(&total);
  uint64_t now = nowNs();
  std::string pid = std::to_string(getpid());
  std::vector<TraceEvent> out;
  std::map<uint64_t, std::string> names; // track -> name
  // Spans already drawn from an event, by (track, start): a state that ended
  // between the snapshot and the copy of the ring is not drawn twice.
  std::set<std::pair<uint64_t, uint64_t>> drawn;
  auto common = [&](const char *ph, uint64_t track, uint64_t at, const std::string &name,
                    const char *cat) {
    return "{\"ph\":\"" + std::string(ph) + "\",\"pid\":" + pid + ",\"tid\":" +
           std::to_string(track) + ",\"ts\":" + micros(at) + ",\"name\":" + jstr(name) +
           ",\"cat\":\"" + cat + "\"";
  };
  auto span = [&](uint64_t track, uint64_t from, uint64_t to, const std::string &name,
                  const char *cat, const std::string &args) {
    if (to < from)
      to = from;
    drawn.insert({track, from});
    out.push_back({from, out.size(), track,
                   common("X", track, from, name, cat) + ",\"dur\":" + micros(to - from) +
                       ",\"args\":{" + args + "}}"});
  };
  auto instant = [&](uint64_t track, uint64_t at, const std::string &name, const std::string &args,
                     const char *scope = "t") {
    out.push_back({at, out.size(), track,
                   common("i", track, at, name, "lifecycle") + ",\"s\":\"" + scope +
                       "\",\"args\":{" + args + "}}"});
  };
  auto object = [](uintptr_t o) { return "\"object\":" + (o ? hexOf(o) : std::string("null")); };

  for (const Event &e : evs) {
    switch (e.kind) {
    case kEvThreadCreate:
      instant(e.id, e.ts, "thread create", "\"parent\":" + std::to_string(e.other));
      break;
    case kEvThreadExit:
      instant(e.id, e.ts, "thread exit", "");
      break;
    case kEvThreadName:
      names[e.id] = e.text;
      break;
    case kEvUnblock:
      span(e.id, e.since, e.ts, blockReason(e), "blocked",
           object(e.object) + ",\"timed\":" + (e.timed ? "true" : "false"));
      break;
    case kEvTaskBegin:
      instant(kTaskTrack + e.id, e.ts, "task begin",
              "\"parent\":" + std::to_string(e.other) + ",\"in_thread\":" + std::to_string(e.thread));
      if (e.text[0])
        names[kTaskTrack + e.id] = "task " + std::to_string(e.id) + " " + e.text;
      break;
    case kEvTaskResume:
    case kEvTaskEnd:
      span(kTaskTrack + e.id, e.since, e.ts, taskStateSpan(e.code, e.reason), "task",
           e.code == kTaskSuspended ? object(e.object) : std::string());
      if (e.kind == kEvTaskEnd)
        instant(kTaskTrack + e.id, e.ts, "task end", "\"in_thread\":" + std::to_string(e.thread));
      break;
    case kEvTaskSuspend:
      span(kTaskTrack + e.id, e.since, e.ts, taskStateSpan(e.code, nullptr), "task",
           "\"thread\":" + std::to_string(e.thread));
      break;
    case kEvFork:
      instant(e.id, e.ts, "fork", "\"child_pid\":" + std::to_string(e.other), "p");
      break;
    default: // kEvBlock: its span is drawn from the unblock, or below if still blocked
      break;
    }
  }
  // What the dump shows now: blocked threads and live tasks, up to the dump.
  for (const ThreadSnap &t : ts) {
    names[t.id] = t.name.empty() ? "thread " + std::to_string(t.id)
                                 : "thread " + std::to_string(t.id) + " " + t.name;
    if (t.state == kStateBlocked && !drawn.count({t.id, t.since_ns}))
      span(t.id, t.since_ns, now, effectiveReason(t), "blocked",
           object(t.object) + ",\"timed\":" + (t.timed ? "true" : "false") + ",\"ongoing\":true");
  }
  for (const TaskSnap &t : tasks) {
    uint64_t track = kTaskTrack + t.id;
    names[track] = "task " + std::to_string(t.id) + (t.name[0] ? " " + std::string(t.name) : "");
    if (!drawn.count({track, t.since_ns}))
      span(track, t.since_ns, now, taskStateSpan(t.state, t.reason), "task",
           (t.state == kTaskSuspended ? object(t.object) + "," : std::string()) +
               (t.state == kTaskRunning ? "\"thread\":" + std::to_string(t.thread_id) + "," : "") +
               "\"ongoing\":true");
  }
  std::sort(out.begin(), out.end(), [](const TraceEvent &a, const TraceEvent &b) {
    return a.ts != b.ts ? a.ts < b.ts : a.order < b.order;
  });

  std::string o = "{\"traceEvents\":[\n";
  std::string process = program_invocation_short_name ? program_invocation_short_name : "";
  o += "{\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":" +
       jstr(process.empty() ? "pid " + pid : process + " (pid " + pid + ")") + "}}";
  std::set<uint64_t> tracks;
  for (const TraceEvent &e : out)
    tracks.insert(e.track);
  for (auto &[track, name] : names)
    tracks.insert(track);
  for (uint64_t track : tracks) {
    auto it = names.find(track);
    std::string name = it != names.end() ? it->second
                       : track >= kTaskTrack ? "task " + std::to_string(track - kTaskTrack)
                                             : "thread " + std::to_string(track);
    if (track < kTaskTrack && it != names.end() && name.rfind("thread ", 0) != 0)
      name = "thread " + std::to_string(track) + " " + name; // a name event's bare name
    o += ",\n{\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":" + std::to_string(track) +
         ",\"name\":\"thread_name\",\"args\":{\"name\":" + jstr(name) + "}}";
    o += ",\n{\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":" + std::to_string(track) +
         ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":" +
         std::to_string(track) +
         "}}";
  }
  for (const TraceEvent &e : out)
    o += ",\n" + e.json;
  o += "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"schema\":\"tether.trace/1\",\"pid\":" + pid +
       ",\"trigger\":" + jstr(trigger ? trigger : "api") +
       ",\"clock\":\"monotonic\",\"time_ns\":" + std::to_string(now) +
       ",\"time_unix_ns\":" + std::to_string(wallNs()) +
       ",\"capacity\":" + std::to_string(recorderCapacity()) +
       ",\"recorded\":" + std::to_string(total) + ",\"kept\":" + std::to_string(evs.size()) + "}}\n";
  return o;
}

} // namespace tether::rt
