// Torture tests of the runtime shim: credential changes, hostile option
// values, odd thread names, a recycled fd 2, dumps racing exit, valgrind.
// Every test runs its program in a sandbox directory (cwd and TMPDIR),
// asserts the exit status and tether's exact messages, and that no file
// other than the ones it names was created or changed.
#include "harness.h"

#include <algorithm>
#include <csignal>
#include <regex>
#include <sys/stat.h>

using namespace harness;

namespace {

// TETHER_TEST_RT_LIB runs the tests against another build of the shim (to
// compare with an older one).
std::string rtLib() {
  const char *e = getenv("TETHER_TEST_RT_LIB");
  return e && *e ? e : TETHER_RT_LIB;
}

std::string prog(const std::string &name) { return std::string(TETHER_PROG_DIR) + "/rtprog_" + name; }

bool haveCommand(const char *cmd) {
  std::string c = std::string("command -v ") + cmd + " >/dev/null 2>&1";
  return system(c.c_str()) == 0;
}

// Expects exactly the named files of the sandbox to be new or changed, and
// no new tether fallback file in the system temporary directory.
void expectChanged(const Listing &before, const Sandbox &box, std::vector<std::string> names) {
  std::vector<std::string> got = changed(before, box.listing());
  std::sort(got.begin(), got.end());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(got, names);
  EXPECT_EQ(fallbackFiles(P_tmpdir), box.tmp_fallbacks);
}

// ------------------------------------------------------------------ setxid
TEST(Setxid, DropToNobodyWithThreadsRunning) {
  if (geteuid() != 0)
    GTEST_SKIP() << "needs root to change credentials";
  Sandbox box;
  chmod(box.dir.c_str(), 01777); // the report is written as nobody
  Listing before = box.listing();
  Result r = spawn({{prog("setxid"), "plain"},
                    {"TETHER_OPTIONS=output=" + box.path("report")},
                    rtLib(),
                    box.dir});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "uid 65534 gid 65534\n");
  EXPECT_EQ(r.err, "");
  // The monitor restarted after the change and still answers SIGQUIT.
  EXPECT_NE(readFile(box.path("report")).find("tether: thread dump (SIGQUIT)"), std::string::npos);
  expectChanged(before, box, {"report"});
}

TEST(Setxid, KeepCapsThenCapsetThenSetresgid) {
  if (geteuid() != 0)
    GTEST_SKIP() << "needs root to change credentials";
  Sandbox box;
  Listing before = box.listing();
  Result r = spawn({{prog("setxid"), "keepcaps"}, {}, rtLib(), box.dir});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "uid 65534 gid 65534\n");
  EXPECT_EQ(r.err, "");
  expectChanged(before, box, {});
}

TEST(Setxid, SetprivClearGroups) {
  if (geteuid() != 0)
    GTEST_SKIP() << "needs root to change credentials";
  if (!haveCommand("setpriv"))
    GTEST_SKIP() << "setpriv (util-linux) not installed";
  Sandbox box;
  chmod(box.dir.c_str(), 01777);
  Listing before = box.listing();
  Result r = spawn({{"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                     prog("setxid"), "dump"},
                    {"TETHER_OPTIONS=output=" + box.path("report")},
                    rtLib(),
                    box.dir});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "uid 65534 gid 65534\n");
  EXPECT_EQ(r.err, "");
  EXPECT_NE(readFile(box.path("report")).find("tether: thread dump (SIGQUIT)"), std::string::npos);
  expectChanged(before, box, {"report"});
}

// ----------------------------------------------------------- option values
// Every bad option: one line on stderr, the default kept, and the program
// behaves as without it (its SIGQUIT dump still works, with the stack of a
// thread that is asked for it with the stack signal).
struct BadOption {
  const char *name;   // test name
  std::string option; // as given in TETHER_OPTIONS ("@" stands for the sandbox)
  std::string why;    // expected reason; empty: unknown option
};

