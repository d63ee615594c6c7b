// Unit tests of the HTML report on JSON inputs (report/, no LLVM).
#include "Analysis.h"
#include "Html.h"
#include "Model.h"
#include "Report.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace tether::report;

namespace {

const char *CheckJson = R"({"version":1,"tool":{"name":"tether","version":"0.1.0"},
 "findings":[{"check":"channel-unclosed","severity":"warning","message":"never closed",
  "file":"src/p.cpp","line":20,"column":3,"end_line":0,"end_column":0,"function":"f",
  "fingerprint":"aaaa","notes":[{"file":"src/q.cpp","line":7,"column":1,"message":"made here"}],
  "fixes":[]}],
 "errors":[],"checks":[{"id":"channel-unclosed","summary":"s","help":"h","default_severity":"warning"}]})";

std::string dumpJson(uint64_t Time, const std::string &Extra = "") {
  return R"({"schema":"tether.threads/1","pid":9,"trigger":"SIGQUIT","time_unix_ns":)" +
         std::to_string(Time) + R"(,"threads":[
 {"id":1,"tid":1,"name":"main","parent_id":0,"state":"blocked","reason":"chan receive",
  "wait_ns":2000000000,"held_by":null,"join_target":null,"start_unix_ns":1,
  "stack":[{"function":"pthread_cond_wait","file":"","line":0,"module":"/lib/libc.so.6"},
           {"function":"f","file":"/home/u/proj/src/p.cpp","line":20,"module":"a.out"}],
  "created_by":[]},
 {"id":2,"tid":2,"name":"a","parent_id":1,"state":"blocked","reason":"mutex lock",
  "wait_ns":1,"held_by":3,"stack":[{"function":"g","file":"/x.cpp","line":1}],"created_by":[]},
 {"id":3,"tid":3,"name":"b","parent_id":1,"state":"blocked","reason":"mutex lock",
  "wait_ns":1,"held_by":2,"stack":[{"function":"h","file":"/x.cpp","line":2}],"created_by":[]})" +
         Extra + "]}";
}

Model load(std::initializer_list<std::pair<const char *, std::string>> Inputs) {
  Model M;
  for (auto &[Name, Text] : Inputs) {
    std::string Error;
    EXPECT_TRUE(loadInput(Name, Text, M, Error)) << Error;
  }
  return M;
}

} // namespace

TEST(ReportLoad, DetectsKindFromSchema) {
  Model M = load({{"c.json", CheckJson}, {"d.json", dumpJson(5)}});
  ASSERT_EQ(M.Findings.size(), 1u);
  EXPECT_EQ(M.Findings[0].Notes[0].Message, "made here");
  ASSERT_EQ(M.Dumps.size(), 1u);
  EXPECT_EQ(M.Dumps[0].Threads.size(), 3u);
  EXPECT_EQ(M.Dumps[0].Threads[1].HeldBy, 3u);
}

TEST(ReportLoad, NotesNameTheirThread) {
  // A two-thread finding: the join in stop() and the joined thread's lock.
  const char *Json = R"({"version":1,"tool":{"name":"tether","version":"0.1.0"},
 "findings":[{"check":"lock-held-across-blocking","severity":"warning",
  "message":"mutex 'mu_' is held across a blocking thread join",
  "file":"src/pool.cpp","line":30,"column":5,"end_line":0,"end_column":0,
  "function":"Pool::stop","fingerprint":"bbbb",
  "threads":["thread running 'Pool::stop'","thread started at pool.cpp:12"],
  "notes":[{"file":"src/pool.cpp","line":28,"column":5,"message":"mutex locked here","thread":0},
           {"file":"src/pool.cpp","line":18,"column":7,"message":"the joined thread takes the mutex here","thread":1},
           {"file":"src/pool.cpp","line":31,"column":5,"message":"a thread nobody named","thread":4}],
  "fixes":[]}],
 "errors":[],"checks":[]})";
  Model M = load({{"c.json", Json}});
  ASSERT_EQ(M.Findings.size(), 1u);
  const auto &Notes = M.Findings[0].Notes;
  ASSERT_EQ(Notes.size(), 3u);
  EXPECT_EQ(Notes[0].Thread, "");
  EXPECT_EQ(Notes[1].Thread, "thread started at pool.cpp:12");
  EXPECT_EQ(Notes[2].Thread, "thread 5");
  std::string Page = renderPage(M, Options());
  EXPECT_NE(Page.find("<span class=\"th\">(in the thread started at pool.cpp:12)</span>"),
            std::string::npos);
  // Files without threads (older writers) still load every note.
  Model Old = load({{"c.json", CheckJson}});
  ASSERT_EQ(Old.Findings[0].Notes.size(), 1u);
  EXPECT_EQ(Old.Findings[0].Notes[0].Thread, "");
}

