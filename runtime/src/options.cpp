// TETHER_OPTIONS parsing. Self-contained (no other part of the shim), so
// that the option fuzzer (tests/fuzz/rt_options) links exactly this code.
//
// Rule: an option with an unknown key or a bad value is reported with one
// line ("tether: ...") and leaves that option at its default (or at what an
// earlier valid occurrence set): the value is validated completely before
// anything is changed.
#include "rt.h"

#include <climits>
#include <csignal>
#include <cstring>

namespace tether::rt {
namespace {

constexpr size_t kShownMax = 64;     // characters of a bad option echoed back
constexpr size_t kMaxMessages = 16;  // then one summary line
constexpr size_t kMaxPath = 4095;    // PATH_MAX - 1
constexpr uint64_t kMs = 1000000ull;
constexpr uint64_t kHour = 3600ull * 1000000000ull;
constexpr uint64_t kMaxHistory = uint64_t(1) << 22; // 4 Mi events, 480 MiB of ring

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  size_t b = 0;
  for (;;) {
    size_t e = s.find(sep, b);
    out.push_back(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos)
      break;
    b = e + 1;
  }
  return out;
}

// Digits only, no sign, no overflow past max.
bool parseUint(const std::string &s, uint64_t max, uint64_t &out) {
  if (s.empty() || s.size() > 20)
    return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return false;
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, uint64_t(c - '0'), &v))
      return false;
  }
  if (v > max)
    return false;
  out = v;
  return true;
}

bool parseBool(const std::string &v, bool &out) {
  if (v == "1" || v == "true") out = true;
  else if (v == "0" || v == "false") out = false;
  else return false;
  return true;
}

// Non-empty comma-separated items, none of them empty.
bool parseList(const std::string &v, std::vector<std::string> &out) {
  if (v.empty())
    return false;
  std::vector<std::string> items = split(v, ',');
  for (auto &i : items)
    if (i.empty())
      return false;
  out = std::move(items);
  return true;
}

bool parseSignal(const std::string &v, int &out, std::string &why) {
  int lo = SIGRTMIN, hi = SIGRTMAX;
  why = "must be a real-time signal, " + std::to_string(lo) + " to " + std::to_string(hi) +
        " (or SIGRTMIN+n, SIGRTMAX-n)";
  std::string s = v;
  if (s.rfind("SIG", 0) == 0)
    s = s.substr(3);
  uint64_t n = 0;
  long sig;
  if (s.rfind("RTMIN", 0) == 0 || s.rfind("RTMAX", 0) == 0) {
    bool min = s[3] == 'I';
    std::string rest = s.substr(5);
    if (!rest.empty()) {
      if (rest[0] != (min ? '+' : '-') || !parseUint(rest.substr(1), 64, n))
        return false;
    }
    sig = min ? lo + long(n) : hi - long(n);
  } else {
    if (!parseUint(v, 1000, n))
      return false;
    sig = long(n);
  }
  if (sig < lo || sig > hi)
    return false;
  out = int(sig);
  return true;
}

} // namespace

// An option as shown in a message: printable ASCII, at most kShownMax
// characters (a value with a newline must not make a second line).
std::string shownOption(const std::string &s) {
  std::string o;
  for (size_t i = 0; i < s.size(); ++i) {
    if (o.size() >= kShownMax) {
      o += "...";
      break;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      o += char(c);
    } else {
      char b[8];
      snprintf(b, sizeof b, "\\x%02x", c);
      o += b;
    }
  }
  return o;
}

bool parseFormat(const std::string &s, Fmt &out) {
  if (s == "debug2" || s == "2") out = Fmt::Debug2;
  else if (s == "debug1" || s == "1") out = Fmt::Debug1;
  else if (s == "json" || s == "3") out = Fmt::Json;
  else if (s == "pprof" || s == "debug0" || s == "0") out = Fmt::Pprof;
  else if (s == "trace" || s == "4") out = Fmt::Trace;
  else return false;
  return true;
}

