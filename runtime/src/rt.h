// Internal declarations of the tether runtime shim.
//
// Layout (sanitizer-runtime style):
//   interceptors.cpp  thin, uniform wrappers over the libc boundary
//   registry.cpp      thread records, block/unblock bookkeeping, labels
//   depot.cpp         deduplicating stack depot, stack capture (incl. signal)
//   symbolize.cpp     libdw (dlopen'ed) symbolizer + demangling + model table
//   report.cpp        debug=1, debug=2, JSON and pprof renderers
//   recorder.cpp      flight recorder: ring of recent events, format=trace
//   monitor.cpp       options, monitor thread, SIGQUIT/exit/watchdog/deadlock
//   lockorder.cpp     lock-order graph: potential deadlocks (lock_order=1)
//   api.cpp           public C and C++ API
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <csignal>
#include <functional>
#include <poll.h>
#include <pthread.h>
#include <string>
#include <sys/types.h>
#include <vector>

#define TETHER_TLS __attribute__((tls_model("initial-exec")))

// Linked statically, the shim's code shares a module with the program's, so
// "frames of our module" cannot tell them apart: all code defined from here on
// in the shim's sources goes to its own section, whose bounds the linker
// provides (__start_/__stop_tether_rt_text), and stacks drop frames there.
#if defined(TETHER_RT_STATIC) && defined(__clang__)
#pragma clang section text = "tether_rt_text"
#define TETHER_RT_OWN_SECTION 1
#endif