TEST(ReportLoad, SeveralDumpsInOneFile) {
  Model M = load({{"d.json", dumpJson(5) + "\n" + dumpJson(6) + "\n"}});
  EXPECT_EQ(M.Dumps.size(), 2u);
}

TEST(ReportLoad, RefusesTruncatedAndForeign) {
  Model M;
  std::string Error;
  EXPECT_FALSE(loadInput("t.json", std::string(CheckJson).substr(0, 80), M, Error));
  EXPECT_NE(Error.find("not valid JSON"), std::string::npos);
  EXPECT_FALSE(loadInput("f.json", R"({"runs":[]})", M, Error));
  EXPECT_NE(Error.find("not a tether check JSON"), std::string::npos);
  EXPECT_FALSE(loadInput("s.json", R"({"schema":"other/2","threads":[]})", M, Error));
  EXPECT_FALSE(loadInput("e.json", "", M, Error));
  EXPECT_TRUE(M.Findings.empty());
  EXPECT_TRUE(M.Dumps.empty());
}

TEST(ReportLoad, SanitizesSurrogatesAndBytes) {
  EXPECT_EQ(sanitizeJsonText(R"("a\ud800b")"), R"("a\uFFFDb")");
  EXPECT_EQ(sanitizeJsonText(R"("\udc00")"), R"("\uFFFD")");
  EXPECT_EQ(sanitizeJsonText(R"("\ud83d\ude00")"), R"("\ud83d\ude00")");
  EXPECT_EQ(sanitizeJsonText(R"("\\ud800")"), R"("\\ud800")");
  EXPECT_EQ(sanitizeJsonText("\"\xff\xed\xa0\x80\""),
            "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(ReportLoad, ClipsHugeFields) {
  std::string Big(1 << 20, 'x');
  Model M = load({{"d.json", R"({"schema":"tether.threads/1","pid":1,"threads":[{"id":1,"name":")" +
                                 Big + R"("}]})"}});
  EXPECT_LT(M.Dumps[0].Threads[0].Name.size(), MaxFieldBytes + 64);
}

TEST(ReportHtml, EscapesForEachContext) {
  EXPECT_EQ(escapeHtml("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  EXPECT_EQ(escapeScriptJson("\"</script>\xE2\x80\xA8&\""),
            "\"\\u003c/script\\u003e\\u2028\\u0026\"");
  EXPECT_EQ(safeUrl("javascript:alert(1)"), "");
  EXPECT_EQ(safeUrl(" JavaScript:x"), "");
  EXPECT_EQ(safeUrl("data:text/html,x"), "");
  EXPECT_EQ(safeUrl("https://example.org/a.md"), "https://example.org/a.md");
  EXPECT_EQ(safeUrl("../docs/checks/a.md"), "../docs/checks/a.md");
}

