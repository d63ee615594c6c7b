// Flight recorder: a per-process ring of the most recent lifecycle events
// (threads created and exited, blocking episodes, tasks begun, resumed,
// suspended and ended), written with every dump so that it shows how the
// process got where it is. See recorder.cpp.
#pragma once

#include "rt.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tether::rt {

enum EventKind : uint8_t {
  kEvThreadCreate = 1, // id: the new thread, other: its parent (0: none)
  kEvThreadExit,       // id: the thread
  kEvThreadName,       // id: the thread, text: the name (cut to kEventTextLen - 1)
  kEvBlock,            // id: the thread, code: Reason, object, stack, text: user reason
  kEvUnblock,          // same fields as kEvBlock, since: when the episode began
  kEvTaskBegin,        // id: the task, thread: the creating thread, other: parent task, text: name
  kEvTaskResume,       // id: the task, thread: where it runs from now on; prev: what it was
  kEvTaskSuspend,      // ...; reason (static string, null: runnable), site: await point
  kEvTaskEnd,          // ...
  kEvFork,             // id: the thread that forked, in the child
};

constexpr int kEventTextLen = 24;

// One event as a dump reads it (the ring's slots hold the same fields).
// Every event that ends a state carries that state and since when, so a
// span can be drawn from the event alone even when its beginning has left
// the ring.
struct Event {
  uint64_t seq = 0;    // position in the process's sequence of events
  uint64_t ts = 0;     // monotonic ns (nowNs)
  uint64_t id = 0;     // thread or task id
  uint64_t thread = 0; // tether id of the thread it happened on
  uint64_t other = 0;  // parent thread/task, or the join target
  uint64_t since = 0;  // monotonic ns the ended state (block, task state) began
  uintptr_t object = 0;
  // Tasks: the wait reason of the ended or new suspension (static storage,
  // as the task API requires) and the await point of a suspension.
  const char *reason = nullptr;
  const char *site_fn = nullptr, *site_file = nullptr;
  int site_line = 0;
  uint32_t stack = 0; // depot id of a blocked thread's stack (0: none)
  uint8_t kind = 0;
  uint8_t code = 0;  // threads: Reason; tasks: the state ended (TaskState)
  uint8_t code2 = 0; // tasks: the new state
  bool timed = false;
  char text[kEventTextLen] = {};
};

// Sets up the ring for `capacity` events (0: off). Called once, at start,
// before any thread but the first runs.
void recorderInit(size_t capacity);
size_t recorderCapacity();
inline bool recorderOn() { return recorderCapacity() != 0; }
// The events in the ring, oldest first (at most capacity), and how many were
// recorded in all since start.
std::vector<Event> recentEvents(uint64_t *total = nullptr);

// The calling thread's events are not recorded while one lives: the shim's
// own waits during a dump or a leak check are not the program's history.
class RecorderPause {
  bool was_;

public:
  RecorderPause();
  ~RecorderPause();
  RecorderPause(const RecorderPause &) = delete;
  RecorderPause &operator=(const RecorderPause &) = delete;
};

// Recording points. Each appends one event: lock-free (one fetch_add, then
// the slot written in place), never allocates, async-signal-safe; a no-op
// when the recorder is off or the calling thread is dumping (RecorderPause).
void recordThreadCreate(const ThreadRecord *r, uint64_t ts);
void recordThreadExit(const ThreadRecord *r);
void recordThreadName(const ThreadRecord *r, const char *name);
void recordBlock(const ThreadRecord *r, uint64_t ts);   // after the block fields are set
void recordUnblock(const ThreadRecord *r, uint64_t ts); // before they are cleared
void recordFork(const ThreadRecord *self);
// A task's event (kEvTaskResume/Suspend/End) before its record changes: the
// state it leaves is read from t; `to` and the rest describe the new one.
void recordTask(uint8_t kind, const TaskRecord *t, uint64_t ts, uint8_t to = 0,
                const char *reason = nullptr, uintptr_t object = 0, bool timed = false,
                const char *fn = nullptr, const char *file = nullptr, int line = 0);
void recordTaskBegin(const TaskRecord *t);

// The history as the JSON dump's `history` member (",\"history\":{...}"),
// and the whole Chrome trace-event document of format=trace.
void historyJson(std::string &o);
std::string renderTrace(const std::vector<ThreadSnap> &ts, const char *trigger,
                        const std::vector<TaskSnap> &tasks);

} // namespace tether::rt