// DIGITS[.DIGITS][ns|us|ms|s|m|h]; no unit: seconds. At most 1000 hours.
bool parseDurationNs(const std::string &s, uint64_t &out) {
  size_t i = 0;
  uint64_t whole = 0;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (__builtin_mul_overflow(whole, 10, &whole) ||
        __builtin_add_overflow(whole, uint64_t(s[i] - '0'), &whole))
      return false;
    ++i, ++digits;
  }
  uint64_t frac = 0, frac_scale = 1;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t fd = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (fd < 9) {
        frac = frac * 10 + uint64_t(s[i] - '0');
        frac_scale *= 10;
      }
      ++i, ++fd;
    }
    if (fd == 0)
      return false;
    digits += fd;
  }
  if (digits == 0)
    return false;
  std::string unit = s.substr(i);
  uint64_t mul;
  if (unit == "ns") mul = 1;
  else if (unit == "us") mul = 1000;
  else if (unit == "ms") mul = kMs;
  else if (unit == "s" || unit.empty()) mul = 1000 * kMs;
  else if (unit == "m") mul = 60000 * kMs;
  else if (unit == "h") mul = kHour;
  else return false;
  uint64_t ns;
  if (__builtin_mul_overflow(whole, mul, &ns))
    return false;
  // frac < frac_scale <= 1e9 and mul <= 3.6e12: split to stay in 64 bits.
  uint64_t part = (frac * (mul / 1000)) / frac_scale * 1000 + (frac * (mul % 1000)) / frac_scale;
  if (__builtin_add_overflow(ns, part, &ns) || ns > 1000 * kHour)
    return false;
  out = ns;
  return true;
}

bool parseOptions(const char *text, Options &o, const ErrSink &err) {
  if (!text)
    return true;
  bool ok = true;
  size_t problems = 0;
  auto report = [&](const std::string &line) {
    ok = false;
    ++problems;
    if (!err)
      return;
    if (problems <= kMaxMessages)
      err(line);
  };
  for (const std::string &kv : split(text, ':')) {
    if (kv.empty())
      continue;
    size_t eq = kv.find('=');
    std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
    auto bad = [&](const std::string &why) {
      report("ignoring option '" + shownOption(kv) + "': " + why + "; using the default");
    };
    if (k == "dump_on") {
      std::vector<std::string> items;
      if (!parseList(v, items)) {
        bad("expected a comma-separated list of quit, exit, stuck, none");
        continue;
      }
      bool q = false, e = false, s = false, valid = true;
      for (auto &t : items) {
        if (t == "quit") q = true;
        else if (t == "exit") e = true;
        else if (t == "stuck") s = true;
        else if (t != "none") valid = false;
      }
      if (!valid) {
        bad("expected a comma-separated list of quit, exit, stuck, none");
        continue;
      }
      o.on_quit = q, o.on_exit = e, o.on_stuck = s;
    } else if (k == "output") {
      if (v.empty() || v.size() > kMaxPath)
        bad("expected a file name (or stderr)");
      else
        o.output = v;
    } else if (k == "format") {
      if (!parseFormat(v, o.format))
        bad("expected debug2, debug1, json, pprof or trace");
    } else if (k == "stuck_after") {
      uint64_t ns = 0;
      if (!parseDurationNs(v, ns) || ns < kMs)
        bad("expected a duration from 1ms to 1000h (ns, us, ms, s, m, h)");
      else
        o.stuck_after_ns = ns;
    } else if (k == "check_interval") {
      uint64_t ns = 0;
      if (!parseDurationNs(v, ns) || ns < kMs || ns > kHour)
        bad("expected a duration from 1ms to 1h (ns, us, ms, s, m, h)");
      else
        o.check_interval_ns = ns;
    } else if (k == "deadlock") {
      if (v == "off" || v == "0") o.deadlock = 0;
      else if (v == "report" || v == "1") o.deadlock = 1;
      else if (v == "abort" || v == "2") o.deadlock = 2;
      else bad("expected off, report or abort");
    } else if (k == "all_asleep") {
      if (!parseBool(v, o.all_asleep))
        bad("expected 0 or 1");
    } else if (k == "ignore_top" || k == "ignore_created_by" || k == "ignore_name") {
      std::vector<std::string> items;
      if (!parseList(v, items)) {
        bad("expected a comma-separated list of non-empty patterns");
        continue;
      }
      auto &dst = k == "ignore_top" ? o.ignore_top
                  : k == "ignore_created_by" ? o.ignore_created_by : o.ignore_name;
      dst.insert(dst.end(), items.begin(), items.end());
    } else if (k == "ignore_detached") {
      if (!parseBool(v, o.ignore_detached))
        bad("expected 0 or 1");
    } else if (k == "eager_stacks") {
      if (v == "0" || v == "false") o.eager_stacks = 0;
      else if (v == "1" || v == "true") o.eager_stacks = 1;
      else if (v == "auto" || v == "2") o.eager_stacks = 2;
      else bad("expected 0, 1 or auto");
    } else if (k == "models") {
      if (v.empty() || v.size() > kMaxPath)
        bad("expected a file name");
      else
        o.models = v;
    } else if (k == "stack_signal") {
      std::string why;
      if (!parseSignal(v, o.stack_signal, why))
        bad(why);
    } else if (k == "verbosity") {
      uint64_t n = 0;
      if (!parseUint(v, 9, n))
        bad("expected 0 to 9");
      else
        o.verbosity = int(n);
    } else if (k == "exitcode") {
      uint64_t n = 0;
      if (!parseUint(v, 255, n))
        bad("expected an exit status, 0 to 255");
      else
        o.exitcode = int(n);
    } else if (k == "help") {
      if (!parseBool(v, o.help))
        bad("expected 0 or 1");
    } else if (k == "history") {
      uint64_t n = 0;
      if (!parseUint(v, kMaxHistory, n))
        bad("expected a number of events, 0 to " + std::to_string(kMaxHistory));
      else
        o.history = size_t(n);
    } else if (k == "lock_order") {
      if (v == "0" || v == "false") o.lock_order = 0;
      else if (v == "1" || v == "true") o.lock_order = 1;
      else if (v == "abort" || v == "2") o.lock_order = 2;
      else bad("expected 0, 1 or abort");
    } else if (k == "frames") {
      if (v == "all") o.frames_all = true;
      else if (v == "user") o.frames_all = false;
      else bad("expected user or all");
    } else {
      report("unknown option '" + shownOption(k) + "'");
    }
  }
  if (err && problems > kMaxMessages)
    err(std::to_string(problems - kMaxMessages) + " more bad options ignored");
  return ok;
}

