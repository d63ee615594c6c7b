// tether runtime shim — C++ API: dumps, block scopes and a leak finder.
#ifndef TETHER_TETHER_HPP
#define TETHER_TETHER_HPP

#include "tether/tether.h"

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

namespace tether {

enum class Format { Pprof = 0, Debug1 = 1, Debug2 = 2, Json = 3 };

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
};

struct LeakReport {
  std::vector<unsigned long long> thread_ids;
  std::string text; // debug=2 blocks of the leaked threads, with creation stacks
  bool leaked() const { return !thread_ids.empty(); }
  // Use leaked(): a bool conversion reads the wrong way round either way.
  explicit operator bool() const = delete;
};

// Threads other than the caller that are still running and were never
// joined. Every thread it reports is marked reported: later checks and the
// exit report do not report it again.
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
};
TETHER_API LeakMark leak_mark();
TETHER_API LeakReport leaked_since(const LeakMark &mark, LeakOptions options = {});

} // namespace tether
#endif
