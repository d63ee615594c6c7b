// The stages of `tether check` called one by one (tool/DriverStages.h):
// TUs' exported facts linked in memory and the TUs that depend on them,
// suppressions and baselines on given findings, config validation while the
// inputs are collected; and the checks' declared options they validate.
#include "DriverStages.h"
#include "FirstPass.h"

#include "ApiModel.h"
#include "Options.h"
#include "ResultCache.h"
#include "TUFactsIO.h"
#include "FindingJSON.h"
#include "TempDirTest.h"

#include "clang/Frontend/ASTUnit.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace tether;
using namespace tether::testing;

namespace {

std::vector<std::string> checksOf(const std::vector<Finding> &Fs) {
  std::vector<std::string> Ids;
  for (const Finding &F : Fs)
    Ids.push_back(F.CheckId);
  return Ids;
}

} // namespace

TEST(DriverStages, LinkedFactsSelectTheCallersOfLinkedFunctions) {
  ParsedTU Shutdown = sampleTU(SampleShutdownCpp, "/src/shutdown.cpp");
  ParsedTU Download = sampleTU(SampleDownloadCpp, "/src/download.cpp");
  ParsedTU Logger = sampleTU(SampleLoggerCpp, "/src/logger.cpp");
  // Alone, no TU shows the double close.
  EXPECT_TRUE(Download.Result.Findings.empty())
      << checksOf(Download.Result.Findings).size();
  EXPECT_GE(Shutdown.Result.Facts.functions(), 1u);
  EXPECT_FALSE(Shutdown.Result.Facts.callsExternal());
  EXPECT_TRUE(Download.Result.Facts.callsExternal());
  EXPECT_TRUE(Logger.Result.Facts.callsExternal());

  std::vector<TUResult> Results;
  Results.push_back(std::move(Shutdown.Result));
  Results.push_back(std::move(Download.Result));
  Results.push_back(std::move(Logger.Result));
  LinkedFacts Linked = linkFacts(Results);
  EXPECT_EQ(Linked.functions(), 4u); // shutdown_pipe, drain, download, report
  // Only download() calls a function whose linked facts say something;
  // log_line is defined nowhere.
  EXPECT_EQ(dependents(Linked, Results), std::vector<size_t>{1});

  // Its second pass, with the linked view, finds the double close.
  TUCheckSetup Setup;
  Setup.Models = &driverTestModels();
  std::vector<Finding> Again =
      runChecks(Download.AST->getASTContext(), Setup, &Linked);
  ASSERT_EQ(checksOf(Again), std::vector<std::string>{"channel-double-close"});
  EXPECT_EQ(Again[0].Where.File, "/src/download.cpp");
  bool NoteInOtherTU = false;
  for (const Note &N : Again[0].Notes)
    NoteInOtherTU |= N.Where.File == "/src/shutdown.cpp";
  EXPECT_TRUE(NoteInOtherTU) << "the first close is in shutdown.cpp";
}

// A TU is analysed again only when its first pass asked about a function
// the link then knows something of. Here three TUs call flush(), whose
// linked facts say it takes the log's mutex: one holds another lock across
// the call (lock-held-across-blocking asks what flush() does), one calls it
// from a function no check has a question about, and one never calls it.
TEST(DriverStages, OnlyTUsWhoseChecksAskedAboutALinkedFunctionAreDependents) {
  const char *Decls = R"(
    #include <mutex>
    #include <string>
    #include <vector>
    struct Log { std::mutex mu; std::vector<std::string> lines; };
    void flush(Log &l);
  )";
  ParsedTU Flush = firstPass(std::string(Decls) + R"(
    void flush(Log &l) {
      std::lock_guard<std::mutex> g(l.mu);
      l.lines.clear();
    }
  )", "/src/flush.cpp");
  ParsedTU UnderLock = firstPass(std::string(Decls) + R"(
    std::mutex state_mu;
    int state = 0;
    void rotate(Log &l) {
      std::lock_guard<std::mutex> g(state_mu);
      ++state;
      flush(l);
    }
  )", "/src/rotate.cpp");
  ParsedTU Plain = firstPass(std::string(Decls) + R"(
    int lines_after_flush(Log &l) {
      flush(l);
      return 0;
    }
  )", "/src/count.cpp");
  ParsedTU Other = firstPass(std::string(Decls) + R"(
    int twice(int x) { return 2 * x; }
  )", "/src/other.cpp");

  std::vector<TUResult> Results;
  Results.push_back(std::move(Flush.Result));
  Results.push_back(std::move(UnderLock.Result));
  Results.push_back(std::move(Plain.Result));
  Results.push_back(std::move(Other.Result));
  LinkedFacts Linked = linkFacts(Results);
  EXPECT_TRUE(Results[1].Facts.callsExternal());
  EXPECT_TRUE(Results[2].Facts.callsExternal());
  EXPECT_EQ(dependents(Linked, Results), std::vector<size_t>{1});
}

