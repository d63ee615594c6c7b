// A TU's stored result (tool/TUStore.h): findings and exported facts read
// back exactly — the link phase run on facts that went through the disk
// gives the same answers and the same findings as on the facts in memory —
// and every damaged or foreign entry is a clean miss.
#include "TUStore.h"
#include "DriverStages.h"
#include "FirstPass.h"
#include "FindingJSON.h"

#include "ApiModel.h"

#include "clang/Frontend/ASTUnit.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <gtest/gtest.h>

using namespace tether;
using namespace tether::testing;

namespace {

std::vector<ParsedTU> analyseSample() {
  std::vector<ParsedTU> TUs;
  for (auto [Name, Body] :
       {std::pair{"/src/shutdown.cpp", SampleShutdownCpp},
        {"/src/download.cpp", SampleDownloadCpp},
        {"/src/supervisor.cpp", SampleSupervisorCpp},
        {"/src/logger.cpp", SampleLoggerCpp}})
    TUs.push_back(sampleTU(Body, Name));
  return TUs;
}

std::string text(const llvm::json::Value &V) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << V;
  return S;
}

std::string encode(const ParsedTU &P, llvm::StringRef Stamp = "v1") {
  StoredTU T;
  T.File = P.File;
  T.Findings = P.Result.Findings;
  // TUFacts moves only: go through its JSON, as a store would.
  EXPECT_TRUE(factsFromJSON(factsToJSON(P.Result.Facts), T.Facts));
  T.Reads = {{P.File, 0x1234abcdULL}, {"/usr/include/x.h", ~0ULL}};
  T.Absent = {"/src/x.h", "/usr/local/include/x.h"};
  return encodeStoredTU(T, Stamp);
}

// Every field set, and bytes that are not UTF-8 (a Latin-1 source line).
Finding everyField() {
  Finding F;
  F.CheckId = "lock-held-across-blocking";
  F.Level = Severity::Error;
  F.Where = {"/src/pool.cpp", 16, 5, 16, 19, "    worker_.join(); // caf\xe9"};
  F.Message = "mutex 'mu_' is held across a join";
  F.Notes.push_back({{"/src/pool.cpp", 14, 3, 0, 0, "  lk.lock();"},
                     "the mutex is taken here",
                     0});
  F.Notes.push_back({{"/src/pool.cpp", 9, 7, 9, 20, "  std::lock_guard g(mu_);"},
                     "the joined thread takes it",
                     1});
  F.Threads = {"thread calling 'Pool::stop'", "thread started at pool.cpp:9"};
  F.Fixes.push_back({{"/src/pool.cpp", 15, 3, 15, 3, ""}, "lk.unlock();\n  "});
  F.Function = "Pool::stop";
  F.AnchorText = "worker_.join()";
  F.Fingerprint = "0123456789abcdef";
  return F;
}

} // namespace

