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

struct LeakOptions {
  // A thread whose innermost symbolized frame contains one of these is ignored.
  std::vector<std::string> ignore_top_functions;
  // A thread whose creation stack mentions one of these is ignored.
  std::vector<std::string> ignore_created_by;
  // Thread ids to ignore (see IgnoreCurrent()).
  std::vector<unsigned long long> ignore_ids;
  // Only threads with an id greater than this count (per-test attribution).
  unsigned long long created_after = 0;
  // Threads get this long to finish before they count as leaked.
  std::chrono::milliseconds max_retry{1000};
};

TETHER_API LeakOptions &IgnoreTopFunction(LeakOptions &o, std::string fn);
TETHER_API LeakOptions &IgnoreCreatedBy(LeakOptions &o, std::string fn);
// Ignores every thread alive now (goleak.IgnoreCurrent).
TETHER_API LeakOptions &IgnoreCurrent(LeakOptions &o);

struct LeakReport {
  std::vector<unsigned long long> thread_ids;
  std::string text; // debug=2 blocks of the leaked threads, with creation stacks
  explicit operator bool() const { return thread_ids.empty(); }
};

// Threads other than the caller that are still running and were never joined.
TETHER_API LeakReport FindLeaks(const LeakOptions &options = {});

// Highest thread id handed out so far; pass as created_after to attribute
// leaks to the code that ran since.
TETHER_API unsigned long long LastThreadId();

} // namespace tether
#endif
