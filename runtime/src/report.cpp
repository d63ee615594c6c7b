// Renderers: Go-style debug=2 and debug=1 text, JSON, and gzip'ed pprof.
// Everything here runs on a normal thread (never in a signal handler).
#include "rt.h"
#include "recorder.h"

#include <algorithm>
#include <cinttypes>
#include <cxxabi.h>
#include <elf.h>
#include <link.h>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <tuple>
#include <unistd.h>
#include <zlib.h>

namespace tether::rt {

const char *reasonName(Reason r) {
  switch (r) {
  case kRunning: return "running";
  case kMutexLock: return "mutex lock";
  case kRwlockRead: return "rwlock read";
  case kRwlockWrite: return "rwlock write";
  case kCondWait: return "cond wait";
  case kThreadJoin: return "thread join";
  case kSemacquire: return "semacquire";
  case kSleep: return "sleep";
  case kFutexWait: return "futex wait";
  case kIOWait: return "IO wait";
  case kUser: return "user";
  default: return "unknown";
  }
}

std::string formatDuration(uint64_t ns) {
  char buf[64];
  uint64_t ms = ns / 1000000;
  if (ns < 1000000) {
    snprintf(buf, sizeof buf, "%.3fms", double(ns) / 1e6);
  } else if (ms < 1000) {
    snprintf(buf, sizeof buf, "%" PRIu64 "ms", ms);
  } else if (ms < 60000) {
    snprintf(buf, sizeof buf, "%.3fs", double(ms) / 1000.0);
  } else if (ms < 3600000) {
    snprintf(buf, sizeof buf, "%" PRIu64 "m%.3fs", ms / 60000, double(ms % 60000) / 1000.0);
  } else {
    snprintf(buf, sizeof buf, "%" PRIu64 "h%" PRIu64 "m%.3fs", ms / 3600000, (ms / 60000) % 60,
             double(ms % 60000) / 1000.0);
  }
  return buf;
}

std::string effectiveReason(const ThreadSnap &s) {
  if (s.state == kStateCreated)
    return "runnable";
  if (s.state != kStateBlocked)
    return "running";
  if (s.reason == kUser)
    return s.user_reason.empty() ? "blocked" : s.user_reason;
  std::string base = reasonName(Reason(s.reason));
  if (s.reason == kCondWait || s.reason == kFutexWait || s.reason == kMutexLock ||
      s.reason == kSemacquire) {
    std::string m = modelReason(s.stack);
    if (!m.empty())
      return m;
  }
  return base;
}

namespace {

std::string hex(uintptr_t v) {
  char b[32];
  snprintf(b, sizeof b, "0x%" PRIxPTR, v);
  return b;
}

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 if it is not one.
size_t utf8Length(const std::string &s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n;
  unsigned char lo = 0x80, hi = 0xbf; // range of the second byte
  if (c >= 0xc2 && c <= 0xdf) n = 2;
  else if (c == 0xe0) n = 3, lo = 0xa0;
  else if (c == 0xed) n = 3, hi = 0x9f;
  else if (c >= 0xe1 && c <= 0xef) n = 3;
  else if (c == 0xf0) n = 4, lo = 0x90;
  else if (c == 0xf4) n = 4, hi = 0x8f;
  else if (c >= 0xf1 && c <= 0xf3) n = 4;
  else return 0;
  if (i + n > s.size() || b(i + 1) < lo || b(i + 1) > hi)
    return 0;
  for (size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xbf)
      return 0;
  return n;
}

} // namespace

// A JSON string body, valid UTF-8 whatever the bytes: control characters
// escaped, each byte that does not start a well-formed sequence replaced
// with U+FFFD.
std::string jsonEscape(const std::string &s) {
  std::string o;
  o.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = utf8Length(s, i);
      if (n) {
        o.append(s, i, n);
        i += n;
      } else {
        o += "\xef\xbf\xbd"; // U+FFFD
        ++i;
      }
      continue;
    }
    switch (c) {
    case '"': o += "\\\""; break;
    case '\\': o += "\\\\"; break;
    case '\n': o += "\\n"; break;
    case '\t': o += "\\t"; break;
    case '\r': o += "\\r"; break;
    default:
      if (c < 0x20 || c == 0x7f) {
        char b[8];
        snprintf(b, sizeof b, "\\u%04x", c);
        o += b;
      } else {
        o += char(c);
      }
    }
    ++i;
  }
  return o;
}

namespace {

std::string labelsJson(const ThreadSnap &t) {
  std::string o = "{";
  for (size_t i = 0; i < t.labels.size(); ++i) {
    if (i)
      o += ",";
    o += "\"" + jsonEscape(t.labels[i].first) + "\":\"" + jsonEscape(t.labels[i].second) + "\"";
  }
  return o + "}";
}

// Frames of the creation stack minus the thread library's own (std::thread's
// constructor, std::async's machinery) so "created by" names the user code.
std::vector<Frame> creationFrames(uint32_t id, bool library_lines) {
  const std::vector<Frame> &all = symbolizeStack(id, library_lines);
  size_t i = 0;
  while (i + 1 < all.size()) {
    const std::string &fn = all[i].function;
    std::string s = stripTemplatesAndParams(fn);
    bool lib = s.rfind("std::", 0) == 0 || s.rfind("__gnu_cxx::", 0) == 0 ||
               s.rfind("__gthread", 0) == 0 || s.rfind("tether::", 0) == 0 ||
               s.rfind("pthread_create", 0) == 0;
    if (!lib)
      break;
    ++i;
  }
  // Text names the first frame with its line, even a library's.
  if (!library_lines && i < all.size() && all[i].lines_skipped)
    return creationFrames(id, true);
  return {all.begin() + long(i), all.end()};
}

std::string fileLine(const Frame &f) {
  std::string o = "\t";
  if (!f.file.empty())
    o += f.file + ":" + std::to_string(f.line);
  else
    o += (f.module.empty() ? std::string("??") : f.module) + ":?";
  // Like Go's tracebacks: no offset for an inlined call (it has no code of
  // its own).
  return f.inlined ? o + "\n" : o + " +" + hex(f.offset) + "\n";
}

} // namespace

