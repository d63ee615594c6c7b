// Runs tests/sarif/validate.sh (sarif-multitool plus the schema check) on
// SARIF written by writeSarif. Skipped only when the validator is missing and
// TETHER_REQUIRE_SARIF_VALIDATOR is unset.
#include "TestFindings.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

#include <cstdlib>
#include <gtest/gtest.h>

using namespace tether;
using namespace tether::test;

namespace {

bool validatorInstalled() {
  if (const char *Tool = std::getenv("SARIF_MULTITOOL"))
    return *Tool && llvm::sys::fs::can_execute(Tool);
  return static_cast<bool>(llvm::sys::findProgramByName("sarif-multitool")) &&
         static_cast<bool>(llvm::sys::findProgramByName("node"));
}

#define REQUIRE_VALIDATOR()                                                    \
  do {                                                                         \
    if (!validatorInstalled()) {                                               \
      if (std::getenv("TETHER_REQUIRE_SARIF_VALIDATOR"))                       \
        FAIL() << "sarif-multitool is not installed but "                      \
                  "TETHER_REQUIRE_SARIF_VALIDATOR is set";                     \
      GTEST_SKIP() << "sarif-multitool is not installed";                      \
    }                                                                          \
  } while (0)

struct Validation {
  int Exit = -1;
  std::string Output;
};

Validation validate(const std::string &SarifText) {
  Validation V;
  llvm::SmallString<128> In, Out;
  EXPECT_FALSE(llvm::sys::fs::createTemporaryFile("tether-test", "sarif", In));
  EXPECT_FALSE(llvm::sys::fs::createTemporaryFile("tether-test", "log", Out));
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(In, EC);
    EXPECT_FALSE(EC) << EC.message();
    OS << SarifText;
  }
  auto Bash = llvm::sys::findProgramByName("bash");
  EXPECT_TRUE(static_cast<bool>(Bash));
  if (!Bash)
    return V;
  std::string Script = std::string(TETHER_SOURCE_DIR) + "/tests/sarif/validate.sh";
  llvm::StringRef Args[] = {*Bash, Script, In};
  std::optional<llvm::StringRef> Redirects[] = {std::nullopt, llvm::StringRef(Out),
                                                llvm::StringRef(Out)};
  std::string Err;
  V.Exit = llvm::sys::ExecuteAndWait(*Bash, Args, std::nullopt, Redirects,
                                     /*SecondsToWait=*/300, 0, &Err);
  if (auto Buf = llvm::MemoryBuffer::getFile(Out))
    V.Output = (*Buf)->getBuffer().str();
  V.Output += Err;
  llvm::sys::fs::remove(In);
  llvm::sys::fs::remove(Out);
  return V;
}

std::vector<Finding> richFindings() {
  std::vector<Finding> F = sampleFindings();
  // A second note, an insertion fix, a multi-line range, findings in two
  // threads.
  Note Second;
  Second.Where = point("/src/proj/src/chan.cpp", 10, 7, "  if (done) {", 10, 11);
  Second.Message = "taken when 'done' is true";
  F[0].Notes.push_back(Second);
  FixIt Insert;
  Insert.Where = point("/src/proj/src/dir with space/t.cpp", 4, 1, "}");
  Insert.Replacement = "  t.join();\n";
  F[1].Fixes.push_back(Insert);
  Finding Multi;
  Multi.CheckId = "thread-not-joined";
  Multi.Where = point("/src/proj/src/pool.cpp", 20, 3,
                      "  std::thread t([&] {", 23, 5);
  Multi.Message = "thread started here outlives 'pool'";
  Multi.Function = "Pool::start";
  Multi.AnchorText = "std::thread t([&] { work(); });";
  Multi.Fingerprint = "1111222233334444";
  F.push_back(Multi);
  // Two threads: one thread flow each, with ids and execution orders.
  F.push_back(twoThreadFinding());
  // A path longer than GitHub shows: cut, with a message and a property.
  Finding Long = twoThreadFinding();
  Long.Where.Line = 90;
  Long.AnchorText = "pool.stop();";
  for (unsigned I = 0; I < 1100; ++I) {
    Note N;
    N.Where = point("/src/proj/src/pool.cpp", 100 + I % 50, 3, "  step();");
    N.Message = "step " + std::to_string(I);
    N.Thread = I % 3 == 0 ? 1 : 0;
    Long.Notes.push_back(N);
  }
  F.push_back(Long);
  return F;
}

} // namespace

TEST(SarifValidator, WriterOutputIsValid) {
  REQUIRE_VALIDATOR();
  RunInfo Info = runInfo();
  Info.Errors = {{"/src/proj/src/broken.cpp", "no compile command"},
                 {"/elsewhere/gen.cpp", "fatal error: 'x.h' file not found"}};
  std::vector<Finding> F = richFindings();
  assignFingerprints(F);
  Validation V = validate(render(writeSarif, F, Info));
  EXPECT_EQ(V.Exit, 0) << V.Output;
}

TEST(SarifValidator, EmptyRunIsValid) {
  REQUIRE_VALIDATOR();
  Validation V = validate(render(writeSarif, {}, runInfo()));
  EXPECT_EQ(V.Exit, 0) << V.Output;
}

TEST(SarifValidator, RejectsInvalidSarif) {
  REQUIRE_VALIDATOR();
  // The script must be able to fail: a relative URI starting with '/' is an
  // error for the multitool, a bad level for the schema check.
  std::string Good = render(writeSarif, sampleFindings(), runInfo());
  std::string Bad = Good;
  size_t At = Bad.find("\"uri\": \"src/chan.cpp\"");
  ASSERT_NE(At, std::string::npos);
  Bad.replace(At, 21, "\"uri\": \"/src/chan.cpp\"");
  Validation V = validate(Bad);
  EXPECT_EQ(V.Exit, 1) << V.Output;
  EXPECT_NE(V.Output.find("SARIF1004"), std::string::npos) << V.Output;

  Bad = Good;
  At = Bad.find("\"level\": \"note\"");
  ASSERT_NE(At, std::string::npos);
  Bad.replace(At, 15, "\"level\": \"info\"");
  V = validate(Bad);
  EXPECT_EQ(V.Exit, 1) << V.Output;
  EXPECT_NE(V.Output.find("is not one of"), std::string::npos) << V.Output;
}