TEST(DriverStages, FailedTUsExportNothingToTheLink) {
  ParsedTU Shutdown = sampleTU(SampleShutdownCpp, "/src/shutdown.cpp");
  ParsedTU Download = sampleTU(SampleDownloadCpp, "/src/download.cpp");
  std::vector<TUResult> Results;
  Results.push_back(std::move(Shutdown.Result));
  Results.push_back(std::move(Download.Result));
  Results[0].Error = "does not compile: shutdown.cpp:1:1: error: oops";
  LinkedFacts Linked = linkFacts(Results);
  EXPECT_EQ(Linked.functions(), 1u); // download only
  EXPECT_TRUE(dependents(Linked, Results).empty());
}

TEST(DriverStages, DisabledChecksExportNoFacts) {
  auto AST = clang::tooling::buildASTFromCodeWithArgs(
      std::string(SamplePipeDecls) + SampleShutdownCpp, {"-std=c++20"}, "/src/shutdown.cpp");
  ASSERT_TRUE(AST);
  TUCheckSetup Setup;
  Setup.Models = &driverTestModels();
  Setup.Checks = "-*";
  TUFacts Facts;
  EXPECT_TRUE(runChecks(AST->getASTContext(), Setup, nullptr, &Facts).empty());
  EXPECT_EQ(Facts.functions(), 0u);
}

namespace {

class SuppressStage : public tether::test::TempDirTest {
protected:
  Finding finding(const std::string &File, unsigned Line, std::string Anchor) {
    Finding F;
    F.CheckId = "channel-double-close";
    F.Where.File = File;
    F.Where.Line = Line;
    F.Where.Column = 3;
    F.Message = "channel 'ch' may already be closed";
    F.Function = "stop";
    F.AnchorText = std::move(Anchor);
    return F;
  }
  std::vector<std::string> Enabled = {"channel-double-close",
                                      "unused-suppression"};
};

} // namespace

TEST_F(SuppressStage, NolintThenFingerprintsThenBaseline) {
  std::string Src = path("stop.cpp");
  write(Src, "void stop(Chan &ch) {\n"
             "  ch.close(); // NOLINT(channel-double-close)\n"
             "  ch.close();\n"
             "  ch.close(); // NOLINT(channel-send-after-close)\n"
             "}\n");
  Merged M;
  M.Analysed = {Src};
  M.Findings = {finding(Src, 3, "ch.close()"), finding(Src, 2, "ch.close()")};
  CheckOptionsCLI Opts;
  Opts.WriteBaseline = path("baseline.json");
  std::string Err;
  llvm::raw_string_ostream ES(Err);
  ASSERT_EQ(suppressAndBaseline(M, Enabled, Opts, ES), ExitClean) << Err;
  // Line 2 is suppressed; line 4's NOLINT names a check that is not
  // enabled, so it is not reported as unused.
  ASSERT_EQ(M.Findings.size(), 1u);
  EXPECT_EQ(M.Findings[0].Where.Line, 3u);
  EXPECT_FALSE(M.Findings[0].Fingerprint.empty());
  EXPECT_NE(read(Opts.WriteBaseline).find(M.Findings[0].Fingerprint),
            std::string::npos);

  // The next run reads that baseline: the known finding goes, a new one
  // (another statement) stays, and a NOLINT that suppresses nothing now is
  // reported.
  write(Src, "void stop(Chan &ch) {\n"
             "  ch.push(1); // NOLINT(channel-double-close)\n"
             "  ch.close();\n"
             "  ch.close(); ch.close();\n"
             "}\n");
  Merged Next;
  Next.Analysed = {Src};
  Next.Findings = {finding(Src, 3, "ch.close()"),
                   finding(Src, 4, "ch.close(); ch.close()")};
  CheckOptionsCLI Read;
  Read.Baseline = Opts.WriteBaseline;
  ASSERT_EQ(suppressAndBaseline(Next, Enabled, Read, ES), ExitClean) << Err;
  ASSERT_EQ(checksOf(Next.Findings),
            (std::vector<std::string>{"unused-suppression",
                                      "channel-double-close"}));
  EXPECT_EQ(Next.Findings[0].Where.Line, 2u);
  EXPECT_EQ(Next.Findings[1].Where.Line, 4u);
}

