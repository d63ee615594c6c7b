// The lowest layer: the nesting guards run before LLVM's recursive parsers,
// and the safe reader/writer every output goes through.
#include "Limits.h"
#include "SafeIO.h"
#include "TempDirTest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace tether;
namespace fs = std::filesystem;

namespace {
std::string nested(unsigned N) {
  return std::string(N, '[') + std::string(N, ']');
}
std::string slurp(const fs::path &P) {
  std::ifstream In(P);
  return std::string(std::istreambuf_iterator<char>(In), {});
}
} // namespace

TEST(Limits, JsonNestingCountsOnlyOutsideStrings) {
  TextProblem P;
  EXPECT_TRUE(checkJsonNesting(nested(64), 64, P));
  EXPECT_FALSE(checkJsonNesting(nested(65), 64, P));
  EXPECT_EQ(P.Line, 1u);
  EXPECT_EQ(P.Column, 65u);
  EXPECT_EQ(P.Message, "nesting deeper than 64 levels");
  // Brackets inside strings, escaped quotes included, do not nest.
  std::string InString = "[\"" + std::string(500, '[') + "\\\"" +
                         std::string(500, '{') + "\"]";
  EXPECT_TRUE(checkJsonNesting(InString, 64, P));
  EXPECT_FALSE(checkJsonNesting("{\"a\":\n  " + nested(200) + "}", 64, P));
  EXPECT_EQ(P.Line, 2u);
}