TEST(TUStore, FactsReadBackLinkToTheSameAnswersAndFindings) {
  std::vector<ParsedTU> TUs = analyseSample();
  ASSERT_EQ(TUs.size(), 4u);
  std::vector<TUResult> InMemory, FromDisk;
  for (const ParsedTU &P : TUs) {
    std::string Bytes = encode(P);
    StoredTU Read;
    std::string Why;
    ASSERT_TRUE(decodeStoredTU(Bytes, "v1", Read, Why)) << Why;
    EXPECT_EQ(Read.File, P.File);
    EXPECT_TRUE(Read.Error.empty());
    // Exact: what was read encodes to the same bytes.
    EXPECT_EQ(encodeStoredTU(Read, "v1"), Bytes) << P.File;
    EXPECT_EQ(text(findingsToJSON(Read.Findings)),
              text(findingsToJSON(P.Result.Findings)));
    EXPECT_EQ(Read.Facts.functions(), P.Result.Facts.functions());
    EXPECT_EQ(Read.Facts.callsExternal(), P.Result.Facts.callsExternal());
    EXPECT_EQ(Read.Reads.size(), 2u);
    EXPECT_EQ(Read.Reads[1].Hash, ~0ULL);
    EXPECT_EQ(Read.Absent.size(), 2u);
    TUResult Mem;
    ASSERT_TRUE(factsFromJSON(factsToJSON(P.Result.Facts), Mem.Facts));
    InMemory.push_back(std::move(Mem));
    TUResult Disk;
    Disk.Facts = std::move(Read.Facts);
    Disk.Findings = std::move(Read.Findings);
    FromDisk.push_back(std::move(Disk));
  }
  LinkedFacts A = linkFacts(InMemory), B = linkFacts(FromDisk);
  EXPECT_EQ(A.functions(), B.functions());
  EXPECT_GE(B.functions(), 5u);
  std::vector<size_t> DepsA = dependents(A, InMemory),
                      DepsB = dependents(B, FromDisk);
  EXPECT_EQ(DepsA, DepsB);
  // download.cpp and supervisor.cpp call what others define; logger.cpp
  // calls only what nobody defines.
  EXPECT_EQ(DepsB, (std::vector<size_t>{1, 2}));
  // The second passes with either view find the same, and the cross-TU
  // double close is among them.
  TUCheckSetup Setup;
  Setup.Models = &driverTestModels();
  bool CrossTU = false;
  for (size_t I : DepsB) {
    auto &Ctx = TUs[I].AST->getASTContext();
    std::vector<Finding> WithA = runChecks(Ctx, Setup, &A);
    std::vector<Finding> WithB = runChecks(Ctx, Setup, &B);
    EXPECT_EQ(text(findingsToJSON(WithA)), text(findingsToJSON(WithB)));
    for (const Finding &F : WithB)
      for (const Note &N : F.Notes)
        CrossTU |= F.CheckId == "channel-double-close" &&
                   N.Where.File == "/src/shutdown.cpp";
  }
  EXPECT_TRUE(CrossTU) << "the first close is in shutdown.cpp";
}

TEST(TUStore, EveryFindingFieldSurvivesExactly) {
  StoredTU T;
  T.File = "/src/pool\xe9.cpp";
  T.Error = "";
  T.Findings = {everyField(), everyField()};
  T.Findings[1].Level = Severity::Remark;
  T.Findings[1].Threads.clear();
  T.Findings[1].Fixes.clear();
  std::string Bytes = encodeStoredTU(T, "stamp");
  StoredTU Read;
  std::string Why;
  ASSERT_TRUE(decodeStoredTU(Bytes, "stamp", Read, Why)) << Why;
  EXPECT_EQ(Read.File, T.File);
  ASSERT_EQ(Read.Findings.size(), 2u);
  const Finding &F = Read.Findings[0], &W = T.Findings[0];
  EXPECT_EQ(F.CheckId, W.CheckId);
  EXPECT_EQ(F.Level, Severity::Error);
  EXPECT_EQ(Read.Findings[1].Level, Severity::Remark);
  EXPECT_EQ(F.Where.LineText, W.Where.LineText); // the Latin-1 byte kept
  EXPECT_EQ(F.Where.EndColumn, 19u);
  ASSERT_EQ(F.Notes.size(), 2u);
  EXPECT_EQ(F.Notes[1].Thread, 1u);
  EXPECT_EQ(F.Notes[1].Where.EndLine, 9u);
  EXPECT_EQ(F.Notes[0].Where.EndLine, 0u);
  EXPECT_EQ(F.Threads, W.Threads);
  ASSERT_EQ(F.Fixes.size(), 1u);
  EXPECT_EQ(F.Fixes[0].Replacement, W.Fixes[0].Replacement);
  EXPECT_EQ(F.Fixes[0].Where.EndColumn, 3u);
  EXPECT_EQ(F.Function, W.Function);
  EXPECT_EQ(F.AnchorText, W.AnchorText);
  EXPECT_EQ(F.Fingerprint, W.Fingerprint);
  EXPECT_EQ(encodeStoredTU(Read, "stamp"), Bytes);
}