void PrintTo(const BadOption &b, std::ostream *os) { *os << b.option; }

std::string rtRange() {
  return "must be a real-time signal, " + std::to_string(SIGRTMIN) + " to " +
         std::to_string(SIGRTMAX) + " (or SIGRTMIN+n, SIGRTMAX-n)";
}

const std::string kList = "expected a comma-separated list of quit, exit, stuck, none";
const std::string kDur = "expected a duration from 1ms to 1000h (ns, us, ms, s, m, h)";
const std::string kInterval = "expected a duration from 1ms to 1h (ns, us, ms, s, m, h)";
const std::string kPatterns = "expected a comma-separated list of non-empty patterns";

std::vector<BadOption> badOptions() {
  return {
      {"StackSignalKill", "stack_signal=9", rtRange()},
      {"StackSignalStop", "stack_signal=19", rtRange()},
      {"StackSignalQuit", "stack_signal=3", rtRange()},
      {"StackSignalGlibcCancel", "stack_signal=32", rtRange()},
      {"StackSignalGlibcSetxid", "stack_signal=33", rtRange()},
      {"StackSignalZero", "stack_signal=0", rtRange()},
      {"StackSignalNegative", "stack_signal=-35", rtRange()},
      {"StackSignalPastMax", "stack_signal=SIGRTMAX+1", rtRange()},
      {"StackSignalOverflow", "stack_signal=99999999999999999999999", rtRange()},
      {"StackSignalText", "stack_signal=USR1", rtRange()},
      {"StackSignalEmpty", "stack_signal=", rtRange()},
      {"ModelsDevZero", "models=/dev/zero", "not a regular file"},
      {"ModelsFifoWithoutWriter", "models=@/fifo", "not a regular file"},
      {"ModelsDirectory", "models=@", "not a regular file"},
      {"ModelsTooLarge", "models=@/big.tsv", "larger than 16 MiB"},
      {"ModelsMissing", "models=@/missing.tsv", "No such file or directory"},
      {"ModelsEmpty", "models=", "expected a file name"},
      {"DumpOnUnknown", "dump_on=bogus", kList},
      {"DumpOnPartlyUnknown", "dump_on=exit,bogus", kList},
      {"DumpOnEmpty", "dump_on=", kList},
      {"DumpOnEmptyItem", "dump_on=quit,,exit", kList},
      {"FormatUnknown", "format=xml", "expected debug2, debug1, json, pprof or trace"},
      {"FormatEmpty", "format=", "expected debug2, debug1, json, pprof or trace"},
      {"FormatControlChars", "format=j\\x01\\x0a", "expected debug2, debug1, json, pprof or trace"},
      {"StuckAfterNegative", "stuck_after=-1s", kDur},
      {"StuckAfterExponent", "stuck_after=1e3", kDur},
      {"StuckAfterNan", "stuck_after=nan", kDur},
      {"StuckAfterUnit", "stuck_after=5x", kDur},
      {"StuckAfterOverflow", "stuck_after=99999999999999999999h", kDur},
      {"StuckAfterEmpty", "stuck_after=", kDur},
      {"CheckIntervalZero", "check_interval=0", kInterval},
      {"CheckIntervalTooLong", "check_interval=2h", kInterval},
      {"DeadlockUnknown", "deadlock=maybe", "expected off, report or abort"},
      {"AllAsleepText", "all_asleep=yes", "expected 0 or 1"},
      {"AllAsleepEmpty", "all_asleep=", "expected 0 or 1"},
      {"LockOrderText", "lock_order=yes", "expected 0, 1 or abort"},
      {"LockOrderTwoWords", "lock_order=report", "expected 0, 1 or abort"},
      {"IgnoreTopEmpty", "ignore_top=", kPatterns},
      {"IgnoreNameEmptyItem", "ignore_name=a,,b", kPatterns},
      {"IgnoreDetachedTwo", "ignore_detached=2", "expected 0 or 1"},
      {"EagerStacksThree", "eager_stacks=3", "expected 0, 1 or auto"},
      {"VerbosityNegative", "verbosity=-1", "expected 0 to 9"},
      {"VerbosityTooLarge", "verbosity=99", "expected 0 to 9"},
      {"OutputEmpty", "output=", "expected a file name (or stderr)"},
      {"ExitcodeNegative", "exitcode=-1", "expected an exit status, 0 to 255"},
      {"ExitcodeTooLarge", "exitcode=256", "expected an exit status, 0 to 255"},
      {"ExitcodeText", "exitcode=fail", "expected an exit status, 0 to 255"},
      {"HelpText", "help=yes", "expected 0 or 1"},
      {"FramesUnknown", "frames=some", "expected user or all"},
      {"HistoryNegative", "history=-1", "expected a number of events, 0 to 4194304"},
      {"HistoryTooLarge", "history=4194305", "expected a number of events, 0 to 4194304"},
      {"HistoryText", "history=lots", "expected a number of events, 0 to 4194304"},
      {"HistoryEmpty", "history=", "expected a number of events, 0 to 4194304"},
      {"UnknownKey", "x=1", ""},
      {"UnknownKeyWithoutValue", "x", ""},
  };
}

