// GoogleTest glue for tether's leak finder (header-only; needs gtest).
//
// Every test of a binary, and the run as a whole:
//
//   int main(int argc, char **argv) { return tether::testing::VerifyTestMain(argc, argv); }
//
// or the listener alone, in main() before RUN_ALL_TESTS():
//
//   ::testing::UnitTest::GetInstance()->listeners().Append(
//       new tether::testing::LeakCheckListener());
//
// or one check inside a test: tether::testing::VerifyNoLeaks();
//
// The listener blames a leaked thread on the test during which its creator
// chain started (tether::leak_mark): a thread that a leaked thread of test A
// starts during test B is A's. Each leaked thread is reported once: by the
// first check that finds it (later checks and the exit report skip it). A
// failure is reported at the test's own file and line.
#ifndef TETHER_GTEST_HPP
#define TETHER_GTEST_HPP

#include "tether/tether.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace tether::testing {

// "2 thread(s)", "1 task(s)", "1 thread(s) and 3 task(s)".
inline std::string leakSummary(const LeakReport &r) {
  std::string o;
  if (!r.thread_ids.empty() || r.task_ids.empty())
    o = std::to_string(r.thread_ids.size()) + " thread(s)";
  if (!r.task_ids.empty())
    o += (o.empty() ? "" : " and ") + std::to_string(r.task_ids.size()) + " task(s)";
  return o;
}

// Fails the current test if threads other than the caller are still running
// (and were never joined) or tasks were never ended; the failure points at
// the call.
inline void VerifyNoLeaks(const LeakOptions &options = {}, const char *file = __builtin_FILE(),
                          int line = __builtin_LINE()) {
  LeakReport r = FindLeaks(options);
  if (r.leaked())
    ADD_FAILURE_AT(file, line) << "tether: found unexpected " << leakSummary(r) << ":\n" << r.text;
}

class LeakCheckListener : public ::testing::EmptyTestEventListener {
public:
  explicit LeakCheckListener(LeakOptions options = {}) : options_(std::move(options)) {}
  void OnTestStart(const ::testing::TestInfo &) override { mark_ = leak_mark(); }
  void OnTestEnd(const ::testing::TestInfo &info) override {
    LeakReport r = leaked_since(mark_, options_);
    if (r.leaked())
      ADD_FAILURE_AT(info.file(), info.line())
          << "tether: " << info.test_suite_name() << "." << info.name() << " leaked "
          << leakSummary(r) << ":\n"
          << r.text;
  }

private:
  LeakOptions options_;
  LeakMark mark_;
};

// goleak.VerifyTestMain: runs every test with a LeakCheckListener, then
// checks the run as a whole (threads started outside any test, e.g. by a
// test suite's SetUpTestSuite or an environment, and still running). Returns
// the exit status for main: RUN_ALL_TESTS()'s, or 1 if only that final check
// failed.
inline int VerifyTestMain(int argc, char **argv, const LeakOptions &options = {}) {
  ::testing::InitGoogleTest(&argc, argv);
  LeakMark run = leak_mark();
  ::testing::UnitTest::GetInstance()->listeners().Append(new LeakCheckListener(options));
  int rc = RUN_ALL_TESTS();
  LeakReport r = leaked_since(run, options);
  if (r.leaked()) {
    std::string msg = "tether: " + leakSummary(r) +
                      " still running after the tests that no test reported:\n" + r.text;
    fputs(msg.c_str(), stderr);
    if (rc == 0)
      rc = 1;
  }
  return rc;
}

} // namespace tether::testing
#endif