TEST(ReportHtml, Sha256) {
  EXPECT_EQ(sha256Base64("abc"), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  EXPECT_EQ(sha256Base64(""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(sha256Base64(std::string(1000, 'a')),
            "Qe3s5C1j6Nm/UVqbppMuHCDLyfWl0TRkWttdsblzfqM=");
}

TEST(ReportAnalysis, GroupsCyclesAndCrossLinks) {
  Model M = load({{"c.json", CheckJson}, {"d.json", dumpJson(5)}});
  Analysis An = analyze(M);
  ASSERT_EQ(An.Cycles.size(), 1u);
  EXPECT_EQ(An.Cycles[0].Threads.size(), 2u);
  // Cycles first, then the other blocked groups.
  EXPECT_TRUE(An.Groups[0].InCycle);
  ASSERT_EQ(An.FindingThreads[0].size(), 1u); // main blocked on src/p.cpp:20
  EXPECT_EQ(An.FindingThreads[0][0].Index, 0u);
  EXPECT_TRUE(samePath("/home/u/proj/src/p.cpp", "src/p.cpp"));
  EXPECT_FALSE(samePath("/home/u/proj/xsrc/p.cpp", "src/p.cpp"));
}

TEST(ReportRender, PageIsSelfContainedAndEscaped) {
  std::string Hostile = R"(</script><img src=x onerror=alert(1)>)";
  std::string Check = CheckJson;
  Check.replace(Check.find("never closed"), 12, "</script><img src=x onerror=alert(1)>");
  Model M = load({{"c.json", Check}, {"d.json", dumpJson(5)}, {"e.json", dumpJson(7)}});
  Options O;
  O.DocsBase = "https://docs.example/checks";
  std::string Page = renderPage(M, O);
  EXPECT_EQ(Page.find("<img"), std::string::npos);
  EXPECT_NE(Page.find("&lt;/script&gt;&lt;img src=x"), std::string::npos);
  // Exactly two script elements: the data and the page's script.
  size_t Scripts = 0;
  for (size_t P = Page.find("<script"); P != std::string::npos; P = Page.find("<script", P + 1))
    ++Scripts;
  EXPECT_EQ(Scripts, 2u);
  // Nothing loaded from elsewhere: no src attribute, no stylesheet link.
  EXPECT_EQ(Page.find(" src=\""), std::string::npos);
  EXPECT_EQ(Page.find("<link"), std::string::npos);
  EXPECT_NE(Page.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(Page.find("script-src 'sha256-" + sha256Base64(ReportJsText()) + "'"),
            std::string::npos);
  EXPECT_NE(Page.find("href=\"https://docs.example/checks/channel-unclosed.md\""),
            std::string::npos);
  EXPECT_NE(Page.find("seen stuck at run time: 1 thread, longest 2.0 s"), std::string::npos);
  EXPECT_NE(Page.find("<figure class=\"timeline\""), std::string::npos);
  EXPECT_NE(Page.find("<figure class=\"cycle\""), std::string::npos);
}

// A dump's flight recorder history is drawn as the threads' blocking
// episodes up to the dump: an episode whose block left the ring is whole
// (its unblock says when it began), one still going on reaches the dump.
TEST(ReportRender, HistoryDrawsBlockingEpisodes) {
  std::string D = dumpJson(10000000000);
  D.pop_back(); // "}"
  D += R"(,"history":{"capacity":8,"recorded":40,"events":[
 {"seq":33,"kind":"unblock","time_ns":5000,"time_unix_ns":9000000000,"thread":2,"reason":"cond wait","since_ns":1000},
 {"seq":34,"kind":"thread create","time_ns":6000,"time_unix_ns":9100000000,"thread":4,"parent_id":1},
 {"seq":35,"kind":"thread name","time_ns":6500,"time_unix_ns":9150000000,"thread":4,"name":"sleeper"},
 {"seq":36,"kind":"block","time_ns":7000,"time_unix_ns":9200000000,"thread":2,"reason":"mutex lock"},
 {"seq":37,"kind":"block","time_ns":8000,"time_unix_ns":9300000000,"thread":4,"reason":"<sleep>"},
 {"seq":38,"kind":"unblock","time_ns":9000,"time_unix_ns":9800000000,"thread":4,"reason":"<sleep>","since_ns":8000}]}})";
  Model M = load({{"d.json", D}});
  ASSERT_EQ(M.Dumps.size(), 1u);
  const std::vector<Episode> &H = M.Dumps[0].History;
  ASSERT_EQ(H.size(), 3u);
  EXPECT_EQ(H[0].Thread, 2u);
  EXPECT_EQ(H[0].FromUnixNs, 9000000000u - 4000);
  EXPECT_EQ(H[0].Reason, "cond wait");
  EXPECT_FALSE(H[0].Ongoing);
  EXPECT_EQ(H[1].Reason, "mutex lock");
  EXPECT_TRUE(H[1].Ongoing);
  EXPECT_EQ(H[1].ToUnixNs, 10000000000u);
  EXPECT_EQ(H[2].Thread, 4u);
  EXPECT_EQ(H[2].ToUnixNs, 9800000000u);
  std::string Page = renderPage(M, Options());
  size_t Fig = Page.find("<figure class=\"history\">");
  ASSERT_NE(Fig, std::string::npos) << Page;
  std::string Svg = Page.substr(Fig, Page.find("</figure>", Fig) - Fig);
  EXPECT_NE(Svg.find("<title>#2 a: mutex lock, 0.8 s (still blocked at the dump)</title>"), std::string::npos) << Svg;
  EXPECT_NE(Svg.find(">#4 sleeper</text>"), std::string::npos) << Svg; // exited: named by the history
  EXPECT_NE(Svg.find("<title>#4 sleeper: &lt;sleep&gt;, 0.5 s</title>"), std::string::npos) << Svg;
  EXPECT_EQ(Svg.find("<sleep>"), std::string::npos) << Svg;
  // A dump without history draws none.
  EXPECT_EQ(renderPage(load({{"d.json", dumpJson(5)}}), Options()).find("class=\"history\""),
            std::string::npos);
}

