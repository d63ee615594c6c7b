#include "TestFindings.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <set>

using namespace tether;
using namespace tether::test;

namespace {

Finding make(std::string File, unsigned Line, std::string Anchor,
             std::string Function = "main",
             std::string Check = "channel-double-close") {
  Finding F;
  F.CheckId = std::move(Check);
  F.Where = point(std::move(File), Line, 3, "  " + Anchor);
  F.Message = "channel closed twice";
  F.Function = std::move(Function);
  F.AnchorText = std::move(Anchor);
  return F;
}

std::vector<std::string> fingerprints(std::vector<Finding> F) {
  assignFingerprints(F);
  std::vector<std::string> Out;
  for (const Finding &X : F)
    Out.push_back(X.Fingerprint);
  return Out;
}

} // namespace

TEST(Fingerprint, SixteenLowercaseHexDigits) {
  for (const std::string &FP :
       fingerprints({make("/p/a.cpp", 1, "a();"), make("/p/a.cpp", 2, "b();")})) {
    EXPECT_EQ(FP.size(), 16u);
    EXPECT_TRUE(std::all_of(FP.begin(), FP.end(), [](char C) {
      return (C >= '0' && C <= '9') || (C >= 'a' && C <= 'f');
    })) << FP;
  }
}

TEST(Fingerprint, DocumentedEncoding) {
  // docs/json-format.md: xxh3_64 of "<len>:<check>;<len>:<function>;
  // <len>:<normalized anchor>;<occurrence>", as 16 hex digits.
  std::string Data = "20:channel-double-close;4:main;15:ch.close(1, 2);;0";
  std::string Expected;
  llvm::raw_string_ostream(Expected)
      << llvm::format_hex_no_prefix(llvm::xxh3_64bits(llvm::StringRef(Data)), 16);
  EXPECT_EQ(fingerprints({make("/p/a.cpp", 7, "ch.close(1,\n\t   2);")})[0],
            Expected);
}

TEST(Fingerprint, StableWhenLinesShift) {
  std::vector<Finding> Before = {make("/p/a.cpp", 10, "ch.close();"),
                                 make("/p/a.cpp", 30, "t.detach();"),
                                 make("/p/b.cpp", 5, "ch.close();", "f")};
  std::vector<Finding> After = Before;
  for (Finding &F : After)
    F.Where.Line += 17; // code inserted above every finding
  EXPECT_EQ(fingerprints(Before), fingerprints(After));
}

TEST(Fingerprint, WhitespaceInAnchorDoesNotMatter) {
  EXPECT_EQ(fingerprints({make("/p/a.cpp", 1, "ch.close( a,b );")}),
            fingerprints({make("/p/a.cpp", 9, "  ch.close(\n\t a,b  );  \n")}));
  EXPECT_NE(fingerprints({make("/p/a.cpp", 1, "ch.close(a,b);")}),
            fingerprints({make("/p/a.cpp", 1, "ch.close(a, b);")}));
}

TEST(Fingerprint, RepeatedIdenticalStatementsDiffer) {
  std::vector<std::string> FP =
      fingerprints({make("/p/a.cpp", 10, "ch.close();"),
                    make("/p/a.cpp", 11, "ch.close();"),
                    make("/p/a.cpp", 12, "ch.close();")});
  EXPECT_EQ(std::set<std::string>(FP.begin(), FP.end()).size(), 3u);
}

TEST(Fingerprint, EachPartCounts) {
  std::vector<std::string> FP = fingerprints(
      {make("/p/a.cpp", 1, "x();", "main"), make("/p/a.cpp", 2, "x();", "g"),
       make("/p/a.cpp", 3, "y();", "main"),
       make("/p/a.cpp", 4, "x();", "main", "thread-not-joined")});
  EXPECT_EQ(std::set<std::string>(FP.begin(), FP.end()).size(), 4u);
  // The file is not part of it: moving a function keeps its findings.
  EXPECT_EQ(fingerprints({make("/p/a.cpp", 1, "x();")}),
            fingerprints({make("/p/moved/b.cpp", 40, "x();")}));
}

TEST(Fingerprint, IndependentOfInputOrder) {
  std::vector<Finding> F = {make("/p/b.cpp", 4, "ch.close();"),
                            make("/p/a.cpp", 9, "ch.close();"),
                            make("/p/a.cpp", 2, "ch.close();"),
                            make("/p/a.cpp", 5, "t.join();")};
  assignFingerprints(F);
  std::vector<Finding> Reversed(F.rbegin(), F.rend());
  for (Finding &X : Reversed)
    X.Fingerprint.clear();
  assignFingerprints(Reversed);
  for (size_t I = 0; I < F.size(); ++I)
    EXPECT_EQ(F[I].Fingerprint, Reversed[F.size() - 1 - I].Fingerprint) << I;
}

TEST(Fingerprint, OccurrenceFollowsPosition) {
  // The first of two identical statements keeps its fingerprint when a third
  // copy is added after them.
  std::vector<std::string> Two = fingerprints(
      {make("/p/a.cpp", 10, "ch.close();"), make("/p/a.cpp", 20, "ch.close();")});
  std::vector<std::string> Three = fingerprints(
      {make("/p/a.cpp", 10, "ch.close();"), make("/p/a.cpp", 20, "ch.close();"),
       make("/p/a.cpp", 30, "ch.close();")});
  EXPECT_EQ(Two[0], Three[0]);
  EXPECT_EQ(Two[1], Three[1]);
}