TEST(TUStore, AFailedTUKeepsItsErrorAndExportsNothing) {
  StoredTU T;
  T.File = "/src/broken.cpp";
  T.Error = "does not compile: broken.cpp:3:1: error: expected ';'";
  StoredTU Read;
  std::string Why;
  ASSERT_TRUE(decodeStoredTU(encodeStoredTU(T, "s"), "s", Read, Why)) << Why;
  EXPECT_EQ(Read.Error, T.Error);
  EXPECT_EQ(Read.Facts.functions(), 0u);
  EXPECT_FALSE(Read.Facts.callsExternal());
}

TEST(TUStore, DamagedOrForeignEntriesAreMisses) {
  std::vector<ParsedTU> TUs = analyseSample();
  std::string Good = encode(TUs[1]);
  StoredTU Out;
  std::string Why;
  ASSERT_TRUE(decodeStoredTU(Good, "v1", Out, Why)) << Why;
  // Another stamp (another tether version or configuration).
  EXPECT_FALSE(decodeStoredTU(Good, "v2", Out, Why));
  EXPECT_EQ(Why, "written by another version or configuration");
  // Every truncation.
  for (size_t N = 0; N < Good.size(); ++N)
    EXPECT_FALSE(decodeStoredTU(llvm::StringRef(Good).take_front(N), "v1",
                                Out, Why))
        << N;
  // Every single flipped byte: the header no longer parses or matches, or
  // the checksum catches the body.
  for (size_t I = 0; I < Good.size(); ++I) {
    std::string Bad = Good;
    Bad[I] ^= 0x20;
    EXPECT_FALSE(decodeStoredTU(Bad, "v1", Out, Why)) << I;
  }
  EXPECT_FALSE(decodeStoredTU(Good + "x", "v1", Out, Why));
  EXPECT_FALSE(decodeStoredTU("", "v1", Out, Why));
  EXPECT_FALSE(decodeStoredTU("\0\0\0\0", "v1", Out, Why));
  // Another schema.
  const std::string Schema = "tether-tu " + std::to_string(TUStoreSchema);
  std::string Other = Good;
  Other.replace(0, Schema.size(), "tether-tu 9");
  EXPECT_FALSE(decodeStoredTU(Other, "v1", Out, Why));
  EXPECT_NE(Why.find("schema 9"), std::string::npos) << Why;
  // A body whose checksum is right but whose content is not an entry.
  for (llvm::StringRef Body :
       {"[]", "{}", "not json", R"({"stamp":"v1"})",
        R"({"stamp":"v1","file":"/a.cpp","error":"","findings":[{}],"facts":null,"reads":[],"absent":[]})",
        R"({"stamp":"v1","file":"/a.cpp","error":"","findings":[],"facts":{"version":7},"reads":[],"absent":[]})",
        R"({"stamp":"v1","file":"/a.cpp","error":"","findings":[],"facts":null,"reads":[["/a.h","zz"]],"absent":[]})",
        R"({"stamp":"v1","file":"/a.cpp","error":"","findings":[],"facts":null,"reads":[["/a.h","00000000000000ff"]]})",
        R"({"stamp":"v1","file":"/a.cpp","error":"","findings":[],"facts":null,"reads":[["/a.h","00000000000000ff"]],"absent":[7]})"}) {
    std::string Entry = Schema + " " +
                        hashHex(llvm::xxh3_64bits(Body)) + " " +
                        std::to_string(Body.size()) + "\n" + Body.str();
    EXPECT_FALSE(decodeStoredTU(Entry, "v1", Out, Why)) << Body.str();
  }
  // The same construction with a good body reads: the cases above fail on
  // their content, not on the construction.
  llvm::StringRef Body =
      R"({"stamp":"v1","file":"/a.cpp","error":"","findings":[],"facts":null,"reads":[["/a.h","00000000000000ff"]],"absent":["/inc/a.h"]})";
  std::string Entry = Schema + " " + hashHex(llvm::xxh3_64bits(Body)) +
                      " " + std::to_string(Body.size()) + "\n" + Body.str();
  ASSERT_TRUE(decodeStoredTU(Entry, "v1", Out, Why)) << Why;
  ASSERT_EQ(Out.Reads.size(), 1u);
  EXPECT_EQ(Out.Reads[0].Hash, 0xffu);
  EXPECT_EQ(Out.Absent, std::vector<std::string>{"/inc/a.h"});
}