TEST_F(SuppressStage, UnreadableBaselineIsAUsageError) {
  Merged M;
  CheckOptionsCLI Opts;
  Opts.Baseline = path("missing.json");
  std::string Err;
  llvm::raw_string_ostream ES(Err);
  EXPECT_EQ(suppressAndBaseline(M, Enabled, Opts, ES), ExitUsage);
  EXPECT_NE(Err.find("missing.json"), std::string::npos) << Err;
}

TEST_F(SuppressStage, MergeDropsFindingsSeenFromTwoTUs) {
  Inputs In;
  In.Jobs = {{path("a.cpp"), nullptr, nullptr},
             {path("b.cpp"), nullptr, nullptr},
             {path("c.cpp"), nullptr, nullptr}};
  std::vector<TUResult> Results(3);
  // The same finding in a shared header, reported by a.cpp and b.cpp.
  Results[0].Findings = {finding(path("h.h"), 5, "ch.close()")};
  Results[1].Findings = {finding(path("h.h"), 5, "ch.close()"),
                         finding(path("b.cpp"), 9, "ch.close()")};
  Results[2].Error = "no such file";
  Merged M = mergeResults(In, std::move(Results));
  EXPECT_EQ(M.Findings.size(), 2u);
  EXPECT_EQ(M.Analysed, (std::vector<std::string>{path("a.cpp"),
                                                  path("b.cpp")}));
  ASSERT_EQ(M.Errors.size(), 1u);
  EXPECT_EQ(M.Errors[0].File, path("c.cpp"));
}

namespace {

class CollectStage : public tether::test::TempDirTest {
protected:
  void SetUp() override {
    TempDirTest::SetUp();
    write(path("a.cpp"), "int main() { return 0; }\n");
    write(path("compile_commands.json"),
          "[{\"directory\": \"" + std::string(Dir) +
              "\", \"file\": \"a.cpp\", \"command\": \"clang++ -c a.cpp\"}]");
    Opts.BuildPath = std::string(Dir);
  }
  // collectInputs, which must succeed.
  void collectOk(Inputs &In) {
    std::string Err;
    llvm::raw_string_ostream ES(Err);
    ASSERT_EQ(collectInputs(Opts, In, ES), ExitClean) << Err;
  }
  CheckOptionsCLI Opts;
};

} // namespace

TEST_F(CollectStage, JobsCarryTheirConfigAndOptions) {
  write(path(".tether.yaml"), "options:\n"
                              "  thread-leak.allow_detached: \"metrics_*\"\n"
                              "  cancel-uninterruptible-wait.max_sleep_ms: 250\n");
  Inputs In;
  ASSERT_NO_FATAL_FAILURE(collectOk(In));
  ASSERT_EQ(In.Jobs.size(), 1u);
  EXPECT_EQ(In.Jobs[0].Cfg->Options.at("cancel-uninterruptible-wait.max_sleep_ms"),
            "250");
}

