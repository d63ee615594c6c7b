#include "TestFindings.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "TempDirTest.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace tether;
using namespace tether::test;

namespace {

class Baseline : public test::TempDirTest {
protected:
  std::vector<std::string> entries() {
    std::vector<std::string> Names;
    std::error_code EC;
    for (llvm::sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
         It.increment(EC))
      Names.push_back(llvm::sys::path::filename(It->path()).str());
    return Names;
  }
  // Reads Text as a baseline and returns the error.
  std::string errorFor(llvm::StringRef Text) {
    std::string P = path("bad.json");
    write(P, Text);
    std::vector<std::string> FP = {"keep"};
    std::string Error;
    EXPECT_FALSE(readBaseline(P, FP, Error)) << Text.str();
    EXPECT_EQ(FP, std::vector<std::string>{"keep"}) << "changed on error";
    EXPECT_NE(Error.find(P), std::string::npos) << Error;
    return Error;
  }

};

} // namespace

TEST_F(Baseline, RoundTrip) {
  std::vector<Finding> F = sampleFindings();
  assignFingerprints(F);
  std::string P = path("baseline.json"), Error;
  ASSERT_TRUE(writeBaseline(P, F, Error)) << Error;

  std::vector<std::string> Read;
  ASSERT_TRUE(readBaseline(P, Read, Error)) << Error;
  ASSERT_EQ(Read.size(), F.size());
  for (size_t I = 0; I < F.size(); ++I)
    EXPECT_EQ(Read[I], F[I].Fingerprint);

  nlohmann::json J = nlohmann::json::parse(read(P));
  EXPECT_EQ(J["version"], 1);
  EXPECT_EQ(J["fingerprints"][0]["check"], "channel-double-close");
  EXPECT_EQ(J["fingerprints"][0]["message"], "channel 'ch' is closed twice");
  EXPECT_EQ(J["fingerprints"][0]["file"], "/src/proj/src/chan.cpp");
  // Only the baseline itself is left in the directory.
  EXPECT_EQ(entries(), std::vector<std::string>{"baseline.json"});
}

TEST_F(Baseline, ApplyRemovesKnownFindings) {
  std::vector<Finding> F = sampleFindings();
  assignFingerprints(F);
  std::vector<std::string> Known = {F[0].Fingerprint, F[2].Fingerprint,
                                    "ffffffffffffffff"};
  std::string Kept = F[1].Fingerprint;
  EXPECT_EQ(applyBaseline(F, Known), 2u);
  ASSERT_EQ(F.size(), 1u);
  EXPECT_EQ(F[0].Fingerprint, Kept);
  EXPECT_EQ(applyBaseline(F, {}), 0u);
}

TEST_F(Baseline, BaselinedFindingSurvivesLineShift) {
  std::vector<Finding> Old = sampleFindings();
  assignFingerprints(Old);
  std::string P = path("b.json"), Error;
  ASSERT_TRUE(writeBaseline(P, Old, Error)) << Error;
  std::vector<Finding> New = sampleFindings();
  for (Finding &F : New)
    F.Where.Line += 3;
  assignFingerprints(New);
  std::vector<std::string> Known;
  ASSERT_TRUE(readBaseline(P, Known, Error)) << Error;
  EXPECT_EQ(applyBaseline(New, Known), 3u);
}