static std::string tempPath(const char *Name) {
  return testing::TempDir() + "/tether-report-" + std::to_string(getpid()) + "-" + Name;
}
static void writeFile(const std::string &P, const std::string &T) {
  std::ofstream(P, std::ios::binary) << T;
}
static std::string readFile(const std::string &P) {
  std::ifstream In(P, std::ios::binary);
  std::stringstream S;
  S << In.rdbuf();
  return S.str();
}

TEST(ReportMain, BadInputIsOneLineAndExitCode2) {
  std::string Good = tempPath("good.json"), Bad = tempPath("bad.json"),
              Out = tempPath("out.html");
  writeFile(Good, CheckJson);
  writeFile(Bad, "{\"version\":1,\"findings\":[");
  writeFile(Out, "previous");
  std::ostringstream O, E;
  const char *Args[] = {"tether-report", Good.c_str(), Bad.c_str(), "-o", Out.c_str()};
  EXPECT_EQ(reportMain(5, Args, O, E), 2);
  EXPECT_EQ(E.str(), "tether-report: error: " + Bad + ": not valid JSON (truncated?)\n");
  EXPECT_EQ(readFile(Out), "previous");
  // --keep-going renders the others, and still says something was wrong.
  std::ostringstream O2, E2;
  const char *Args2[] = {"tether-report", Good.c_str(), Bad.c_str(), "--keep-going", "-o", Out.c_str()};
  EXPECT_EQ(reportMain(6, Args2, O2, E2), 2);
  EXPECT_NE(readFile(Out).find("never closed"), std::string::npos);
  for (auto &P : {Good, Bad, Out})
    std::remove(P.c_str());
}

TEST(ReportMain, BaselineMarksNewAndKnown) {
  std::string In = tempPath("in.json"), Base = tempPath("base.json"), Out = tempPath("b.html");
  writeFile(In, CheckJson);
  writeFile(Base, R"({"version":1,"fingerprints":[{"fingerprint":"aaaa"}]})");
  std::ostringstream O, E;
  const char *Args[] = {"tether-report", In.c_str(), "--baseline", Base.c_str(), "-o", Out.c_str()};
  EXPECT_EQ(reportMain(6, Args, O, E), 0) << E.str();
  std::string Page = readFile(Out);
  EXPECT_NE(Page.find("&quot;base&quot;:[&quot;known&quot;]"), std::string::npos);
  EXPECT_NE(Page.find("1 known</a>"), std::string::npos);
  for (auto &P : {In, Base, Out})
    std::remove(P.c_str());
}