// Frames as text lines, library runs folded (unless frames=all, or no frame
// is the program's own): `prefix... N frames in libstdc++, libc`.
std::string foldedFrames(const std::vector<Frame> &fs,
                         const std::function<std::string(const Frame &)> &line,
                         const std::string &prefix) {
  std::vector<std::string> libs(fs.size());
  bool any_user = false;
  for (size_t i = 0; i < fs.size(); ++i) {
    libs[i] = frameLibrary(fs[i]);
    any_user |= libs[i].empty();
  }
  std::string o;
  if (options().frames_all || !any_user) {
    for (const Frame &f : fs)
      o += line(f);
    return o;
  }
  for (size_t i = 0; i < fs.size();) {
    if (libs[i].empty()) {
      o += line(fs[i++]);
      continue;
    }
    std::vector<std::string> names;
    size_t j = i;
    for (; j < fs.size() && !libs[j].empty(); ++j)
      if (std::find(names.begin(), names.end(), libs[j]) == names.end())
        names.push_back(libs[j]);
    std::string list;
    for (auto &n : names)
      list += (list.empty() ? "" : ", ") + n;
    o += prefix + "... " + std::to_string(j - i) + (j - i == 1 ? " frame in " : " frames in ") +
         list + "\n";
    i = j;
  }
  return o;
}

namespace {

std::string threadLabel(uint64_t id, const std::vector<ThreadSnap> &all) {
  std::string o = "thread " + std::to_string(id);
  for (const auto &t : all)
    if (t.id == id && !t.name.empty())
      o += " \"" + t.name + "\"";
  return o;
}

std::string blockedOn(const ThreadSnap &t, const std::vector<ThreadSnap> &all) {
  if (t.state != kStateBlocked)
    return {};
  std::string o;
  switch (t.reason) {
  case kMutexLock: o = "mutex " + hex(t.object); break;
  case kRwlockRead:
  case kRwlockWrite: o = "rwlock " + hex(t.object); break;
  case kCondWait: o = "condition variable " + hex(t.object); break;
  case kThreadJoin:
    o = t.join_target ? threadLabel(t.join_target, all) + " (join)" : "thread " + hex(t.object);
    break;
  case kSemacquire: o = "semaphore " + hex(t.object); break;
  case kFutexWait: o = "futex " + hex(t.object); break;
  case kIOWait: o = "fd " + std::to_string(long(t.object)); break;
  case kUser: if (t.object) o = "object " + hex(t.object); break;
  default: break;
  }
  if (o.empty())
    return {};
  if (t.holder_id)
    o += " held by " + threadLabel(t.holder_id, all);
  else if (t.holder_tid)
    o += " held by untracked thread (tid " + std::to_string(t.holder_tid) + ")";
  return o;
}

} // namespace

std::string renderDebug2One(const ThreadSnap &t, const std::vector<ThreadSnap> &all) {
  std::string o = "thread " + std::to_string(t.id);
  if (!t.name.empty())
    o += " \"" + t.name + "\"";
  std::string reason = effectiveReason(t);
  o += " [" + reason;
  if (t.state == kStateBlocked)
    o += ", " + formatDuration(nowNs() - t.since_ns);
  o += "]:\n";
  if (!t.labels.empty())
    o += "labels: " + labelsJson(t) + "\n";
  if (t.stack) {
    o += foldedFrames(textFrames(t.stack),
                      [](const Frame &f) { return f.function + "\n" + fileLine(f); }, "");
  } else {
    // A leak report must say what the thread runs, started or not.
    std::string entry = entryName(t);
    if (t.state != kStateCreated)
      o += "(stack unavailable)\n";
    if (!entry.empty())
      o += (t.state == kStateCreated ? "not started; entry: " : "entry: ") + entry + "\n";
    else if (t.state == kStateCreated)
      o += "(not started)\n";
  }
  if (t.create_stack && (t.parent_id || t.adopted || t.pre_main)) {
    std::vector<Frame> cf = creationFrames(t.create_stack, false);
    if (!cf.empty()) {
      o += "created by " + cf[0].function;
      if (t.parent_id)
        o += " in thread " + std::to_string(t.parent_id);
      o += "\n" + fileLine(cf[0]);
    }
  }
  std::string b = blockedOn(t, all);
  if (!b.empty())
    o += "blocked on " + b + "\n";
  return o;
}

std::string frameLibrary(const Frame &f) {
  std::string lib = moduleLibrary(f.module);
  if (!lib.empty())
    return lib;
  // The standard library's templates, instantiated in the program's code.
  // (/usr/include/c++/12/..., /usr/include/x86_64-linux-gnu/c++/12/...,
  // /usr/lib/llvm-19/include/c++/v1/...)
  size_t inc = f.file.find("/include/");
  if (inc != std::string::npos && f.file.find("/c++/", inc) != std::string::npos)
    return f.file.find("/c++/v1/", inc) != std::string::npos ? "libc++" : "libstdc++";
  return {};
}

const std::vector<Frame> &textFrames(uint32_t id) {
  const std::vector<Frame> &fs = symbolizeStack(id);
  if (options().frames_all ||
      std::all_of(fs.begin(), fs.end(), [](const Frame &f) { return !frameLibrary(f).empty(); }))
    return symbolizeStack(id, true);
  return fs;
}

std::string moduleLibrary(const std::string &m) {
  size_t slash = m.rfind('/');
  std::string base = slash == std::string::npos ? m : m.substr(slash + 1);
  auto starts = [&](const char *p) { return base.rfind(p, 0) == 0; };
  if (starts("libc.so") || starts("libc-")) return "libc";
  if (starts("libstdc++")) return "libstdc++";
  if (starts("libc++abi")) return "libc++abi";
  if (starts("libc++")) return "libc++";
  if (starts("libgcc_s")) return "libgcc_s";
  if (starts("libpthread")) return "libpthread";
  if (starts("libm.so")) return "libm";
  if (starts("ld-linux") || starts("ld64.so") || starts("ld.so")) return "ld.so";
  if (starts("libtether_rt")) return "tether";
  return {};
}

