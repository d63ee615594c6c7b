// applyFixes (tool/Fixes.cpp) on findings built by hand: the cases no
// shipped check produces on purpose — conflicting edits, files that changed
// since the analysis, missing files, files outside the analysed set.
#include "Fixes.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "TempDirTest.h"

#include <gtest/gtest.h>

using namespace tether;

namespace {

class Fixes : public test::TempDirTest {
protected:
  // A finding of Check with one edit replacing [Col, EndCol) of Line.
  static Finding finding(const std::string &File, const std::string &Check,
                         unsigned Line, unsigned Col, unsigned EndCol,
                         const std::string &LineText, const std::string &Text) {
    Finding F;
    F.CheckId = Check;
    F.Where = {File, Line, Col, 0, 0, LineText};
    FixIt X;
    X.Where = {File, Line, Col, Line, EndCol, LineText};
    X.Replacement = Text;
    F.Fixes.push_back(X);
    return F;
  }
  FixSummary run(const std::vector<Finding> &Fs, bool DryRun = false) {
    Out.clear();
    Err.clear();
    llvm::raw_string_ostream O(Out), E(Err);
    FixOptions Opts;
    Opts.DryRun = DryRun;
    Opts.DisplayRoot = std::string(Dir);
    Opts.Allowed = [&](const std::string &F) {
      return llvm::StringRef(F).starts_with(std::string(Dir)) &&
             !llvm::StringRef(F).ends_with("vendor.h");
    };
    return applyFixes(Fs, Opts, O, E);
  }

  std::string Out, Err;
};

const char *Code = "int a = 1;\nint b = 2;\nint c = 3;\n";

TEST_F(Fixes, ConflictingEditsAreRefusedOthersApplied) {
  std::string F = path("x.cpp");
  write(F, Code);
  std::vector<Finding> Fs = {
      finding(F, "check-a", 1, 5, 6, "int a = 1;", "alpha"),
      finding(F, "check-b", 1, 5, 6, "int a = 1;", "aleph"),
      finding(F, "check-c", 3, 9, 10, "int c = 3;", "30"),
  };
  FixSummary S = run(Fs);
  EXPECT_EQ(S.Applied, 1u);
  EXPECT_EQ(S.Files, 1u);
  EXPECT_EQ(S.Refused, 2u);
  EXPECT_EQ(read(F), "int a = 1;\nint b = 2;\nint c = 30;\n");
  EXPECT_NE(Err.find("conflicting fix-its in " + F +
                     " at 1:5 [check-a] and 1:5 [check-b]; neither is applied"),
            std::string::npos)
      << Err;
}

TEST_F(Fixes, OverlappingRangesConflictAdjacentOnesDoNot) {
  std::string F = path("x.cpp");
  write(F, Code);
  // `int a` and `a = 1` overlap; `b` and ` = 2` only touch.
  std::vector<Finding> Fs = {
      finding(F, "check-a", 1, 1, 6, "int a = 1;", "long a"),
      finding(F, "check-b", 1, 5, 10, "int a = 1;", "a = 7"),
      finding(F, "check-c", 2, 5, 6, "int b = 2;", "bb"),
      finding(F, "check-d", 2, 6, 10, "int b = 2;", " = 9"),
  };
  FixSummary S = run(Fs);
  EXPECT_EQ(S.Applied, 2u);
  EXPECT_EQ(S.Refused, 2u);
  EXPECT_EQ(read(F), "int a = 1;\nint bb = 9;\nint c = 3;\n");
}

TEST_F(Fixes, IdenticalEditsFromTwoFindingsAppliedOnce) {
  std::string F = path("x.h");
  write(F, Code);
  std::vector<Finding> Fs = {
      finding(F, "check-a", 2, 5, 6, "int b = 2;", "beta"),
      finding(F, "check-a", 2, 5, 6, "int b = 2;", "beta"),
  };
  FixSummary S = run(Fs);
  EXPECT_EQ(S.Applied, 1u);
  EXPECT_EQ(S.Refused, 0u);
  EXPECT_EQ(read(F), "int a = 1;\nint beta = 2;\nint c = 3;\n");
}

TEST_F(Fixes, StaleLineMissingFileAndForeignFileAreNotTouched) {
  std::string F = path("x.cpp"), V = path("vendor.h"), M = path("gone.cpp");
  write(F, Code);
  write(V, Code);
  std::vector<Finding> Fs = {
      finding(F, "check-a", 1, 5, 6, "int a = 100;", "alpha"), // changed
      finding(V, "check-a", 1, 5, 6, "int a = 1;", "alpha"),
      finding(M, "check-a", 1, 5, 6, "int a = 1;", "alpha"),
  };
  FixSummary S = run(Fs);
  EXPECT_EQ(S.Applied, 0u);
  EXPECT_EQ(S.Refused, 3u);
  EXPECT_TRUE(S.Error);
  EXPECT_EQ(read(F), Code);
  EXPECT_EQ(read(V), Code);
  EXPECT_EQ(read(M), "<missing>");
  EXPECT_NE(Err.find("changed since it was analysed"), std::string::npos) << Err;
  EXPECT_NE(Err.find("not applying fix-its to '" + V + "'"), std::string::npos)
      << Err;
  EXPECT_NE(Err.find("cannot apply fix-its to '" + M + "'"), std::string::npos)
      << Err;
}

TEST_F(Fixes, DryRunDiffHasHunksPerDistantEdit) {
  std::string F = path("long.cpp");
  std::string Text;
  for (int I = 1; I <= 20; ++I)
    Text += "int v" + std::to_string(I) + " = " + std::to_string(I) + ";\n";
  write(F, Text);
  std::vector<Finding> Fs = {
      finding(F, "check-a", 2, 5, 7, "int v2 = 2;", "w2"),
      finding(F, "check-a", 18, 5, 8, "int v18 = 18;", "w18\nint extra = 0;"),
  };
  FixSummary S = run(Fs, /*DryRun=*/true);
  EXPECT_EQ(S.Applied, 2u);
  EXPECT_EQ(read(F), Text);
  EXPECT_EQ(Out, "--- a/long.cpp\n"
                 "+++ b/long.cpp\n"
                 "@@ -1,5 +1,5 @@\n"
                 " int v1 = 1;\n"
                 "-int v2 = 2;\n"
                 "+int w2 = 2;\n"
                 " int v3 = 3;\n"
                 " int v4 = 4;\n"
                 " int v5 = 5;\n"
                 "@@ -15,6 +15,7 @@\n"
                 " int v15 = 15;\n"
                 " int v16 = 16;\n"
                 " int v17 = 17;\n"
                 "-int v18 = 18;\n"
                 "+int w18\n"
                 "+int extra = 0; = 18;\n"
                 " int v19 = 19;\n"
                 " int v20 = 20;\n");
}

} // namespace