// Stage 2 keeps a finished TU's result encoded until every TU is done
// (TUResult::Packed); what it returns is what the TU's first pass made,
// with no cache, from a cache it filled, and from one it reads.
TEST_F(CollectStage, AnalyseAllReturnsEachTUsFirstPassWhole) {
  write(path("logger.cpp"), std::string(SamplePipeDecls) + SampleLoggerCpp);
  write(path("download.cpp"),
        std::string(SamplePipeDecls) + SampleDownloadCpp);
  write(path("compile_commands.json"),
        "[{\"directory\": \"" + std::string(Dir) +
            "\", \"file\": \"logger.cpp\", \"command\": \"clang++ "
            "-std=c++20 -c logger.cpp\"},"
            "{\"directory\": \"" + std::string(Dir) +
            "\", \"file\": \"download.cpp\", \"command\": \"clang++ "
            "-std=c++20 -c download.cpp\"}]");
  Inputs In;
  ASSERT_NO_FATAL_FAILURE(collectOk(In));
  ASSERT_EQ(In.Jobs.size(), 2u); // download.cpp, logger.cpp (sorted)

  auto AsText = [](const TUResult &R) {
    std::string S;
    llvm::raw_string_ostream OS(S);
    OS << findingsToJSON(R.Findings) << "\n" << factsToJSON(R.Facts);
    return S;
  };
  llvm::DefaultThreadPool Pool(llvm::hardware_concurrency(2));
  // Both TUs call functions defined elsewhere: with KeepASTs their ASTs
  // stay for the link phase, and their results are never packed.
  std::vector<std::string> Expected;
  for (const TUResult &R :
       analyseAll(In, Opts, Pool, /*KeepASTs=*/true, nullptr)) {
    ASSERT_TRUE(R.Error.empty()) << R.Error;
    EXPECT_TRUE(R.AST);
    Expected.push_back(AsText(R));
  }
  // Each exports its functions and calls: nothing empty is compared.
  EXPECT_NE(Expected[0], Expected[1]);
  ResultCache Cache(path("cache"));
  for (ResultCache *C : {(ResultCache *)nullptr, &Cache, &Cache}) {
    std::vector<TUResult> Results =
        analyseAll(In, Opts, Pool, /*KeepASTs=*/false, C);
    ASSERT_EQ(Results.size(), 2u);
    for (size_t I = 0; I < 2; ++I) {
      ASSERT_TRUE(Results[I].Error.empty()) << Results[I].Error;
      EXPECT_TRUE(Results[I].Packed.empty());
      EXPECT_FALSE(Results[I].AST);
      EXPECT_EQ(AsText(Results[I]), Expected[I])
          << In.Jobs[I].File << (C ? " with the cache" : " without a cache");
    }
  }
  EXPECT_TRUE(Cache.stored());
}

TEST_F(CollectStage, MisspelledOptionStopsTheRunNamingTheKnownOnes) {
  write(path(".tether.yaml"), "options:\n"
                              "  thread-leak.allow_detach: \"metrics_*\"\n");
  Inputs In;
  std::string Err;
  llvm::raw_string_ostream ES(Err);
  EXPECT_EQ(collectInputs(Opts, In, ES), ExitUsage);
  EXPECT_NE(Err.find("unknown option 'thread-leak.allow_detach'; "
                     "thread-leak has: allow_detached"),
            std::string::npos)
      << Err;
}