namespace {
// A C string at addr in this process, read without trusting addr.
std::string readCString(uintptr_t addr, size_t max) {
  std::string s;
  char chunk[64];
  while (s.size() < max) {
    // Stay within the page: the next one may be unmapped.
    size_t n = std::min(sizeof chunk, size_t(4096 - (addr % 4096)));
    if (!safeRead(reinterpret_cast<const void *>(addr), chunk, n))
      return {};
    size_t len = strnlen(chunk, n);
    s.append(chunk, len);
    if (len < n)
      return s;
    addr += n;
  }
  return {};
}

// The text inside `prefix<...>` at the start of s, up to the matching '>'.
bool peel(std::string &s, const std::string &prefix) {
  if (s.rfind(prefix, 0) != 0)
    return false;
  int depth = 1, paren = 0;
  for (size_t i = prefix.size(); i < s.size(); ++i) {
    char c = s[i];
    if (c == '(') ++paren;
    else if (c == ')') --paren;
    else if (paren == 0 && c == '<') ++depth;
    else if (paren == 0 && c == '>' && --depth == 0) {
      s = s.substr(prefix.size(), i - prefix.size());
      return true;
    }
  }
  return false;
}
} // namespace

std::string entryName(const ThreadSnap &t) {
  if (!t.entry_fn)
    return {};
  // +1: a start address, not a return address (symbolization looks at pc-1).
  Frame f = symbolizePc(t.entry_fn + 1);
  std::string fn = f.function == "??" ? hex(t.entry_fn) : f.function;
  // (A local symbol, absent from a stripped libstdc++: any start routine in
  // libstdc++ is tried, the demangled type below confirms it.)
  if ((fn.find("execute_native_thread_routine") == std::string::npos &&
       frameLibrary(f) != "libstdc++") ||
      !t.entry_arg)
    return fn;
  // libstdc++'s std::thread: the argument is a std::thread::_State, whose
  // dynamic type (vtable -> type_info) is _State_impl<_Invoker<tuple<F, Args...>>>.
  uintptr_t vptr = 0, ti = 0, name = 0;
  if (!safeRead(reinterpret_cast<const void *>(t.entry_arg), &vptr, sizeof vptr) || !vptr ||
      !safeRead(reinterpret_cast<const void *>(vptr - sizeof(void *)), &ti, sizeof ti) || !ti ||
      !safeRead(reinterpret_cast<const void *>(ti + sizeof(void *)), &name, sizeof name) || !name)
    return fn;
  std::string mangled = readCString(name, 4096);
  if (mangled.empty())
    return fn;
  if (mangled[0] == '*') // a type_info name of local linkage
    mangled.erase(0, 1);
  int status = 0;
  char *d = abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status);
  if (status != 0 || !d)
    return fn;
  std::string type = d;
  free(d);
  if (!peel(type, "std::thread::_State_impl<"))
    return fn;
  peel(type, "std::thread::_Invoker<");
  peel(type, "std::tuple<");
  // std::async runs its callable through a member of _Async_state_impl
  // (a lambda of it in older libstdc++): name the callable inside.
  size_t async = type.find("std::__future_base::_Async_state_impl<");
  if (async != std::string::npos) {
    std::string inner = type.substr(async);
    if (peel(inner, "std::__future_base::_Async_state_impl<") &&
        peel(inner, "std::thread::_Invoker<") && peel(inner, "std::tuple<"))
      return inner;
  }
  // A function pointer: find it among the state's first words (an exact
  // function start), to name the function rather than its type.
  if (type.find("(*)") != std::string::npos) {
    uintptr_t words[8] = {};
    std::string named;
    for (int i = 1; i <= 8; ++i) {
      if (!safeRead(reinterpret_cast<const void *>(t.entry_arg + i * sizeof(void *)), &words[i - 1],
                    sizeof(uintptr_t)) || !words[i - 1])
        continue;
      Frame g = symbolizePc(words[i - 1] + 1);
      if (g.function != "??" && g.offset == 1 && frameLibrary(g).empty())
        named = g.function;
    }
    if (!named.empty())
      return named;
  }
  return type;
}

std::string firstUserFrame(const ThreadSnap &t) {
  if (t.stack) {
    for (const Frame &f : symbolizeStack(t.stack)) {
      if (!frameLibrary(f).empty() || f.function == "??")
        continue;
      std::string o = f.function;
      if (!f.file.empty()) {
        size_t slash = f.file.rfind('/');
        o += " (" + (slash == std::string::npos ? f.file : f.file.substr(slash + 1)) + ":" +
             std::to_string(f.line) + ")";
      }
      return o;
    }
  }
  std::string e = entryName(t);
  return e.empty() ? e : "entry " + e;
}

std::vector<ThreadSnap> reportable(std::vector<ThreadSnap> ts) {
  std::sort(ts.begin(), ts.end(), [](const ThreadSnap &a, const ThreadSnap &b) { return a.id < b.id; });
  return ts;
}

std::string renderDebug2(const std::vector<ThreadSnap> &ts, const Tasks &tasks) {
  std::string o;
  for (const auto &t : ts) {
    o += renderDebug2One(t, ts);
    o += "\n";
  }
  for (const auto &t : tasks) {
    o += renderTaskDebug2One(t, ts);
    o += "\n";
  }
  return o;
}

namespace {
std::string siteText(const char *fn, const char *file, int line) {
  std::string o = fn && *fn ? fn : "??";
  o += "\n\t";
  o += file && *file ? file : "??";
  o += ":" + (line > 0 ? std::to_string(line) : std::string("?")) + "\n";
  return o;
}

std::string taskLabelsJson(uint32_t id) {
  const auto &ls = labelSet(id);
  std::string o = "{";
  for (size_t i = 0; i < ls.size(); ++i) {
    if (i)
      o += ",";
    o += "\"" + jsonEscape(ls[i].first) + "\":\"" + jsonEscape(ls[i].second) + "\"";
  }
  return o + "}";
}

bool taskHasDuration(const TaskSnap &t, const std::string &reason) {
  return t.state != kTaskRunning || reason != "running";
}
} // namespace