class Options : public ::testing::TestWithParam<BadOption> {};

std::string unescape(const std::string &s) {
  std::string o;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x') {
      o += char(std::stoi(s.substr(i + 2, 2), nullptr, 16));
      i += 3;
    } else {
      o += s[i];
    }
  }
  return o;
}

std::string replaceAt(std::string s, const std::string &dir) {
  size_t p = s.find('@');
  if (p != std::string::npos)
    s.replace(p, 1, dir);
  return s;
}

TEST_P(Options, BadValueIsReportedOnceAndDefaultKept) {
  const BadOption &c = GetParam();
  Sandbox box;
  ASSERT_EQ(mkfifo(box.path("fifo").c_str(), 0600), 0);
  ASSERT_EQ(truncate((writeFile(box.path("big.tsv"), ""), box.path("big.tsv")).c_str(),
                     (16 << 20) + 1), 0);
  Listing before = box.listing();
  std::string option = replaceAt(unescape(c.option), box.dir);
  Result r = spawn({{prog("dump_io")},
                    {"TETHER_OPTIONS=output=" + box.path("report") + ":" + option},
                    rtLib(),
                    box.dir,
                    30});
  ASSERT_FALSE(r.timed_out) << option;
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "done\n");
  std::string key = option.substr(0, option.find('='));
  std::string shown = replaceAt(c.option, box.dir);
  if (c.why.empty())
    EXPECT_EQ(r.err, "tether: unknown option '" + key + "'\n");
  else
    EXPECT_EQ(r.err, "tether: ignoring option '" + shown + "': " + c.why + "; using the default\n");
  std::string report = readFile(box.path("report"));
  EXPECT_EQ(report.rfind("tether: thread dump (SIGQUIT)\n", 0), 0u) << report;
  EXPECT_TRUE(report.find("[IO wait") != std::string::npos &&
              report.find("(stack unavailable)") == std::string::npos)
      << report;
  expectChanged(before, box, {"report"});
}

INSTANTIATE_TEST_SUITE_P(Torture, Options, ::testing::ValuesIn(badOptions()),
                         [](const auto &info) { return std::string(info.param.name); });

// Good values in every accepted spelling produce no message.
TEST(OptionsGood, AcceptedSpellingsAreSilent) {
  Sandbox box;
  Listing before = box.listing();
  std::string opts = "output=" + box.path("report") +
                     ":dump_on=quit,exit:format=debug2:stuck_after=1.5h:check_interval=250ms"
                     ":deadlock=report:all_asleep=true:ignore_top=a,b:ignore_created_by=c"
                     ":ignore_name=mc-*:ignore_detached=0:eager_stacks=auto:stack_signal=SIGRTMIN+5"
                     ":verbosity=0:exitcode=66:help=0:frames=user:lock_order=0::";
  Result r = spawn({{prog("dump_io")}, {"TETHER_OPTIONS=" + opts}, rtLib(), box.dir, 30});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "done\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(readFile(box.path("report")).rfind("tether: thread dump (SIGQUIT)\n", 0), 0u);
  expectChanged(before, box, {"report"});
}