namespace tether::rt {

// A lock for the runtime's own use: never goes through our interceptors.
class SpinLock {
  std::atomic<bool> locked_{false};

public:
  void lock();
  void unlock() { locked_.store(false, std::memory_order_release); }
  bool try_lock() { return !locked_.exchange(true, std::memory_order_acquire); }
};
struct SpinGuard {
  SpinLock &l;
  explicit SpinGuard(SpinLock &l) : l(l) { l.lock(); }
  ~SpinGuard() { l.unlock(); }
};

// ---------------------------------------------------------------- reasons
enum Reason : uint8_t {
  kRunning = 0,
  kMutexLock,
  kRwlockRead,
  kRwlockWrite,
  kCondWait,
  kThreadJoin,
  kSemacquire,
  kSleep,
  kFutexWait,
  kIOWait,
  kUser, // reason text in ThreadRecord::user_reason
  kReasonCount
};
const char *reasonName(Reason r);

enum State : uint8_t { kStateCreated, kStateRunning, kStateBlocked, kStateExited };

constexpr int kMaxFrames = 48;
constexpr int kNameLen = 48;
constexpr int kLabelLen = 192;
constexpr int kUserReasonLen = 32;

// One thread (or API-declared task). Written by its own thread; read racily by
// dumpers, which copy the block fields under the `bseq` seqlock.
struct ThreadRecord {
  std::atomic<uint32_t> in_use{0};
  std::atomic<uint32_t> gen{0};
  uint64_t id = 0;
  uint64_t parent_id = 0;
  std::atomic<pid_t> tid{0};
  pthread_t pthread = 0;
  uint32_t create_stack = 0; // depot id
  uint64_t start_ns = 0;     // monotonic
  uint64_t start_wall_ns = 0;
  std::atomic<uint8_t> state{kStateCreated};
  std::atomic<bool> detached{false};
  std::atomic<bool> joined{false};
  std::atomic<bool> exited{false};
  bool pre_main = false;
  bool adopted = false; // not created through our pthread_create
  // Leak scope (tether::leak_mark): inherited from the creating thread, so a
  // thread belongs to the scope of whoever transitively created it.
  std::atomic<uint64_t> scope{0};
  std::atomic<bool> leak_reported{false}; // a leak check already reported it
  // What the thread runs: pthread_create's start routine and argument.
  uintptr_t entry_fn = 0, entry_arg = 0;
  // Its stack as the blocking-site cache (stackAtSite) needs it: the frame of
  // the shim's function that runs the thread (the trampoline, or main's
  // wrapper; 0: a thread we did not start) and the lowest stack address.
  uintptr_t stack_base = 0, stack_lo = 0;
  // --- block episode (seqlock) ---
  std::atomic<uint32_t> bseq{0}; // odd while being written
  uint8_t reason = kRunning;
  bool timed = false;
  uint32_t depth = 0; // nesting of block scopes (owner thread only)
  uintptr_t object = 0;
  uint64_t since_ns = 0;
  uint32_t block_stack = 0; // 0: not captured eagerly
  uint64_t join_target = 0; // tether id for kThreadJoin
  uint64_t episode = 0;     // increments per outermost block
  char user_reason[kUserReasonLen] = {};
  // --- names and labels (seqlock `nseq`) ---
  std::atomic<uint32_t> nseq{0};
  char name[kNameLen] = {};
  char labels[kLabelLen] = {}; // "k1\0v1\0k2\0v2\0\0"
  // --- signal stack capture ---
  std::atomic<uint32_t> cap_req{0};
  std::atomic<uint32_t> cap_done{0};
  int cap_n = 0;
  uintptr_t cap_pcs[kMaxFrames];
  std::atomic<uint32_t> eintr_epoch{0}; // bumped by our signal handler
  std::atomic<bool> sig_blocked{false}; // the thread blocks the stack signal
  uint32_t cap_episode = 0;              // episode (low bits) when the signal capture ran
  bool cap_blocked = false;              // ... and whether the thread was blocked then
  bool cap_in_interceptor = false;       // ... inside an interceptor (it blocks at a call site)
  bool block_at_site = false;            // the current block is an interceptor's (own thread)
  // A stack captured by signal while blocked: (episode low 32 bits << 32) | depot id.
  // Reused for later reports of the same blocking episode.
  std::atomic<uint64_t> sampled{0};
};

// A consistent copy of a record, for reports.
struct ThreadSnap {
  uint64_t id, parent_id;
  pid_t tid;
  uint8_t state, reason;
  bool timed, detached, joined, pre_main, adopted, is_self;
  uintptr_t object;
  uint64_t since_ns, start_ns, start_wall_ns, join_target, episode;
  uint32_t create_stack, stack; // stack: depot id of the current stack (0: none)
  uint64_t scope;
  bool leak_reported;
  uintptr_t entry_fn, entry_arg; // pthread_create's start routine and argument
  int holder_tid;               // owner tid of the mutex/rwlock blocked on, 0 unknown
  uint64_t holder_id;           // its tether id, 0 unknown
  std::string user_reason, name, labels_json;
  std::vector<std::pair<std::string, std::string>> labels;
};

// ---------------------------------------------------------------- registry
ThreadRecord *currentThread();          // registers the caller if unknown; may be null
ThreadRecord *currentThreadIfKnown();   // never registers
ThreadRecord *allocThread(uint64_t parent, uint32_t create_stack, bool pre_main);
void attachCurrent(ThreadRecord *r);    // from the trampoline
void noteSignalMask(ThreadRecord *r);   // after the thread's signal mask changed
void threadExited(ThreadRecord *r);
void releaseIfDone(ThreadRecord *r);
ThreadRecord *findByPthread(pthread_t t);
ThreadRecord *findByTid(pid_t tid);
ThreadRecord *findById(uint64_t id);
void registerPthread(ThreadRecord *r, pthread_t t);
size_t highWater();
ThreadRecord *slot(size_t i);
uint64_t lastThreadId();
void registryAfterForkChild();
// Writes all of text to fd, retrying on EINTR and short writes.
bool writeAll(int fd, const std::string &text);
bool inMain();
void setInMain();
bool isInternalThread();
void setInternalThread();

// site_pc/site_cfa: the interceptor's return address and canonical frame
// address (0: unknown), for the blocking-site stack cache.
void blockBegin(ThreadRecord *r, Reason reason, uintptr_t object, bool timed, bool eager_stack,
                uint64_t join_target = 0, const char *user_reason = nullptr,
                uintptr_t site_pc = 0, uintptr_t site_cfa = 0);
void blockEnd(ThreadRecord *r);
void setName(ThreadRecord *r, const char *name);
void setLabel(ThreadRecord *r, const char *key, const char *value);
void copyLabels(ThreadRecord *to, const ThreadRecord *from);
void clearLabels(ThreadRecord *r);
// Leak scopes: a new one, child of `parent`; whether `s` is `ancestor` or
// nested in it.
uint64_t newScope(uint64_t parent);
bool scopeWithin(uint64_t s, uint64_t ancestor);
void markLeakReported(uint64_t id);
// The exit report and the leak finder leave out threads a leak check already
// reported.

// Copies every live record; with capture_stacks, asks threads without a stack
// for theirs (signal). min_blocked_ns > 0: only threads blocked that long, in a
// wait the shim retries after its signal (the monitor's background sampling).
std::vector<ThreadSnap> snapshot(bool capture_stacks, uint64_t min_blocked_ns = 0);
uint64_t nowNs();
uint64_t wallNs();

// ------------------------------------------------------------------- tasks
// Tasks (fibers, coroutines, pool jobs) declared through tether_task_*: a
// second registry next to the threads'. A task runs on some thread between
// resume and suspend; its fields are written by whichever thread drives it
// (never two at once) under the `seq` seqlock, and read racily by dumpers.
enum TaskState : uint8_t { kTaskRunnable, kTaskRunning, kTaskSuspended, kTaskDone };
constexpr int kTaskNameLen = 32;

struct TaskRecord {
  std::atomic<uint32_t> in_use{0};
  std::atomic<uint32_t> seq{0}; // odd while being written
  uint64_t id = 0;
  uint64_t parent_id = 0;      // task id, 0: none
  uint64_t creator_thread = 0; // tether id of the thread that began it
  uint64_t scope = 0;          // leak scope (tether::leak_mark), inherited
  uint64_t start_ns = 0;
  // Creation site and await point: strings of static storage duration.
  const char *site_fn = nullptr, *site_file = nullptr;
  const char *at_fn = nullptr, *at_file = nullptr;
  const char *reason = nullptr; // wait reason while suspended (static storage)
  int site_line = 0, at_line = 0;
  uint8_t state = kTaskRunnable;
  bool timed = false;
  std::atomic<bool> leak_reported{false};
  uint32_t labels = 0;     // interned label set (0: none)
  uint64_t thread_id = 0;  // tether id of the thread running it (or that last did)
  uint64_t since_ns = 0;   // since when in its state
  uintptr_t object = 0;    // what it waits for
  uint32_t stack = 0;      // depot id of the stack it suspended with (0: none)
  TaskRecord *resumer = nullptr; // the task running on the thread before resume
  char name[kTaskNameLen] = {};
};

struct TaskSnap {
  uint64_t id, parent_id, creator_thread, scope, start_ns, thread_id, since_ns;
  const char *site_fn, *site_file, *at_fn, *at_file, *reason;
  int site_line, at_line;
  uint8_t state;
  bool timed, leak_reported;
  uint32_t labels;
  uintptr_t object;
  uint32_t stack; // the stack it suspended with, 0: none (an await point instead)
  char name[kTaskNameLen];
};

TaskRecord *taskBegin(const char *name, TaskRecord *parent, const char *fn, const char *file,
                      int line);
void taskResume(TaskRecord *t);
// reason null: runnable (yielded, queued), else suspended.
void taskSuspend(TaskRecord *t, const char *reason, uintptr_t object, bool timed, const char *fn,
                 const char *file, int line);
// Suspended with the caller's stack (skip: frames to drop) as its await
// point; a wait the model table names for a frame of it is its reason.
void taskSuspendStack(TaskRecord *t, const char *reason, uintptr_t object, bool timed, int skip);
void taskEnd(TaskRecord *t);
TaskRecord *currentTask();
void taskSetLabel(TaskRecord *t, const char *key, const char *value);
void taskSetName(TaskRecord *t, const char *name);
// Every live task (not done), in id order.
std::vector<TaskSnap> taskSnapshot();
uint64_t lastTaskId();
void markTaskLeakReported(uint64_t id);
void tasksAfterForkChild();
// Interned label sets ("k\0v\0...\0" blobs): id 0 is the empty set.
uint32_t internLabels(const char *blob, size_t len);
const std::vector<std::pair<std::string, std::string>> &labelSet(uint32_t id);
// Effective wait reason of a task: its own, or while it runs, its thread's
// when that thread is blocked (`threads` from the same dump).
std::string taskReason(const TaskSnap &t, const std::vector<ThreadSnap> &threads);
// Since when (monotonic ns) the task has been in that reason.
uint64_t taskSince(const TaskSnap &t, const std::vector<ThreadSnap> &threads);
const char *taskStateName(uint8_t s);

// ------------------------------------------------------------------- depot
uint32_t depotPut(const uintptr_t *pcs, int n);
int depotGet(uint32_t id, uintptr_t *pcs, int max);
int captureStack(uintptr_t *pcs, int max, int skip);
int dropOwnFrames(uintptr_t *pcs, int n);
// For a stack taken while the thread blocks in an interceptor: drop the
// frames up to the interceptor too (the wait inside the C library).
int dropToBlockingSite(uintptr_t *pcs, int n);
uint32_t captureToDepot(int skip);
// The stack of the calling thread as it blocks in an interceptor whose
// return address is `site_pc` and whose canonical frame address is
// `site_cfa`: taken from the blocking-site cache when another thread (or this
// one, earlier) blocked there through the same chain of calls, else unwound
// once and cached. 0 when the site cannot be cached (no known stack bounds,
// a frame that is not a plain call); `capture_if_uncached` then unwinds
// without caching. max_alternatives: chains of calls kept per site (0: the
// default, 4); the lock-order graph keeps more, as every std::mutex of an
// -O0 build is locked from the same call in __gthread_mutex_lock.
uint32_t stackAtSite(ThreadRecord *r, uintptr_t site_pc, uintptr_t site_cfa,
                     bool capture_if_uncached, int max_alternatives = 0);
// Record where the calling thread's stack is, from a frame of the shim that
// every thread it starts (or main) runs through.
void noteStackBase(ThreadRecord *r, uintptr_t base);
void initStackSignal(int signo);
int stackSignal();
// Answers to the stack signal (a counter every answer increments): a
// snapshot expects the count `target` before it asks, then waits until the
// count reaches it (the last answer wakes it) or timeout_ns passes.
uint32_t stackAnswers();
void expectStackAnswers(uint32_t target);
void awaitStackAnswers(uint32_t target, uint64_t timeout_ns);
// Asks the thread to record its stack; returns depot id or 0 on timeout.
bool safeRead(const void *addr, void *out, size_t n);

// --------------------------------------------------------------- symbolize
struct Frame {
  uintptr_t pc = 0;
  std::string function; // demangled, or "??"
  std::string file;     // may be empty
  int line = 0;
  uintptr_t offset = 0; // pc - function start
  std::string module;
  uintptr_t module_base = 0;
  uintptr_t module_end = 0;
  uintptr_t elf_addr = 0; // pc - 1 in the module's ELF address space
  // An inlined call: the frames of one pc are listed innermost first, every
  // one but the last (the function the code physically belongs to) inlined.
  bool inlined = false;
  // A frame in one of the standard libraries' own modules (moduleLibrary)
  // whose source line and inlined calls were not looked up (see below).
  bool lines_skipped = false;
};
// Source lines (and inlined calls) of frames in the standard libraries' own
// modules are looked up only with library_lines: text dumps fold those
// frames into one line, and their lines cost the most of a first report,
// which must load (often decompress) the libraries' separate debug
// information for them. JSON, pprof and text with frames=all ask for them.
const std::vector<Frame> &symbolizeStack(uint32_t stack_id, bool library_lines = false); // cached
// Symbolizes many stacks at once (one out-of-process lookup per module).
void symbolizeStacks(const std::vector<uint32_t> &stack_ids, bool library_lines = false);
Frame symbolizePc(uintptr_t pc, bool library_lines = false);
std::string stripTemplatesAndParams(const std::string &demangled);
// Wait reason from the model table for a stack, or empty.
std::string modelReason(uint32_t stack_id);
void loadModelTable(const char *tsv_text);
// Reads a model table file: a regular file of at most 16 MiB. On failure
// returns false with the reason in why.
bool loadModelFile(const char *path, std::string &why);
size_t modelTableSize();

// ------------------------------------------------------------------ report
enum class Fmt { Pprof = 0, Debug1 = 1, Debug2 = 2, Json = 3, Trace = 4 };
// A format whose report is one document readers take whole (json, pprof,
// trace): a file of its own each, and text reports go elsewhere.
inline bool documentFormat(Fmt f) { return f == Fmt::Json || f == Fmt::Pprof || f == Fmt::Trace; }
bool parseFormat(const std::string &s, Fmt &out);
// Effective reason text (model-aware) for a snapshot.
std::string effectiveReason(const ThreadSnap &s);
std::string formatDuration(uint64_t ns);
// Tasks follow the threads in every format (none: the output is the
// threads' alone).
using Tasks = std::vector<TaskSnap>;
std::string renderDebug2(const std::vector<ThreadSnap> &ts, const Tasks &tasks = {});
std::string renderDebug2One(const ThreadSnap &t, const std::vector<ThreadSnap> &all);
std::string renderTaskDebug2One(const TaskSnap &t, const std::vector<ThreadSnap> &threads);
std::string renderDebug1(const std::vector<ThreadSnap> &ts, const Tasks &tasks = {});
std::string renderJson(const std::vector<ThreadSnap> &ts, const char *trigger,
                       const Tasks &tasks = {});
std::string renderPprof(const std::vector<ThreadSnap> &ts, const Tasks &tasks = {});
std::string render(Fmt f, const std::vector<ThreadSnap> &ts, const char *trigger,
                   const Tasks &tasks = {});
// "fn (file:line)" of a task's await point, else of its creation site.
std::string taskWhere(const TaskSnap &t);
std::vector<ThreadSnap> reportable(std::vector<ThreadSnap> ts);
// What a thread runs, from its start routine, and for std::thread (and so
// std::jthread, std::async) the callable's type from the state object passed
// to pthread_create; empty if unknown.
std::string entryName(const ThreadSnap &t);
// The thread's innermost frame of the program's own code ("fn (file:line)"),
// else its entry function; empty if neither is known.
std::string firstUserFrame(const ThreadSnap &t);
// The library a frame belongs to ("libc", "libstdc++", "ld.so", "tether"...),
// or "" for the program's own code.
std::string frameLibrary(const Frame &f);
// The same for a module file name alone ("" for any other module).
std::string moduleLibrary(const std::string &module);
// A stack's frames for a text dump: library lines only where they are shown
// (frames=all, or a stack without a frame of the program's own code).
const std::vector<Frame> &textFrames(uint32_t stack_id);
// Frames as text, one line(f) each, runs of library frames folded into one
// `prefix... N frames in libstdc++, libc` line (all shown with frames=all).
std::string foldedFrames(const std::vector<Frame> &fs,
                         const std::function<std::string(const Frame &)> &line,
                         const std::string &prefix);

// --------------------------------------------------------------- lock order
// The lock-order graph (lockorder.cpp, with lock_order=1): interceptors tell
// it every acquisition and release of a mutex or rwlock. site_pc/site_cfa:
// the interceptor's return address and canonical frame address, for the
// blocking-site stack cache. Nothing happens while lockOrderOn() is false.
extern std::atomic<bool> g_lock_order;
inline bool lockOrderOn() { return g_lock_order.load(std::memory_order_relaxed); }
enum LockKind : uint8_t { kLockMutex, kLockRwlock };
// A blocking acquisition (lock, timedlock, rdlock, wrlock) is about to be
// requested: adds an edge held -> lock for every lock the thread holds, and
// reports a cycle the first such edge closes. Returns a token for
// lockAcquired (the acquisition's stack).
uint32_t lockRequested(uintptr_t lock, LockKind kind, bool write, uintptr_t site_pc,
                       uintptr_t site_cfa);
// The acquisition succeeded. try_lock: a trylock (no request was made, no
// edge goes into it): token is 0 and the stack is taken here.
void lockAcquired(uintptr_t lock, LockKind kind, bool write, uint32_t token, uintptr_t site_pc,
                  uintptr_t site_cfa);
void lockReleased(uintptr_t lock);
// The lock is destroyed (or initialized again): a lock later at the same
// address is another node of the graph.
void lockDestroyed(uintptr_t lock);
// Writes the potential-deadlock reports found since the last call (the
// monitor, and the exiting thread before the exit report).
void flushLockOrderReports();
void lockOrderAfterForkChild();
// The potential deadlocks found so far, as the JSON dump's
// `"potential_deadlocks":[...]` member (with its leading comma), or "".
std::string lockOrderJson();
// Report helpers (report.cpp): a stack as debug=2 text (library frames
// folded) and as JSON frames, "created by F in thread N\n\tfile:line\n",
// and a JSON string literal.
std::string stackText(uint32_t stack_id);
std::string stackJson(uint32_t stack_id);
std::string createdByText(uint32_t create_stack, uint64_t parent_id);
std::string jsonString(const std::string &s);
// A problem report was made: the process exits with options().exitcode.
void noteProblemReported();

// ----------------------------------------------------------------- options
struct Options {
  bool on_quit = true, on_exit = true, on_stuck = false;
  std::string output; // empty: stderr
  Fmt format = Fmt::Debug2;
  uint64_t stuck_after_ns = 30ull * 1000000000ull;
  int deadlock = 1; // 0 off, 1 report, 2 report+abort
  bool all_asleep = true;
  uint64_t check_interval_ns = 100ull * 1000000ull;
  std::vector<std::string> ignore_top, ignore_created_by;
  std::vector<std::string> ignore_name; // thread names; "prefix*" matches a prefix
  bool ignore_detached = false;
  // When a thread blocks: capture its stack always (1), never (0: a report
  // asks the thread with the stack signal), or only if the thread blocks the
  // stack signal (2, "auto": it could not answer that signal).
  int eager_stacks = 2;         // detached threads are daemons, never leaks
  std::string models;
  int stack_signal = 0; // 0: SIGRTMIN+4
  int max_threads = 65536;
  int verbosity = 0;
  // Exit status of a process in which a leak, deadlock or all-asleep report
  // was made (0: the program's own status).
  int exitcode = 66;
  bool help = false;       // print the options with their defaults and exit
  bool frames_all = false; // text dumps: show library frames instead of folding them
  // Flight recorder: events kept (recorder.cpp); 0: off.
  size_t history = 8192;
  // Lock-order graph (potential deadlocks): 0 off, 1 report, 2 report and
  // abort().
  int lock_order = 0;
};
// The option table for help=1: "key", default, meaning (one line each).
std::string optionsHelp();
const Options &options();
// Receives one message (without "tether: " and newline) per problem.
using ErrSink = std::function<void(const std::string &)>;
// Parses TETHER_OPTIONS text into o (options.cpp, self-contained). A bad
// option is reported through err and leaves o's value as it was. Returns
// false if anything was reported.
bool parseOptions(const char *text, Options &o, const ErrSink &err);
bool parseDurationNs(const std::string &s, uint64_t &out);
std::string shownOption(const std::string &s); // printable, bounded, for messages

void initRuntime();          // idempotent
// The leak report when main returns; returns the process's exit status.
int atMainReturn(int status);
void writeReport(const std::string &text, const char *trigger); // to output / stderr
// A report that is text whatever the format (deadlock, all-asleep, stuck,
// the exit leak report outside JSON): to the output when it is a text
// format, else to stderr.
void writeTextReport(const std::string &text, const char *trigger);
void pokeMonitor(char why);  // async-signal-safe
// Scope of a set*id() call: the monitor thread is stopped during it and
// started again after it with the caller's credentials.
class CredentialChange {
  bool locked_ = false, restart_ = false;

public:
  CredentialChange();
  ~CredentialChange();
  CredentialChange(const CredentialChange &) = delete;
  CredentialChange &operator=(const CredentialChange &) = delete;
};
void monitorAfterForkChild();
bool leakIgnored(const ThreadSnap &s, const std::vector<std::string> &top,
                 const std::vector<std::string> &created_by);
bool leakIgnoredByName(const ThreadSnap &s, const std::vector<std::string> &names);

} // namespace tether::rt

// Real libc functions, bound lazily with dlsym(RTLD_NEXT)/dlvsym.
namespace tether::real {
extern int (*pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
extern int (*pthread_join)(pthread_t, void **);
extern int (*pthread_detach)(pthread_t);
extern int (*pthread_mutex_lock)(pthread_mutex_t *);
extern int (*pthread_mutex_trylock)(pthread_mutex_t *);
extern int (*pthread_mutex_unlock)(pthread_mutex_t *);
extern int (*poll)(pollfd *, nfds_t, int);
extern ssize_t (*read)(int, void *, size_t);
extern ssize_t (*write)(int, const void *, size_t);
extern int (*pthread_sigmask)(int, const sigset_t *, sigset_t *);
void bind();
} // namespace tether::real