std::string taskWhere(const TaskSnap &t) {
  if (t.stack) {
    // The innermost frame of the program's own code.
    for (const Frame &f : symbolizeStack(t.stack)) {
      if (!frameLibrary(f).empty() || f.function == "??")
        continue;
      size_t slash = f.file.rfind('/');
      return f.function + " (" + (slash == std::string::npos ? f.file : f.file.substr(slash + 1)) +
             ":" + std::to_string(f.line) + ")";
    }
  }
  if (!t.at_fn && !t.at_file && !t.site_fn && !t.site_file)
    return "(not started)";
  const char *fn = t.at_fn ? t.at_fn : t.site_fn;
  const char *file = t.at_fn ? t.at_file : t.site_file;
  int line = t.at_fn ? t.at_line : t.site_line;
  std::string o = fn && *fn ? fn : "??";
  if (file && *file) {
    const char *slash = strrchr(file, '/');
    o += std::string(" (") + (slash ? slash + 1 : file) + ":" + std::to_string(line) + ")";
  }
  return o;
}

std::string renderTaskDebug2One(const TaskSnap &t, const std::vector<ThreadSnap> &threads) {
  std::string o = "task " + std::to_string(t.id);
  if (t.name[0])
    o += " \"" + std::string(t.name) + "\"";
  std::string reason = taskReason(t, threads);
  o += " [" + reason;
  if (taskHasDuration(t, reason))
    o += ", " + formatDuration(nowNs() - taskSince(t, threads));
  o += "]:\n";
  if (t.labels)
    o += "labels: " + taskLabelsJson(t.labels) + "\n";
  if (t.stack)
    o += foldedFrames(textFrames(t.stack),
                      [](const Frame &f) { return f.function + "\n" + fileLine(f); }, "");
  else if (t.at_fn || t.at_file)
    o += siteText(t.at_fn, t.at_file, t.at_line);
  else if (t.state == kTaskRunnable)
    o += "(not started)\n";
  if (t.state == kTaskRunning)
    o += "running on " + threadLabel(t.thread_id, threads) + "\n";
  else if (t.thread_id)
    o += "last ran on " + threadLabel(t.thread_id, threads) + "\n";
  if (t.site_fn || t.site_file) {
    o += "created by " + std::string(t.site_fn && *t.site_fn ? t.site_fn : "??");
    if (t.parent_id)
      o += " in task " + std::to_string(t.parent_id);
    else if (t.creator_thread)
      o += " in thread " + std::to_string(t.creator_thread);
    o += "\n\t" + std::string(t.site_file && *t.site_file ? t.site_file : "??") + ":" +
         std::to_string(t.site_line) + "\n";
  } else if (t.parent_id) {
    o += "created in task " + std::to_string(t.parent_id) + "\n";
  } else if (t.creator_thread) {
    o += "created in thread " + std::to_string(t.creator_thread) + "\n";
  }
  if (t.state == kTaskSuspended && t.object)
    o += "blocked on object " + hex(t.object) + "\n";
  return o;
}

namespace {
// debug=1 for tasks: grouped by wait reason, await point, creation site and
// labels, most frequent first. Grouping keys on the strings' addresses
// (static strings: one per site) first, then merges groups whose text is the
// same, so a million tasks group in one pass without copying their strings.
std::string renderTasksDebug1(const Tasks &tasks, const std::vector<ThreadSnap> &threads) {
  // Reasons as pointers: a suspended task's own (static) string, else one
  // of the few computed here.
  std::vector<std::unique_ptr<std::string>> computed;
  std::unordered_map<std::string, const char *> computed_at;
  auto reasonPtr = [&](const TaskSnap &t) -> const char * {
    if (t.state == kTaskSuspended && t.reason && *t.reason && !t.stack)
      return t.reason;
    std::string r = taskReason(t, threads);
    auto it = computed_at.find(r);
    if (it != computed_at.end())
      return it->second;
    computed.push_back(std::make_unique<std::string>(r));
    return computed_at[r] = computed.back()->c_str();
  };
  struct Key {
    const char *reason, *at_fn, *at_file, *site_fn, *site_file;
    int at_line, site_line;
    uint32_t labels, stack;
    bool operator==(const Key &o) const {
      return reason == o.reason && stack == o.stack && at_fn == o.at_fn && at_file == o.at_file &&
             site_fn == o.site_fn && site_file == o.site_file && at_line == o.at_line &&
             site_line == o.site_line && labels == o.labels;
    }
  };
  struct KeyHash {
    size_t operator()(const Key &k) const {
      size_t h = 0;
      auto mix = [&](uint64_t v) { h = (h ^ v) * 0x100000001b3ull + (h >> 29); };
      mix(uintptr_t(k.reason));
      mix(uintptr_t(k.at_fn));
      mix(uintptr_t(k.at_file));
      mix(uintptr_t(k.site_fn));
      mix(uintptr_t(k.site_file));
      mix(uint64_t(uint32_t(k.at_line)) << 32 | uint32_t(k.site_line));
      mix(uint64_t(k.labels) << 32 | k.stack);
      return h;
    }
  };
  std::unordered_map<Key, size_t, KeyHash> by_key;
  for (const TaskSnap &t : tasks) {
    Key k{reasonPtr(t), t.at_fn,     t.at_file, t.site_fn, t.site_file,
          t.at_line,    t.site_line, t.labels,  t.stack};
    ++by_key[k];
  }
  struct Group {
    size_t count = 0;
    std::string head, body;
  };
  std::map<std::string, Group> by_text;
  auto str = [](const char *s) { return std::string(s && *s ? s : "??"); };
  for (auto &[k, n] : by_key) {
    std::string head = " @ [" + std::string(k.reason) + "]\n";
    std::string body;
    if (k.labels)
      body += "# labels: " + taskLabelsJson(k.labels) + "\n";
    if (k.stack)
      body += foldedFrames(
          textFrames(k.stack),
          [](const Frame &f) {
            char b[64];
            snprintf(b, sizeof b, "#\t%#" PRIxPTR "\t", f.pc);
            std::string l = b + f.function;
            snprintf(b, sizeof b, "+%#" PRIxPTR "\t", f.offset);
            return l + b + (f.file.empty() ? f.module : f.file) + ":" + std::to_string(f.line) + "\n";
          },
          "#\t");
    else if (k.at_fn || k.at_file)
      body += "#\t" + str(k.at_fn) + "\t" + str(k.at_file) + ":" + std::to_string(k.at_line) + "\n";
    if (k.site_fn || k.site_file)
      body += "#\tcreated by " + str(k.site_fn) + "\t" + str(k.site_file) + ":" +
              std::to_string(k.site_line) + "\n";
    Group &g = by_text[head + body];
    g.count += n;
    g.head = head;
    g.body = body;
  }
  std::vector<Group> v;
  for (auto &[text, g] : by_text)
    v.push_back(std::move(g));
  std::stable_sort(v.begin(), v.end(), [](const Group &a, const Group &b) { return a.count > b.count; });
  std::string o = "task profile: total " + std::to_string(tasks.size()) + "\n";
  for (const Group &g : v)
    o += std::to_string(g.count) + g.head + g.body + "\n";
  return o;
}
} // namespace

