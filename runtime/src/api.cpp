// Public C and C++ API (include/tether/tether.h, tether.hpp).
#include "rt.h"
#include "tether/tether.h"
#include "tether/tether.hpp"

#include <cerrno>
#include <ostream>
#include <unistd.h>

using namespace tether::rt;

extern "C" {

int tether_dump(int fd, int format) {
  initRuntime();
  Fmt f;
  if (!parseFormat(std::to_string(format), f))
    return -1;
  std::string text = render(f, reportable(snapshot(true)), "api");
  if (!writeAll(fd, text))
    return -1;
  return 0;
}

void tether_block_begin(const char *reason, const void *object) {
  if (ThreadRecord *r = currentThread())
    blockBegin(r, kUser, reinterpret_cast<uintptr_t>(object), false, true, 0, reason);
}

void tether_block_end(void) {
  if (ThreadRecord *r = currentThreadIfKnown())
    blockEnd(r);
}

void tether_set_thread_name(const char *name) {
  if (ThreadRecord *r = currentThread())
    setName(r, name);
}

void tether_set_label(const char *key, const char *value) {
  if (ThreadRecord *r = currentThread())
    setLabel(r, key, value);
}

void tether_clear_labels(void) {
  if (ThreadRecord *r = currentThread())
    clearLabels(r);
}

unsigned long long tether_thread_id(void) {
  ThreadRecord *r = currentThread();
  return r ? r->id : 0;
}

} // extern "C"

namespace tether {

void dump(std::ostream &os, Format format) {
  initRuntime();
  os << render(Fmt(int(format)), reportable(snapshot(true)), "api");
}

LeakOptions &IgnoreTopFunction(LeakOptions &o, std::string fn) {
  o.ignore_top_functions.push_back(std::move(fn));
  return o;
}

LeakOptions &IgnoreCreatedBy(LeakOptions &o, std::string fn) {
  o.ignore_created_by.push_back(std::move(fn));
  return o;
}

LeakOptions &IgnoreCurrent(LeakOptions &o) {
  for (const ThreadSnap &s : snapshot(false))
    o.ignore_ids.push_back(s.id);
  return o;
}

unsigned long long LastThreadId() { return lastThreadId(); }

LeakReport FindLeaks(const LeakOptions &opts) {
  initRuntime();
  uint64_t deadline = nowNs() + uint64_t(opts.max_retry.count()) * 1000000ull;
  uint64_t wait_us = 1000;
  for (;;) {
    std::vector<ThreadSnap> all = reportable(snapshot(true));
    std::vector<ThreadSnap> leaked;
    for (const ThreadSnap &s : all) {
      if (s.is_self || s.pre_main || s.id <= opts.created_after)
        continue;
      bool ignored = false;
      for (auto id : opts.ignore_ids)
        ignored |= id == s.id;
      if (ignored || leakIgnored(s, opts.ignore_top_functions, opts.ignore_created_by))
        continue;
      leaked.push_back(s);
    }
    if (leaked.empty() || nowNs() >= deadline) {
      LeakReport r;
      for (const ThreadSnap &s : leaked) {
        r.thread_ids.push_back(s.id);
        r.text += renderDebug2One(s, all) + "\n";
      }
      return r;
    }
    // goleak-style backoff while threads finish exiting.
    usleep(useconds_t(wait_us));
    if (wait_us < 100000)
      wait_us *= 2;
  }
}

} // namespace tether