TEST_F(Baseline, MalformedFiles) {
  std::string E = errorFor("{\"version\": 1,\n \"fingerprints\": [\n  {\"fingerprint\": \"a\"}\n  {]}");
  EXPECT_NE(E.find("bad.json:4:"), std::string::npos) << E;
  EXPECT_NE(E.find("malformed baseline"), std::string::npos) << E;

  E = errorFor("[]");
  EXPECT_NE(E.find("expected a JSON object"), std::string::npos) << E;
  E = errorFor("{\"fingerprints\": []}");
  EXPECT_NE(E.find("\"version\""), std::string::npos) << E;
  E = errorFor("{\"version\": 2, \"fingerprints\": []}");
  EXPECT_NE(E.find("unsupported version 2"), std::string::npos) << E;
  E = errorFor("{\"version\": 1}");
  EXPECT_NE(E.find("\"fingerprints\""), std::string::npos) << E;
  E = errorFor("{\"version\": 1, \"fingerprints\": [{\"fingerprint\": \"a\"}, 3]}");
  EXPECT_NE(E.find("fingerprints[1]: expected an object"), std::string::npos) << E;
  E = errorFor("{\"version\": 1, \"fingerprints\": [{\"check\": \"x\"}]}");
  EXPECT_NE(E.find("fingerprints[0]: missing string \"fingerprint\""),
            std::string::npos)
      << E;
  E = errorFor("");
  EXPECT_NE(E.find("malformed baseline"), std::string::npos) << E;
  // Nested values are skipped by the streaming reader, never taken for
  // entries or for the root's keys.
  E = errorFor("{\"version\": 1, \"fingerprints\": [{\"fingerprint\": \"a\", "
               "\"x\": {\"fingerprint\": \"zz\"}}, [1, {}], {\"fingerprint\": 7}]}");
  EXPECT_NE(E.find("fingerprints[1]: expected an object"), std::string::npos) << E;
  E = errorFor("{\"meta\": {\"version\": 1}, \"fingerprints\": []}");
  EXPECT_NE(E.find("missing integer \"version\""), std::string::npos) << E;
  E = errorFor("{\"version\": 1, \"fingerprints\": [{\"fingerprint\": 7}]}");
  EXPECT_NE(E.find("fingerprints[0]: missing string"), std::string::npos) << E;
  E = errorFor("{\"version\": 1, \"fingerprints\": []} trailing");
  EXPECT_NE(E.find("bad.json:1:"), std::string::npos) << E;
}

TEST_F(Baseline, NestedValuesAreSkipped) {
  std::string P = path("b.json");
  write(P, "{\"extra\": {\"version\": 9, \"fingerprints\": [{\"fingerprint\": "
           "\"no\"}]}, \"version\": 1, \"fingerprints\": [{\"fingerprint\": "
           "\"a\", \"x\": [{\"fingerprint\": \"no\"}]}, {\"check\": \"c\", "
           "\"fingerprint\": \"b\"}]}");
  std::vector<std::string> FP;
  std::string Error;
  ASSERT_TRUE(readBaseline(P, FP, Error)) << Error;
  EXPECT_EQ(FP, (std::vector<std::string>{"a", "b"}));
}

TEST_F(Baseline, MissingFile) {
  std::vector<std::string> FP;
  std::string Error, P = path("nope.json");
  EXPECT_FALSE(readBaseline(P, FP, Error));
  EXPECT_NE(Error.find(P + ": cannot read baseline"), std::string::npos) << Error;
}

TEST_F(Baseline, FailedWriteKeepsTheOldFile) {
  std::string P = path("baseline.json"), Error;
  write(P, "old contents");
  std::vector<Finding> F = sampleFindings();
  F[1].Fingerprint.clear(); // not fingerprinted: cannot be baselined
  EXPECT_FALSE(writeBaseline(P, F, Error));
  EXPECT_NE(Error.find(P), std::string::npos) << Error;
  EXPECT_NE(Error.find("no fingerprint"), std::string::npos) << Error;
  EXPECT_EQ(read(P), "old contents");
  EXPECT_EQ(entries(), std::vector<std::string>{"baseline.json"});

  // A directory in the way: the rename fails and no temporary is left.
  std::string DirPath = path("taken");
  ASSERT_FALSE(llvm::sys::fs::create_directory(DirPath));
  write(path("taken/keep"), "x");
  F = sampleFindings();
  EXPECT_FALSE(writeBaseline(DirPath, F, Error));
  EXPECT_NE(Error.find(DirPath), std::string::npos) << Error;
  EXPECT_EQ(read(path("taken/keep")), "x");
  std::vector<std::string> Names = entries();
  std::sort(Names.begin(), Names.end());
  EXPECT_EQ(Names, (std::vector<std::string>{"baseline.json", "taken"}));

  EXPECT_FALSE(writeBaseline(path("no/such/dir/b.json"), F, Error));
  EXPECT_NE(Error.find("no/such/dir/b.json: cannot write baseline"),
            std::string::npos)
      << Error;
}

TEST_F(Baseline, OverwritesAtomically) {
  std::string P = path("baseline.json"), Error;
  write(P, "old contents");
  std::vector<Finding> F = sampleFindings();
  ASSERT_TRUE(writeBaseline(P, F, Error)) << Error;
  std::vector<std::string> Read;
  ASSERT_TRUE(readBaseline(P, Read, Error)) << Error;
  EXPECT_EQ(Read.size(), 3u);
}