std::string renderDebug1(const std::vector<ThreadSnap> &ts, const Tasks &tasks) {
  struct Group {
    uint32_t stack;
    std::string labels;
    size_t count = 0;
  };
  std::map<std::pair<uint32_t, std::string>, Group> groups;
  for (const auto &t : ts) {
    std::string l = t.labels.empty() ? std::string() : labelsJson(t);
    auto &g = groups[{t.stack, l}];
    g.stack = t.stack;
    g.labels = l;
    g.count++;
  }
  std::vector<Group> v;
  for (auto &[k, g] : groups)
    v.push_back(g);
  std::stable_sort(v.begin(), v.end(), [](const Group &a, const Group &b) { return a.count > b.count; });
  std::string o = "thread profile: total " + std::to_string(ts.size()) + "\n";
  char buf[64];
  for (const auto &g : v) {
    uintptr_t pcs[kMaxFrames];
    int n = depotGet(g.stack, pcs, kMaxFrames);
    o += std::to_string(g.count) + " @";
    for (int i = 0; i < n; ++i) {
      snprintf(buf, sizeof buf, " %#" PRIxPTR, pcs[i]);
      o += buf;
    }
    o += "\n";
    if (!g.labels.empty())
      o += "# labels: " + g.labels + "\n";
    if (g.stack) {
      o += foldedFrames(
          textFrames(g.stack),
          [](const Frame &f) {
            char b[64];
            snprintf(b, sizeof b, "#\t%#" PRIxPTR "\t", f.pc);
            std::string l = b + f.function;
            snprintf(b, sizeof b, "+%#" PRIxPTR "\t", f.offset);
            return l + b + (f.file.empty() ? f.module : f.file) + ":" + std::to_string(f.line) + "\n";
          },
          "#\t");
    }
    o += "\n";
  }
  if (!tasks.empty())
    o += renderTasksDebug1(tasks, ts);
  return o;
}

namespace {
std::string framesJson(const std::vector<Frame> &fs) {
  std::string o = "[";
  for (size_t i = 0; i < fs.size(); ++i) {
    const Frame &f = fs[i];
    if (i)
      o += ",";
    o += "{\"pc\":\"" + hex(f.pc) + "\",\"function\":\"" + jsonEscape(f.function) +
         "\",\"file\":\"" + jsonEscape(f.file) + "\",\"line\":" + std::to_string(f.line) +
         ",\"offset\":\"" + hex(f.offset) + "\",\"module\":\"" + jsonEscape(f.module) +
         "\",\"inlined\":" + (f.inlined ? "true" : "false") +
         ",\"library\":" + (frameLibrary(f).empty() ? "false" : "true") + "}";
  }
  return o + "]";
}
} // namespace

namespace {
// Escapes a static string once per dump (tasks share a few sites).
struct EscapeCache {
  std::unordered_map<const char *, std::string> done;
  const std::string &operator()(const char *s) {
    auto it = done.find(s);
    if (it != done.end())
      return it->second;
    return done[s] = jsonEscape(s ? s : "");
  }
};

void siteJson(std::string &o, EscapeCache &esc, const char *fn, const char *file, int line) {
  if (!fn && !file) {
    o += "null";
    return;
  }
  o += "{\"function\":\"";
  o += esc(fn);
  o += "\",\"file\":\"";
  o += esc(file);
  o += "\",\"line\":";
  o += std::to_string(line);
  o += '}';
}

// Appends the tasks to `o`, which the caller sized for them: a dump of a
// million tasks is a few hundred megabytes, and every copy of it or growth of
// the string touches as many fresh pages.
void tasksJson(std::string &o, const Tasks &tasks, const std::vector<ThreadSnap> &threads) {
  uint64_t now = nowNs();
  // Monotonic start times as wall-clock ones.
  int64_t wall_minus_mono = int64_t(wallNs()) - int64_t(now);
  EscapeCache esc;
  std::unordered_map<uint32_t, std::string> labels;
  std::unordered_map<uint32_t, std::string> stacks; // tasks share a few stacks
  o += ",\"tasks\":[";
  for (size_t i = 0; i < tasks.size(); ++i) {
    const TaskSnap &t = tasks[i];
    std::string reason = t.state == kTaskSuspended && t.reason && !t.stack ? esc(t.reason)
                                                               : jsonEscape(taskReason(t, threads));
    o += i ? ",\n{\"id\":" : "\n{\"id\":";
    o += std::to_string(t.id);
    o += ",\"name\":\"";
    o += jsonEscape(t.name);
    o += "\",\"parent_id\":";
    o += std::to_string(t.parent_id);
    o += ",\"created_in_thread\":";
    o += std::to_string(t.creator_thread);
    o += ",\"state\":\"";
    o += taskStateName(t.state);
    o += "\",\"reason\":\"";
    o += reason;
    o += "\",\"wait_ns\":";
    o += std::to_string(t.state != kTaskRunning || reason != "running" ? now - taskSince(t, threads)
                                                                        : 0);
    o += t.timed ? ",\"timed\":true" : ",\"timed\":false";
    o += ",\"object\":";
    o += t.state == kTaskSuspended && t.object ? "\"" + hex(t.object) + "\"" : std::string("null");
    o += ",\"thread_id\":";
    o += t.state == kTaskRunning && t.thread_id ? std::to_string(t.thread_id) : std::string("null");
    o += ",\"last_thread_id\":";
    o += t.thread_id ? std::to_string(t.thread_id) : std::string("null");
    o += ",\"start_unix_ns\":";
    o += std::to_string(int64_t(t.start_ns) + wall_minus_mono);
    o += ",\"labels\":";
    auto lit = labels.find(t.labels);
    if (lit == labels.end())
      lit = labels.emplace(t.labels, taskLabelsJson(t.labels)).first;
    o += lit->second;
    o += ",\"await\":";
    siteJson(o, esc, t.at_fn, t.at_file, t.at_line);
    o += ",\"created_at\":";
    siteJson(o, esc, t.site_fn, t.site_file, t.site_line);
    if (t.stack) {
      o += ",\"stack\":";
      auto sit = stacks.find(t.stack);
      if (sit == stacks.end())
        sit = stacks.emplace(t.stack, framesJson(symbolizeStack(t.stack, true))).first;
      o += sit->second;
    }
    o += '}';
  }
  o += "\n]";
}
} // namespace

