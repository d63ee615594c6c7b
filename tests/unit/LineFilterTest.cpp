// The changed-lines filter of pull-request mode (tool/LineFilter): unified
// diff parsing and clang-tidy's --line-filter JSON, without git or a build.
#include "LineFilter.h"

#include <gtest/gtest.h>

using tether::Finding;
using tether::LineFilter;

namespace {

Finding at(const std::string &File, unsigned Line) {
  Finding F;
  F.CheckId = "channel-send-after-close";
  F.Where.File = File;
  F.Where.Line = Line;
  return F;
}

TEST(LineFilter, UnifiedDiffHunksMarkTheNewSideOnly) {
  // -U0 hunks: "+12,3" is lines 12..14, "+20" one line, "+30,0" a pure
  // deletion (nothing on the new side); a deleted file marks nothing.
  const char *Diff = "diff --git a/src/pool.cpp b/src/pool.cpp\n"
                     "index 1..2 100644\n"
                     "--- a/src/pool.cpp\n"
                     "+++ b/src/pool.cpp\n"
                     "@@ -10,2 +12,3 @@ void Pool::stop() {\n"
                     "+a\n+b\n+c\n"
                     "@@ -18 +20 @@\n"
                     "+d\n"
                     "@@ -29,4 +30,0 @@\n"
                     "diff --git a/old.h b/old.h\n"
                     "--- a/old.h\n"
                     "+++ /dev/null\n"
                     "@@ -1,3 +0,0 @@\n"
                     "diff --git a/only-deleted.h b/only-deleted.h\n"
                     "--- a/only-deleted.h\n"
                     "+++ b/only-deleted.h\n"
                     "@@ -5,1 +4,0 @@\n";
  LineFilter LF = LineFilter::fromUnifiedDiff(Diff, "/repo");
  EXPECT_FALSE(LF.contains("/repo/src/pool.cpp", 11));
  EXPECT_TRUE(LF.contains("/repo/src/pool.cpp", 12));
  EXPECT_TRUE(LF.contains("/repo/src/pool.cpp", 14));
  EXPECT_FALSE(LF.contains("/repo/src/pool.cpp", 15));
  EXPECT_TRUE(LF.contains("/repo/src/pool.cpp", 20));
  EXPECT_FALSE(LF.contains("/repo/src/pool.cpp", 30));
  EXPECT_FALSE(LF.contains("/repo/old.h", 1));
  EXPECT_FALSE(LF.contains("/repo/only-deleted.h", 4));
  EXPECT_FALSE(LF.contains("/elsewhere/src/pool.cpp", 12))
      << "paths from git are absolute: no suffix matching";
}

TEST(LineFilter, JsonNamesMatchWholePathComponents) {
  std::string Why;
  auto LF = LineFilter::fromJson(
      R"([{"name":"pool.cpp","lines":[[3,5],[9,9]]},{"name":"inc/q.h"},)"
      R"({"name":"empty.cpp","lines":[]}])",
      Why);
  ASSERT_TRUE(LF) << Why;
  EXPECT_TRUE(LF->contains("/x/src/pool.cpp", 4));
  EXPECT_TRUE(LF->contains("/x/src/pool.cpp", 9));
  EXPECT_FALSE(LF->contains("/x/src/pool.cpp", 6));
  EXPECT_FALSE(LF->contains("/x/src/threadpool.cpp", 4));
  EXPECT_TRUE(LF->contains("/x/inc/q.h", 1000));
  EXPECT_FALSE(LF->contains("/x/other/q.h", 1));
  EXPECT_FALSE(LF->contains("/x/empty.cpp", 1));
}

TEST(LineFilter, NotesCountOnlyWhenAsked) {
  LineFilter LF;
  LF.addRange("/r/helpers.cpp", 7, 7);
  Finding F = at("/r/pipeline.cpp", 40);
  tether::Note N;
  N.Where.File = "/r/helpers.cpp";
  N.Where.Line = 7;
  N.Message = "closed here";
  F.Notes.push_back(N);
  EXPECT_FALSE(LF.keeps(F, /*Notes=*/false));
  EXPECT_TRUE(LF.keeps(F, /*Notes=*/true));
  std::vector<Finding> All{F, at("/r/helpers.cpp", 7), at("/r/x.cpp", 7)};
  EXPECT_EQ(tether::applyLineFilter(All, LF, false), 2u);
  ASSERT_EQ(All.size(), 1u);
  EXPECT_EQ(All[0].Where.File, "/r/helpers.cpp");
}

TEST(LineFilter, MalformedJsonSaysWhatIsWrong) {
  std::string Why;
  EXPECT_FALSE(LineFilter::fromJson("{}", Why));
  EXPECT_NE(Why.find("expected an array"), std::string::npos) << Why;
  EXPECT_FALSE(LineFilter::fromJson(R"([{"name":"a","lines":[[0,2]]}])", Why));
  EXPECT_NE(Why.find("entry 1"), std::string::npos) << Why;
  EXPECT_FALSE(LineFilter::fromJson(R"([{"name":"a","lines":[1,2]}])", Why));
  EXPECT_FALSE(LineFilter::fromJson(R"([{"name":"a"},{"name":3}])", Why));
  EXPECT_NE(Why.find("entry 2"), std::string::npos) << Why;
}

} // namespace
