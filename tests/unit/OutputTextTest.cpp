#include "TestFindings.h"

#include <gtest/gtest.h>

using namespace tether;
using namespace tether::test;

namespace {

std::string text(const std::vector<Finding> &F, const RunInfo &I,
                 bool Color = false) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  writeText(OS, F, I, Color);
  OS.flush();
  return Out;
}

Finding single(SourcePoint P, std::string Message = "m") {
  Finding F;
  F.CheckId = "channel-double-close";
  F.Where = std::move(P);
  F.Message = std::move(Message);
  return F;
}

} // namespace

TEST(OutputText, WarningWithSourceCaretAndNote) {
  std::vector<Finding> F = {sampleFindings()[0]};
  EXPECT_EQ(text(F, runInfo()),
            "src/chan.cpp:12:5: warning: channel 'ch' is closed twice "
            "[channel-double-close]\n"
            "    ch.close();\n"
            "    ^~~~~~~~~~\n"
            "src/chan.cpp:9:3: note: first closed here\n"
            "  ch.close();\n"
            "  ^~~~~~~~~~\n");
}

TEST(OutputText, LevelsPathsAndSummary) {
  std::string Out = text(sampleFindings(), runInfo());
  EXPECT_NE(Out.find("src/dir with space/t.cpp:3:15: error: thread 't' may be "
                     "destroyed while joinable [thread-not-joined]\n"),
            std::string::npos)
      << Out;
  // Outside the source root the path stays absolute.
  EXPECT_NE(Out.find("/usr/include/lib/chan.h:40:1: remark: close in a header "
                     "[channel-double-close]\nclose();\n^\n"),
            std::string::npos)
      << Out;
  // The count is the driver's, on stderr (DriverStagesTest).
  EXPECT_EQ(Out.find("generated."), std::string::npos) << Out;
}

TEST(OutputText, TabsAreExpandedAndCaretFollows) {
  // Byte column 3 is 'c' after two tabs: display column 17.
  std::vector<Finding> F = {
      single(point("/src/proj/a.cpp", 1, 3, "\t\tch.close();", 1, 13))};
  std::string Out = text(F, runInfo());
  EXPECT_NE(Out.find("\n                ch.close();\n"
                     "                ^~~~~~~~~~\n"),
            std::string::npos)
      << Out;
  // A tab inside the line, between the start and the end of the range.
  F = {single(point("/src/proj/a.cpp", 1, 1, "a\tb;", 1, 4))};
  Out = text(F, runInfo());
  EXPECT_NE(Out.find("\na       b;\n^~~~~~~~~\n"), std::string::npos) << Out;
}

TEST(OutputText, MultiLineRangeRunsToEndOfLineAndPointWithoutEnd) {
  std::vector<Finding> F = {
      single(point("/src/proj/a.cpp", 4, 3, "  call(a,\r\n", 6, 2))};
  std::string Out = text(F, runInfo());
  EXPECT_NE(Out.find("\n  call(a,\n  ^~~~~~~\n"), std::string::npos) << Out;

  F = {single(point("/src/proj/a.cpp", 4, 8, "  x = y;"))};
  Out = text(F, runInfo());
  EXPECT_NE(Out.find("\n  x = y;\n       ^\n"), std::string::npos) << Out;
}

TEST(OutputText, NoSourceLineMeansNoSnippet) {
  std::vector<Finding> F = {single(point("/src/proj/a.cpp", 4, 3, ""))};
  EXPECT_EQ(text(F, runInfo()),
            "a.cpp:4:3: warning: m [channel-double-close]\n");
}

TEST(OutputText, ControlCharactersAndUtf8) {
  // "é" is two bytes but one column; the caret must sit under 'x'.
  std::vector<Finding> F = {
      single(point("/src/proj/a.cpp", 1, 9, "s = \"\xC3\xA9\"x\x01;", 1, 10))};
  std::string Out = text(F, runInfo());
  EXPECT_NE(Out.find("\ns = \"\xC3\xA9\"x<U+0001>;\n       ^\n"),
            std::string::npos)
      << Out;
}

TEST(OutputText, InputErrorsAreOneLineEach) {
  RunInfo Info = runInfo();
  Info.Errors = {{"/src/proj/b.cpp", "no compile command\nfor this file\n"},
                 {"/src/proj/c.cpp", "parse failed"}};
  std::string Out = text({}, Info);
  EXPECT_EQ(Out, "error: cannot analyse /src/proj/b.cpp: no compile command "
                 "for this file\n"
                 "error: cannot analyse /src/proj/c.cpp: parse failed\n");
}

TEST(OutputText, NothingToReportPrintsNothing) {
  EXPECT_EQ(text({}, runInfo()), "");
}

TEST(OutputText, ColorsLikeClang) {
  std::vector<Finding> F = {sampleFindings()[0]};
  std::string Out = text(F, runInfo(), /*Color=*/true);
  EXPECT_EQ(Out,
            "\033[1msrc/chan.cpp:12:5: \033[0m\033[0;1;35mwarning: "
            "\033[0m\033[1mchannel 'ch' is closed twice "
            "[channel-double-close]\033[0m\n"
            "    ch.close();\n"
            "\033[0;1;32m    ^~~~~~~~~~\033[0m\n"
            "\033[1msrc/chan.cpp:9:3: \033[0m\033[0;1;36mnote: \033[0m"
            "first closed here\n"
            "  ch.close();\n"
            "\033[0;1;32m  ^~~~~~~~~~\033[0m\n");
  Out = text(F, runInfo(), /*Color=*/false);
  EXPECT_EQ(Out.find('\033'), std::string::npos);
}
