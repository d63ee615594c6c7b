// Runs the small programs in programs/ under the shim, both LD_PRELOADed into
// a plain build and linked into a build, and checks what tether reports.
#include "harness.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <tuple>
#include <unistd.h>
#include <vector>


namespace {

enum class Mode { Preload, Linked, Static };
const char *modeName(Mode m) {
  return m == Mode::Preload ? "Preload" : m == Mode::Linked ? "Linked" : "Static";
}
// gtest prints a mode by its name, not its bytes.
void PrintTo(Mode m, std::ostream *os) { *os << modeName(m); }

struct Result {
  int status = -1; // exit code, or 128+signal
  bool timed_out = false;
  std::string out, err, report;
  std::string report2; // a second JSON or pprof report (output FILE.2)
};

using harness::readFile;

std::string tempPath(const std::string &tag) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s/tether-rt-%s-%d-XXXXXX", P_tmpdir, tag.c_str(), getpid());
  int fd = mkstemp(buf);
  close(fd);
  unlink(buf); // tether creates it (0600, O_NOFOLLOW)
  return buf;
}

Result run(const std::string &name, Mode mode, const std::string &options,
           std::vector<std::string> args = {}, int timeout_s = 60) {
  std::string exe = std::string(TETHER_PROG_DIR) + "/rtprog_" + name +
                    (mode == Mode::Linked ? "_linked" : mode == Mode::Static ? "_static" : "");
  std::string report = tempPath(name);
  harness::Spawn s;
  s.argv = {exe};
  s.argv.insert(s.argv.end(), args.begin(), args.end());
  s.env = {"TETHER_OPTIONS=output=" + report + (options.empty() ? "" : ":" + options)};
  if (mode == Mode::Preload)
    s.preload = TETHER_RT_LIB;
  s.timeout_s = timeout_s;
  harness::Result h = harness::spawn(s);
  Result r;
  r.status = h.status;
  r.timed_out = h.timed_out;
  r.out = std::move(h.out);
  r.err = std::move(h.err);
  r.report = readFile(report);
  r.report2 = readFile(report + ".2");
  unlink(report.c_str());
  unlink((report + ".2").c_str());
  return r;
}

int lineOf(const std::string &file, const std::string &marker) {
  std::ifstream in(std::string(TETHER_PROG_SRC) + "/" + file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find(marker) != std::string::npos)
      return n;
  return -1;
}

// The debug=2 block of the thread named `name`.
std::string block(const std::string &report, const std::string &name) {
  size_t p = report.find("\"" + name + "\" [");
  if (p == std::string::npos)
    return {};
  size_t start = report.rfind("thread ", p);
  size_t end = report.find("\n\n", p);
  return report.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
}

bool matches(const std::string &s, const std::string &re) {
  return std::regex_search(s, std::regex(re));
}

using harness::capture;

size_t count(const std::string &s, const std::string &what) {
  size_t n = 0;
  for (size_t p = 0; (p = s.find(what, p)) != std::string::npos; p += what.size())
    ++n;
  return n;
}

class Programs : public ::testing::TestWithParam<Mode> {};

#ifdef TETHER_HAVE_CONCURRENTQUEUE
// A receive that only a library model names: the thread sleeps in sem_wait
// ("semacquire"), and the model's wait_dequeue frame refines it.
TEST_P(Programs, CloselessQueueConsumerShowsChanReceive) {
  Result r = run("closeless_queue", GetParam(), "deadlock=report");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  std::string b = block(r.report, "encoder");
  ASSERT_FALSE(b.empty()) << r.report;
  EXPECT_TRUE(matches(b, R"(^thread \d+ "encoder" \[chan receive, 1\.\d{3}s\]:)")) << b;
  EXPECT_TRUE(matches(b, "\nvoid moodycamel::BlockingConcurrentQueue<[^\n]*>::wait_dequeue<int>\\(int&\\)\n"))
      << b;
  int line = lineOf("closeless_queue.cpp", "ENCODER-WAITS");
  EXPECT_TRUE(matches(b, "\nencode\\([^\n]*\\)\n\t\\S*closeless_queue\\.cpp:" + std::to_string(line) +
                             " \\+0x"))
      << b;
  EXPECT_TRUE(matches(b, R"(blocked on semaphore 0x[0-9a-f]+)")) << b;
}
#endif

#if defined(TETHER_ANALYZER) && defined(TETHER_MODELGEN)
// The chain a user runs for the project's own queue: `tether models --infer`
// reads FrameQueue as a channel from its code, the YAML validates,
// tether-modelgen turns it into the runtime's table, and with that table the
// consumer's condition-variable wait is a channel receive.
TEST_P(Programs, InferredQueueConsumerShowsChanReceive) {
  char tmpl[] = "/tmp/tether-rt-infer-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::string src = std::string(TETHER_PROG_SRC) + "/inferred_queue.cpp";
  {
    std::ofstream db(dir + "/compile_commands.json");
    db << "[{\"directory\": \"" << dir << "\", \"file\": \"" << src
       << "\", \"arguments\": [\"" << TETHER_TEST_CXX << "\", \"-std=c++20\", \"-c\", \"" << src
       << "\"]}]\n";
  }
  std::string yaml = dir + "/inferred.yaml", tsv = dir + "/inferred.tsv";
  ASSERT_EQ(system((std::string(TETHER_ANALYZER) + " models --infer -p " + dir + " > " + yaml).c_str()), 0);
  std::string inferred = readFile(yaml);
  EXPECT_TRUE(matches(inferred, R"(types:\s*\n\s*- FrameQueue\n)")) << inferred;
  EXPECT_TRUE(matches(inferred, R"(\n\s*inferred:\s*true\n)")) << inferred;
  ASSERT_EQ(system((std::string(TETHER_ANALYZER) + " models --validate " + yaml + " >/dev/null").c_str()), 0)
      << inferred;
  ASSERT_EQ(system((std::string(TETHER_MODELGEN) + " -o " + tsv + " " + yaml).c_str()), 0);
  std::string table = readFile(tsv);
  EXPECT_NE(table.find("FrameQueue::pop\tchan receive"), std::string::npos) << table;

  Result r = run("inferred_queue", GetParam(), "deadlock=report:models=" + tsv);
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  std::string b = block(r.report, "encoder");
  ASSERT_FALSE(b.empty()) << r.report;
  EXPECT_TRUE(matches(b, R"(^thread \d+ "encoder" \[chan receive, 1\.\d{3}s\]:)")) << b;
  EXPECT_TRUE(matches(b, R"(\nFrameQueue::pop\(\)\n)")) << b;
  // Without the table the same wait is only a condition variable's.
  Result plain = run("inferred_queue", GetParam(), "deadlock=report");
  EXPECT_TRUE(matches(block(plain.report, "encoder"), R"(^thread \d+ "encoder" \[cond wait, )"))
      << plain.report;
  for (const std::string &f : {yaml, tsv, dir + "/compile_commands.json"})
    unlink(f.c_str());
  rmdir(dir.c_str());
}
#endif

TEST_P(Programs, PipelineConsumerShowsChanReceiveWithCreationSite) {
  Result r = run("pipeline", GetParam(), "deadlock=report");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  std::string b = block(r.report, "consumer");
  ASSERT_FALSE(b.empty()) << r.report;
  EXPECT_TRUE(matches(b, R"(^thread \d+ "consumer" \[chan receive, 1\.\d{3}s\]:)")) << b;
  EXPECT_TRUE(matches(b, R"(\nmsd::channel<int>::read\(int&\)\n\t\S*pipeline\.cpp:\d+ \+0x[0-9a-f]+)"))
      << b;
  int line = lineOf("pipeline.cpp", "CONSUMER-CREATED");
  EXPECT_TRUE(matches(b, "\ncreated by main in thread 1\n\t\\S*pipeline\\.cpp:" +
                             std::to_string(line) + " \\+0x"))
      << b;
  EXPECT_TRUE(matches(b, R"(blocked on condition variable 0x[0-9a-f]+)")) << b;
}

TEST_P(Programs, AbbaDeadlockIsReportedAsCycle) {
  Result r = run("abba", GetParam(), "check_interval=50ms");
  ASSERT_FALSE(r.timed_out);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(A=(0x[0-9a-f]+) B=(0x[0-9a-f]+))"))) << r.out;
  std::string a = m[1], b = m[2];
  const std::string &rep = r.report;
  EXPECT_NE(rep.find("Found one deadlock:"), std::string::npos) << rep;
  EXPECT_TRUE(matches(rep, "\"thread \\d+ ab\":\n  waiting to lock mutex " + b +
                               ", which is held by \"thread \\d+ ba\""))
      << rep;
  EXPECT_TRUE(matches(rep, "\"thread \\d+ ba\":\n  waiting to lock mutex " + a +
                               ", which is held by \"thread \\d+ ab\""))
      << rep;
  EXPECT_TRUE(matches(rep, R"(thread \d+ "ab" \[mutex lock, \d)")) << rep;
  EXPECT_TRUE(matches(rep, "blocked on mutex " + a + " held by thread \\d+ \"ab\"")) << rep;
  // Reported once, not on every scan.
  EXPECT_EQ(rep.find("Found one deadlock:"), rep.rfind("Found one deadlock:")) << rep;
  // Both members' stacks, down to the lambdas in abba.cpp.
  EXPECT_EQ(rep.find("(stack unavailable)"), std::string::npos) << rep;
  EXPECT_TRUE(matches(rep, R"(\nmain::\$_0::operator\(\)\(\) const\n\t\S*abba\.cpp:\d+)")) << rep;
  EXPECT_TRUE(matches(rep, R"(\nmain::\$_1::operator\(\)\(\) const\n\t\S*abba\.cpp:\d+)")) << rep;
}