TEST(Limits, YamlAcceptsEveryBuiltinModelAndConfigShape) {
  TextProblem P;
  for (const auto &E : fs::directory_iterator(TETHER_SOURCE_DIR "/models")) {
    if (E.path().extension() != ".yaml")
      continue;
    EXPECT_TRUE(checkYamlText(slurp(E.path()), 64, P))
        << E.path() << ":" << P.Line << ":" << P.Column << ": " << P.Message;
  }
  const char *Config = R"(checks: '*,-thread-*'   # a comment [[[
header_filter: "src/[a-z]+/.*\\.h"
options:
  thread-leak.allow_detached: "logger*"
models:
  - library: mine
    channels:
      - types: [BlockingQueue, 'Q<[T]>']
        send: [push]
        note: |
          text with [[[[ brackets and &anchors and *stars
          that are not YAML
        receive: [pop]
    spawn: []
words: don't stop, it's fine
)";
  EXPECT_TRUE(checkYamlText(Config, 64, P))
      << P.Line << ":" << P.Column << ": " << P.Message;
}

TEST(Limits, YamlRefusesDeepNestingOfEveryKind) {
  TextProblem P;
  EXPECT_FALSE(checkYamlText("a: " + nested(100000) + "\n", 64, P));
  EXPECT_EQ(P.Line, 1u);
  EXPECT_EQ(P.Message, "nesting deeper than 64 levels");
  std::string Compact = "x:\n  " ;
  for (int I = 0; I < 70; ++I)
    Compact += "- ";
  Compact += "leaf\n";
  EXPECT_FALSE(checkYamlText(Compact, 64, P));
  EXPECT_EQ(P.Line, 2u);
  std::string Block;
  for (int I = 0; I < 70; ++I)
    Block += std::string(I, ' ') + "k" + std::to_string(I) + ":\n";
  EXPECT_FALSE(checkYamlText(Block, 64, P));
  EXPECT_EQ(P.Line, 65u);
  // A flow collection spread over lines.
  EXPECT_FALSE(checkYamlText("a: [\n" + std::string(80, '{') + "\n", 64, P));
}

TEST(Limits, YamlAnchorsAndAliasesAreNamed) {
  TextProblem P;
  EXPECT_FALSE(checkYamlText("a: &x 1\nb: 2\n", 64, P));
  EXPECT_EQ(P.Message, "anchors and aliases are not supported");
  EXPECT_EQ(P.Column, 4u);
  EXPECT_FALSE(checkYamlText("a: 1\nb: [1, *x]\n", 64, P));
  EXPECT_EQ(P.Line, 2u);
  EXPECT_FALSE(checkYamlText("- &a\n  k: v\n", 64, P));
  // Not at the start of a node: plain text.
  EXPECT_TRUE(checkYamlText("a: b&c\nd: 'x *y'\ne: a*b\nf: '*'\n", 64, P))
      << P.Line << ":" << P.Column;
}

class SafeIOTest : public tether::test::TempDirTest {
protected:
  fs::path Root() const { return fs::path(std::string(Dir.str())); }
};

TEST_F(SafeIOTest, ReadRefusesWhatIsNotARegularFileAndTooLargeFiles) {
  std::string Text, Error;
  EXPECT_FALSE(readInputFile("/dev/zero", 1 << 20, Text, Error));
  EXPECT_EQ(Error, "not a regular file (a character device)");
  fs::path Fifo = Root() / "fifo";
  ASSERT_EQ(mkfifo(Fifo.c_str(), 0600), 0);
  EXPECT_FALSE(readInputFile(Fifo, 1 << 20, Text, Error)); // no hang
  EXPECT_EQ(Error, "not a regular file (a FIFO)");
  EXPECT_FALSE(readInputFile(Root().string(), 1 << 20, Text, Error));
  fs::path Big = Root() / "big";
  std::ofstream(Big) << std::string(2000, 'x');
  EXPECT_FALSE(readInputFile(Big, 1000, Text, Error));
  EXPECT_EQ(Error, "larger than 1000 bytes, the limit for this file");
  EXPECT_TRUE(readInputFile(Big, 2000, Text, Error)) << Error;
  EXPECT_EQ(Text.size(), 2000u);
}

TEST_F(SafeIOTest, WriteReplacesAtomicallyKeepingModeAndLeavesNoTemporary) {
  fs::path Out = Root() / "out.json";
  std::ofstream(Out) << "old";
  ASSERT_EQ(chmod(Out.c_str(), 0640), 0);
  fs::path Planted = Root() / "out.json.tmp";
  fs::path Victim = Root() / "victim";
  std::ofstream(Victim) << "precious";
  fs::create_symlink(Victim, Planted);
  std::string Error;
  WriteNote Note;
  ASSERT_TRUE(writeOutputFile(Out.string(), std::string("new"), Error, &Note))
      << Error;
  EXPECT_FALSE(Note.InPlace);
  EXPECT_EQ(slurp(Out), "new");
  EXPECT_EQ(slurp(Victim), "precious");
  struct stat St;
  ASSERT_EQ(stat(Out.c_str(), &St), 0);
  EXPECT_EQ(St.st_mode & 07777, 0640u);
  int Entries = 0;
  for (const auto &E : fs::directory_iterator(Root())) {
    ++Entries;
    EXPECT_EQ(E.path().filename().string().find(".tether-"),
              std::string::npos);
  }
  EXPECT_EQ(Entries, 3);
}

TEST_F(SafeIOTest, WriteRefusesLinksAndDirectoriesAndKeepsHardLinks) {
  fs::path Target = Root() / "target";
  std::ofstream(Target) << "keep";
  fs::path Link = Root() / "link";
  fs::create_symlink(Target, Link);
  std::string Error;
  EXPECT_FALSE(checkOutputPath(Link.string(), Error));
  EXPECT_FALSE(writeOutputFile(Link.string(), std::string("x"), Error));
  EXPECT_EQ(Error, "it is a symbolic link (name the file it points to)");
  EXPECT_EQ(slurp(Target), "keep");
  EXPECT_TRUE(fs::is_symlink(Link));
  EXPECT_FALSE(writeOutputFile(Root().string(), std::string("x"), Error));
  EXPECT_EQ(Error, "it is a directory");
  EXPECT_FALSE(writeOutputFile("", std::string("x"), Error));

  fs::path Other = Root() / "other";
  fs::create_hard_link(Target, Other);
  WriteNote Note;
  ASSERT_TRUE(writeOutputFile(Target.string(), std::string("both"), Error,
                              &Note))
      << Error;
  EXPECT_TRUE(Note.InPlace);
  EXPECT_EQ(Note.HardLinks, 2u);
  EXPECT_EQ(slurp(Other), "both");
}

TEST_F(SafeIOTest, WriteToDevicesInPlaceAndFifoWithoutReaderRefused) {
  std::string Error;
  WriteNote Note;
  EXPECT_TRUE(writeOutputFile("/dev/null", std::string("x"), Error, &Note))
      << Error;
  EXPECT_TRUE(Note.InPlace);
  struct stat St;
  ASSERT_EQ(lstat("/dev/null", &St), 0);
  EXPECT_TRUE(S_ISCHR(St.st_mode));
  EXPECT_FALSE(writeOutputFile("/dev/full", std::string("x"), Error));
  EXPECT_NE(Error.find("No space left"), std::string::npos) << Error;
  fs::path Fifo = Root() / "fifo";
  ASSERT_EQ(mkfifo(Fifo.c_str(), 0600), 0);
  EXPECT_FALSE(writeOutputFile(Fifo.string(), std::string("x"), Error));
  EXPECT_EQ(Error, "it is a FIFO with no reader");
}