// ------------------------------------------------------- CI conventions
std::string checkJsonFiles(const std::vector<std::string> &files);

// help=1 lists every option with its default on stderr and exits 0 before
// the program runs.
TEST(Help, ListsEveryOptionWithItsDefaultAndExits) {
  Sandbox box;
  Listing before = box.listing();
  Result r = spawn({{prog("dump_io")}, {"TETHER_OPTIONS=help=1"}, rtLib(), box.dir, 30});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, ""); // main never ran
  EXPECT_EQ(r.err.rfind("tether: TETHER_OPTIONS=key=value:key=value, options and defaults:\n", 0),
            0u)
      << r.err;
  const std::pair<const char *, const char *> want[] = {
      {"dump_on", "quit,exit"}, {"output", "stderr"},      {"format", "debug2"},
      {"frames", "user"},       {"exitcode", "66"},        {"deadlock", "report"},
      {"all_asleep", "1"},      {"stuck_after", "30s"},    {"check_interval", "100ms"},
      {"ignore_top", "-"},      {"ignore_created_by", "-"}, {"ignore_name", "-"},
      {"ignore_detached", "0"}, {"eager_stacks", "auto"},  {"models", "-"},
      {"stack_signal", "SIGRTMIN+4"}, {"verbosity", "0"},  {"help", "0"},
      {"history", "8192"},      {"lock_order", "0"}};
  for (auto &[key, def] : want)
    EXPECT_TRUE(std::regex_search(r.err, std::regex("\n  " + std::string(key) + " +" +
                                                    std::regex_replace(def, std::regex("\\+"), "\\+") +
                                                    " +\\S")))
        << key << "\n" << r.err;
  expectChanged(before, box, {});
}

// verbosity=1: one line at start, one per report written.
TEST(Verbosity, OneLineAtStartAndPerReport) {
  Sandbox box;
  Listing before = box.listing();
  std::string report = box.path("report");
  Result r = spawn({{prog("dump_io")},
                    {"TETHER_OPTIONS=verbosity=1:output=" + report},
                    rtLib(),
                    box.dir,
                    30});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "done\n");
  EXPECT_TRUE(std::regex_match(r.err, std::regex("tether: active in pid \\d+, reports to '" + report +
                                                 "'\ntether: wrote the SIGQUIT report to '" +
                                                 report + "'\n")))
      << r.err;
  expectChanged(before, box, {"report"});
}

// output=DIR/report.%p.%n: one file per report, numbered; json and pprof
// reports get a file each even without %n (FILE, FILE.2, ...), created
// afresh, so every file is one document a reader accepts.
TEST(Output, NumberedFilePerReport) {
  for (const char *format : {"debug2", "json", "pprof"}) {
    Sandbox box;
    Listing before = box.listing();
    Result r = spawn({{prog("dump_twice"), box.dir},
                      {"TETHER_OPTIONS=format=" + std::string(format) + ":output=" + box.dir +
                       "/report.%p.%n"},
                      rtLib(),
                      box.dir,
                      60});
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    std::string base = "report." + std::to_string(r.pid) + ".";
    for (const char *n : {"1", "2"}) {
      std::string text = readFile(box.path(base + n));
      if (std::string(format) == "debug2")
        EXPECT_EQ(text.rfind("tether: thread dump (SIGQUIT)\n", 0), 0u) << format << n;
      else if (std::string(format) == "json")
        EXPECT_EQ(checkJsonFiles({box.path(base + n)}), "ok 2\n") << format << n;
      else
        EXPECT_EQ(text.substr(0, 2), std::string("\x1f\x8b", 2)) << format << n;
      // Each dump is a profile the real pprof client reads whole.
      if (std::string(format) == "pprof" && haveCommand("go")) {
        std::string cmd = "HOME=" + box.dir + " go tool pprof -top " + box.path(base + n) + " 2>&1";
        std::string top;
        if (FILE *p = popen(cmd.c_str(), "r")) {
          char buf[4096];
          size_t k;
          while ((k = fread(buf, 1, sizeof buf, p)) > 0)
            top.append(buf, k);
          pclose(p);
        }
        EXPECT_EQ(top.rfind("File: rtprog_dump_twice\n", 0), 0u) << top;
        EXPECT_NE(top.find("Showing nodes accounting for 2, 100% of 2 total"), std::string::npos) << top;
      }
    }
    expectChanged(before, box, {base + "1", base + "2"});
  }
}