TEST_F(CollectStage, MalformedOptionValuesAreErrors) {
  struct Case {
    const char *Line, *Expect;
  } Cases[] = {
      {"thread-unbounded-spawn.report_fork_join: yes",
       "invalid value 'yes' for option 'thread-unbounded-spawn.report_fork_"
       "join' (bool): expected true or false"},
      {"cancel-uninterruptible-wait.max_sleep_ms: 1s",
       "invalid value '1s' for option 'cancel-uninterruptible-wait.max_sleep_"
       "ms' (integer)"},
      {"thread-leak.allow_detached: \"run[\"",
       "invalid value 'run[' for option 'thread-leak.allow_detached' (globs): "
       "invalid glob 'run['"},
      {"no-such-check.allow: x", "no check 'no-such-check'"},
      {"unused-suppression.x: y", "unused-suppression has no options"},
  };
  for (const Case &C : Cases) {
    write(path(".tether.yaml"), std::string("options:\n  ") + C.Line + "\n");
    Inputs In;
    std::string Err;
    llvm::raw_string_ostream ES(Err);
    EXPECT_EQ(collectInputs(Opts, In, ES), ExitUsage) << C.Line;
    EXPECT_NE(Err.find(C.Expect), std::string::npos) << Err;
    EXPECT_EQ(std::count(Err.begin(), Err.end(), '\n'), 1) << Err;
  }
}

TEST(DriverStages, GeneratedLineCountsLikeTheCompiler) {
  auto F = [](Severity S) {
    Finding X;
    X.Level = S;
    return X;
  };
  EXPECT_EQ(generatedLine({}, 0), "");
  EXPECT_EQ(generatedLine({F(Severity::Remark)}, 0), "") << "remarks are not counted";
  EXPECT_EQ(generatedLine({F(Severity::Warning)}, 0), "1 warning generated.");
  EXPECT_EQ(generatedLine({F(Severity::Warning), F(Severity::Remark),
                           F(Severity::Warning)},
                          0),
            "2 warnings generated.");
  EXPECT_EQ(generatedLine({F(Severity::Warning), F(Severity::Error)}, 1),
            "1 warning and 2 errors generated.");
  EXPECT_EQ(generatedLine({}, 1), "1 error generated.");
}

TEST(CheckOptions, EveryDeclaredDefaultIsAValidValue) {
  size_t Declared = 0;
  for (const CheckInfo &I : registeredChecks())
    for (const OptionInfo &O : I.Options) {
      ++Declared;
      std::string Why;
      EXPECT_TRUE(validateOption(I.Id + "." + O.Name, O.Default,
                                 registeredChecks(), Why))
          << Why;
      EXPECT_FALSE(O.Description.empty()) << I.Id << "." << O.Name;
    }
  EXPECT_EQ(Declared, 5u);
}

TEST(CheckOptions, ValuesOrDeclaredDefaults) {
  CheckOptions O;
  EXPECT_EQ(intOption(O, "cancel-uninterruptible-wait", "max_sleep_ms"), 1000u);
  EXPECT_TRUE(boolOption(O, "thread-unbounded-spawn", "report_fork_join"));
  // Fibers are lightweight by their model, not by the option's default.
  EXPECT_TRUE(
      globsOption(O, "thread-unbounded-spawn", "lightweight_types").empty());
  EXPECT_TRUE(globsOption(O, "thread-leak", "allow_detached").empty());

  O.Values["cancel-uninterruptible-wait.max_sleep_ms"] = " 250 ";
  O.Values["thread-unbounded-spawn.report_fork_join"] = "false";
  O.Values["thread-unbounded-spawn.lightweight_types"] = "my::green_*";
  O.Values["thread-leak.allow_detached"] = "metrics_loop, Telemetry::start*";
  EXPECT_EQ(intOption(O, "cancel-uninterruptible-wait", "max_sleep_ms"), 250u);
  EXPECT_FALSE(boolOption(O, "thread-unbounded-spawn", "report_fork_join"));
  NameGlobs Light = globsOption(O, "thread-unbounded-spawn", "lightweight_types");
  EXPECT_TRUE(Light.matches("my::green_thread"));
  EXPECT_FALSE(Light.matches("std::thread"));
  NameGlobs Daemons = globsOption(O, "thread-leak", "allow_detached");
  EXPECT_TRUE(Daemons.matchesAny({"run", "Telemetry::start_upload"}));
  EXPECT_TRUE(Daemons.matches("metrics_loop"));
  EXPECT_FALSE(Daemons.matches("ns::metrics_loop"));
  EXPECT_FALSE(Daemons.matchesAny({"Telemetry::stop", "start"}));
}
