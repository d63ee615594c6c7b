#include "TestFindings.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace tether;
using namespace tether::test;
using nlohmann::json;

TEST(OutputJson, TopLevel) {
  RunInfo Info = runInfo();
  Info.Errors = {{"/src/proj/bad.cpp", "no compile command"},
                 {"/elsewhere/x.cpp", "parse failed"}};
  json J = json::parse(render(writeJson, sampleFindings(), Info));
  EXPECT_EQ(J["version"], 1);
  EXPECT_EQ(J["tool"]["name"], "tether");
  EXPECT_EQ(J["tool"]["version"], "0.1.0");
  ASSERT_EQ(J["findings"].size(), 3u);
  ASSERT_EQ(J["errors"].size(), 2u);
  EXPECT_EQ(J["errors"][0]["file"], "bad.cpp");
  EXPECT_EQ(J["errors"][0]["message"], "no compile command");
  EXPECT_EQ(J["errors"][1]["file"], "/elsewhere/x.cpp");
  ASSERT_EQ(J["checks"].size(), 2u);
  EXPECT_EQ(J["checks"][0]["id"], "channel-double-close");
  EXPECT_EQ(J["checks"][0]["summary"], "A channel is closed twice.");
  EXPECT_EQ(J["checks"][1]["default_severity"], "error");
  EXPECT_EQ(J["checks"][1]["help_uri"],
            Info.DocsBaseUrl + "/thread-not-joined.md");
}

TEST(OutputJson, FindingFields) {
  json J = json::parse(render(writeJson, sampleFindings(), runInfo()));
  const json &A = J["findings"][0];
  EXPECT_EQ(A["check"], "channel-double-close");
  EXPECT_EQ(A["severity"], "warning");
  EXPECT_EQ(A["message"], "channel 'ch' is closed twice");
  EXPECT_EQ(A["file"], "src/chan.cpp");
  EXPECT_EQ(A["line"], 12);
  EXPECT_EQ(A["column"], 5);
  EXPECT_EQ(A["end_line"], 12);
  EXPECT_EQ(A["end_column"], 15);
  EXPECT_EQ(A["function"], "app::Worker::stop");
  EXPECT_EQ(A["fingerprint"], "0123456789abcdef");
  ASSERT_EQ(A["notes"].size(), 1u);
  EXPECT_EQ(A["notes"][0],
            (json{{"file", "src/chan.cpp"},
                  {"line", 9},
                  {"column", 3},
                  {"message", "first closed here"},
                  {"thread", 0}}));
  EXPECT_EQ(A["threads"], json::array());
  ASSERT_EQ(A["fixes"].size(), 1u);
  EXPECT_EQ(A["fixes"][0], (json{{"file", "src/chan.cpp"},
                                 {"line", 12},
                                 {"column", 5},
                                 {"end_line", 12},
                                 {"end_column", 16},
                                 {"replacement", ""}}));

  const json &B = J["findings"][1];
  EXPECT_EQ(B["severity"], "error");
  EXPECT_EQ(B["file"], "src/dir with space/t.cpp");
  EXPECT_TRUE(B["notes"].empty());
  EXPECT_TRUE(B["fixes"].empty());

  const json &C = J["findings"][2];
  EXPECT_EQ(C["severity"], "remark");
  EXPECT_EQ(C["file"], "/usr/include/lib/chan.h");
  EXPECT_EQ(C["function"], "");
  EXPECT_EQ(C["end_line"], 0);
}

TEST(OutputJson, RoundTripsEveryFindingInOrder) {
  std::vector<Finding> In = sampleFindings();
  json J = json::parse(render(writeJson, In, runInfo()));
  ASSERT_EQ(J["findings"].size(), In.size());
  for (size_t I = 0; I < In.size(); ++I) {
    const json &F = J["findings"][I];
    EXPECT_EQ(F["check"], In[I].CheckId);
    EXPECT_EQ(F["message"], In[I].Message);
    EXPECT_EQ(F["line"], In[I].Where.Line);
    EXPECT_EQ(F["column"], In[I].Where.Column);
    EXPECT_EQ(F["severity"], severityName(In[I].Level));
    EXPECT_EQ(F["fingerprint"], In[I].Fingerprint);
    EXPECT_EQ(F["notes"].size(), In[I].Notes.size());
    EXPECT_EQ(F["fixes"].size(), In[I].Fixes.size());
  }
}

TEST(OutputJson, NotesSayWhichThreadTheyRunIn) {
  Finding F = twoThreadFinding();
  json O = json::parse(render(writeJson, {F}, runInfo()))["findings"][0];
  EXPECT_EQ(O["threads"], (json{"thread running 'Pool::stop'",
                                "thread started at pool.cpp:12"}));
  ASSERT_EQ(O["notes"].size(), 3u);
  EXPECT_EQ(O["notes"][0]["thread"], 0);
  EXPECT_EQ(O["notes"][1]["thread"], 1);
  EXPECT_EQ(O["notes"][1]["line"], 18);
  EXPECT_EQ(O["notes"][2]["thread"], 0);
}

TEST(OutputJson, InsertionFixAndEscaping) {
  Finding F;
  F.CheckId = "thread-not-joined";
  F.Where = point("/src/proj/a.cpp", 2, 1, "x");
  F.Message = "quote \" backslash \\ newline\n tab\t and invalid \xff byte";
  FixIt X;
  X.Where = point("/src/proj/a.cpp", 5, 3, "");
  X.Replacement = "t.join();\n";
  F.Fixes.push_back(X);
  json J = json::parse(render(writeJson, {F}, runInfo()));
  const json &O = J["findings"][0];
  EXPECT_EQ(O["message"].get<std::string>().substr(0, 40),
            "quote \" backslash \\ newline\n tab\t and in");
  // Invalid UTF-8 is replaced, never emitted raw.
  EXPECT_NE(O["message"].get<std::string>().find("\xEF\xBF\xBD"),
            std::string::npos);
  EXPECT_EQ(O["fixes"][0]["end_line"], 5);
  EXPECT_EQ(O["fixes"][0]["end_column"], 3);
  EXPECT_EQ(O["fixes"][0]["replacement"], "t.join();\n");
}

TEST(OutputJson, EmptyRun) {
  RunInfo Info = runInfo();
  Info.Checks.clear();
  json J = json::parse(render(writeJson, {}, Info));
  EXPECT_TRUE(J["findings"].is_array());
  EXPECT_TRUE(J["findings"].empty());
  EXPECT_TRUE(J["errors"].empty());
  EXPECT_TRUE(J["checks"].empty());
}