TEST(Output, JsonAndPprofWithoutNumberGetAFileEach) {
  for (const char *format : {"json", "pprof"}) {
    Sandbox box;
    Listing before = box.listing();
    writeFile(box.path("report"), "stale text that must not stay in front of the dump\n");
    Result r = spawn({{prog("dump_twice"), box.dir, "3"},
                      {"TETHER_OPTIONS=format=" + std::string(format) + ":output=" + box.path("report")},
                      rtLib(),
                      box.dir,
                      60});
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    for (const char *f : {"report", "report.2", "report.3"}) {
      std::string text = readFile(box.path(f));
      if (std::string(format) == "json")
        EXPECT_EQ(checkJsonFiles({box.path(f)}), "ok 2\n") << f;
      else
        EXPECT_EQ(text.substr(0, 2), std::string("\x1f\x8b", 2)) << f;
    }
    expectChanged(before, box, {"report", "report.2", "report.3"});
  }
}

// ------------------------------------------------------------ fd 2 identity
// The program closes fds 0-2 and its data file lands on fd 2: tether's dump
// and exit report go to TMPDIR/tether.PID.log, never into the data file;
// started with fds 0-2 open, or closed.
void checkReusedStderr(bool start_closed) {
  Sandbox box;
  Listing before = box.listing();
  Spawn s{{prog("reused_stderr")}, {}, rtLib(), box.dir, 60};
  s.close_std = start_closed;
  Result r = spawn(s);
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 66); // the exit leak report (in the fallback file) sets it
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(readFile(box.path("data.txt")), "payload\n");
  std::vector<std::string> fb = fallbackFiles(box.dir);
  ASSERT_EQ(fb.size(), 1u);
  struct stat st;
  ASSERT_EQ(stat(box.path(fb[0]).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string log = readFile(box.path(fb[0]));
  EXPECT_EQ(log.rfind("tether: thread dump (SIGQUIT)\n", 0), 0u) << log;
  EXPECT_NE(log.find("tether: 1 thread(s) still running at exit that nobody joined:"),
            std::string::npos)
      << log;
  expectChanged(before, box, {"data.txt", fb[0]});
}

TEST(ReusedStderr, DataFileOnFd2GetsNoReport) { checkReusedStderr(false); }
TEST(ReusedStderr, StartedWithStdFdsClosed) { checkReusedStderr(true); }

// ------------------------------------------------------- dump racing exit
// Strict JSON check of files: python3's json.loads on bytes decoded as
// strict UTF-8. Prints one line per file: "ok N" (N threads) or the error.
std::string checkJsonFiles(const std::vector<std::string> &files) {
  std::string cmd =
      "python3 -c 'import json,sys\n"
      "for p in sys.argv[1:]:\n"
      "  try:\n"
      "    d=json.loads(open(p,\"rb\").read().decode(\"utf-8\",errors=\"strict\"))\n"
      "    print(\"ok\",len(d[\"threads\"]))\n"
      "  except Exception as e:\n"
      "    print(\"bad\",type(e).__name__)\n'";
  for (auto &f : files)
    cmd += " '" + f + "'";
  return capture(cmd);
}

TEST(DumpAtExit, SigquitThenExitKeepsTheWholeDump) {
  if (!haveCommand("python3"))
    GTEST_SKIP() << "python3 not installed";
  constexpr int kRuns = 30;
  Sandbox box;
  Listing before = box.listing();
  std::vector<std::string> files, names;
  for (int i = 0; i < kRuns; ++i) {
    std::string name = "dump" + std::to_string(i) + ".json";
    names.push_back(name);
    files.push_back(box.path(name));
    Result r = spawn({{prog("quit_exit")},
                      {"TETHER_OPTIONS=format=json:dump_on=quit:output=" + files.back()},
                      rtLib(),
                      box.dir,
                      30});
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
  }
  std::string got = checkJsonFiles(files), want;
  for (int i = 0; i < kRuns; ++i)
    want += "ok 9\n"; // main and its eight threads
  EXPECT_EQ(got, want);
  expectChanged(before, box, names);
}

// ------------------------------------------------------ JSON is valid UTF-8
// Each thread's name and labels as python3 decodes them from the dump (read
// as strict UTF-8, parsed by json.loads), re-encoded ASCII-only.
std::string jsonNamesAndLabels(const std::string &file) {
  std::string cmd =
      "python3 -c 'import json,sys\n"
      "d=json.loads(open(sys.argv[1],\"rb\").read().decode(\"utf-8\",errors=\"strict\"))\n"
      "for t in d[\"threads\"]: print(json.dumps([t[\"name\"],t[\"labels\"]],ensure_ascii=True))\n"
      "' '" + file + "' 2>&1";
  return capture(cmd);
}

TEST(JsonUtf8, NamesAndLabelsWithInvalidBytesAndControlChars) {
  if (!haveCommand("python3"))
    GTEST_SKIP() << "python3 not installed";
  Sandbox box;
  Listing before = box.listing();
  Result r = spawn({{prog("json_names")}, {}, rtLib(), box.dir, 30});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  // Every invalid byte is one U+FFFD; valid sequences are kept.
  const std::string nasty =
      R"(a\ufffdb\ufffdc\ufffd\ufffdd\ufffd\ufffd\ufffde\ufffd\ufffd\"q\\b\u0001\n\t\u007f)"
      R"(\u00e9\u20ac\ud83d\ude00)";
  EXPECT_EQ(jsonNamesAndLabels(box.path("dump.json")),
            "[\"" + nasty + "\", {}]\n" +
                "[\"01234567890123456789012345678901234567890123\\ufffd\\ufffd\\ufffd\", {\"" +
                nasty + "\": \"" + nasty + "\"}]\n");
  expectChanged(before, box, {"dump.json"});
}

// ---------------------------------------------------------------- valgrind
// valgrind 3.19 stops reading a module whose DWARF it cannot parse
// ("Possibly corrupted debuginfo file") and, for the shim, aborts the run.
void runUnderValgrind(const std::string &program, bool program_dwarf4) {
  if (!haveCommand("valgrind"))
    GTEST_SKIP() << "valgrind not installed";
  Sandbox box;
  Listing before = box.listing();
  Result r = spawn({{"/usr/bin/env", "valgrind", "--error-exitcode=99", "--quiet", prog(program)},
                    {},
                    rtLib(),
                    box.dir,
                    120});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "sum 1998000 async 42\n");
  EXPECT_EQ(r.err.find("corrupted debuginfo"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("libtether_rt"), std::string::npos) << r.err;
  if (program_dwarf4)
    EXPECT_EQ(r.err, "");
  expectChanged(before, box, {});
}

TEST(Valgrind, CleanProgramWithShimPreloaded) { runUnderValgrind("clean", false); }
TEST(Valgrind, CleanProgramDwarf4WithShimPreloadedIsSilent) {
  runUnderValgrind("clean_dwarf4", true);
}

} // namespace
