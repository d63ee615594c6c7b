// tether runtime shim — C++ API: dumps, block scopes and a leak finder.
#ifndef TETHER_TETHER_HPP
#define TETHER_TETHER_HPP

#include "tether/tether.h"

#include <chrono>
#include <iosfwd>
#include <memory>
#include <type_traits>
#include <utility>
#include <string>
#include <vector>

namespace tether {

enum class Format { Pprof = 0, Debug1 = 1, Debug2 = 2, Json = 3, Trace = 4 };

// Writes a dump of every tracked thread to `os`.
TETHER_API void dump(std::ostream &os, Format format = Format::Debug2);

// RAII form of tether_block_begin / tether_block_end.
class BlockScope {
public:
  BlockScope(const char *reason, const void *object) { tether_block_begin(reason, object); }
  ~BlockScope() { tether_block_end(); }
  BlockScope(const BlockScope &) = delete;
  BlockScope &operator=(const BlockScope &) = delete;
};

// ---- Tasks -------------------------------------------------------------------
//
// A task (tether_task_* in tether.h) owned by an object: begun at
// construction with the caller's function, file and line as its creation
// site, ended at destruction. Every await point defaults to the caller's
// location too.
class Task {
public:
  explicit Task(const char *name = nullptr, tether_task *parent = nullptr,
                const char *function = __builtin_FUNCTION(), const char *file = __builtin_FILE(),
                int line = __builtin_LINE())
      : t_(tether_task_begin(name, parent, function, file, line)) {}
  ~Task() { end(); }
  Task(Task &&o) noexcept : t_(o.t_) { o.t_ = nullptr; }
  Task &operator=(Task &&o) noexcept {
    if (this != &o) {
      end();
      t_ = o.t_;
      o.t_ = nullptr;
    }
    return *this;
  }
  Task(const Task &) = delete;
  Task &operator=(const Task &) = delete;

  // Runs on the calling thread from now on.
  void resume() { tether_task_resume(t_); }
  // Suspended at the caller's location waiting for `reason` (static storage).
  void suspend(const char *reason, const void *object = nullptr, bool timed = false,
               const char *function = __builtin_FUNCTION(), const char *file = __builtin_FILE(),
               int line = __builtin_LINE()) {
    tether_task_suspend(t_, reason, object, timed ? 1 : 0, function, file, line);
  }
  // Runnable again (yielded or queued) at the caller's location.
  void yield(const char *function = __builtin_FUNCTION(), const char *file = __builtin_FILE(),
             int line = __builtin_LINE()) {
    tether_task_suspend(t_, nullptr, nullptr, 0, function, file, line);
  }
  void set_label(const char *key, const char *value) { tether_task_set_label(t_, key, value); }
  // Done now rather than at destruction.
  void end() {
    if (t_)
      tether_task_end(t_);
    t_ = nullptr;
  }
  tether_task *get() const { return t_; }
  unsigned long long id() const { return t_ ? tether_task_id(t_) : 0; }

private:
  tether_task *t_;
};

// A thread-pool job as a task: wrap the callable when it is submitted
// (`pool.submit(tether::track_job(f))`); the job is listed as runnable while
// queued, running on its worker while it runs, and done when it returns or
// throws. Copies share the task (pools that copy jobs into std::function
// work); a job destroyed without running ends it then.
template <typename F> class TrackedJob {
public:
  TrackedJob(F f, std::shared_ptr<Task> task) : f_(std::move(f)), task_(std::move(task)) {}
  template <typename... Args> decltype(auto) operator()(Args &&...args) {
    struct Done {
      Task &t;
      ~Done() { t.end(); }
    } done{*task_};
    task_->resume();
    return f_(std::forward<Args>(args)...);
  }
  Task &task() const { return *task_; }

private:
  F f_;
  std::shared_ptr<Task> task_;
};

template <typename F>
TrackedJob<std::decay_t<F>> track_job(F &&f, const char *name = nullptr,
                                      const char *function = __builtin_FUNCTION(),
                                      const char *file = __builtin_FILE(),
                                      int line = __builtin_LINE()) {
  return TrackedJob<std::decay_t<F>>(
      std::forward<F>(f), std::make_shared<Task>(name, nullptr, function, file, line));
}

// ---- Leak finding (goleak-style) -------------------------------------------
//
// Options are the fields below; the TETHER_OPTIONS ignore lists
// (ignore_top, ignore_created_by, ignore_name, ignore_detached) apply too, so
// one setting serves the exit report and the leak checks.
struct LeakOptions {
  // A thread whose innermost frames contain one of these is ignored.
  std::vector<std::string> ignore_top_functions;
  // A thread whose creation stack mentions one of these is ignored.
  std::vector<std::string> ignore_created_by;
  // Thread ids to ignore (e.g. CurrentThreadIds(), goleak.IgnoreCurrent).
  std::vector<unsigned long long> ignore_ids;
  // Only threads with an id greater than this count (see also leak_mark()).
  unsigned long long created_after = 0;
  // Waiting for threads that are finishing (goleak's approach): up to
  // max_retries more checks, sleeping 1 us, 2 us, 4 us... at most max_sleep
  // in between (defaults: at most about 130 ms in all, only when something
  // is left; a clean check costs one look at the thread table).
  int max_retries = 20;
  std::chrono::microseconds max_sleep{20000};
  // Also list threads an earlier check already reported.
  bool include_reported = false;
  // Only tasks with an id greater than this count (task ids are their own
  // sequence; leaked_since sets it from the mark).
  unsigned long long tasks_created_after = 0;
};

struct LeakReport {
  std::vector<unsigned long long> thread_ids;
  // Tasks (fibers, coroutines, pool jobs) begun and never ended.
  std::vector<unsigned long long> task_ids;
  std::string text; // debug=2 blocks of the leaked threads and tasks, with creation sites
  bool leaked() const { return !thread_ids.empty() || !task_ids.empty(); }
  // Use leaked(): a bool conversion reads the wrong way round either way.
  explicit operator bool() const = delete;
};

// Threads other than the caller that are still running and were never
// joined, and tasks begun and never ended (a fiber or coroutine still
// suspended, a job still queued). Every thread or task it reports is marked
// reported: later checks and the exit report do not report it again.
TETHER_API LeakReport FindLeaks(const LeakOptions &options = {});

// Highest thread id handed out so far.
TETHER_API unsigned long long LastThreadId();
// Ids of every tracked thread alive now (for LeakOptions::ignore_ids).
TETHER_API std::vector<unsigned long long> CurrentThreadIds();

// ---- Leak marks: attribution for any test framework -------------------------
//
//   tether::LeakMark m = tether::leak_mark();
//   ... code under test ...
//   tether::LeakReport r = tether::leaked_since(m);
//   if (r.leaked()) fail(r.text);
//
// leak_mark() opens a scope on the calling thread: every thread it creates
// from now on, and every thread those create, belongs to the scope, even if
// created later while another mark is open (a leaked thread that starts
// more threads during the next test is still blamed on its own test).
// Marks nest: a thread of an inner mark is also in the outer one.
struct LeakMark {
  unsigned long long scope = 0;
  unsigned long long last_id = 0;
  unsigned long long last_task_id = 0;
};
TETHER_API LeakMark leak_mark();
TETHER_API LeakReport leaked_since(const LeakMark &mark, LeakOptions options = {});

} // namespace tether
#endif