std::string optionsHelp() {
  // Keep in step with parseOptions and the table in docs/runtime/README.md.
  static const char *const rows[][3] = {
      {"dump_on", "quit,exit", "triggers: quit (SIGQUIT dump), exit (leak report), stuck (watchdog), none"},
      {"output", "stderr", "report file; %p: pid, %n: report number (1, 2, ...)"},
      {"format", "debug2", "debug2, debug1, json, pprof or trace (Chrome trace events)"},
      {"history", "8192", "flight recorder: the newest N lifecycle events, in json and trace dumps (0: off)"},
      {"frames", "user", "text dumps: user folds library frames, all shows them"},
      {"exitcode", "66", "exit status after a leak, deadlock, all-asleep or potential-deadlock report (0: keep the program's)"},
      {"deadlock", "report", "off, report, or abort (report, then abort())"},
      {"all_asleep", "1", "report when every thread is blocked with no timeout"},
      {"lock_order", "0", "1: report potential deadlocks (lock-order inversions); abort: then abort()"},
      {"stuck_after", "30s", "watchdog threshold (with dump_on=stuck)"},
      {"check_interval", "100ms", "monitor period"},
      {"ignore_top", "", "leak report: ignore threads whose innermost frames match"},
      {"ignore_created_by", "", "leak report: ignore threads whose creation stack matches"},
      {"ignore_name", "", "leak report: ignore threads by name (prefix*)"},
      {"ignore_detached", "0", "leak report: 1 treats detached threads as daemons"},
      {"eager_stacks", "auto", "capture stacks when threads block: 0, 1 or auto"},
      {"models", "", "extra wait-reason table (TSV)"},
      {"stack_signal", "SIGRTMIN+4", "real-time signal used to sample stacks"},
      {"verbosity", "0", "0 quiet; 1 a line per report written and at start"},
      {"help", "0", "1: print this list and exit"},
  };
  std::string o = "tether: TETHER_OPTIONS=key=value:key=value, options and defaults:\n";
  for (auto &r : rows) {
    char line[256];
    snprintf(line, sizeof line, "  %-18s %-11s %s\n", r[0], *r[1] ? r[1] : "-", r[2]);
    o += line;
  }
  return o;
}

} // namespace tether::rt