std::string renderJson(const std::vector<ThreadSnap> &ts, const char *trigger, const Tasks &tasks) {
  std::vector<uint32_t> ids;
  for (const ThreadSnap &t : ts)
    ids.push_back(t.stack), ids.push_back(t.create_stack);
  symbolizeStacks(ids, true); // every frame's line, one lookup per module
  uint64_t now = nowNs();
  std::string o;
  // About 1 KiB a thread (its stacks) and 450 bytes a task: one allocation.
  o.reserve(4096 + ts.size() * 1024 + tasks.size() * 512);
  o += "{\"schema\":\"tether.threads/1\",\"pid\":" + std::to_string(getpid()) +
                  ",\"trigger\":\"" + jsonEscape(trigger ? trigger : "api") +
                  "\",\"time_unix_ns\":" + std::to_string(wallNs()) + ",\"threads\":[";
  for (size_t i = 0; i < ts.size(); ++i) {
    const ThreadSnap &t = ts[i];
    if (i)
      o += ",";
    bool blocked = t.state == kStateBlocked;
    o += "\n{\"id\":" + std::to_string(t.id) + ",\"tid\":" + std::to_string(t.tid) +
         ",\"name\":\"" + jsonEscape(t.name) + "\",\"parent_id\":" + std::to_string(t.parent_id) +
         ",\"state\":\"" + (blocked ? "blocked" : "running") + "\",\"reason\":\"" +
         jsonEscape(effectiveReason(t)) + "\",\"intercepted_reason\":\"" +
         (t.reason == kUser ? jsonEscape(t.user_reason) : reasonName(Reason(t.reason))) + "\"";
    o += ",\"wait_ns\":" + std::to_string(blocked ? now - t.since_ns : 0);
    o += std::string(",\"timed\":") + (t.timed && blocked ? "true" : "false");
    o += ",\"object\":" + (blocked && t.object ? "\"" + hex(t.object) + "\"" : std::string("null"));
    o += ",\"held_by\":" + (t.holder_id ? std::to_string(t.holder_id) : std::string("null"));
    o += ",\"join_target\":" +
         (blocked && t.join_target ? std::to_string(t.join_target) : std::string("null"));
    o += std::string(",\"detached\":") + (t.detached ? "true" : "false");
    o += ",\"start_unix_ns\":" + std::to_string(t.start_wall_ns);
    o += ",\"labels\":" + labelsJson(t);
    if (!t.stack)
      o += ",\"entry\":\"" + jsonEscape(entryName(t)) + "\"";
    o += ",\"stack\":" + (t.stack ? framesJson(symbolizeStack(t.stack, true)) : std::string("[]"));
    o += ",\"created_by\":" +
         (t.create_stack && (t.parent_id || t.adopted || t.pre_main)
              ? framesJson(creationFrames(t.create_stack, true))
              : std::string("[]"));
    o += "}";
  }
  o += "\n]";
  if (!tasks.empty())
    tasksJson(o, tasks, ts);
  o += lockOrderJson();
  if (recorderOn())
    historyJson(o);
  o += "}\n";
  return o;
}

// ----------------------------------------------------------------- pprof
namespace {
struct Pb {
  std::string b;
  void varint(uint64_t v) {
    while (v >= 0x80) {
      b += char(v | 0x80);
      v >>= 7;
    }
    b += char(v);
  }
  void key(int field, int wire) { varint(uint64_t(field) << 3 | wire); }
  void u64(int field, uint64_t v) {
    key(field, 0);
    varint(v);
  }
  void i64(int field, int64_t v) { u64(field, uint64_t(v)); }
  void bytes(int field, const std::string &s) {
    key(field, 2);
    varint(s.size());
    b += s;
  }
  void packed(int field, const std::vector<uint64_t> &vs) {
    Pb p;
    for (uint64_t v : vs)
      p.varint(v);
    bytes(field, p.b);
  }
};

std::string gzip(const std::string &in) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return {};
  std::string out;
  out.resize(deflateBound(&z, in.size()) + 32);
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
  z.avail_in = uInt(in.size());
  z.next_out = reinterpret_cast<Bytef *>(out.data());
  z.avail_out = uInt(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}
} // namespace

