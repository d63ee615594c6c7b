// Torture tests of the runtime shim: credential changes, hostile option
// values, odd thread names, a recycled fd 2, dumps racing exit, valgrind.
// Every test runs its program in a sandbox directory (cwd and TMPDIR),
// asserts the exit status and tether's exact messages, and that no file
// other than the ones it names was created or changed.
#include "harness.h"

#include <algorithm>
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

// Expects exactly the named files of the sandbox to be new or changed.
void expectChanged(const Listing &before, const Sandbox &box, std::vector<std::string> names) {
  std::vector<std::string> got = changed(before, box.listing());
  std::sort(got.begin(), got.end());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(got, names);
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

} // namespace
