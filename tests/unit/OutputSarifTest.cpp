#include "TestFindings.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace tether;
using namespace tether::test;
using nlohmann::json;

namespace {
json sarif(const std::vector<Finding> &F, const RunInfo &I) {
  return json::parse(render(writeSarif, F, I));
}
} // namespace

TEST(OutputSarif, LogAndDriver) {
  json S = sarif(sampleFindings(), runInfo());
  EXPECT_EQ(S["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
  EXPECT_EQ(S["version"], "2.1.0");
  ASSERT_EQ(S["runs"].size(), 1u);
  const json &Run = S["runs"][0];
  const json &D = Run["tool"]["driver"];
  EXPECT_EQ(D["name"], "tether");
  EXPECT_EQ(D["version"], "0.1.0");
  EXPECT_EQ(D["semanticVersion"], "0.1.0");
  EXPECT_EQ(D["informationUri"], "https://github.com/tether-dev/tether");
  EXPECT_EQ(Run["originalUriBaseIds"]["SRCROOT"]["uri"], "file:///src/proj/");
  EXPECT_EQ(Run["columnKind"], "unicodeCodePoints");
}

TEST(OutputSarif, Rules) {
  RunInfo Info = runInfo();
  json Rules = sarif(sampleFindings(), Info)["runs"][0]["tool"]["driver"]["rules"];
  ASSERT_EQ(Rules.size(), 2u);
  const json &R = Rules[0];
  EXPECT_EQ(R["id"], "channel-double-close");
  EXPECT_EQ(R["name"], "ChannelDoubleClose");
  EXPECT_EQ(R["shortDescription"]["text"], "A channel is closed twice.");
  EXPECT_EQ(R["fullDescription"]["text"], Info.Checks[0].Help);
  EXPECT_EQ(R["help"]["text"], Info.Checks[0].Help);
  EXPECT_NE(R["help"]["markdown"].get<std::string>().find(
                Info.DocsBaseUrl + "/channel-double-close.md"),
            std::string::npos);
  EXPECT_EQ(R["helpUri"], Info.DocsBaseUrl + "/channel-double-close.md");
  EXPECT_EQ(R["defaultConfiguration"]["level"], "warning");
  EXPECT_EQ(Rules[1]["name"], "ThreadNotJoined");
  EXPECT_EQ(Rules[1]["defaultConfiguration"]["level"], "error");
}

TEST(OutputSarif, UndescribedCheckGetsARule) {
  std::vector<Finding> F = sampleFindings();
  F[0].CheckId = "future-never-waited";
  json Run = sarif(F, runInfo())["runs"][0];
  ASSERT_EQ(Run["tool"]["driver"]["rules"].size(), 3u);
  EXPECT_EQ(Run["tool"]["driver"]["rules"][2]["id"], "future-never-waited");
  EXPECT_EQ(Run["results"][0]["ruleIndex"], 2);
}

TEST(OutputSarif, ResultLocationsAndFingerprint) {
  json Run = sarif(sampleFindings(), runInfo())["runs"][0];
  ASSERT_EQ(Run["results"].size(), 3u);
  const json &R = Run["results"][0];
  EXPECT_EQ(R["ruleId"], "channel-double-close");
  EXPECT_EQ(R["ruleIndex"], 0);
  EXPECT_EQ(R["level"], "warning");
  EXPECT_EQ(R["message"]["text"], "channel 'ch' is closed twice");
  const json &Phys = R["locations"][0]["physicalLocation"];
  EXPECT_EQ(Phys["artifactLocation"]["uri"], "src/chan.cpp");
  EXPECT_EQ(Phys["artifactLocation"]["uriBaseId"], "SRCROOT");
  EXPECT_EQ(Phys["region"], (json{{"startLine", 12},
                                  {"startColumn", 5},
                                  {"endLine", 12},
                                  {"endColumn", 15},
                                  {"snippet", {{"text", "ch.close()"}}}}));
  EXPECT_EQ(Phys["contextRegion"]["snippet"]["text"], "    ch.close();");
  const json &Logical = R["locations"][0]["logicalLocations"];
  ASSERT_EQ(Logical.size(), 1u);
  EXPECT_EQ(Logical[0]["fullyQualifiedName"], "app::Worker::stop");
  EXPECT_EQ(Logical[0]["name"], "stop");
  EXPECT_EQ(Logical[0]["kind"], "function");
  EXPECT_EQ(R["partialFingerprints"]["tetherFingerprint/v1"],
            "0123456789abcdef");

  // Percent-encoded relative URI; error level.
  const json &B = Run["results"][1];
  EXPECT_EQ(B["level"], "error");
  EXPECT_EQ(B["ruleIndex"], 1);
  EXPECT_EQ(B["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "src/dir%20with%20space/t.cpp");
  // Outside the root: an absolute file URI without uriBaseId; remark is note.
  const json &C = Run["results"][2];
  EXPECT_EQ(C["level"], "note");
  const json &CL = C["locations"][0]["physicalLocation"];
  EXPECT_EQ(CL["artifactLocation"]["uri"], "file:///usr/include/lib/chan.h");
  EXPECT_FALSE(CL["artifactLocation"].contains("uriBaseId"));
  EXPECT_FALSE(C["locations"][0].contains("logicalLocations"));
  EXPECT_FALSE(C.contains("codeFlows"));
  // Unknown end: the character at the start.
  EXPECT_EQ(CL["region"]["endColumn"], 2);
  EXPECT_EQ(CL["region"]["snippet"]["text"], "c");

  // Every file is listed once in artifacts and referenced by index.
  ASSERT_EQ(Run["artifacts"].size(), 3u);
  EXPECT_EQ(Run["artifacts"][0]["location"]["uri"], "src/chan.cpp");
  EXPECT_EQ(Phys["artifactLocation"]["index"], 0);
  EXPECT_EQ(CL["artifactLocation"]["index"], 2);
}

TEST(OutputSarif, CodeFlowEndsAtThePrimaryLocation) {
  json R = sarif(sampleFindings(), runInfo())["runs"][0]["results"][0];
  ASSERT_EQ(R["codeFlows"].size(), 1u);
  const json &Steps = R["codeFlows"][0]["threadFlows"][0]["locations"];
  ASSERT_EQ(Steps.size(), 2u);
  EXPECT_EQ(Steps[0]["location"]["message"]["text"], "first closed here");
  EXPECT_EQ(Steps[0]["location"]["physicalLocation"]["region"]["startLine"], 9);
  EXPECT_EQ(Steps[1]["location"]["message"]["text"],
            "channel 'ch' is closed twice");
  EXPECT_EQ(Steps[1]["location"]["physicalLocation"]["region"]["startLine"], 12);
  ASSERT_EQ(R["relatedLocations"].size(), 1u);
  EXPECT_EQ(R["relatedLocations"][0]["message"]["text"], "first closed here");
  // One thread: one unnamed thread flow, no execution order.
  ASSERT_EQ(R["codeFlows"][0]["threadFlows"].size(), 1u);
  EXPECT_FALSE(R["codeFlows"][0]["threadFlows"][0].contains("id"));
  EXPECT_FALSE(Steps[0].contains("executionOrder"));
}

namespace {
int line(const json &Step) {
  return Step["location"]["physicalLocation"]["region"]["startLine"];
}
std::string text(const json &Step) {
  return Step["location"]["message"]["text"];
}
} // namespace

TEST(OutputSarif, OneThreadFlowPerThread) {
  json R = sarif({twoThreadFinding()}, runInfo())["runs"][0]["results"][0];
  ASSERT_EQ(R["codeFlows"].size(), 1u);
  const json &Flows = R["codeFlows"][0]["threadFlows"];
  ASSERT_EQ(Flows.size(), 2u) << R.dump(2);

  // The holder: its notes in order, then the primary location.
  EXPECT_EQ(Flows[0]["id"], "thread running 'Pool::stop'");
  EXPECT_EQ(Flows[0]["message"]["text"], "thread running 'Pool::stop'");
  const json &Holder = Flows[0]["locations"];
  ASSERT_EQ(Holder.size(), 3u);
  EXPECT_EQ(line(Holder[0]), 28);
  EXPECT_EQ(text(Holder[0]),
            "mutex locked here (held until the guard's scope ends)");
  EXPECT_EQ(line(Holder[1]), 30);
  EXPECT_EQ(text(Holder[1]), "still held here");
  EXPECT_EQ(line(Holder[2]), 30);
  EXPECT_EQ(text(Holder[2]), R["message"]["text"].get<std::string>());

  // The joined thread: its one step.
  EXPECT_EQ(Flows[1]["id"], "thread started at pool.cpp:12");
  EXPECT_EQ(Flows[1]["message"]["text"], "thread started at pool.cpp:12");
  const json &Joined = Flows[1]["locations"];
  ASSERT_EQ(Joined.size(), 1u);
  EXPECT_EQ(line(Joined[0]), 18);
  EXPECT_EQ(text(Joined[0]), "the joined thread takes the mutex here");

  // Across the flows, the steps keep the order of the path.
  EXPECT_EQ(Holder[0]["executionOrder"], 1);
  EXPECT_EQ(Joined[0]["executionOrder"], 2);
  EXPECT_EQ(Holder[1]["executionOrder"], 3);
  EXPECT_EQ(Holder[2]["executionOrder"], 4);

  // Viewers without code flows still get every note.
  ASSERT_EQ(R["relatedLocations"].size(), 3u);
  EXPECT_EQ(R["relatedLocations"][1]["physicalLocation"]["region"]["startLine"],
            18);
  EXPECT_FALSE(R.contains("properties"));
}

TEST(OutputSarif, UnnamedThreadsGetAnId) {
  Finding F = twoThreadFinding();
  F.Threads.clear();
  json Flows = sarif({F}, runInfo())["runs"][0]["results"][0]["codeFlows"][0]
                    ["threadFlows"];
  ASSERT_EQ(Flows.size(), 2u);
  EXPECT_EQ(Flows[0]["id"], "thread 1");
  EXPECT_EQ(Flows[1]["id"], "thread 2");
  EXPECT_EQ(Flows[1]["locations"].size(), 1u);
}

TEST(OutputSarif, LongPathsAreCutToGitHubsLimits) {
  // 1500 notes alternating between two threads (1501 steps with the
  // primary location): GitHub shows 1000 thread flow locations and 100
  // related locations of a result.
  Finding F = twoThreadFinding();
  F.Notes.clear();
  for (unsigned I = 0; I < 1500; ++I) {
    Note N;
    N.Where = point("/src/proj/src/pool.cpp", I + 100, 3, "  step();");
    N.Message = "step " + std::to_string(I);
    N.Thread = I % 2;
    F.Notes.push_back(N);
  }
  std::string First = render(writeSarif, {F}, runInfo());
  EXPECT_EQ(First, render(writeSarif, {F}, runInfo())) << "not deterministic";
  json R = json::parse(First)["runs"][0]["results"][0];
  const json &Code = R["codeFlows"][0];
  const json &Flows = Code["threadFlows"];
  ASSERT_EQ(Flows.size(), 2u);
  // The first 999 notes and the primary location.
  ASSERT_EQ(Flows[0]["locations"].size(), 501u);
  ASSERT_EQ(Flows[1]["locations"].size(), 499u);
  EXPECT_EQ(text(Flows[0]["locations"][499]), "step 998");
  EXPECT_EQ(text(Flows[1]["locations"][498]), "step 997");
  EXPECT_EQ(text(Flows[0]["locations"][500]), R["message"]["text"].get<std::string>());
  EXPECT_EQ(Flows[0]["locations"][500]["executionOrder"], 1000);
  EXPECT_EQ(Code["message"]["text"],
            "501 of the 1501 steps of the path are left out (at most 1000 are "
            "written)");
  ASSERT_EQ(R["relatedLocations"].size(), 100u);
  EXPECT_EQ(R["relatedLocations"][99]["message"]["text"], "step 99");
  EXPECT_EQ(R["properties"]["omittedRelatedLocations"], 1400);
}

TEST(OutputSarif, ThreadFlowsDoNotChangeFingerprints) {
  // The fingerprint names the finding, not its path: adding notes, or
  // spreading them over threads, keeps partialFingerprints.
  Finding Bare = twoThreadFinding();
  Bare.Notes.clear();
  Bare.Threads.clear();
  Bare.Fingerprint.clear();
  Finding OneThread = twoThreadFinding();
  OneThread.Threads.clear();
  for (Note &N : OneThread.Notes)
    N.Thread = 0;
  OneThread.Fingerprint.clear();
  Finding TwoThreads = twoThreadFinding();
  TwoThreads.Fingerprint.clear();
  std::vector<Finding> All = {Bare, OneThread, TwoThreads};
  for (Finding &F : All) {
    std::vector<Finding> One = {F};
    assignFingerprints(One);
    F = One[0];
  }
  ASSERT_FALSE(All[0].Fingerprint.empty());
  for (const Finding &F : All) {
    json R = sarif({F}, runInfo())["runs"][0]["results"][0];
    EXPECT_EQ(R["partialFingerprints"]["tetherFingerprint/v1"],
              All[0].Fingerprint);
  }
  EXPECT_FALSE(sarif({All[0]}, runInfo())["runs"][0]["results"][0].contains(
      "codeFlows"));
}

TEST(OutputSarif, Fixes) {
  std::vector<Finding> F = sampleFindings();
  FixIt Insert;
  Insert.Where = point("/src/proj/src/chan.cpp", 13, 1, "}");
  Insert.Replacement = "  // closed above\n";
  F[0].Fixes.push_back(Insert);
  json R = sarif(F, runInfo())["runs"][0]["results"][0];
  ASSERT_EQ(R["fixes"].size(), 1u);
  const json &Changes = R["fixes"][0]["artifactChanges"];
  ASSERT_EQ(Changes.size(), 1u);
  EXPECT_EQ(Changes[0]["artifactLocation"]["uri"], "src/chan.cpp");
  const json &Reps = Changes[0]["replacements"];
  ASSERT_EQ(Reps.size(), 2u);
  EXPECT_EQ(Reps[0]["deletedRegion"], (json{{"startLine", 12},
                                            {"startColumn", 5},
                                            {"endLine", 12},
                                            {"endColumn", 16}}));
  EXPECT_FALSE(Reps[0].contains("insertedContent"));
  EXPECT_EQ(Reps[1]["deletedRegion"]["startColumn"], 1);
  EXPECT_EQ(Reps[1]["deletedRegion"]["endColumn"], 1);
  EXPECT_EQ(Reps[1]["insertedContent"]["text"], "  // closed above\n");
}

TEST(OutputSarif, InvocationAndErrors) {
  RunInfo Info = runInfo();
  json Inv = sarif({}, Info)["runs"][0]["invocations"][0];
  EXPECT_EQ(Inv["executionSuccessful"], true);
  EXPECT_EQ(Inv["commandLine"], "tether check -p build 'src/a b.cpp'");
  EXPECT_EQ(Inv["arguments"], (json{"check", "-p", "build", "src/a b.cpp"}));
  EXPECT_FALSE(Inv.contains("toolExecutionNotifications"));

  Info.Errors = {{"/src/proj/bad.cpp", "no compile command"}};
  json Run = sarif({}, Info)["runs"][0];
  Inv = Run["invocations"][0];
  EXPECT_EQ(Inv["executionSuccessful"], false);
  ASSERT_EQ(Inv["toolExecutionNotifications"].size(), 1u);
  const json &N = Inv["toolExecutionNotifications"][0];
  EXPECT_EQ(N["level"], "error");
  EXPECT_EQ(N["message"]["text"],
            "cannot analyse /src/proj/bad.cpp: no compile command");
  EXPECT_EQ(N["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "bad.cpp");
  EXPECT_EQ(Run["results"], json::array());
}

TEST(OutputSarif, ColumnsCountCodePoints) {
  Finding F;
  F.CheckId = "channel-double-close";
  // "é" takes two bytes: byte column 9 is code point column 8.
  F.Where = point("/src/proj/a.cpp", 1, 9, "s = \"\xC3\xA9\"; x;", 1, 10);
  F.Message = "m";
  json Region = sarif({F}, runInfo())["runs"][0]["results"][0]["locations"][0]
                     ["physicalLocation"]["region"];
  EXPECT_EQ(Region["startColumn"], 8);
  EXPECT_EQ(Region["endColumn"], 9);
  EXPECT_EQ(Region["snippet"]["text"], ";");
}

TEST(OutputSarif, NoSourceRootMeansAbsoluteUris) {
  RunInfo Info = runInfo();
  Info.SourceRoot.clear();
  json Run = sarif(sampleFindings(), Info)["runs"][0];
  EXPECT_FALSE(Run.contains("originalUriBaseIds"));
  EXPECT_EQ(Run["results"][1]["locations"][0]["physicalLocation"]
               ["artifactLocation"]["uri"],
            "file:///src/proj/src/dir%20with%20space/t.cpp");
}

TEST(OutputSarif, EndBeforeStartIsTreatedAsUnknown) {
  Finding F;
  F.CheckId = "channel-double-close";
  F.Where = point("/src/proj/a.cpp", 5, 4, "  x = y;", 3, 2);
  F.Message = "m";
  FixIt X;
  X.Where = point("/src/proj/a.cpp", 5, 4, "  x = y;", 5, 1);
  X.Replacement = "z";
  F.Fixes.push_back(X);
  json R = sarif({F}, runInfo())["runs"][0]["results"][0];
  json Region = R["locations"][0]["physicalLocation"]["region"];
  EXPECT_EQ(Region["endLine"], 5);
  EXPECT_EQ(Region["endColumn"], 5);
  json Deleted =
      R["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"];
  EXPECT_EQ(Deleted["endLine"], 5);
  EXPECT_EQ(Deleted["endColumn"], 4);
}