namespace {
// A loaded ELF object: its address range, path and GNU build id (hex).
struct LoadedObject {
  uintptr_t lo = 0, hi = 0;
  std::string path, build_id;
  bool main = false;
};

std::string buildIdOf(const dl_phdr_info *info) {
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr) &ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE)
      continue;
    const char *p = reinterpret_cast<const char *>(info->dlpi_addr + ph.p_vaddr);
    const char *end = p + ph.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      const auto *n = reinterpret_cast<const ElfW(Nhdr) *>(p);
      const char *name = p + sizeof(ElfW(Nhdr));
      const char *desc = name + ((n->n_namesz + 3) & ~3u);
      const char *next = desc + ((n->n_descsz + 3) & ~3u);
      if (next > end)
        break;
      if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
        std::string hexid;
        char b[3];
        for (unsigned k = 0; k < n->n_descsz; ++k) {
          snprintf(b, sizeof b, "%02x", static_cast<unsigned char>(desc[k]));
          hexid += b;
        }
        return hexid;
      }
      p = next;
    }
  }
  return {};
}

std::vector<LoadedObject> loadedObjects() {
  std::vector<LoadedObject> out;
  dl_iterate_phdr(
      [](dl_phdr_info *info, size_t, void *data) {
        auto &v = *static_cast<std::vector<LoadedObject> *>(data);
        LoadedObject o;
        o.lo = UINTPTR_MAX;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr) &ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD)
            continue;
          o.lo = std::min<uintptr_t>(o.lo, info->dlpi_addr + ph.p_vaddr);
          o.hi = std::max<uintptr_t>(o.hi, info->dlpi_addr + ph.p_vaddr + ph.p_memsz);
        }
        if (o.lo >= o.hi)
          return 0;
        o.main = v.empty(); // the program comes first
        o.path = info->dlpi_name ? info->dlpi_name : "";
        if (o.main || o.path.empty()) {
          char exe[4096];
          ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
          if (o.main && n > 0)
            o.path.assign(exe, size_t(n));
        }
        o.build_id = buildIdOf(info);
        v.push_back(std::move(o));
        return 0;
      },
      &out);
  return out;
}
} // namespace

std::string renderPprof(const std::vector<ThreadSnap> &ts, const Tasks &tasks) {
  std::vector<std::string> strings{""};
  std::map<std::string, uint64_t> sidx{{"", 0}};
  auto str = [&](const std::string &s) {
    auto it = sidx.find(s);
    if (it != sidx.end())
      return it->second;
    strings.push_back(s);
    return sidx[s] = strings.size() - 1;
  };
  Pb prof;
  Pb vt;
  vt.i64(1, int64_t(str("thread")));
  vt.i64(2, int64_t(str("count")));
  prof.bytes(1, vt.b);

  std::map<std::string, uint64_t> mappings; // module -> id
  // Mapping 1 is the program (what pprof shows as File:); every mapping
  // carries its GNU build id.
  std::vector<LoadedObject> objects = loadedObjects();
  auto objectOf = [&](uintptr_t pc) -> const LoadedObject * {
    for (const LoadedObject &o : objects)
      if (pc >= o.lo && pc < o.hi)
        return &o;
    return nullptr;
  };
  auto addMapping = [&](const std::string &file, uintptr_t lo, uintptr_t hi, const std::string &build_id) {
    uint64_t mid = mappings.size() + 1;
    mappings[file] = mid;
    Pb m;
    m.u64(1, mid);
    m.u64(2, lo);
    m.u64(3, hi > lo ? hi : lo + 1);
    m.u64(4, 0);
    m.i64(5, int64_t(str(file)));
    if (!build_id.empty())
      m.i64(6, int64_t(str(build_id)));
    m.u64(7, 1); // has_functions: already symbolized, pprof must not redo it
    m.u64(8, 1); // has_filenames
    m.u64(9, 1); // has_line_numbers
    prof.bytes(3, m.b);
    return mid;
  };
  for (const LoadedObject &o : objects)
    if (o.main && !o.path.empty())
      addMapping(o.path, o.lo, o.hi, o.build_id);
  std::map<uintptr_t, uint64_t> locs;
  std::map<std::pair<std::string, std::string>, uint64_t> funcs;
  std::string loc_bytes, fn_bytes, map_bytes;

  // Samples: one per unique (stack, labels, reason); the reason is a label.
  std::map<std::pair<uint32_t, std::string>, std::pair<size_t, const ThreadSnap *>> samples;
  for (const auto &t : ts) {
    std::string key = effectiveReason(t);
    for (auto &[k, v] : t.labels)
      key += "\x1f" + k + "\x1e" + v;
    auto &s = samples[{t.stack, key}];
    s.first++;
    s.second = &t;
  }
  for (auto &[key, val] : samples) {
    const ThreadSnap &t = *val.second;
    std::vector<uint64_t> loc_ids;
    if (t.stack) {
      // One Location per pc; its Lines innermost first, the function the
      // code belongs to last (profile.proto's order for inlined calls).
      std::vector<const Frame *> pending;
      for (const Frame &f : symbolizeStack(t.stack, true)) {
        pending.push_back(&f);
        if (f.inlined)
          continue;
        std::vector<const Frame *> group;
        group.swap(pending);
        auto it = locs.find(f.pc);
        if (it == locs.end()) {
          uint64_t mid = 0;
          if (!f.module.empty()) {
            const LoadedObject *o = objectOf(f.pc > 0 ? f.pc - 1 : f.pc);
            // The program under the name it was given to mapping 1.
            std::string file = o && o->main && !o->path.empty() ? o->path : f.module;
            auto mit = mappings.find(file);
            if (mit == mappings.end())
              mid = addMapping(file, f.module_base, f.module_end, o ? o->build_id : std::string());
            else
              mid = mit->second;
          }
          uint64_t lid = locs.size() + 1;
          locs[f.pc] = lid;
          Pb loc;
          loc.u64(1, lid);
          if (mid)
            loc.u64(2, mid);
          loc.u64(3, f.pc);
          for (const Frame *g : group) {
            auto fk = std::make_pair(g->function, g->file);
            auto fit = funcs.find(fk);
            uint64_t fid;
            if (fit == funcs.end()) {
              fid = funcs.size() + 1;
              funcs[fk] = fid;
              Pb fn;
              fn.u64(1, fid);
              fn.i64(2, int64_t(str(g->function)));
              fn.i64(3, int64_t(str(g->function)));
              fn.i64(4, int64_t(str(g->file)));
              prof.bytes(5, fn.b);
            } else {
              fid = fit->second;
            }
            Pb line;
            line.u64(1, fid);
            line.i64(2, g->line);
            loc.bytes(4, line.b);
          }
          prof.bytes(4, loc.b);
          loc_ids.push_back(lid);
        } else {
          loc_ids.push_back(it->second);
        }
      }
    }
    Pb s;
    if (!loc_ids.empty())
      s.packed(1, loc_ids);
    s.packed(2, {uint64_t(val.first)});
    Pb rl;
    rl.i64(1, int64_t(str("state")));
    rl.i64(2, int64_t(str(effectiveReason(t))));
    s.bytes(3, rl.b);
    for (auto &[k, v] : t.labels) {
      Pb l;
      l.i64(1, int64_t(str(k)));
      l.i64(2, int64_t(str(v)));
      s.bytes(3, l.b);
    }
    prof.bytes(2, s.b);
  }
  // Tasks: one sample per (await point, creation site, reason, labels),
  // labelled kind=task. A task has no machine stack while suspended: its
  // await point is its leaf location and its creation site the caller.
  if (!tasks.empty()) {
    std::map<std::tuple<std::string, std::string, int>, uint64_t> site_locs;
    auto siteLoc = [&](const char *fn, const char *file, int line) {
      std::string f = fn && *fn ? fn : "??", p = file && *file ? file : "";
      auto key = std::make_tuple(f, p, line);
      auto it = site_locs.find(key);
      if (it != site_locs.end())
        return it->second;
      uint64_t fid = funcs.size() + 1;
      auto fk = std::make_pair(f, p);
      auto fit = funcs.find(fk);
      if (fit == funcs.end()) {
        funcs[fk] = fid;
        Pb fnb;
        fnb.u64(1, fid);
        fnb.i64(2, int64_t(str(f)));
        fnb.i64(3, int64_t(str(f)));
        fnb.i64(4, int64_t(str(p)));
        prof.bytes(5, fnb.b);
      } else {
        fid = fit->second;
      }
      // Location ids continue after the threads' (one per pc there).
      uint64_t lid = locs.size() + site_locs.size() + 1;
      site_locs[key] = lid;
      Pb loc;
      loc.u64(1, lid);
      Pb line_b;
      line_b.u64(1, fid);
      line_b.i64(2, line);
      loc.bytes(4, line_b.b);
      prof.bytes(4, loc.b);
      return lid;
    };
    std::map<std::tuple<std::vector<uint64_t>, std::string, uint32_t>, uint64_t> counts;
    for (const TaskSnap &t : tasks) {
      std::vector<uint64_t> ls;
      if (t.at_fn || t.at_file)
        ls.push_back(siteLoc(t.at_fn, t.at_file, t.at_line));
      if (t.site_fn || t.site_file)
        ls.push_back(siteLoc(t.site_fn, t.site_file, t.site_line));
      ++counts[std::make_tuple(std::move(ls), taskReason(t, ts), t.labels)];
    }
    for (auto &[key, n] : counts) {
      Pb smp;
      if (!std::get<0>(key).empty())
        smp.packed(1, std::get<0>(key));
      smp.packed(2, {n});
      auto label = [&](const std::string &k, const std::string &v) {
        Pb l;
        l.i64(1, int64_t(str(k)));
        l.i64(2, int64_t(str(v)));
        smp.bytes(3, l.b);
      };
      label("kind", "task");
      label("state", std::get<1>(key));
      for (auto &[k, v] : labelSet(std::get<2>(key)))
        label(k, v);
      prof.bytes(2, smp.b);
    }
  }
  // string_table must hold every index used above.
  Pb tail;
  Pb pt;
  pt.i64(1, int64_t(str("thread")));
  pt.i64(2, int64_t(str("count")));
  for (const auto &s : strings)
    tail.bytes(6, s);
  tail.i64(9, int64_t(wallNs()));
  tail.bytes(11, pt.b);
  tail.i64(12, 1);
  return gzip(prof.b + tail.b);
}