// eager_stacks: 0 asks blocked threads for their stacks when the report is
// written; auto (default) captures eagerly only for threads that block the
// stack signal, so a deadlock between such threads still has its stacks.
TEST_P(Programs, DeadlockStacksWithLazyAndAutoCapture) {
  for (const char *opt : {"check_interval=50ms:eager_stacks=0",
                          "check_interval=50ms:eager_stacks=1"}) {
    Result r = run("abba", GetParam(), opt);
    ASSERT_FALSE(r.timed_out);
    EXPECT_NE(r.report.find("Found one deadlock:"), std::string::npos) << opt << r.report;
    EXPECT_EQ(r.report.find("(stack unavailable)"), std::string::npos) << opt << r.report;
    EXPECT_TRUE(matches(r.report, R"(\nmain::\$_1::operator\(\)\(\) const\n\t\S*abba\.cpp:\d+)"))
        << opt << r.report;
  }
  Result r = run("abba", GetParam(), "check_interval=50ms", {"masked"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_NE(r.report.find("Found one deadlock:"), std::string::npos) << r.report;
  EXPECT_EQ(r.report.find("(stack unavailable)"), std::string::npos) << r.report;
  EXPECT_TRUE(matches(r.report, R"(\nmain::\$_0::operator\(\)\(\) const\n\t\S*abba\.cpp:\d+)"))
      << r.report;
  // Without eager capture a thread that blocks every signal cannot answer.
  r = run("abba", GetParam(), "check_interval=50ms:eager_stacks=0", {"masked"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_NE(r.report.find("Found one deadlock:"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("(stack unavailable)"), std::string::npos) << r.report;
}

// Lock-order inversions (lock_order=1): an order that can hang is reported
// once, although the run itself never hangs (the threads run one after
// another), with two stacks per edge.
TEST_P(Programs, LockOrderInversionReportedOnceWithBothStacks) {
  Result r = run("lock_order", GetParam(), "lock_order=1", {"transfer"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 66) << r.err; // exitcode, as after any report
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(a=(0x[0-9a-f]+) b=(0x[0-9a-f]+))"))) << r.out;
  std::string a = m[1], b = m[2];
  const std::string &rep = r.report;
  EXPECT_EQ(count(rep, "potential deadlock (lock-order inversion)"), 1u) << rep;
  EXPECT_EQ(rep.find("Found one deadlock"), std::string::npos) << rep;
  EXPECT_NE(rep.find("Cycle in the lock-order graph: M1 (mutex " + a + ") => M2 (mutex " + b +
                     ") => M1"),
            std::string::npos)
      << rep;
  std::string from = std::to_string(lineOf("lock_order.cpp", "TRANSFER-LOCK-FROM"));
  std::string to = std::to_string(lineOf("lock_order.cpp", "TRANSFER-LOCK-TO"));
  std::string payer = std::to_string(lineOf("lock_order.cpp", "PAYER-CALL"));
  std::string refund = std::to_string(lineOf("lock_order.cpp", "REFUND-CALL"));
  // Each edge: where the second lock was requested, then where the held one
  // was taken, both in transfer() called by the thread's lambda.
  auto section = [&](const std::string &head, size_t from_pos) {
    size_t p = rep.find(head, from_pos);
    if (p == std::string::npos)
      return std::make_pair(std::string(), p);
    size_t e = rep.find("\n\n", p);
    return std::make_pair(rep.substr(p, e == std::string::npos ? e : e - p), e);
  };
  auto inTransfer = [](const std::string &line, const std::string &caller) {
    return R"(\n(\(anonymous namespace\)::)?transfer\([^\n]*\)\n\t\S*lock_order\.cpp:)" + line +
           R"( \+0x[0-9a-f]+\n[^\n]*operator\(\)\(\) const\n\t\S*lock_order\.cpp:)" + caller + " ";
  };
  for (auto [req, held, thread, caller] :
       {std::make_tuple("M2", "M1", "payer", payer), std::make_tuple("M1", "M2", "refund", refund)}) {
    auto [acquired, end] = section(std::string("\nMutex ") + req + " acquired here while holding mutex " +
                                       held + " in thread ",
                                   0);
    EXPECT_NE(acquired.find(std::string("\"") + thread + "\":\n"), std::string::npos) << acquired;
    EXPECT_TRUE(matches(acquired, inTransfer(to, caller))) << acquired;
    auto [previously, unused] = section(std::string("\nMutex ") + held +
                                            " previously acquired by the same thread here:\n",
                                        end);
    EXPECT_TRUE(matches(previously, inTransfer(from, caller))) << previously;
  }
  // Who the threads are.
  EXPECT_TRUE(matches(rep, R"(\nThread \d+ "payer" created by [^\n]+ in thread 1\n\t\S*lock_order\.cpp:\d+)"))
      << rep;
  EXPECT_TRUE(matches(rep, R"(\nThread \d+ "refund" created by [^\n]+ in thread 1\n)")) << rep;
  EXPECT_NE(rep.find("Found 1 potential deadlock."), std::string::npos) << rep;

  // Off by default; exitcode=0 keeps the program's status.
  r = run("lock_order", GetParam(), "", {"transfer"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.report.find("potential deadlock"), std::string::npos) << r.report;
  r = run("lock_order", GetParam(), "lock_order=1:exitcode=0", {"transfer"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(count(r.report, "potential deadlock (lock-order inversion)"), 1u) << r.report;
  // lock_order=abort: the report, then abort(); deadlock=abort does not stop
  // at a potential deadlock.
  r = run("lock_order", GetParam(), "lock_order=abort", {"transfer"});
  EXPECT_EQ(r.status, 128 + SIGABRT) << r.err;
  EXPECT_EQ(count(r.report, "potential deadlock (lock-order inversion)"), 1u) << r.report;
  r = run("lock_order", GetParam(), "lock_order=1:deadlock=abort", {"transfer"});
  EXPECT_EQ(r.status, 66) << r.err;
}

TEST_P(Programs, LockOrderThreeCycleReportedOnce) {
  Result r = run("lock_order", GetParam(), "lock_order=1", {"three"});
  ASSERT_FALSE(r.timed_out);
  const std::string &rep = r.report;
  EXPECT_EQ(count(rep, "potential deadlock (lock-order inversion)"), 1u) << rep;
  EXPECT_TRUE(matches(rep, R"(Cycle in the lock-order graph: M1 \(mutex 0x[0-9a-f]+\) => M2 \(mutex 0x[0-9a-f]+\) => M3 \(mutex 0x[0-9a-f]+\) => M1\n)"))
      << rep;
  // One edge per thread, each with its two stacks in handOff().
  for (const char *t : {"x-to-y", "y-to-z", "z-to-x"})
    EXPECT_TRUE(matches(rep, std::string("while holding mutex M\\d in thread \\d+ \"") + t +
                                 "\":\n(\\.\\.\\. [^\n]+\n)?(\\(anonymous namespace\\)::)?handOff\\("))
        << t << "\n" << rep;
  EXPECT_EQ(count(rep, "previously acquired by the same thread here:\n"), 3u) << rep;
}

// Orders that cannot hang are not reported.
TEST_P(Programs, LockOrderQuietOnOrdersThatCannotHang) {
  for (const char *what : {"ordered", "chain", "scoped", "reuse", "rw_read", "condwait"}) {
    Result r = run("lock_order", GetParam(), "lock_order=1", {what});
    ASSERT_FALSE(r.timed_out) << what;
    EXPECT_EQ(r.status, 0) << what << "\n" << r.err;
    EXPECT_EQ(r.report.find("potential deadlock"), std::string::npos) << what << "\n" << r.report;
    if (std::string(what) == "reuse")
      EXPECT_NE(r.out.find("reused 1"), std::string::npos) << r.out;
  }
}

// rwlocks: a cycle is an inversion when each wait in it is for a writer or
// as a writer; readers alone never block each other (rw_read, above).
TEST_P(Programs, LockOrderRwlockWriterCycle) {
  Result r = run("lock_order", GetParam(), "lock_order=1", {"rw_write"});
  ASSERT_FALSE(r.timed_out);
  const std::string &rep = r.report;
  EXPECT_EQ(count(rep, "potential deadlock (lock-order inversion)"), 1u) << rep;
  std::string read = std::to_string(lineOf("lock_order.cpp", "RW-READ"));
  std::string write = std::to_string(lineOf("lock_order.cpp", "RW-WRITE"));
  EXPECT_TRUE(matches(rep, "\nRwlock R2 acquired for writing here while holding rwlock R1 for "
                           "reading in thread \\d+ \"(restock|order)\":\n(\\(anonymous namespace\\)::)?readThenWrite\\([^\n]*\\)\n\t\\S*lock_order\\.cpp:" +
                               write + " "))
      << rep;
  EXPECT_TRUE(matches(rep, "\nRwlock R1 previously acquired for reading by the same thread "
                           "here:\n(\\(anonymous namespace\\)::)?readThenWrite\\([^\n]*\\)\n\t\\S*lock_order\\.cpp:" +
                               read + " "))
      << rep;
}

// A JSON dump lists the potential deadlocks found so far; the text report
// itself goes to stderr (the output holds JSON documents only).
TEST_P(Programs, LockOrderInJsonDump) {
  Result r = run("lock_order", GetParam(), "lock_order=1:format=json", {"transfer", "quit"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(count(r.err, "potential deadlock (lock-order inversion)"), 1u) << r.err;
  EXPECT_EQ(r.report.find("tether: potential deadlock"), std::string::npos) << r.report;
  EXPECT_TRUE(matches(r.report, R"(,"potential_deadlocks":\[\n\{"kind":"lock-order inversion","locks":\[\{"name":"M1","kind":"mutex","address":"0x[0-9a-f]+"\},\{"name":"M2",)"))
      << r.report;
  EXPECT_TRUE(matches(r.report, R"("held":"M1","acquired":"M2","held_for_writing":true,"acquired_for_writing":true,"thread_id":\d+,"thread_name":"payer","acquired_at":\[\{"pc":)"))
      << r.report;
  EXPECT_TRUE(matches(r.report, R"("held_acquired_at":\[[^\]]*"function":"\(anonymous namespace\)::transfer\()"))
      << r.report;
  // Without lock_order the member is absent.
  r = run("lock_order", GetParam(), "format=json", {"transfer", "quit"});
  EXPECT_NE(r.report.find("\"threads\":["), std::string::npos) << r.report;
  EXPECT_EQ(r.report.find("potential_deadlocks"), std::string::npos) << r.report;
}

// A run that does hang: the inversion is reported when the second edge is
// added, and the deadlock when the threads are stuck — two reports, told
// apart by their headers.
TEST_P(Programs, PotentialDeadlockAndDeadlockKeptApart) {
  Result r = run("abba", GetParam(), "check_interval=50ms:lock_order=1");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(count(r.report, "tether: potential deadlock (lock-order inversion)\n"), 1u) << r.report;
  EXPECT_EQ(count(r.report, "tether: Found one deadlock:\n"), 1u) << r.report;
  EXPECT_LT(r.report.find("potential deadlock"), r.report.find("Found one deadlock")) << r.report;
}

TEST_P(Programs, JoinCycleIsReported) {
  Result r = run("join_cycle", GetParam(), "check_interval=50ms");
  ASSERT_FALSE(r.timed_out);
  EXPECT_NE(r.report.find("Found one deadlock:"), std::string::npos) << r.report;
  EXPECT_TRUE(matches(r.report, R"(waiting to join "thread 3", which has not exited)")) << r.report;
  EXPECT_TRUE(matches(r.report, R"(waiting to join "thread 2", which has not exited)")) << r.report;
  EXPECT_TRUE(matches(r.report, R"(thread 2 \[thread join, )")) << r.report;
}

TEST_P(Programs, DetachedThreadLeakAtExit) {
  Result r = run("detached_leak", GetParam(), "");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 66); // exitcode's default after a leak report
  EXPECT_NE(r.report.find("1 thread(s) still running at exit that nobody joined"), std::string::npos)
      << r.report;
  // A summary line per thread names its first frame of the program's own code.
  EXPECT_TRUE(matches(r.report, R"(nobody joined:\n  thread 2 \[cond wait\] in startWorker\(\)::\$_0::operator\(\)\(\) const \(detached_leak\.cpp:\d+\)\n\nthread 2 \[)"))
      << r.report;
  EXPECT_TRUE(matches(r.report, R"(thread 2 \[cond wait, \d+ms\]:)")) << r.report;
  EXPECT_TRUE(matches(r.report, R"(created by startWorker\(\) in thread 1\n\t\S*detached_leak\.cpp:\d+)"))
      << r.report;
  EXPECT_TRUE(matches(r.report, R"(creation stack:(\n .*)*\n  main\n  \S*detached_leak\.cpp:\d+)"))
      << r.report;
}

// Sanitizer convention: a leak report at exit makes the exit status
// `exitcode` (default 66); exitcode=0 keeps the program's own.
TEST_P(Programs, ExitcodeAfterLeakReport) {
  for (auto [opt, want] : {std::pair<const char *, int>{"exitcode=0", 0}, {"exitcode=7", 7},
                           {"exitcode=66:dump_on=quit", 0}, {"ignore_detached=1", 0}}) {
    Result r = run("detached_leak", GetParam(), opt);
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.status, want) << opt << "\n" << r.report;
  }
}

// A deadlock reported during the run sets the status of a later exit(0)
// (through atexit, with no leak report: dump_on=quit).
TEST_P(Programs, ExitcodeAfterDeadlockReport) {
  Result r = run("abba", GetParam(), "check_interval=50ms:dump_on=quit", {"exit"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_NE(r.report.find("Found one deadlock:"), std::string::npos) << r.report;
  EXPECT_EQ(r.status, 66) << r.err;
  r = run("abba", GetParam(), "check_interval=50ms:dump_on=quit:exitcode=0", {"exit"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
}

// Text dumps fold the C library's and the C++ standard library's frames
// (their own and their templates instantiated in the program) into one
// line per run; frames=all shows them; JSON keeps them, flagged. A blocked
// thread's stack starts at the call of the blocking function (here
// std::condition_variable::wait's call of pthread_cond_wait), however it
// was taken: the C library's frames inside the wait are not shown.
TEST_P(Programs, LibraryFramesFoldedInTextKeptInJson) {
  Result r = run("detached_leak", GetParam(), "");
  ASSERT_FALSE(r.timed_out);
  std::string b = r.report.substr(0, r.report.find("creation stack:"));
  EXPECT_TRUE(matches(b, R"(thread 2 \[cond wait, \d+ms\]:\n\.\.\. 1 frame in libstdc\+\+\nstartWorker\(\)::\$_0::operator\(\)\(\) const\n\t\S*detached_leak\.cpp:\d+ \+0x[0-9a-f]+\n\.\.\. \d+ frames in [^\n]+\ncreated by startWorker)"))
      << b;
  EXPECT_EQ(b.find("pthread_cond_wait"), std::string::npos) << b;
  EXPECT_EQ(b.find("std::condition_variable::wait"), std::string::npos) << b;
  EXPECT_TRUE(matches(r.report, R"(creation stack:\n  \.\.\. \d+ frames? in libstdc\+\+\n  startWorker\(\)\n)"))
      << r.report;

  r = run("detached_leak", GetParam(), "frames=all");
  EXPECT_TRUE(matches(r.report, R"(thread 2 \[cond wait, \d+ms\]:\nvoid std::condition_variable::wait<)"))
      << r.report;
  EXPECT_EQ(r.report.find("pthread_cond_wait"), std::string::npos) << r.report;
  EXPECT_EQ(r.report.find("... "), std::string::npos) << r.report;

  r = run("detached_leak", GetParam(), "format=json");
  EXPECT_TRUE(matches(r.report, R"(\{"pc":"0x[0-9a-f]+","function":"void std::condition_variable::wait<[^\n]*?"module":"[^"]*","inlined":(true|false),"library":true\})"))
      << r.report;
  EXPECT_TRUE(matches(r.report, R"(\{"pc":"0x[0-9a-f]+","function":"startWorker\(\)::\$_0::operator\(\)\(\) const"[^}]*"library":false\})"))
      << r.report;
}

// A thread whose stack cannot be taken (it blocks every signal and
// eager_stacks=0) still shows what it runs: the lambda's type, the function
// std::thread was given, std::async's callable, pthread's start routine.
TEST_P(Programs, EntryFunctionWhenTheStackIsUnavailable) {
  Result r = run("entry_points", GetParam(), "eager_stacks=0");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  for (auto [name, entry] : {std::pair<const char *, const char *>{"e-lambda", "main::$_0"},
                             {"e-fnptr", "namedWorker(int)"},
                             {"e-async", "main::$_1"},
                             {"e-pthread", "plainStart(void*)"}}) {
    std::string b = block(r.report, name);
    EXPECT_NE(b.find("\n(stack unavailable)\nentry: " + std::string(entry) + "\n"), std::string::npos)
        << name << "\n" << r.report;
  }
  r = run("entry_points", GetParam(), "eager_stacks=0:format=json");
  EXPECT_TRUE(matches(r.report, R"re("name":"e-async",[^\n]*"entry":"main::\$_1")re")) << r.report;
  EXPECT_TRUE(matches(r.report, R"re("name":"e-fnptr",[^\n]*"entry":"namedWorker\(int\)")re"))
      << r.report;
}

// Threads that have not run a single instruction of their own when main
// returns (held back by a ptrace tracer: the program's comment says how):
// the leak report names what each would run.
TEST_P(Programs, NotStartedThreadsShowTheirEntryFunction) {
  Result r = run("not_started", GetParam(), "");
  ASSERT_FALSE(r.timed_out);
  if (r.status == 3 && r.err.find("ptrace unavailable") != std::string::npos)
    GTEST_SKIP() << r.err;
  EXPECT_EQ(r.status, 66) << r.err;
  EXPECT_EQ(r.out.find("lambda ran"), std::string::npos) << "a held thread ran";
  EXPECT_NE(r.report.find("3 thread(s) still running at exit that nobody joined"), std::string::npos)
      << r.report;
  EXPECT_EQ(r.report.find("(stack unavailable)"), std::string::npos) << r.report;
  for (const char *entry : {"main::$_0", "namedWorker(int)", "plainStart(void*)"}) {
    std::string e = entry;
    // The summary line and the thread's block.
    EXPECT_NE(r.report.find(" [runnable] in entry " + e + "\n"), std::string::npos)
        << e << "\n" << r.report;
    EXPECT_NE(r.report.find("[runnable]:\nnot started; entry: " + e + "\n"), std::string::npos)
        << e << "\n" << r.report;
  }
  r = run("not_started", GetParam(), "format=json");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 66) << r.err;
  for (const char *re : {R"re("reason":"runnable",[^\n]*"entry":"main::\$_0")re",
                         R"re("reason":"runnable",[^\n]*"entry":"namedWorker\(int\)")re",
                         R"re("reason":"runnable",[^\n]*"entry":"plainStart\(void\*\)")re"})
    EXPECT_TRUE(matches(r.report, re)) << re << "\n" << r.report;
}

// Every thread waits with no timeout: reported once that lasts three scans
// (deadlock=abort then ends the process), after the SIGQUIT dump made before.
TEST_P(Programs, AllAsleepIsReported) {
  Result r = run("all_asleep", GetParam(), "check_interval=20ms:deadlock=abort", {"hang"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 128 + SIGABRT) << r.err;
  size_t dump = r.report.find("tether: thread dump (SIGQUIT)");
  size_t asleep = r.report.find("tether: all threads are asleep - deadlock!");
  ASSERT_NE(asleep, std::string::npos) << r.report << r.err;
  EXPECT_LT(dump, asleep) << r.report;
  EXPECT_TRUE(matches(r.report.substr(asleep), R"(\[cond wait, \d+)")) << r.report;
}

// With format=json (or pprof) the output holds documents that readers take
// whole, one per file: the text reports (all-asleep here; deadlock, stuck and
// a pprof run's exit report the same way) go to stderr.
TEST_P(Programs, TextReportsStayOutOfJsonOutput) {
  Result r = run("all_asleep", GetParam(), "check_interval=20ms:deadlock=abort:format=json", {"hang"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 128 + SIGABRT) << r.err;
  EXPECT_NE(r.err.find("tether: all threads are asleep - deadlock!"), std::string::npos) << r.err;
  EXPECT_EQ(r.report.rfind("{\"schema\":\"tether.threads/1\"", 0), 0u) << r.report;
  // Complete: it ends with the flight recorder's history, the last member.
  EXPECT_TRUE(r.report.size() > 5 && r.report.compare(r.report.size() - 5, 5, "\n]}}\n") == 0)
      << r.report;
  EXPECT_EQ(r.report.find("all threads are asleep"), std::string::npos) << r.report;
  EXPECT_EQ(r.report2, "");
}

// The records say every thread waits with no timeout, but one runs: it spins
// inside a wait declared through the API, or polls in system calls the shim
// does not see. The kernel shows it (a runnable thread, or CPU time that
// grows between two scans): no all-asleep report, and the exit status stays
// the program's. (A thread woken but not yet scheduled on a loaded machine
// looks the same to the records.)
TEST_P(Programs, AllAsleepOnlyWhenTheKernelAgrees) {
  for (const char *mode : {"spin", "poll"}) {
    Result r = run("all_asleep", GetParam(), "check_interval=20ms", {mode, "1500"});
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.status, 0) << mode << "\n" << r.report << r.err;
    EXPECT_EQ(r.report.find("all threads are asleep"), std::string::npos) << mode << "\n"
                                                                           << r.report;
  }
}

TEST_P(Programs, DetachedThreadIgnoredAsDaemonOrByCreator) {
  // The same leak, declared intentional three ways; an unrelated pattern
  // keeps the report.
  for (const char *opt : {"ignore_detached=1", "ignore_created_by=startWorker",
                          "ignore_top=std::condition_variable::wait"}) {
    Result r = run("detached_leak", GetParam(), opt);
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.report, "") << opt;
  }
  Result r = run("detached_leak", GetParam(), "ignore_name=worker*:ignore_created_by=libfoo.so");
  EXPECT_NE(r.report.find("1 thread(s) still running at exit"), std::string::npos) << r.report;
}

TEST_P(Programs, CleanProgramProducesNoReport) {
  Result r = run("clean", GetParam(), "check_interval=10ms");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("sum 1998000 async 42"), std::string::npos) << r.out;
  EXPECT_EQ(r.report, "");
  EXPECT_EQ(r.err.find("tether"), std::string::npos) << r.err;
}

TEST_P(Programs, WaitReasonsDebug2) {
  std::string models = std::string(TETHER_PROG_SRC) + "/user-models.tsv";
  Result r = run("wait_reasons", GetParam(), "models=" + models);
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  const std::string &rep = r.report;
  struct Want {
    const char *name, *reason;
  } wants[] = {{"w-mutex", "mutex lock"},  {"w-rwlock", "rwlock write"}, {"w-cond", "cond wait"},
               {"w-sem", "semacquire"},    {"w-sleep", "sleep"},         {"w-atomic", "futex wait"},
               {"w-latch", "latch wait"},  {"w-csem", "semacquire"},     {"w-io", "IO wait"},
               {"w-queue", "chan receive"}, {"w-join", "thread join"}};
  for (auto &w : wants) {
    std::string b = block(rep, w.name);
    EXPECT_TRUE(matches(b, "^thread \\d+ \"" + std::string(w.name) + "\" \\[" + w.reason +
                               ", (\\d+ms|\\d\\.\\d{3}s)\\]:\nlabels: \\{\"job\":\"demo\"\\}\n"))
        << w.name << ":\n" << b << "\n---\n" << rep;
  }
  EXPECT_TRUE(matches(block(rep, "w-mutex"), R"(blocked on mutex 0x[0-9a-f]+ held by thread 1\n)"))
      << rep;
  EXPECT_TRUE(matches(block(rep, "w-rwlock"), R"(blocked on rwlock 0x[0-9a-f]+\n)")) << rep;
  EXPECT_TRUE(matches(block(rep, "w-join"), R"(blocked on thread \d+ "w-sleep" \(join\))")) << rep;
  EXPECT_TRUE(matches(block(rep, "w-queue"), R"(\nBlockingQueue<int>::pop\(\)\n)")) << rep;
  EXPECT_TRUE(matches(block(rep, "w-io"), R"(blocked on fd \d+)")) << rep;
}

TEST_P(Programs, WaitReasonsJson) {
  Result r = run("wait_reasons", GetParam(), "format=json");
  ASSERT_FALSE(r.timed_out);
  EXPECT_TRUE(matches(r.report, R"(^\{"schema":"tether.threads/1","pid":\d+,"trigger":"SIGQUIT")"))
      << r.report;
  EXPECT_TRUE(matches(r.report, R"(\n\{"id":\d+,"tid":\d+,"name":"w-mutex",[^\n]*"state":"blocked","reason":"mutex lock",[^\n]*"held_by":1,)"))
      << r.report;
  EXPECT_TRUE(matches(r.report, R"("name":"w-latch",[^\n]*"reason":"latch wait","intercepted_reason":"futex wait")"))
      << r.report;
  EXPECT_TRUE(matches(r.report, R"("name":"w-sleep",[^\n]*"timed":true)")) << r.report;
  EXPECT_TRUE(matches(r.report, R"("labels":\{"job":"demo"\},"stack":\[\{"pc":"0x)")) << r.report;
}

TEST_P(Programs, WaitReasonsDebug1) {
  Result r = run("wait_reasons", GetParam(), "format=debug1");
  ASSERT_FALSE(r.timed_out);
  EXPECT_TRUE(matches(r.report, R"(\nthread profile: total 12\n1 @( 0x[0-9a-f]+)+\n# labels: \{"job":"demo"\}\n#\t(0x[0-9a-f]+\t|\.\.\. \d+ frames? in ))"))
      << r.report;
  EXPECT_TRUE(matches(r.report, R"(\n#\t0x[0-9a-f]+\tBlockingQueue<int>::pop\(\)\+0x[0-9a-f]+\t\S*wait_reasons\.cpp:\d+\n)"))
      << r.report;
}

// debug=0: gzip'ed pprof protobuf, read back by the real pprof client.
TEST_P(Programs, WaitReasonsPprofReadByGoPprof) {
  if (system("command -v go >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "go (Debian golang-go) not installed";
  std::string models = std::string(TETHER_PROG_SRC) + "/user-models.tsv";
  std::string file = tempPath("pprof");
  Result r = run("wait_reasons", GetParam(), "format=pprof:models=" + models);
  ASSERT_FALSE(r.timed_out);
  ASSERT_GT(r.report.size(), 20u);
  ASSERT_EQ(r.report.substr(0, 2), std::string("\x1f\x8b", 2)); // gzip magic
  {
    std::ofstream o(file, std::ios::binary);
    o << r.report;
  }
  std::string cmd = "HOME=" + std::string(P_tmpdir) + " go tool pprof -raw " + file + " 2>&1";
  std::string raw;
  if (FILE *p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
      raw.append(buf, n);
    pclose(p);
  }
  // The program is the main mapping (pprof's File:) and carries its build id;
  // so does every other mapping.
  std::string top = capture("HOME=" + std::string(P_tmpdir) + " go tool pprof -top " + file + " 2>&1");
  std::string exe = std::string("rtprog_wait_reasons") +
                    (GetParam() == Mode::Linked ? "_linked" : GetParam() == Mode::Static ? "_static" : "");
  std::string id = capture("readelf -n " + std::string(TETHER_PROG_DIR) + "/" + exe +
                           " | sed -n 's/.*Build ID: *//p'");
  ASSERT_EQ(id.size(), 41u) << id; // 40 hex digits and a newline
  EXPECT_EQ(top.rfind("File: " + exe + "\nBuild ID: " + id, 0), 0u) << top;
  EXPECT_TRUE(matches(raw, "\nMappings\n1: 0x[0-9a-f]+/0x[0-9a-f]+/0x0 \\S*/" + exe + " " +
                               id.substr(0, 40) + " "))
      << raw;
  EXPECT_TRUE(matches(raw, R"(\n\d+: 0x[0-9a-f]+/0x[0-9a-f]+/0x0 \S*/libc\.so\.6 [0-9a-f]{40} )")) << raw;
  unlink(file.c_str());
  EXPECT_NE(raw.find("PeriodType: thread count"), std::string::npos) << raw;
  EXPECT_NE(raw.find("\nthread/count\n"), std::string::npos) << raw;
  EXPECT_NE(raw.find("job:[demo] state:[chan receive]"), std::string::npos) << raw;
  EXPECT_NE(raw.find("job:[demo] state:[mutex lock]"), std::string::npos) << raw;
  EXPECT_TRUE(matches(raw, R"(BlockingQueue::pop \S*wait_reasons\.cpp:\d+ s=\d+\(BlockingQueue<int>::pop\(\)\))")) << raw;
}

TEST_P(Programs, ChurnWhileDumping) {
  Result r = run("churn", GetParam(), "", {"20000"}, 180);
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(matches(r.out, R"(threads 20000 dumps [1-9]\d*)")) << r.out;
  EXPECT_NE(r.report.find("tether: thread dump (SIGQUIT)"), std::string::npos);
  EXPECT_EQ(r.report.find("still running at exit"), std::string::npos);
}

TEST_P(Programs, ForkAndExec) {
  Result r = run("fork_exec", GetParam(), "");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(r.report, "");
}

TEST_P(Programs, ExceptionsAndThreadLocalDestructors) {
  Result r = run("throw_tls", GetParam(), "");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(r.report, "");
}

// A stack learnt where a thread blocked is reused for a later block at the
// same site only when the blocking thread's own stack holds the same return
// addresses: threads reaching one wait through different calls, or through
// recursion to different depths, show their own; and every stack is the one
// the thread gives when it is asked at report time (eager_stacks=0).
TEST_P(Programs, StacksLearntAtABlockingSiteAreEachThreadsOwn) {
  auto stackOf = [](const std::string &report, const std::string &name) {
    std::string b = block(report, name);
    size_t s = b.find('\n'), e = b.find("created by");
    return s == std::string::npos || e == std::string::npos ? std::string()
                                                            : b.substr(s + 1, e - s - 1);
  };
  auto count = [](const std::string &s, const std::string &what) {
    int n = 0;
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1))
      ++n;
    return n;
  };
  Result learnt = run("site_stacks", GetParam(), "frames=all");
  Result asked = run("site_stacks", GetParam(), "frames=all:eager_stacks=0");
  for (const Result *r : {&learnt, &asked}) {
    ASSERT_FALSE(r->timed_out);
    EXPECT_EQ(r->status, 0) << r->err;
  }
  std::string a = stackOf(learnt.report, "site-a"), b = stackOf(learnt.report, "site-b");
  EXPECT_TRUE(matches(a, "\ncallerA\\(\\)\n")) << learnt.report;
  EXPECT_EQ(a.find("callerB"), std::string::npos) << a;
  EXPECT_TRUE(matches(b, "\ncallerB\\(\\)\n")) << learnt.report;
  EXPECT_EQ(b.find("callerA"), std::string::npos) << b;
  EXPECT_EQ(count(stackOf(learnt.report, "deep-5"), "\ndescend(int)\n"), 6) << learnt.report;
  EXPECT_EQ(count(stackOf(learnt.report, "deep-2"), "\ndescend(int)\n"), 3) << learnt.report;
  std::string pool = stackOf(learnt.report, "pool-0");
  EXPECT_TRUE(matches(pool, "\ncallerA\\(\\)\n")) << learnt.report;
  for (int i = 1; i < 6; ++i)
    EXPECT_EQ(stackOf(learnt.report, "pool-" + std::to_string(i)), pool) << learnt.report;
  // A libtether_rt.a built by GCC cannot tell its own frames (no section
  // bounds), so a stack asked for at report time keeps the interceptor's.
  bool own_frames_known = true;
#ifndef __clang__
  own_frames_known = GetParam() != Mode::Static;
#endif
  for (std::string name : {"site-a", "site-b", "deep-5", "deep-2", "pool-0", "pool-5"}) {
    std::string l = stackOf(learnt.report, name);
    EXPECT_FALSE(l.empty()) << name << "\n" << learnt.report;
    if (own_frames_known)
      EXPECT_EQ(l, stackOf(asked.report, name)) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Shim, Programs,
                         ::testing::Values(Mode::Preload, Mode::Linked, Mode::Static),
                         [](const auto &info) { return std::string(modeName(info.param)); });

// Programs that call the task API: linked and static builds only.
class TaskPrograms : public ::testing::TestWithParam<Mode> {};

std::string lineStr(const char *marker) { return std::to_string(lineOf("tasks.cpp", marker)); }

// The debug=2 block of the task named `name`.
std::string taskBlock(const std::string &report, const std::string &name) {
  size_t p = report.find("\"" + name + "\" [");
  if (p == std::string::npos)
    return {};
  size_t start = report.rfind("task ", p);
  size_t end = report.find("\n\n", p);
  return report.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
}

TEST_P(TaskPrograms, Debug2ListsEveryTaskWithItsStateAndCreator) {
  Result r = run("tasks", GetParam(), "format=debug2");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  const std::string &rep = r.report;
  std::string session = taskBlock(rep, "session");
  EXPECT_TRUE(matches(session, "^task 1 \"session\" \\[sleep, (\\d+ms|\\d\\.\\d{3}s)\\]:\nlabels: \\{\"svc\":\"ingest\"\\}\n"
                               "main\n\t\\S*tasks\\.cpp:" + lineStr("SESSION-AWAIT") +
                               "\nlast ran on thread 1\ncreated by main in thread 1\n\t\\S*tasks\\.cpp:" +
                               lineStr("SESSION-CREATED") + "\n$"))
      << session << "\n---\n" << rep;
  for (const char *reader : {"reader-0", "reader-1", "reader-2"}) {
    std::string b = taskBlock(rep, reader);
    EXPECT_TRUE(matches(b, "^task \\d+ \"" + std::string(reader) +
                               "\" \\[chan receive, (\\d+ms|\\d\\.\\d{3}s)\\]:\nlabels: \\{\"svc\":\"ingest\"\\}\n"
                               "receive\n\t\\S*tasks\\.cpp:" + lineStr("READER-AWAIT") +
                               "\nlast ran on thread 1\ncreated by main in task 1\n\t\\S*tasks\\.cpp:" +
                               lineStr("READER-CREATED") + "\nblocked on object 0x[0-9a-f]+\n$"))
        << b << "\n---\n" << rep;
  }
  // Its own label added to the inherited one.
  EXPECT_TRUE(matches(taskBlock(rep, "writer"),
                      "\\[chan send, (\\d+ms|\\d\\.\\d{3}s)\\]:\nlabels: \\{\"svc\":\"ingest\",\"role\":\"out\"\\}\n"
                      "send\n\t\\S*tasks\\.cpp:" + lineStr("WRITER-AWAIT") + "\n"))
      << rep;
  // A job running on a pool thread that is blocked waits for what the thread
  // waits for; a job queued behind it has not started.
  EXPECT_TRUE(matches(taskBlock(rep, "job-a"),
                      "\\[mutex lock, (\\d+ms|\\d\\.\\d{3}s)\\]:\nlabels: \\{\"svc\":\"ingest\"\\}\nrunning on thread 2 "
                      "\"pool-0\"\ncreated by main in task 1\n\t\\S*tasks\\.cpp:" +
                          lineStr("JOB-A-SUBMITTED") + "\n"))
      << rep;
  EXPECT_TRUE(matches(taskBlock(rep, "job-b"), "\\[runnable, (\\d+ms|\\d\\.\\d{3}s)\\]:\nlabels: [^\n]*\n\\(not started\\)\n"))
      << rep;
  // The threads come first, as before.
  EXPECT_LT(rep.find("thread 2 \"pool-0\" [mutex lock"), rep.find("task 1 \"session\"")) << rep;
  EXPECT_EQ(count(rep, "\ntask "), 7u) << rep;
}

TEST_P(TaskPrograms, Debug1GroupsTasksByAwaitPoint) {
  Result r = run("tasks", GetParam(), "format=debug1");
  ASSERT_FALSE(r.timed_out);
  std::string want = "\ntask profile: total 7\n3 @ [chan receive]\n# labels: {\"svc\":\"ingest\"}\n#\treceive\t";
  size_t p = r.report.find(want);
  ASSERT_NE(p, std::string::npos) << r.report;
  EXPECT_TRUE(matches(r.report.substr(p + want.size()),
                      "^\\S*tasks\\.cpp:" + lineStr("READER-AWAIT") + "\n#\tcreated by main\t\\S*tasks\\.cpp:" +
                          lineStr("READER-CREATED") + "\n\n1 @ \\["))
      << r.report;
  EXPECT_TRUE(matches(r.report, "\n1 @ \\[mutex lock\\]\n# labels: [^\n]*\n#\tcreated by main\t")) << r.report;
  EXPECT_TRUE(matches(r.report, "\nthread profile: total 2\n")) << r.report;
}

TEST_P(TaskPrograms, JsonCarriesTasksNextToThreads) {
  Result r = run("tasks", GetParam(), "format=json");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.report.rfind("{\"schema\":\"tether.threads/1\"", 0), 0u) << r.report;
  EXPECT_TRUE(matches(r.report, "\n\\{\"id\":2,\"name\":\"reader-0\",\"parent_id\":1,\"created_in_thread\":1,"
                                "\"state\":\"suspended\",\"reason\":\"chan receive\",\"wait_ns\":\\d+,"
                                "\"timed\":false,\"object\":\"0x[0-9a-f]+\",\"thread_id\":null,"
                                "\"last_thread_id\":1,\"start_unix_ns\":\\d+,\"labels\":\\{\"svc\":\"ingest\"\\},"
                                "\"await\":\\{\"function\":\"receive\",\"file\":\"\\S*tasks\\.cpp\",\"line\":" +
                                    lineStr("READER-AWAIT") + "\\},\"created_at\":\\{\"function\":\"main\","))
      << r.report;
  EXPECT_TRUE(matches(r.report, "\"name\":\"job-a\",[^\n]*\"state\":\"running\",\"reason\":\"mutex lock\",[^\n]*"
                                "\"thread_id\":2,"))
      << r.report;
  EXPECT_TRUE(matches(r.report, "\"name\":\"session\",[^\n]*\"reason\":\"sleep\",[^\n]*\"timed\":true"))
      << r.report;
  // Well-formed: the whole dump parses, with 7 tasks.
  std::string file = tempPath("json");
  harness::writeFile(file, r.report);
  std::string n = capture("python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
                          "print(len(d[\"threads\"]), len(d[\"tasks\"]))' " + file + " 2>&1");
  unlink(file.c_str());
  EXPECT_EQ(n, "2 7\n");
}

TEST_P(TaskPrograms, PprofLabelsTasksAsKindTask) {
  if (system("command -v go >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "go (Debian golang-go) not installed";
  Result r = run("tasks", GetParam(), "format=pprof");
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.report.substr(0, 2), std::string("\x1f\x8b", 2));
  std::string file = tempPath("pprof");
  harness::writeFile(file, r.report);
  std::string raw = capture("HOME=" + std::string(P_tmpdir) + " go tool pprof -raw " + file + " 2>&1");
  std::string traces = capture("HOME=" + std::string(P_tmpdir) + " go tool pprof -traces " + file + " 2>&1");
  unlink(file.c_str());
  // Three readers at one await point: one sample of 3.
  EXPECT_TRUE(matches(raw, "\n +3: \\d+ \\d+ \n +kind:\\[task\\] state:\\[chan receive\\] svc:\\[ingest\\]\n"))
      << raw;
  EXPECT_NE(raw.find("kind:[task] role:[out] state:[chan send] svc:[ingest]"), std::string::npos) << raw;
  EXPECT_NE(raw.find("kind:[task] state:[mutex lock] svc:[ingest]"), std::string::npos) << raw;
  // The await point is the leaf, the creation site its caller.
  EXPECT_TRUE(matches(traces, "\n +state:  chan receive\n +3   receive\n +main\n")) << traces;
}

TEST_P(TaskPrograms, TasksNeverEndedAreLeaksAtExit) {
  Result r = run("tasks", GetParam(), "format=debug2", {"leak"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 66) << r.err << r.report;
  EXPECT_TRUE(matches(r.report, "^tether: 5 task\\(s\\) never ended at exit:\n"
                                "  task 1 \"session\" \\[sleep\\] at main \\(tasks\\.cpp:" +
                                    lineStr("SESSION-AWAIT") +
                                    "\\)\n  task 2 \"reader-0\" \\[chan receive\\] at receive \\(tasks\\.cpp:" +
                                    lineStr("READER-AWAIT") + "\\)\n"))
      << r.report;
  // Jobs ended when they ran (or when the pool dropped them): not leaks.
  EXPECT_EQ(r.report.find("job-"), std::string::npos) << r.report;
  EXPECT_EQ(r.report.find("thread(s) still running"), std::string::npos) << r.report;
}

// Every suspended coroutine of a type whose promise derives from
// tether::coro::promise_base is listed with its await point (its function,
// the co_await's file and line), which gdb and folly's co_bt cannot show
// for coroutines not on the current thread's stack.
TEST_P(TaskPrograms, SuspendedCoroutinesAreListedAtTheirAwaitPoints) {
  Result r = run("coroutines", GetParam(), "format=debug2");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  const std::string &rep = r.report;
  auto at = [](const char *marker) {
    return "\n\t\\S*coroutines\\.cpp:" + std::to_string(lineOf("coroutines.cpp", marker)) + "\n";
  };
  EXPECT_EQ(count(rep, "\"consumer\" [chan receive, "), 3u) << rep;
  EXPECT_TRUE(matches(rep, "\ntask \\d+ \"consumer\" \\[chan receive, [^\n]*\\]:\nconsumer" +
                               at("CONSUMER-AWAIT") + "created in thread 1\nblocked on object 0x"))
      << rep;
  EXPECT_TRUE(matches(rep, "\ntask \\d+ \"producer\" \\[chan send, [^\n]*\\]:\nproducer" + at("PRODUCER-AWAIT")))
      << rep;
  EXPECT_TRUE(matches(rep, "\ntask \\d+ \"parent\" \\[co_await, [^\n]*\\]:\nparent" + at("PARENT-AWAIT")))
      << rep;
  EXPECT_TRUE(matches(rep, "\ntask \\d+ \"child\" \\[chan receive, [^\n]*\\]:\nchild" + at("CHILD-AWAIT")))
      << rep;
  // Resumed on the worker thread, blocked there: running, with the thread's
  // reason and no stale await point.
  EXPECT_TRUE(matches(rep, "\ntask \\d+ \"onWorker\" \\[mutex lock, [^\n]*\\]:\nrunning on thread 2 "
                           "\"co-worker\"\ncreated in thread 1\n"))
      << rep;
  EXPECT_EQ(count(rep, "\ntask "), 7u) << rep;
}

TEST_P(TaskPrograms, CoroutinesNeverDestroyedAreLeaksAtExit) {
  Result r = run("coroutines", GetParam(), "format=debug2", {"leak"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 66) << r.err << r.report;
  EXPECT_TRUE(matches(r.report, "^tether: 6 task\\(s\\) never ended at exit:\n  task 1 \"consumer\" "
                                "\\[chan receive\\] at consumer \\(coroutines\\.cpp:" +
                                    std::to_string(lineOf("coroutines.cpp", "CONSUMER-AWAIT")) + "\\)\n"))
      << r.report;
  // The job that finished on the worker was destroyed: not a leak.
  EXPECT_EQ(r.report.find("onWorker"), std::string::npos) << r.report;
}

// Real Boost.Fiber code under tether::fibers::tracked<round_robin>: every
// fiber is a task with the stack it blocked with, and the model table names
// the channel waits.
TEST_P(TaskPrograms, BoostFibersBlockedInChannelsAreTasks) {
#ifndef TETHER_HAVE_BOOST_FIBER
  GTEST_SKIP() << "Boost.Fiber (Debian: libboost-fiber-dev) not installed";
#endif
  Result r = run("fibers", GetParam(), "format=debug2");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err;
  const std::string &rep = r.report;
  auto line = [](const char *marker) { return std::to_string(lineOf("fibers.cpp", marker)); };
  EXPECT_EQ(count(rep, "\"fiber\" [chan receive, "), 3u) << rep;
  EXPECT_TRUE(matches(rep, "\ntask \\d+ \"fiber\" \\[chan receive, [^\n]*\\]:\n"
                           "boost::fibers::buffered_channel<int>::pop\\(int&\\)\n\t[^\n]*\n"
                           "\\(anonymous namespace\\)::consume\\([^\n]*\n\t\\S*fibers\\.cpp:" +
                               line("CONSUMER-POP") + " "))
      << rep;
  EXPECT_TRUE(matches(rep, "\ntask \\d+ \"fiber\" \\[chan send, [^\n]*\\]:\n"
                           "boost::fibers::buffered_channel<int>::push\\(int const&\\)\n\t[^\n]*\n"
                           "\\(anonymous namespace\\)::produce\\([^\n]*\n\t\\S*fibers\\.cpp:" +
                               line("PRODUCER-PUSH") + " "))
      << rep;
  EXPECT_TRUE(matches(rep, "\ntask \\d+ \"fiber\" \\[sleep, [^\n]*\\]:\n[^\n]*sleep_for[^\n]*\n\t[^\n]*\n"
                           "\\(anonymous namespace\\)::nap\\(\\)\n\t\\S*fibers\\.cpp:" + line("NAP") + " "))
      << rep;
  // No frame of the scheduler above the wait, and the main context is the
  // thread, not a task.
  EXPECT_EQ(rep.find("pick_next"), std::string::npos) << rep;
  EXPECT_EQ(count(rep, "\ntask "), 6u) << rep;
}

TEST_P(TaskPrograms, BoostFibersLeftBlockedAreLeaksAtExit) {
#ifndef TETHER_HAVE_BOOST_FIBER
  GTEST_SKIP() << "Boost.Fiber (Debian: libboost-fiber-dev) not installed";
#endif
  Result r = run("fibers", GetParam(), "format=debug2", {"leak"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 66) << r.err << r.report;
  // The worker thread first, then its fibers, each at the call it blocked in.
  EXPECT_TRUE(matches(r.report, "^tether: 1 thread\\(s\\) still running at exit that nobody joined:\n"
                                "  thread 2 \"fiber-worker\""))
      << r.report;
  EXPECT_TRUE(matches(r.report, "\ntether: 6 task\\(s\\) never ended at exit:\n"
                                "  task 1 \"fiber\" \\[chan receive\\] at boost::fibers::buffered_channel<int>::pop"))
      << r.report;
  EXPECT_TRUE(matches(r.report, "\n  task 4 \"fiber\" \\[chan send\\] at boost::fibers::buffered_channel<int>::push"))
      << r.report;
}

// ------------------------------------------------------------------- asio
// Real asio code built with the custom handler tracking header: every
// pending handler is a task suspended in its operation, created by the
// handler that started it.
void expectAsioHandlers(const std::string &prog) {
  Result r = run(prog, Mode::Linked, "");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err << r.report;
  const std::string &dump = r.out;
  EXPECT_TRUE(matches(dump, "\nthread 2 \"asio-io\" \\[IO wait, [^\n]*\\]:\n"))
      << dump;
  // The read on the pipe nobody writes to: started by the posted handler.
  EXPECT_TRUE(matches(dump, "\ntask \\d+ \"descriptor.async_read_some\" \\[descriptor.async_read_some, "
                            "(\\d+ms|\\d+\\.\\d{3}s)\\]:\ncreated in task 1\nblocked on object 0x[0-9a-f]+\n"))
      << dump;
  EXPECT_TRUE(matches(dump, "\ntask \\d+ \"deadline_timer.async_wait\" \\[deadline_timer.async_wait, "
                            "[^\n]*\\]:\ncreated in thread 1\nblocked on object 0x"))
      << dump;
  // The posted handler ran and is done: not listed.
  EXPECT_EQ(count(dump, "\ntask "), 2u) << dump;
  // Destroyed with the io_context: nothing left at exit.
  EXPECT_EQ(r.report, "") << r.report;
}

TEST(Asio, PendingHandlersAreTasks) {
#ifndef TETHER_HAVE_ASIO
  GTEST_SKIP() << "asio (Debian: libasio-dev) not installed";
#endif
  expectAsioHandlers("asio_handlers");
}

TEST(Asio, PendingBoostAsioHandlersAreTasks) {
#ifndef TETHER_HAVE_BOOST_ASIO
  GTEST_SKIP() << "Boost.Asio (Debian: libboost-dev) not installed";
#endif
  expectAsioHandlers("boost_asio_handlers");
}

// tether::track_job on asio::thread_pool: the running job waits for what
// its worker waits for, the queued one has not started.
TEST(Asio, TrackedJobsOnAThreadPool) {
#ifndef TETHER_HAVE_ASIO
  GTEST_SKIP() << "asio (Debian: libasio-dev) not installed";
#endif
  Result r = run("asio_pool", Mode::Linked, "");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err << r.report;
  auto line = [](const char *marker) { return std::to_string(lineOf("asio_pool.cpp", marker)); };
  EXPECT_TRUE(matches(r.out, "\ntask 1 \"job-a\" \\[mutex lock, [^\n]*\\]:\nrunning on thread 2\n"
                             "created by main in thread 1\n\t\\S*asio_pool\\.cpp:" + line("JOB-A-POSTED") + "\n"))
      << r.out;
  EXPECT_TRUE(matches(r.out, "\ntask 2 \"job-b\" \\[runnable, [^\n]*\\]:\n\\(not started\\)\n"
                             "created by main in thread 1\n\t\\S*asio_pool\\.cpp:" + line("JOB-B-POSTED") + "\n"))
      << r.out;
  EXPECT_EQ(r.report, "") << r.report;
}

// ---------------------------------------------------------- flight recorder
// Runs check_trace.py MODE on `text` (written to a file); its output.
std::string checkTrace(const std::string &mode, const std::string &text) {
  std::string file = tempPath("trace");
  harness::writeFile(file, text);
  std::string out = capture("python3 " + std::string(TETHER_RT_TEST_SRC) + "/check_trace.py " +
                            mode + " " + file + " 2>&1");
  unlink(file.c_str());
  return out;
}

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    out.push_back(l);
  return out;
}

// Whether `want` appear in `got` in this order (other lines between them).
bool inOrder(const std::vector<std::string> &got, const std::vector<std::string> &want) {
  size_t k = 0;
  for (const std::string &l : got)
    if (k < want.size() && l == want[k])
      ++k;
  return k == want.size();
}

std::string joined(const std::vector<std::string> &ls) {
  std::string o;
  for (auto &l : ls)
    o += l + "\n";
  return o;
}

// The lines of `ls` that start with one of `prefixes`.
std::vector<std::string> only(const std::vector<std::string> &ls,
                              const std::vector<std::string> &prefixes) {
  std::vector<std::string> out;
  for (auto &l : ls)
    for (auto &p : prefixes)
      if (l.rfind(p, 0) == 0) {
        out.push_back(l);
        break;
      }
  return out;
}

// The JSON dump's history: every lifecycle event of a known program, in
// the order each thread and task went through them, with the reasons the
// dumps give.
TEST_P(TaskPrograms, RecorderKeepsLifecycleEventsInOrder) {
  Result r = run("recorder", GetParam(), "history=65536", {"json"});
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> h = lines(checkTrace("history", r.out));
  ASSERT_FALSE(h.empty());
  EXPECT_TRUE(matches(h[0], "^capacity 65536 recorded \\d+$")) << h[0];
  EXPECT_EQ(joined(only(h, {"ERROR"})), "");
  // Thread 1 is main, 2 the worker, 3 the waiter; the task ids are 1 and 2.
  EXPECT_EQ(joined(only(h, {"thread create 2", "thread name 2", "block 2", "unblock 2",
                            "thread exit 2"})),
            "thread create 2 parent 1\nthread name 2 rec-worker\nblock 2 mutex lock\n"
            "unblock 2 mutex lock\nthread exit 2\n")
      << joined(h);
  EXPECT_TRUE(inOrder(h, {"thread name 1 rec-main", "thread create 2 parent 1", "unblock 2 mutex lock",
                          "thread exit 2", "unblock 1 thread join", "task begin 1 rec-task",
                          "thread create 3 parent 1", "block 3 cond wait",
                          "task begin 2 rec-pending"}))
      << joined(h);
  EXPECT_EQ(joined(only(h, {"task "})),
            "task begin 1 rec-task\ntask resume 1 runnable -> running\n"
            "task suspend 1 running -> chan receive\ntask resume 1 chan receive -> running\n"
            "task end 1 running\n"
            "task begin 2 rec-pending\ntask resume 2 runnable -> running\n"
            "task suspend 2 running -> chan send\n")
      << joined(h);
  // Still waiting at the dump: no unblock yet.
  EXPECT_EQ(only(h, {"unblock 3"}).size(), 0u) << joined(h);
  // The dump's own waits (stack signals, symbolization) are not recorded.
  EXPECT_EQ(h.back(), "task suspend 2 running -> chan send") << joined(h);
  // Existing readers: the dump is the same tether.threads/1 document.
  EXPECT_EQ(r.out.rfind("{\"schema\":\"tether.threads/1\"", 0), 0u) << r.out;
  EXPECT_TRUE(matches(r.out, "\"kind\":\"task suspend\",\"time_ns\":\\d+,\"time_unix_ns\":\\d+,\"task\":1,"
                             "\"in_thread\":1,\"from\":\"running\",\"since_ns\":\\d+,\"to\":\"suspended\","
                             "\"reason\":\"chan receive\",\"object\":\"0x[0-9a-f]+\",\"timed\":false,"
                             "\"await\":\\{\"function\":\"story\",\"file\":\"\\S*recorder\\.cpp\",\"line\":" +
                                 std::to_string(lineOf("recorder.cpp", "TASK-AWAIT")) + "\\}"))
      << r.out;
}

// history=N keeps the newest N events: 200 were recorded, the last 8 kept.
TEST_P(TaskPrograms, RecorderRingWrapsAndKeepsTheNewest) {
  Result r = run("recorder", GetParam(), "history=8", {"wrap"});
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> h = lines(checkTrace("history", r.out));
  ASSERT_FALSE(h.empty());
  EXPECT_TRUE(matches(h[0], "^capacity 8 recorded 2\\d\\d$")) << h[0];
  h.erase(h.begin());
  EXPECT_EQ(joined(h), "block 1 step-96\nunblock 1 step-96\nblock 1 step-97\nunblock 1 step-97\n"
                       "block 1 step-98\nunblock 1 step-98\nblock 1 step-99\nunblock 1 step-99\n");
}

TEST_P(TaskPrograms, RecorderOffWithHistoryZero) {
  Result r = run("recorder", GetParam(), "history=0", {"json"});
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(checkTrace("history", r.out), "no history\n");
  EXPECT_EQ(r.out.find("\"history\""), std::string::npos);
}

// format=trace: Chrome trace-event JSON that the trace viewers' importers
// accept (checked structurally: no trace viewer is installed), with the
// blocked spans, the lifecycle instants and the tasks' states on tracks of
// their own, including what is still going on at the dump.
TEST_P(TaskPrograms, RecorderTraceIsValidTraceEventJson) {
  Result r = run("recorder", GetParam(), "history=65536", {"trace"});
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.status, 0) << r.err;
  std::string out = checkTrace("trace", r.out);
  std::vector<std::string> t = lines(out);
  ASSERT_FALSE(t.empty());
  ASSERT_EQ(t[0], "OK") << out << r.out;
  const std::string task1 = std::to_string((1u << 30) + 1), task2 = std::to_string((1u << 30) + 2);
  EXPECT_EQ(joined(only(t, {"X 2 ", "i 2 "})),
            "i 2 thread create\nX 2 mutex lock\ni 2 thread exit\n")
      << out;
  EXPECT_TRUE(inOrder(t, {"X 1 thread join", "i 3 thread create", "X 3 cond wait ongoing"})) << out;
  EXPECT_EQ(joined(only(t, {"X " + task1, "i " + task1})),
            "i " + task1 + " task begin\nX " + task1 + " runnable\nX " + task1 + " running\nX " +
                task1 + " chan receive\nX " + task1 + " running\ni " + task1 + " task end\n")
      << out;
  EXPECT_EQ(joined(only(t, {"X " + task2, "i " + task2})),
            "i " + task2 + " task begin\nX " + task2 + " runnable\nX " + task2 + " running\nX " +
                task2 + " chan send ongoing\n")
      << out;
  // Thread and task tracks are named as in the dumps.
  EXPECT_TRUE(matches(r.out, "\"tid\":2,\"name\":\"thread_name\",\"args\":\\{\"name\":\"thread 2 rec-worker\"\\}"))
      << r.out;
  EXPECT_TRUE(matches(r.out, "\"tid\":" + task2 +
                                 ",\"name\":\"thread_name\",\"args\":\\{\"name\":\"task 2 rec-pending\"\\}"))
      << r.out;
  EXPECT_TRUE(matches(r.out, "\"otherData\":\\{\"schema\":\"tether.trace/1\",\"pid\":\\d+,\"trigger\":\"api\","))
      << r.out;
}

// The checker itself rejects what the viewers reject.
TEST(TraceChecker, RejectsBrokenTraces) {
  auto errors = [](const std::string &events) {
    return checkTrace("trace", "{\"traceEvents\":[" + events +
                                   "],\"displayTimeUnit\":\"ns\",\"otherData\":{\"schema\":\"tether.trace/1\"}}");
  };
  std::string name = "{\"ph\":\"M\",\"pid\":1,\"tid\":2,\"name\":\"thread_name\",\"args\":{\"name\":\"t\"}}";
  EXPECT_EQ(errors(name + ",{\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":1,\"dur\":5,\"name\":\"a\"}"),
            "OK\nX 2 a\n");
  EXPECT_NE(errors(name + ",{\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":1,\"dur\":5,\"name\":\"a\"},"
                          "{\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":3,\"dur\":5,\"name\":\"b\"}")
                .find("ERROR: event 2: span overlaps"),
            std::string::npos);
  EXPECT_NE(errors(name + ",{\"ph\":\"i\",\"pid\":1,\"tid\":2,\"ts\":5,\"s\":\"t\",\"name\":\"a\"},"
                          "{\"ph\":\"i\",\"pid\":1,\"tid\":2,\"ts\":3,\"s\":\"t\",\"name\":\"b\"}")
                .find("goes back"),
            std::string::npos);
  EXPECT_NE(errors(name + ",{\"ph\":\"B\",\"pid\":1,\"tid\":2,\"ts\":1,\"name\":\"a\"}").find("B without E"),
            std::string::npos);
  EXPECT_NE(errors("{\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":1,\"dur\":5,\"name\":\"a\"}").find("no thread_name"),
            std::string::npos);
  EXPECT_NE(errors(name + ",{\"ph\":\"X\",\"pid\":1,\"tid\":\"2\",\"ts\":1,\"dur\":-1,\"name\":\"a\"}")
                .find("tid is not an integer"),
            std::string::npos);
}

// All asleep with tasks: the only thread idles in its fiber scheduler while
// every fiber waits on a channel nobody sends on. Reported, with the fibers
// (deadlock=abort ends the run).
TEST_P(TaskPrograms, BoostFibersAllWaitingOnChannelsAreAllAsleep) {
#ifndef TETHER_HAVE_BOOST_FIBER
  GTEST_SKIP() << "Boost.Fiber (Debian: libboost-fiber-dev) not installed";
#endif
  Result r = run("fibers", GetParam(), "check_interval=20ms:deadlock=abort", {"asleep"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 128 + SIGABRT) << r.err;
  size_t asleep = r.report.find("tether: all threads are asleep - deadlock!");
  ASSERT_NE(asleep, std::string::npos) << r.report << r.err;
  std::string rep = r.report.substr(asleep);
  EXPECT_EQ(count(rep, "\" [chan receive, "), 3u) << rep;
  EXPECT_TRUE(matches(rep, "\ntask \\d+ \"fiber\" \\[chan receive, \\d+[^\n]*\\]:\n"
                           "boost::fibers::buffered_channel<int>::pop\\(int&\\)\n"))
      << rep;
}

// A task suspended with a timeout runs again when it expires, whatever its
// thread waits in (here a semaphore a timer's signal posts): not asleep.
TEST_P(TaskPrograms, TaskWaitingForATimerIsNotAllAsleep) {
  Result r = run("tasks", GetParam(), "check_interval=20ms", {"timer"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.err << r.report;
  EXPECT_EQ(r.report.find("all threads are asleep"), std::string::npos) << r.report;
}

INSTANTIATE_TEST_SUITE_P(Shim, TaskPrograms, ::testing::Values(Mode::Linked, Mode::Static),
                         [](const auto &info) { return std::string(modeName(info.param)); });

} // namespace

// Calls inlined by the optimizer appear as frames of their own (without an
// offset, like Go's tracebacks), at the lines of the inlined calls: through
// addr2line -i for clang's default DWARF, and through libdw's scopes when the
// binary has .debug_aranges. An inlined function is named as its DWARF
// names it: GCC gives a function with internal linkage that it inlined
// everywhere no linkage name, only `waitForGo` (addr2line -C prints the
// same); clang gives the mangled name, demangled to `waitForGo()`.
TEST(Inlined, InlinedCallsAreExpandedInDumps) {
  int wait_line = lineOf("inlined.cpp", "INLINED-WAIT");
  int call_line = lineOf("inlined.cpp", "INLINED-CALL");
  int worker_line = lineOf("inlined.cpp", "WORKER-CALL");
  ASSERT_GT(wait_line, 0);
  for (const char *prog : {"inlined", "inlined_aranges"}) {
    Result r = run(prog, Mode::Preload, "");
    ASSERT_FALSE(r.timed_out) << prog;
    EXPECT_EQ(r.status, 0) << prog << r.err;
    std::string b = block(r.report, "inl");
    EXPECT_TRUE(matches(b, "\nwaitForGo(\\(\\))?\n\t\\S*inlined\\.cpp:" + std::to_string(wait_line) +
                               "\nmiddle(\\(\\))?\n\t\\S*inlined\\.cpp:" + std::to_string(call_line) +
                               "\nworker\\(\\)\n\t\\S*inlined\\.cpp:" +
                               std::to_string(worker_line) + " \\+0x[0-9a-f]+\n"))
        << prog << ":\n" << r.report;
    r = run(prog, Mode::Preload, "format=json");
    EXPECT_TRUE(matches(r.report, "\"function\":\"middle(\\(\\))?\",\"file\":\"[^\"]*inlined\\.cpp\",\"line\":" +
                                      std::to_string(call_line) + ",[^}]*\"inlined\":true[,}]"))
        << prog << ":\n" << r.report;
    EXPECT_TRUE(matches(r.report, "\"function\":\"worker\\(\\)\",\"file\":\"[^\"]*inlined\\.cpp\",\"line\":" +
                                      std::to_string(worker_line) + ",[^}]*\"inlined\":false[,}]"))
        << prog << ":\n" << r.report;
  }
}


// The GoogleTest leak checker: a failure at the leaking test's TEST line, a
// thread started by a leaked thread during a later test blamed on nobody
// but reported by the final check, each thread reported exactly once (no
// exit report), and gtest's own exit status.
TEST(GTestChecker, OneReportPerLeakAtTheTestsLine) {
  Result r = run("gtest_leaky", Mode::Preload, "");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  int line = lineOf("gtest_leaky.cpp", "LEAKY-TEST");
  EXPECT_TRUE(matches(r.out, "gtest_leaky\\.cpp:" + std::to_string(line) +
                                 ": Failure\n[^\n]*\ntether: Leaky\\.LeaksAThread leaked 1 thread\\(s\\):\n"))
      << r.out;
  EXPECT_NE(r.out.find("[  FAILED  ] Leaky.LeaksAThread"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[       OK ] Clean.StartsAndJoins"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("tether: 1 thread(s) still running after the tests that no test reported:\n"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(matches(r.err, "created by [^\n]*leaker\\(\\) in thread 2\n\t\\S*gtest_leaky\\.cpp:" +
                                 std::to_string(lineOf("gtest_leaky.cpp", "LEAKED-CHILD"))))
      << r.err;
  // Thread 2 (the leaker) once, in the test's failure; thread 4 (its child;
  // 3 is Clean's joined thread) once, at the end.
  EXPECT_EQ(count(r.out + r.err, "\nthread 2 ["), 1u) << r.out << r.err;
  EXPECT_EQ(count(r.out + r.err, "\nthread 3 ["), 0u) << r.out << r.err;
  EXPECT_EQ(count(r.out + r.err, "\nthread 4 ["), 1u) << r.out << r.err;
  EXPECT_EQ(r.report, ""); // nothing left for the exit report
}

// The TETHER_OPTIONS ignores that quiet the exit report quiet the leak
// checks too: one setting for both.
TEST(GTestChecker, TetherOptionsIgnoresApply) {
  Result r = run("gtest_leaky", Mode::Preload, "ignore_created_by=LeaksAThread,leaker");
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("tether:"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(r.report, "");
}

// gtest sharding: each shard blames only its own tests.
TEST(GTestChecker, Sharded) {
  setenv("GTEST_TOTAL_SHARDS", "2", 1);
  setenv("GTEST_SHARD_INDEX", "0", 1);
  Result a = run("gtest_leaky", Mode::Preload, "");
  setenv("GTEST_SHARD_INDEX", "1", 1);
  Result b = run("gtest_leaky", Mode::Preload, "");
  unsetenv("GTEST_TOTAL_SHARDS");
  unsetenv("GTEST_SHARD_INDEX");
  EXPECT_EQ(a.status, 1) << a.out << a.err;
  EXPECT_NE(a.out.find("[  FAILED  ] Leaky.LeaksAThread"), std::string::npos) << a.out;
  EXPECT_EQ(count(a.out + a.err, "\nthread 2 ["), 1u) << a.out << a.err;
  EXPECT_EQ(b.status, 0) << b.out << b.err;
  EXPECT_NE(b.out.find("[       OK ] Clean.StartsAndJoins"), std::string::npos) << b.out;
  EXPECT_EQ(b.err.find("tether"), std::string::npos) << b.err;
}

// tether::leak_mark/leaked_since from Catch2 and doctest, as the docs show.
void checkFramework(const char *prog, bool have) {
  if (!have)
    GTEST_SKIP() << prog << ": headers not installed (Debian: catch2, doctest-dev)";
  Result r = run(prog, Mode::Preload, "");
  ASSERT_FALSE(r.timed_out);
  EXPECT_NE(r.status, 0) << r.out << r.err;
  // One failure: the leaking case, with tether's report of its thread.
  EXPECT_TRUE(matches(r.out, "forgets its worker")) << r.out;
  EXPECT_TRUE(matches(r.out, R"(thread \d+ \[cond wait, [^\n]*\]:\n)")) << r.out;
  EXPECT_TRUE(matches(r.out, R"(created by [^\n]*Worker[^\n]* in thread 1\n)")) << r.out;
  EXPECT_TRUE(matches(r.out, R"(2 (test cases|\| *1 passed *\| *1 failed))")) << r.out;
  EXPECT_EQ(r.report.find("still running at exit"), std::string::npos) << r.report; // reported once
}

TEST(Frameworks, Catch2) {
#ifdef TETHER_HAVE_CATCH2
  checkFramework("catch2_leaks", true);
#else
  checkFramework("catch2_leaks", false);
#endif
}

TEST(Frameworks, Doctest) {
#ifdef TETHER_HAVE_DOCTEST
  checkFramework("doctest_leaks", true);
#else
  checkFramework("doctest_leaks", false);
#endif
}