std::string render(Fmt f, const std::vector<ThreadSnap> &ts, const char *trigger,
                   const Tasks &tasks) {
  std::vector<uint32_t> ids;
  ids.reserve(ts.size() * 2);
  for (const ThreadSnap &t : ts) {
    ids.push_back(t.stack);
    ids.push_back(t.create_stack);
  }
  // JSON and pprof keep every frame with its line; text folds library frames.
  symbolizeStacks(ids, f == Fmt::Json || f == Fmt::Pprof || options().frames_all);
  switch (f) {
  case Fmt::Debug1: return renderDebug1(ts, tasks);
  case Fmt::Json: return renderJson(ts, trigger, tasks);
  case Fmt::Pprof: return renderPprof(ts, tasks);
  case Fmt::Trace: return renderTrace(ts, trigger, tasks);
  case Fmt::Debug2:
  default: return renderDebug2(ts, tasks);
  }
}

// Stacks for reports built elsewhere (lockorder.cpp), in the dumps' forms.
std::string stackText(uint32_t stack_id) {
  if (!stack_id)
    return "(stack unavailable)\n";
  return foldedFrames(textFrames(stack_id),
                      [](const Frame &f) { return f.function + "\n" + fileLine(f); }, "");
}

std::string stackJson(uint32_t stack_id) {
  return stack_id ? framesJson(symbolizeStack(stack_id, true)) : std::string("[]");
}

std::string createdByText(uint32_t create_stack, uint64_t parent_id) {
  std::vector<Frame> cf = create_stack ? creationFrames(create_stack, false) : std::vector<Frame>{};
  if (cf.empty())
    return {};
  std::string o = "created by " + cf[0].function;
  if (parent_id)
    o += " in thread " + std::to_string(parent_id);
  return o + "\n" + fileLine(cf[0]);
}

std::string jsonString(const std::string &s) { return "\"" + jsonEscape(s) + "\""; }

} // namespace tether::rt
