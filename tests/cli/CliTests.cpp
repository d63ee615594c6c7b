// End-to-end tests of the `tether` command line. Every test creates a
// sandbox directory with a few small sources and a compile_commands.json,
// runs the real binary there and checks its exit code, stdout, stderr and
// the files it writes.
//
// Most sources include "chan.h", a stand-in for
// <boost/fiber/buffered_channel.hpp> that declares just the members the
// built-in boost-fiber model names, so that a run takes milliseconds. One
// test uses the real header to make sure the stand-in behaves the same.
//
// Set TETHER_CLI_KEEP=1 to keep the sandboxes for inspection.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// ---------------------------------------------------------------------------
// Sources

constexpr const char *ChanH = R"(#pragma once
// Stand-in for <boost/fiber/buffered_channel.hpp>.
namespace boost {
namespace fibers {
enum class channel_op_status { success, empty, full, closed, timeout };
template <typename T> class buffered_channel {
public:
  explicit buffered_channel(unsigned long) {}
  channel_op_status push(T) { return channel_op_status::success; }
  channel_op_status pop(T &) { return channel_op_status::success; }
  void close() noexcept {}
  bool is_closed() const { return false; }
};
} // namespace fibers
} // namespace boost
using Chan = boost::fibers::buffered_channel<int>;
)";

// No findings.
constexpr const char *CleanCpp = R"(#include "chan.h"
void produce(Chan &ch) {
  ch.push(1);
  ch.close();
}
)";

// channel-double-close at 5:6 (first close at 4:8).
constexpr const char *DoubleCloseCpp = R"(#include "chan.h"
void stop(Chan &ch, bool failed) {
  if (failed)
    ch.close();
  ch.close();
}
)";

// channel-send-after-close at 4:6 (closed at 3:6).
constexpr const char *SendAfterCloseCpp = R"(#include "chan.h"
void flush(Chan &ch) {
  ch.close();
  ch.push(1);
}
)";

// Both: channel-double-close at 5:6, channel-send-after-close at 9:6.
constexpr const char *BothCpp = R"(#include "chan.h"
void stop(Chan &ch, bool failed) {
  if (failed)
    ch.close();
  ch.close();
}
void flush(Chan &ch) {
  ch.close();
  ch.push(1);
}
)";

// ---------------------------------------------------------------------------
// Helpers

struct Result {
  int Status = -1; // exit code; -1 if the process died from a signal
  std::string Out, Err;
};

std::ostream &operator<<(std::ostream &OS, const Result &R) {
  return OS << "exit " << R.Status << "\n--- stdout ---\n"
            << R.Out << "--- stderr ---\n"
            << R.Err << "---";
}

std::string quote(const std::string &S) {
  std::string Q = "'";
  for (char C : S) {
    if (C == '\'')
      Q += "'\\''";
    else
      Q += C;
  }
  return Q + "'";
}

std::string slurp(const fs::path &P) {
  std::ifstream In(P, std::ios::binary);
  std::stringstream SS;
  SS << In.rdbuf();
  return SS.str();
}

std::vector<std::string> lines(const std::string &S) {
  std::vector<std::string> Out;
  std::stringstream SS(S);
  std::string L;
  while (std::getline(SS, L))
    Out.push_back(L);
  return Out;
}

std::vector<std::string> nonEmptyLines(const std::string &S) {
  std::vector<std::string> Out;
  for (std::string &L : lines(S))
    if (L.find_first_not_of(" \t\r") != std::string::npos)
      Out.push_back(L);
  return Out;
}

size_t countMatching(const std::string &S, const std::string &Needle) {
  size_t N = 0;
  for (const std::string &L : lines(S))
    if (L.find(Needle) != std::string::npos)
      ++N;
  return N;
}

class Sandbox {
public:
  Sandbox() {
    std::string Tpl =
        (fs::temp_directory_path() / "tether-cli-XXXXXX").string();
    if (!mkdtemp(Tpl.data()))
      throw std::runtime_error("mkdtemp failed");
    Base = fs::canonical(Tpl);
    Root = Base / "src-root";
    // The repository root marker: paths in reports are relative to it.
    fs::create_directories(Root / ".git");
  }
  ~Sandbox() {
    if (!std::getenv("TETHER_CLI_KEEP")) {
      std::error_code EC;
      fs::remove_all(Base, EC);
    }
  }
  Sandbox(const Sandbox &) = delete;
  Sandbox &operator=(const Sandbox &) = delete;

  fs::path path(const std::string &Rel) const { return Root / Rel; }

  void write(const std::string &Rel, const std::string &Text) const {
    fs::path P = path(Rel);
    fs::create_directories(P.parent_path());
    std::ofstream(P, std::ios::binary) << Text;
  }
  std::string read(const std::string &Rel) const { return slurp(path(Rel)); }

  // compile_commands.json in DbDir listing the given sources.
  void compileDb(const std::vector<std::string> &Sources,
                 const std::string &DbDir = ".") const {
    json DB = json::array();
    for (const std::string &S : Sources) {
      std::string Abs = path(S).string();
      DB.push_back({{"directory", Root.string()},
                    {"file", Abs},
                    {"arguments",
                     {TETHER_TEST_CXX, "-std=c++20", "-c", Abs}}});
    }
    write(DbDir + "/compile_commands.json", DB.dump(2));
  }

  // Runs tether with the sandbox root as the working directory.
  Result tether(const std::vector<std::string> &Args) const {
    return run(quote(TETHER_BINARY), Args);
  }

  // The result cache is on by default: its default place is the sandbox's
  // own (outside the source root), never the user's ~/.cache.
  Result run(const std::string &Program,
             const std::vector<std::string> &Args) const {
    std::string Cmd = "cd " + quote(Root.string()) + " && XDG_CACHE_HOME=" +
                      quote((Base / "xdg-cache").string()) + " " + Program;
    for (const std::string &A : Args)
      Cmd += " " + quote(A);
    fs::path OutF = Base / "stdout", ErrF = Base / "stderr";
    Cmd += " >" + quote(OutF.string()) + " 2>" + quote(ErrF.string()) +
           " </dev/null";
    int S = std::system(Cmd.c_str());
    Result R;
    R.Status = S != -1 && WIFEXITED(S) ? WEXITSTATUS(S) : -1;
    R.Out = slurp(OutF);
    R.Err = slurp(ErrF);
    return R;
  }

  fs::path Base, Root;
};

json parseJson(const std::string &Text) {
  json J = json::parse(Text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(J.is_discarded()) << "not valid JSON:\n" << Text;
  return J;
}

// "file:line [check]" per finding, for readable failures.
std::string summary(const json &Findings) {
  std::string S;
  for (const json &F : Findings)
    S += F["file"].get<std::string>() + ":" +
         std::to_string(F["line"].get<int>()) + " [" +
         F["check"].get<std::string>() + "] " +
         F["message"].get<std::string>() + "\n";
  return S;
}

// Findings of one check (and file, if given).
std::vector<json> select(const json &Findings, const std::string &Check,
                         const std::string &File = "") {
  std::vector<json> Out;
  for (const json &F : Findings)
    if (F["check"] == Check && (File.empty() || F["file"] == File))
      Out.push_back(F);
  return Out;
}

// Runs tether with --format=json and returns the parsed document.
json runJson(const Sandbox &Box, std::vector<std::string> Args,
             int ExpectedStatus) {
  Args.push_back("--format=json");
  Result R = Box.tether(Args);
  EXPECT_EQ(R.Status, ExpectedStatus) << R;
  json J = parseJson(R.Out);
  if (J.is_discarded() || !J.contains("findings"))
    return json{{"findings", json::array()}, {"errors", json::array()}};
  return J;
}

// Exit 2, nothing on stdout, exactly one line on stderr that matches Re.
void expectUsageError(const Result &R, const std::string &Re) {
  EXPECT_EQ(R.Status, 2) << R;
  EXPECT_EQ(R.Out, "") << R;
  std::vector<std::string> Err = nonEmptyLines(R.Err);
  ASSERT_EQ(Err.size(), 1u) << "expected a one-line message\n" << R;
  EXPECT_TRUE(std::regex_search(Err[0], std::regex(Re)))
      << "stderr does not match /" << Re << "/\n"
      << R;
  EXPECT_EQ(R.Err.find("Stack dump"), std::string::npos) << R;
  EXPECT_EQ(R.Err.find("PLEASE submit a bug report"), std::string::npos) << R;
}

// ---------------------------------------------------------------------------
// 1. Exit codes and text output

TEST(ExitCode, CleanCodeExitsZero) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("clean.cpp", CleanCpp);
  Box.compileDb({"clean.cpp"});
  Result R = Box.tether({"check", "-p", "."});
  EXPECT_EQ(R.Status, 0) << R;
  EXPECT_EQ(R.Out.find("warning:"), std::string::npos) << R;
  EXPECT_EQ(R.Out.find("remark:"), std::string::npos) << R;
  EXPECT_EQ(R.Err, "") << R;
}

TEST(ExitCode, FindingExitsOneWithClangStyleText) {
  // The real Boost.Fiber header, to keep the stand-in honest.
  Sandbox Box;
  Box.write("a.cpp", R"(#include <boost/fiber/buffered_channel.hpp>
using Chan = boost::fibers::buffered_channel<int>;
void stop(Chan &ch, bool failed) {
  if (failed)
    ch.close();
  ch.close();
}
)");
  Box.compileDb({"a.cpp"});
  Result R = Box.tether({"check", "-p", "."});
  ASSERT_EQ(R.Status, 1) << R;
  std::vector<std::string> L = lines(R.Out);
  static const std::regex Header(
      R"(^a\.cpp:6:6: (remark|warning): .*closed.* \[channel-double-close\]$)");
  size_t I = 0;
  while (I < L.size() && !std::regex_search(L[I], Header))
    ++I;
  ASSERT_LT(I + 2, L.size()) << "no 'a.cpp:6:6: ... [channel-double-close]' "
                                "line followed by source and caret\n"
                             << R;
  EXPECT_EQ(L[I + 1], "  ch.close();") << R;
  EXPECT_EQ(L[I + 2].find('^'), 5u) << "caret not under column 6\n" << R;
  EXPECT_EQ(L[I + 2].find_first_not_of(' '), 5u) << R;
  // The note points at the first close.
  EXPECT_TRUE(std::regex_search(R.Out, std::regex(R"(a\.cpp:5:\d+: note: )")))
      << R;
}

// ---------------------------------------------------------------------------
// 2. Output formats and files

TEST(Output, SeveralOutputFilesInOneRunAndTextOnStdout) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("s.cpp", SendAfterCloseCpp);
  Box.compileDb({"s.cpp"});
  // The json: prefix wins over the file's extension.
  Result R = Box.tether(
      {"check", "-p", ".", "-o", "json:report.txt", "-o", "sarif:report.sarif"});
  ASSERT_EQ(R.Status, 1) << R;
  EXPECT_NE(R.Out.find("s.cpp:4:6: warning: "), std::string::npos) << R;
  EXPECT_NE(R.Out.find("[channel-send-after-close]"), std::string::npos) << R;

  ASSERT_TRUE(fs::exists(Box.path("report.txt")));
  json J = parseJson(Box.read("report.txt"));
  EXPECT_EQ(J["version"], 1);
  ASSERT_EQ(J["findings"].size(), 1u) << J.dump(2);
  EXPECT_EQ(J["findings"][0]["check"], "channel-send-after-close");
  EXPECT_EQ(J["findings"][0]["file"], "s.cpp");
  EXPECT_EQ(J["findings"][0]["line"], 4);

  ASSERT_TRUE(fs::exists(Box.path("report.sarif")));
  json S = parseJson(Box.read("report.sarif"));
  EXPECT_EQ(S["version"], "2.1.0");
  ASSERT_EQ(S["runs"].size(), 1u);
  ASSERT_EQ(S["runs"][0]["results"].size(), 1u) << S.dump(2);
  EXPECT_EQ(S["runs"][0]["results"][0]["ruleId"], "channel-send-after-close");
  // No stray temporaries next to the reports.
  for (const auto &E : fs::directory_iterator(Box.Root))
    EXPECT_EQ(E.path().filename().string().find(".tmp"), std::string::npos)
        << E.path();
}

TEST(Output, HtmlReportInOneStep) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("d.cpp", DoubleCloseCpp);
  Box.compileDb({"d.cpp"});
  Result R = Box.tether({"check", "-p", ".", "-o", "html:r.out", "-o",
                         "page.html", "--quiet"});
  EXPECT_EQ(R.Status, 1) << R;
  for (const char *Name : {"r.out", "page.html"}) {
    std::string Page = Box.read(Name);
    EXPECT_EQ(Page.rfind("<!DOCTYPE html>", 0), 0u) << Name;
    EXPECT_NE(Page.find("http-equiv=\"Content-Security-Policy\""),
              std::string::npos)
        << Name;
    EXPECT_NE(Page.find("channel-double-close"), std::string::npos) << Name;
    EXPECT_NE(Page.find("d.cpp"), std::string::npos) << Name;
  }
}

TEST(Output, JsonOnStdoutParses) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("d.cpp", DoubleCloseCpp);
  Box.compileDb({"d.cpp"});
  Result R = Box.tether({"check", "-p", ".", "--format=json"});
  ASSERT_EQ(R.Status, 1) << R;
  EXPECT_EQ(R.Err, "") << R;
  json J = parseJson(R.Out);
  ASSERT_FALSE(J.is_discarded());
  EXPECT_EQ(J["version"], 1);
  EXPECT_EQ(J["tool"]["name"], "tether");
  EXPECT_TRUE(J["errors"].empty());
  ASSERT_EQ(J["findings"].size(), 1u) << J.dump(2);
  const json &F = J["findings"][0];
  EXPECT_EQ(F["check"], "channel-double-close");
  EXPECT_EQ(F["file"], "d.cpp");
  EXPECT_EQ(F["line"], 5);
  EXPECT_EQ(F["column"], 6);
  EXPECT_EQ(F["function"], "stop");
  EXPECT_TRUE(std::regex_match(F["fingerprint"].get<std::string>(),
                               std::regex("[0-9a-f]{16}")))
      << F.dump(2);
  ASSERT_EQ(F["notes"].size(), 1u) << F.dump(2);
  EXPECT_EQ(F["notes"][0]["line"], 4);
  std::set<std::string> Ids;
  for (const json &C : J["checks"])
    Ids.insert(C["id"]);
  EXPECT_TRUE(Ids.count("channel-double-close"));
  EXPECT_TRUE(Ids.count("channel-send-after-close"));
  EXPECT_TRUE(Ids.count("channel-close-with-active-senders"));
}

// --format is stdout's format also when -o writes files.
TEST(Output, FormatAppliesToStdoutAlongsideFiles) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("d.cpp", DoubleCloseCpp);
  Box.compileDb({"d.cpp"});
  Result R =
      Box.tether({"check", "-p", ".", "--format=json", "-o", "text:out.txt"});
  ASSERT_EQ(R.Status, 1) << R;
  json J = parseJson(R.Out);
  ASSERT_FALSE(J.is_discarded()) << R;
  EXPECT_EQ(J["findings"].size(), 1u);
  EXPECT_NE(Box.read("out.txt").find("[channel-double-close]"),
            std::string::npos);
  // One format for stdout; more is a usage error.
  Result Two = Box.tether({"check", "-p", ".", "--format=json,sarif"});
  EXPECT_EQ(Two.Status, 2) << Two;
}

// clang-tidy's `FILE -- FLAGS`: no compilation database at all.
TEST(Input, FlagsAfterDoubleDashReplaceTheDatabase) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("d.cpp", DoubleCloseCpp);
  Result R = Box.tether({"check", "d.cpp", "--format=json", "--", "-std=c++20"});
  ASSERT_EQ(R.Status, 1) << R;
  json J = parseJson(R.Out);
  ASSERT_FALSE(J.is_discarded()) << R;
  ASSERT_EQ(J["findings"].size(), 1u) << R;
  EXPECT_EQ(J["findings"][0]["check"], "channel-double-close");
  // Flags that make the file fail to compile: a partial run, said clearly.
  Result Bad = Box.tether({"check", "d.cpp", "--", "-std=c++20", "-DCHAN_BROKEN=",
                           "-include", "missing.h"});
  EXPECT_EQ(Bad.Status, 3) << Bad;
  // Either a database or flags; and flags need files.
  EXPECT_EQ(Box.tether({"check", "-p", ".", "d.cpp", "--", "-std=c++20"}).Status,
            2);
  Result NoFiles = Box.tether({"check", "--", "-std=c++20"});
  EXPECT_EQ(NoFiles.Status, 2) << NoFiles;
  EXPECT_NE(NoFiles.Err.find("source files"), std::string::npos) << NoFiles;
}

// ---------------------------------------------------------------------------
// 3. SARIF validity

TEST(Sarif, RealRunPassesValidator) {
  Sandbox Box;
  Box.write("lib/sub/chan.h", ChanH);
  Box.write("lib/sub/both.cpp", BothCpp);
  Box.compileDb({"lib/sub/both.cpp"}, "build");
  Result R = Box.tether(
      {"check", "-p", "build", "--quiet", "-o", "sarif:report.sarif"});
  ASSERT_EQ(R.Status, 1) << R;
  EXPECT_EQ(R.Out, "") << "--quiet still wrote to stdout\n" << R;
  json S = parseJson(Box.read("report.sarif"));
  ASSERT_FALSE(S.is_discarded());
  const json &Run = S["runs"][0];
  ASSERT_EQ(Run["results"].size(), 2u) << S.dump(2);
  for (const json &Res : Run["results"]) {
    const json &Loc = Res["locations"][0]["physicalLocation"];
    EXPECT_EQ(Loc["artifactLocation"]["uri"], "lib/sub/both.cpp")
        << Res.dump(2);
    ASSERT_TRUE(Loc["artifactLocation"].contains("uriBaseId")) << Res.dump(2);
    std::string Base = Loc["artifactLocation"]["uriBaseId"];
    EXPECT_TRUE(Run["originalUriBaseIds"].contains(Base)) << Run.dump(2);
    ASSERT_TRUE(Res.contains("codeFlows")) << "notes not turned into codeFlows\n"
                                           << Res.dump(2);
    EXPECT_FALSE(Res["codeFlows"][0]["threadFlows"][0]["locations"].empty())
        << Res.dump(2);
  }

  Result V = Box.run(quote(TETHER_SARIF_VALIDATOR),
                     {Box.path("report.sarif").string()});
  if (V.Status == 127 && !std::getenv("TETHER_REQUIRE_SARIF_VALIDATOR"))
    GTEST_SKIP() << "SARIF validator not installed: " << V.Err;
  EXPECT_EQ(V.Status, 0) << "validate.sh rejected the log\n" << V;
}

// A deadlock across two threads: stop() holds mu_ (line 16) while it joins
// the worker started at line 9, whose loop takes mu_ (line 27). And a
// detached watcher (started at line 9 of watch.cpp) that loops forever
// (line 11).
constexpr const char *PoolCpp = R"(#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

class Pool {
public:
  Pool() : worker_([this] { run(); }) {}
  void post(std::function<void()> job) {
    std::lock_guard<std::mutex> g(mu_);
    jobs_.push_back(std::move(job));
    ready_.notify_one();
  }
  void stop() {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
    ready_.notify_all();
    worker_.join();
  }

private:
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lk(mu_);
        ready_.wait(lk, [this] { return stopping_ || !jobs_.empty(); });
        if (stopping_)
          return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread worker_;
};
)";

constexpr const char *WatchCpp = R"(#include <chrono>
#include <string>
#include <thread>

bool send_ping(const std::string &peer);
void mark_down(const std::string &peer);

void watch(std::string peer) {
  std::thread watcher([peer] {
    int missed = 0;
    for (;;) {
      missed = send_ping(peer) ? 0 : missed + 1;
      if (missed == 3)
        mark_down(peer);
      std::this_thread::sleep_for(std::chrono::seconds(5));
    }
  });
  watcher.detach();
}
)";

TEST(Sarif, ThreadFlowPerThreadPassesValidator) {
  Sandbox Box;
  Box.write("src/pool.cpp", PoolCpp);
  Box.write("src/watch.cpp", WatchCpp);
  Box.compileDb({"src/pool.cpp", "src/watch.cpp"}, "build");
  Result R = Box.tether({"check", "-p", "build", "--quiet",
                         "--checks=-*,lock-held-across-blocking,thread-leak",
                         "-o", "sarif:report.sarif", "-o", "json:report.json"});
  ASSERT_EQ(R.Status, 1) << R;
  json S = parseJson(Box.read("report.sarif"));
  const json &Results = S["runs"][0]["results"];
  ASSERT_EQ(Results.size(), 2u) << S.dump(2);
  auto Lines = [](const json &Flow) {
    std::vector<int> Out;
    for (const json &Step : Flow["locations"])
      Out.push_back(Step["location"]["physicalLocation"]["region"]["startLine"]);
    return Out;
  };
  auto Uri = [](const json &Flow) {
    return Flow["locations"][0]["location"]["physicalLocation"]
               ["artifactLocation"]["uri"];
  };

  const json &Lock = Results[0];
  EXPECT_EQ(Lock["ruleId"], "lock-held-across-blocking");
  ASSERT_EQ(Lock["codeFlows"].size(), 1u);
  const json &LockFlows = Lock["codeFlows"][0]["threadFlows"];
  ASSERT_EQ(LockFlows.size(), 2u) << Lock.dump(2);
  EXPECT_EQ(LockFlows[0]["id"], "thread running 'Pool::stop'");
  EXPECT_EQ(LockFlows[0]["message"]["text"], "thread running 'Pool::stop'");
  EXPECT_EQ(Lines(LockFlows[0]), (std::vector<int>{16, 19, 19}));
  EXPECT_EQ(LockFlows[1]["id"], "thread started at pool.cpp:9");
  EXPECT_EQ(Lines(LockFlows[1]), (std::vector<int>{27}));
  EXPECT_EQ(Uri(LockFlows[1]), "src/pool.cpp");

  const json &Leak = Results[1];
  EXPECT_EQ(Leak["ruleId"], "thread-leak");
  const json &LeakFlows = Leak["codeFlows"][0]["threadFlows"];
  ASSERT_EQ(LeakFlows.size(), 2u) << Leak.dump(2);
  EXPECT_EQ(LeakFlows[0]["id"], "thread running 'watch'");
  EXPECT_EQ(Lines(LeakFlows[0]), (std::vector<int>{9, 18}));
  EXPECT_EQ(LeakFlows[1]["id"], "thread started at watch.cpp:9");
  EXPECT_EQ(Lines(LeakFlows[1]), (std::vector<int>{11}));

  // The JSON output says the same: every note's thread, and their names.
  json J = parseJson(Box.read("report.json"));
  const json &LockJ = J["findings"][0];
  EXPECT_EQ(LockJ["threads"], (json{"thread running 'Pool::stop'",
                                    "thread started at pool.cpp:9"}));
  ASSERT_EQ(LockJ["notes"].size(), 3u);
  EXPECT_EQ(LockJ["notes"][1]["thread"], 1);
  EXPECT_EQ(LockJ["notes"][1]["line"], 27);
  EXPECT_EQ(LockJ["fingerprint"],
            Lock["partialFingerprints"]["tetherFingerprint/v1"]);

  Result V = Box.run(quote(TETHER_SARIF_VALIDATOR),
                     {Box.path("report.sarif").string()});
  if (V.Status == 127 && !std::getenv("TETHER_REQUIRE_SARIF_VALIDATOR"))
    GTEST_SKIP() << "SARIF validator not installed: " << V.Err;
  EXPECT_EQ(V.Status, 0) << "validate.sh rejected the log\n" << V;
}

// ---------------------------------------------------------------------------
// 4. Bad input: exit 2, one clear line on stderr, no crash

TEST(BadInput, MissingBuildDir) {
  Sandbox Box;
  expectUsageError(Box.tether({"check", "-p", "no-such-build"}),
                   "error: .*no-such-build.*does not exist");
}

TEST(BadInput, BuildDirWithoutCompileCommands) {
  Sandbox Box;
  fs::create_directories(Box.path("build"));
  expectUsageError(Box.tether({"check", "-p", "build"}),
                   "error: .*compile_commands\\.json");
}

TEST(BadInput, MalformedCompileCommands) {
  Sandbox Box;
  Box.write("build/compile_commands.json", "[{\"directory\": ");
  expectUsageError(Box.tether({"check", "-p", "build"}),
                   "error: .*(compilation database|compile_commands\\.json)");
}

TEST(BadInput, UnknownCheckName) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("d.cpp", DoubleCloseCpp);
  Box.compileDb({"d.cpp"});
  expectUsageError(
      Box.tether({"check", "-p", ".", "--checks=-*,channel-double-clos"}),
      "error: .*unknown check 'channel-double-clos'");
}

TEST(BadInput, MalformedConfig) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("d.cpp", DoubleCloseCpp);
  Box.compileDb({"d.cpp"});
  Box.write(".tether.yaml", "checks: \"-*,channel-double-close\"\n"
                            "options: [unterminated\n");
  expectUsageError(Box.tether({"check", "-p", "."}),
                   R"(\.tether\.yaml:2:\d+: error: )");
}

TEST(BadInput, MalformedModelInConfig) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("d.cpp", DoubleCloseCpp);
  Box.compileDb({"d.cpp"});
  Box.write(".tether.yaml", "models:\n"
                            "  - library: acme\n"
                            "    channels:\n"
                            "      - types: [acme::Queue]\n"
                            "        close: [close]\n"
                            "        double_close: explode\n");
  expectUsageError(Box.tether({"check", "-p", "."}),
                   R"(\.tether\.yaml:6:\d+: error: )");
}

TEST(BadInput, UnknownFormat) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("d.cpp", DoubleCloseCpp);
  Box.compileDb({"d.cpp"});
  expectUsageError(Box.tether({"check", "-p", ".", "--format=xml"}),
                   "error: .*format 'xml'");
}

TEST(BadInput, NoSubcommand) {
  Sandbox Box;
  expectUsageError(Box.tether({}), "error: .*command");
}

// ---------------------------------------------------------------------------
// 5. Partial analysis: exit 3

TEST(Partial, UncompilableTranslationUnit) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("good.cpp", SendAfterCloseCpp);
  Box.write("broken.cpp", "int broken( { return }\n");
  Box.compileDb({"broken.cpp", "good.cpp"});
  Result R = Box.tether({"check", "-p", "."});
  EXPECT_EQ(R.Status, 3) << R;
  EXPECT_NE(R.Out.find("good.cpp:4:6: warning: "), std::string::npos) << R;
  std::string All = R.Out + R.Err;
  EXPECT_EQ(countMatching(All, "error: cannot analyse"), 1u) << R;
  EXPECT_EQ(countMatching(All, "broken.cpp"),
            countMatching(All, "error: cannot analyse")) << R;
  EXPECT_TRUE(std::regex_search(
      All, std::regex("error: cannot analyse \\S*broken\\.cpp")))
      << R;

  // The same in JSON: the finding plus one error entry.
  json J = runJson(Box, {"check", "-p", "."}, 3);
  EXPECT_EQ(select(J["findings"], "channel-send-after-close").size(), 1u)
      << summary(J["findings"]);
  ASSERT_EQ(J["errors"].size(), 1u) << J["errors"].dump(2);
  EXPECT_NE(J["errors"][0]["file"].get<std::string>().find("broken.cpp"),
            std::string::npos);
}

// With JSON on stdout the only stderr output for a broken TU is its one
// `error: cannot analyse` line: no compiler chatter such as
// "2 errors generated.".
TEST(Partial, UncompilableTranslationUnitGetsOneStderrLine) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("good.cpp", SendAfterCloseCpp);
  Box.write("broken.cpp", "int broken( { return }\n");
  Box.compileDb({"broken.cpp", "good.cpp"});
  Result R = Box.tether({"check", "-p", ".", "--format=json"});
  EXPECT_EQ(R.Status, 3) << R;
  EXPECT_FALSE(parseJson(R.Out).is_discarded());
  std::vector<std::string> Err = nonEmptyLines(R.Err);
  ASSERT_EQ(Err.size(), 1u) << R;
  EXPECT_TRUE(std::regex_search(
      Err[0], std::regex("^error: cannot analyse \\S*broken\\.cpp: ")))
      << R;
}

TEST(Partial, NonexistentFileArgument) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("good.cpp", SendAfterCloseCpp);
  Box.compileDb({"good.cpp"});
  Result R = Box.tether({"check", "-p", ".", "good.cpp", "missing.cpp"});
  EXPECT_EQ(R.Status, 3) << R;
  EXPECT_NE(R.Out.find("good.cpp:4:6: warning: "), std::string::npos) << R;
  std::string All = R.Out + R.Err;
  EXPECT_EQ(countMatching(All, "error: cannot analyse"), 1u) << R;
  EXPECT_TRUE(std::regex_search(
      All, std::regex("error: cannot analyse \\S*missing\\.cpp")))
      << R;
}

// ---------------------------------------------------------------------------
// 6. Inline suppressions

constexpr const char *SuppressedCpp = R"(#include "chan.h"
void same_line(Chan &ch) {
  ch.close();
  ch.push(1);  // NOLINT(channel-send-after-close)
}
void next_line(Chan &ch) {
  ch.close();
  // NOLINTNEXTLINE(channel-send-after-close)
  ch.push(2);
}
// NOLINTBEGIN(channel-send-after-close)
void block(Chan &ch) {
  ch.close();
  ch.push(3);
}
// NOLINTEND(channel-send-after-close)
void bare(Chan &ch) {
  ch.close();
  ch.push(4);  // NOLINT
}
void glob(Chan &ch) {
  ch.close();
  ch.push(5);  // NOLINT(channel-*)
}
void not_suppressed(Chan &ch) {
  ch.close();
  ch.push(6);  // NOLINT(channel-double-close)
}
)";

TEST(Suppression, NolintForms) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("suppressed.cpp", SuppressedCpp);
  // The same code without the comments: every function has a finding.
  Box.write("control.cpp",
            std::regex_replace(std::string(SuppressedCpp),
                               std::regex("//\\s*NOLINT\\S*"), ""));
  Box.compileDb({"control.cpp", "suppressed.cpp"});
  json J = runJson(Box, {"check", "-p", ".", "--no-unused-suppressions"}, 1);
  EXPECT_EQ(select(J["findings"], "channel-send-after-close", "control.cpp")
                .size(),
            6u)
      << summary(J["findings"]);
  auto Kept =
      select(J["findings"], "channel-send-after-close", "suppressed.cpp");
  // Only the push in not_suppressed (its NOLINT names another check).
  ASSERT_EQ(Kept.size(), 1u) << summary(J["findings"]);
  EXPECT_EQ(Kept[0]["line"], 27) << summary(J["findings"]);
}

// A compile database written relative to its directory (as Bazel's and
// some generators' are), and tether run from elsewhere: file names are
// relative to the command's directory, so the findings name the right
// files and their NOLINT comments are read.
TEST(Suppression, RelativeDatabaseFromAnotherDirectory) {
  Sandbox Box;
  const std::string Loop = R"(#include <thread>
#include <vector>
void record(int shard);
void start(std::vector<std::thread> &ts) {
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&i] { record(i); });
}
void quiet(std::vector<std::thread> &ts) {
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&i] { record(i); }); // NOLINT(thread-loop-capture-by-ref)
}
)";
  Box.write("proj/src/loop.cpp", Loop);
  json DB = json::array();
  DB.push_back({{"directory", Box.path("proj").string()},
                {"file", "src/loop.cpp"},
                {"arguments", {TETHER_TEST_CXX, "-std=c++20", "-c", "src/loop.cpp"}}});
  Box.write("proj/build/compile_commands.json", DB.dump(2));
  json J = runJson(Box, {"check", "-p", "proj/build",
                         "--checks=thread-loop-capture-by-ref"},
                   1);
  ASSERT_EQ(J["findings"].size(), 1u) << summary(J["findings"]);
  EXPECT_EQ(J["findings"][0]["file"], "proj/src/loop.cpp")
      << summary(J["findings"]);
  EXPECT_EQ(J["findings"][0]["line"], 6) << summary(J["findings"]);
}

// The clang-tidy plugin's names (tether-<id>) suppress too: one comment
// serves `tether check` and clang-tidy.
TEST(Suppression, ClangTidyNames) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("tidy.cpp", R"(#include "chan.h"
void same_line(Chan &ch) {
  ch.close();
  ch.push(1);  // NOLINT(tether-channel-send-after-close)
}
void next_line(Chan &ch) {
  ch.close();
  // NOLINTNEXTLINE(tether-channel-*)
  ch.push(2);
}
void glob(Chan &ch) {
  ch.close();
  ch.push(3);  // NOLINT(bugprone-use-after-move, tether-*)
}
void other_tool(Chan &ch) {
  ch.close();
  ch.push(4);  // NOLINT(tether-channel-double-close)
}
void not_tether(Chan &ch) {
  ch.close();
  ch.push(5);  // NOLINT(channel-send-after-close-tether)
}
)");
  Box.compileDb({"tidy.cpp"});
  json J = runJson(Box, {"check", "-p", "."}, 1);
  auto Kept = select(J["findings"], "channel-send-after-close", "tidy.cpp");
  ASSERT_EQ(Kept.size(), 2u) << summary(J["findings"]);
  EXPECT_EQ(Kept[0]["line"], 17) << summary(J["findings"]);
  EXPECT_EQ(Kept[1]["line"], 21) << summary(J["findings"]);
  // The NOLINT naming tether-channel-double-close names a tether check and
  // suppresses nothing.
  auto Unused = select(J["findings"], "unused-suppression", "tidy.cpp");
  ASSERT_EQ(Unused.size(), 1u) << summary(J["findings"]);
  EXPECT_EQ(Unused[0]["line"], 17);
}

TEST(Suppression, UnusedSuppressionReported) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("u.cpp", R"(#include "chan.h"
void produce(Chan &ch) {
  ch.push(1);  // NOLINT(channel-double-close)
  ch.close();
}
)");
  Box.compileDb({"u.cpp"});
  json J = runJson(Box, {"check", "-p", "."}, 1);
  ASSERT_EQ(J["findings"].size(), 1u) << summary(J["findings"]);
  const json &F = J["findings"][0];
  EXPECT_EQ(F["check"], "unused-suppression");
  EXPECT_EQ(F["file"], "u.cpp");
  EXPECT_EQ(F["line"], 3);
  EXPECT_EQ(F["column"], 19); // the NOLINT
}

TEST(Suppression, NolintOfDisabledCheckNotReported) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("u.cpp", R"(#include "chan.h"
void produce(Chan &ch) {
  ch.push(1);  // NOLINT(channel-close-with-active-senders)
  ch.push(2);  // NOLINT(bugprone-not-a-tether-check)
  ch.close();
}
)");
  Box.compileDb({"u.cpp"});
  // Enabled, the first NOLINT is unused (the control).
  json On = runJson(Box, {"check", "-p", "."}, 1);
  ASSERT_EQ(On["findings"].size(), 1u) << summary(On["findings"]);
  EXPECT_EQ(On["findings"][0]["check"], "unused-suppression");
  EXPECT_EQ(On["findings"][0]["line"], 3);
  // Disabled: nothing to report.
  Result R = Box.tether(
      {"check", "-p", ".", "--checks=-channel-close-with-active-senders"});
  EXPECT_EQ(R.Status, 0) << R;
  EXPECT_EQ(R.Out.find("unused-suppression"), std::string::npos) << R;
}

TEST(Suppression, NoUnusedSuppressionsFlag) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("u.cpp", R"(#include "chan.h"
void produce(Chan &ch) {
  ch.push(1);  // NOLINT(channel-send-after-close)
  ch.close();
}
)");
  Box.compileDb({"u.cpp"});
  Result Without = Box.tether({"check", "-p", "."});
  EXPECT_EQ(Without.Status, 1) << Without;
  EXPECT_NE(Without.Out.find("[unused-suppression]"), std::string::npos)
      << Without;
  Result R = Box.tether({"check", "-p", ".", "--no-unused-suppressions"});
  EXPECT_EQ(R.Status, 0) << R;
  EXPECT_EQ(R.Out.find("unused-suppression"), std::string::npos) << R;
}

// ---------------------------------------------------------------------------
// 7. Configuration

std::set<std::string> checksOf(const json &Findings) {
  std::set<std::string> S;
  for (const json &F : Findings)
    S.insert(F["check"].get<std::string>());
  return S;
}

TEST(Config, ChecksKeyDisablesOthers) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("both.cpp", BothCpp);
  Box.compileDb({"both.cpp"});
  json All = runJson(Box, {"check", "-p", "."}, 1);
  EXPECT_EQ(checksOf(All["findings"]),
            (std::set<std::string>{"channel-double-close",
                                   "channel-send-after-close"}));
  Box.write(".tether.yaml", "checks: \"-*,channel-send-after-close\"\n");
  json J = runJson(Box, {"check", "-p", "."}, 1);
  EXPECT_EQ(checksOf(J["findings"]),
            (std::set<std::string>{"channel-send-after-close"}))
      << summary(J["findings"]);
}

TEST(Config, CliChecksAppliedAfterConfig) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("both.cpp", BothCpp);
  Box.compileDb({"both.cpp"});
  Box.write(".tether.yaml", "checks: \"-*,channel-send-after-close\"\n");
  json Added =
      runJson(Box, {"check", "-p", ".", "--checks=channel-double-close"}, 1);
  EXPECT_EQ(checksOf(Added["findings"]),
            (std::set<std::string>{"channel-double-close",
                                   "channel-send-after-close"}))
      << summary(Added["findings"]);
  Result R =
      Box.tether({"check", "-p", ".", "--checks=-channel-send-after-close"});
  EXPECT_EQ(R.Status, 0) << R;
}

TEST(Config, ConfigFlagOverridesDiscovery) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("src/both.cpp", BothCpp);
  Box.write("src/chan.h", ChanH);
  Box.compileDb({"src/both.cpp"});
  Box.write("src/.tether.yaml", "checks: \"-*,channel-send-after-close\"\n");
  Box.write("ci/tether.yaml", "checks: \"-*,channel-double-close\"\n");
  json Discovered = runJson(Box, {"check", "-p", "."}, 1);
  EXPECT_EQ(checksOf(Discovered["findings"]),
            (std::set<std::string>{"channel-send-after-close"}));
  json J = runJson(Box, {"check", "-p", ".", "--config", "ci/tether.yaml"}, 1);
  EXPECT_EQ(checksOf(J["findings"]),
            (std::set<std::string>{"channel-double-close"}))
      << summary(J["findings"]);
}

// inherit_parent_config: a directory's config applies over the one above
// it (checks appended, options and filters replaced), like clang-tidy's
// InheritParentConfig; without it the nearest file stands alone.
TEST(Config, InheritParentConfigMergesUpTheTree) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("both.cpp", BothCpp);
  Box.write("sub/chan.h", ChanH);
  Box.write("sub/both.cpp", BothCpp);
  Box.compileDb({"both.cpp", "sub/both.cpp"});
  Box.write(".tether.yaml", "checks: \"*,-channel-double-close\"\n"
                            "options:\n"
                            "  thread-leak.allow_detached: \"watchdog\"\n");
  Box.write("sub/.tether.yaml", "inherit_parent_config: true\n"
                                "checks: \"-channel-send-after-close\"\n"
                                "options:\n"
                                "  cancel-uninterruptible-wait.max_sleep_ms: 250\n");
  json J = runJson(Box, {"check", "-p", "."}, 1);
  ASSERT_EQ(J["findings"].size(), 1u) << summary(J["findings"]);
  EXPECT_EQ(J["findings"][0]["file"], "both.cpp");
  EXPECT_EQ(J["findings"][0]["check"], "channel-send-after-close");

  // --dump-config shows the merge; it reads back as a config.
  Result D = Box.tether({"check", "--dump-config", "sub/both.cpp"});
  ASSERT_EQ(D.Status, 0) << D;
  EXPECT_NE(D.Out.find("checks: '*,-channel-double-close,-channel-send-after-close'"),
            std::string::npos) << D;
  EXPECT_NE(D.Out.find("thread-leak.allow_detached: 'watchdog'"), std::string::npos) << D;
  EXPECT_NE(D.Out.find("cancel-uninterruptible-wait.max_sleep_ms: '250'"), std::string::npos)
      << D;
  Box.write("dumped.yaml", D.Out);
  Result V = Box.tether({"models", "--validate", "dumped.yaml"});
  EXPECT_EQ(V.Status, 0) << V;
  EXPECT_NE(V.Out.find("dumped.yaml: ok (config;"), std::string::npos) << V;
  json Same = runJson(Box, {"check", "-p", ".", "--config", "dumped.yaml", "sub/both.cpp"}, 0);
  EXPECT_EQ(Same["findings"].size(), 0u) << summary(Same["findings"]);

  // --explain-config: each setting and the file it came from.
  Result E = Box.tether({"check", "--explain-config", "sub/both.cpp",
                         "--checks=channel-double-close"});
  ASSERT_EQ(E.Status, 0) << E;
  std::string Root = Box.Root.string();
  EXPECT_NE(E.Out.find(Root + "/.tether.yaml <- " + Root + "/sub/.tether.yaml"),
            std::string::npos) << E;
  // The root config's checks replace the default "*"; the child's append.
  EXPECT_EQ(E.Out.find("built-in default\n  '*"), std::string::npos) << E;
  EXPECT_NE(E.Out.find("'*,-channel-double-close'  " + Root + "/.tether.yaml"),
            std::string::npos) << E;
  EXPECT_NE(E.Out.find("'-channel-send-after-close'  " + Root + "/sub/.tether.yaml"),
            std::string::npos) << E;
  EXPECT_NE(E.Out.find("'channel-double-close'  --checks"), std::string::npos) << E;
  EXPECT_NE(E.Out.find("thread-leak.allow_detached: 'watchdog'  " + Root + "/.tether.yaml"),
            std::string::npos) << E;
  EXPECT_NE(E.Out.find("cancel-uninterruptible-wait.max_sleep_ms: '250'  " + Root +
                       "/sub/.tether.yaml"),
            std::string::npos) << E;

  // Without inheritance the nearest config stands alone: its checks replace
  // the default "*", so only what it lists runs.
  Box.write("sub/.tether.yaml", "checks: \"-*,channel-double-close\"\n");
  json Alone = runJson(Box, {"check", "-p", ".", "sub/both.cpp"}, 1);
  EXPECT_EQ(checksOf(Alone["findings"]),
            (std::set<std::string>{"channel-double-close"}))
      << summary(Alone["findings"]);
}

TEST(Config, InheritedOptionErrorNamesTheFileThatSetIt) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("sub/chan.h", ChanH);
  Box.write("sub/d.cpp", DoubleCloseCpp);
  Box.compileDb({"sub/d.cpp"});
  Box.write(".tether.yaml", "options:\n  thread-leak.allow_detach: x\n");
  Box.write("sub/.tether.yaml", "inherit_parent_config: true\n");
  Result R = Box.tether({"check", "-p", "."});
  expectUsageError(R, "^" + std::regex_replace(Box.Root.string(), std::regex("[.]"), "\\.") +
                          R"(/\.tether\.yaml: error: unknown option 'thread-leak\.allow_detach')");
}

TEST(Models, ListsTheProjectsModelsAndValidatesConfigs) {
  Sandbox Box;
  Box.write(".tether.yaml", R"(models:
  - library: acme
    channels:
      - types: [acme::Queue]
        send: [push]
        receive: [pop]
        close: [close]
options:
  thread-leak.allow_detached: "watchdog"
)");
  Result L = Box.tether({"models"});
  ASSERT_EQ(L.Status, 0) << L;
  EXPECT_NE(L.Out.find("acme\t" + Box.path(".tether.yaml").string()), std::string::npos) << L;
  EXPECT_NE(L.Out.find("std\t"), std::string::npos) << L;
  Result V = Box.tether({"models", "--validate", ".tether.yaml"});
  EXPECT_EQ(V.Status, 0) << V;
  EXPECT_NE(V.Out.find(".tether.yaml: ok (config; 1 model, 1 option)"), std::string::npos) << V;
  Box.write("bad.tether.yaml", "options:\n  thread-leak.nope: 1\n");
  Result B = Box.tether({"models", "--validate", "bad.tether.yaml"});
  EXPECT_EQ(B.Status, 2) << B;
  EXPECT_NE(B.Err.find("unknown option 'thread-leak.nope'"), std::string::npos) << B;
}

// Options belong to the checks that declare them: a misspelled key, an
// option of no check, or a value of the wrong type stops the run with one
// line naming what is known, before any analysis.
TEST(Config, MisspelledOptionNamesTheKnownOnes) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("d.cpp", DoubleCloseCpp);
  Box.compileDb({"d.cpp"});
  Box.write(".tether.yaml", "options:\n"
                            "  thread-unbounded-spawn.report_forkjoin: true\n");
  expectUsageError(
      Box.tether({"check", "-p", "."}),
      R"(\.tether\.yaml: error: unknown option )"
      R"('thread-unbounded-spawn\.report_forkjoin'; thread-unbounded-spawn )"
      R"(has: lightweight_types, report_fork_join$)");
}

TEST(Config, OptionOfUnknownCheckIsAnError) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("d.cpp", DoubleCloseCpp);
  Box.compileDb({"d.cpp"});
  Box.write(".tether.yaml", "options:\n"
                            "  thread-leaks.allow_detached: \"metrics_*\"\n");
  expectUsageError(Box.tether({"check", "-p", "."}),
                   R"(error: unknown option 'thread-leaks\.allow_detached': )"
                   R"(no check 'thread-leaks')");
  // A check without options has none to misspell.
  Box.write(".tether.yaml", "options:\n"
                            "  channel-double-close.strict: true\n");
  expectUsageError(Box.tether({"check", "-p", "."}),
                   R"(channel-double-close has no options)");
}

TEST(Config, MalformedOptionValuesAreErrors) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("d.cpp", DoubleCloseCpp);
  Box.compileDb({"d.cpp"});
  Box.write("ci.yaml", "options:\n"
                       "  cancel-uninterruptible-wait.max_sleep_ms: -5\n");
  expectUsageError(
      Box.tether({"check", "-p", ".", "--config", "ci.yaml"}),
      R"(ci\.yaml: error: invalid value '-5' for option )"
      R"('cancel-uninterruptible-wait\.max_sleep_ms' \(integer\))");
  Box.write("ci.yaml", "options:\n"
                       "  thread-unbounded-spawn.report_fork_join: on\n");
  expectUsageError(Box.tether({"check", "-p", ".", "--config", "ci.yaml"}),
                   R"(\(bool\): expected true or false)");
  Box.write("ci.yaml", "options:\n"
                       "  cancel-missing.allow: \"loop, [bad\"\n");
  expectUsageError(Box.tether({"check", "-p", ".", "--config", "ci.yaml"}),
                   R"(\(globs\): invalid glob '\[bad')");
  // Well-formed values of every type are accepted.
  Box.write("ci.yaml", "options:\n"
                       "  cancel-uninterruptible-wait.max_sleep_ms: 250\n"
                       "  thread-unbounded-spawn.report_fork_join: true\n"
                       "  cancel-missing.allow: \"loop, Metrics::*\"\n");
  Result R = Box.tether({"check", "-p", ".", "--config", "ci.yaml"});
  EXPECT_EQ(R.Status, 1) << R;
}

TEST(Config, ListOptionsShowsEachDeclaredOption) {
  Sandbox Box;
  Result All = Box.tether({"check", "--list-options"});
  ASSERT_EQ(All.Status, 0) << All;
  std::vector<std::string> Lines = nonEmptyLines(All.Out);
  EXPECT_EQ(Lines.size(), 5u) << All;
  auto Has = [&](const std::string &Prefix) {
    for (const std::string &L : Lines)
      if (L.rfind(Prefix, 0) == 0)
        return true;
    return false;
  };
  EXPECT_TRUE(Has("cancel-uninterruptible-wait.max_sleep_ms\tinteger\t1000\t"))
      << All;
  EXPECT_TRUE(Has("thread-leak.allow_detached\tglobs\t\"\"\t")) << All;
  EXPECT_TRUE(Has("thread-unbounded-spawn.lightweight_types\tglobs\t\"\"\t"))
      << All;
  Result One =
      Box.tether({"check", "--list-options", "--checks=-*,thread-leak"});
  EXPECT_EQ(nonEmptyLines(One.Out).size(), 1u) << One;
}

TEST(Config, UserModelPanickingDoubleCloseIsWarning) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("q.cpp", R"(#include "chan.h"
namespace acme {
template <typename T> class BlockingQueue {
public:
  void push(T) {}
  bool pop(T &) { return false; }
  void close() {}
};
} // namespace acme
void stop(acme::BlockingQueue<int> &q, bool failed) {
  if (failed)
    q.close();
  q.close();
}
void stop(Chan &ch, bool failed) {
  if (failed)
    ch.close();
  ch.close();
}
)");
  Box.compileDb({"q.cpp"});
  // Without the model only the Boost.Fiber channel is known; its second
  // close is harmless, so a remark.
  json Before = runJson(Box, {"check", "-p", "."}, 1);
  ASSERT_EQ(Before["findings"].size(), 1u) << summary(Before["findings"]);
  EXPECT_EQ(Before["findings"][0]["line"], 18);
  EXPECT_EQ(Before["findings"][0]["severity"], "remark");

  Box.write(".tether.yaml", R"(models:
  - library: acme-queue
    channels:
      - types: [acme::BlockingQueue]
        send: [push]
        receive: [pop]
        close: [close]
        double_close: panic
)");
  json J = runJson(Box, {"check", "-p", "."}, 1);
  auto Found = select(J["findings"], "channel-double-close");
  ASSERT_EQ(Found.size(), 2u) << summary(J["findings"]);
  EXPECT_EQ(Found[0]["line"], 13);
  EXPECT_EQ(Found[0]["severity"], "warning") << Found[0].dump(2);
  EXPECT_EQ(Found[1]["line"], 18);
  EXPECT_EQ(Found[1]["severity"], "remark") << Found[1].dump(2);
  Result R = Box.tether({"check", "-p", "."});
  EXPECT_NE(R.Out.find("q.cpp:13:5: warning: "), std::string::npos) << R;
}

// ---------------------------------------------------------------------------
// 8. Baselines

TEST(Baseline, SameCodeIsClean) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("both.cpp", BothCpp);
  Box.compileDb({"both.cpp"});
  Result W = Box.tether({"check", "-p", ".", "--write-baseline", "base.json"});
  EXPECT_EQ(W.Status, 1) << W;
  ASSERT_TRUE(fs::exists(Box.path("base.json"))) << W;
  Result R = Box.tether({"check", "-p", ".", "--baseline", "base.json"});
  EXPECT_EQ(R.Status, 0) << R;
  EXPECT_EQ(R.Out.find("[channel-"), std::string::npos) << R;
}

TEST(Baseline, ShiftedLinesStillBaselined) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("both.cpp", BothCpp);
  Box.compileDb({"both.cpp"});
  Result W = Box.tether({"check", "-p", ".", "--write-baseline", "base.json"});
  ASSERT_EQ(W.Status, 1) << W;
  std::string Shifted = BothCpp;
  Shifted.insert(Shifted.find('\n') + 1, "// A comment.\n"
                                         "int unrelated(int x) {\n"
                                         "  return x + 1;\n"
                                         "}\n\n");
  Box.write("both.cpp", Shifted);
  json Moved = runJson(Box, {"check", "-p", "."}, 1);
  ASSERT_EQ(Moved["findings"].size(), 2u) << summary(Moved["findings"]);
  EXPECT_EQ(Moved["findings"][0]["line"], 10) << "lines did not move";
  Result R = Box.tether({"check", "-p", ".", "--baseline", "base.json"});
  EXPECT_EQ(R.Status, 0) << R;
}

TEST(Baseline, OnlyNewFindingReported) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("both.cpp", BothCpp);
  Box.compileDb({"both.cpp"});
  Result W = Box.tether({"check", "-p", ".", "--write-baseline", "base.json"});
  ASSERT_EQ(W.Status, 1) << W;
  Box.write("both.cpp", std::string(BothCpp) + R"(void drain(Chan &out) {
  out.close();
  out.push(2);
}
)");
  json J = runJson(Box, {"check", "-p", ".", "--baseline", "base.json"}, 1);
  ASSERT_EQ(J["findings"].size(), 1u) << summary(J["findings"]);
  EXPECT_EQ(J["findings"][0]["check"], "channel-send-after-close");
  EXPECT_EQ(J["findings"][0]["function"], "drain");
  EXPECT_EQ(J["findings"][0]["line"], 13);
}

TEST(Baseline, MalformedBaselineExitsTwo) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("both.cpp", BothCpp);
  Box.compileDb({"both.cpp"});
  Box.write("base.json", "{\"version\": 1, \"fingerprints\": [\n");
  Result R = Box.tether({"check", "-p", ".", "--baseline", "base.json"});
  EXPECT_EQ(R.Status, 2) << R;
  std::vector<std::string> Err = nonEmptyLines(R.Err);
  ASSERT_EQ(Err.size(), 1u) << R;
  EXPECT_NE(Err[0].find("base.json"), std::string::npos) << R;

  Box.write("base.json", "{\"version\": 1}\n");
  R = Box.tether({"check", "-p", ".", "--baseline", "base.json"});
  EXPECT_EQ(R.Status, 2) << R;
  EXPECT_NE(R.Err.find("base.json"), std::string::npos) << R;
}

TEST(Baseline, WriteReplacesExistingFileWhole) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("both.cpp", BothCpp);
  Box.compileDb({"both.cpp"});
  Box.write("base.json", std::string(10000, 'x'));
  Result W = Box.tether({"check", "-p", ".", "--write-baseline", "base.json"});
  ASSERT_EQ(W.Status, 1) << W;
  json B = parseJson(Box.read("base.json"));
  ASSERT_FALSE(B.is_discarded());
  EXPECT_EQ(B["version"], 1);
  EXPECT_EQ(B["fingerprints"].size(), 2u) << B.dump(2);
  for (const auto &E : fs::directory_iterator(Box.Root)) {
    std::string Name = E.path().filename().string();
    EXPECT_TRUE((Name.rfind("base.json", 0) != 0 || Name == "base.json") &&
                Name.find(".tether-") == std::string::npos)
        << "left behind: " << E.path();
  }

  // An unwritable target fails cleanly, with the exit code of an output
  // that could not be written, and creates nothing.
  Result Bad = Box.tether(
      {"check", "-p", ".", "--write-baseline", "no-such-dir/base.json"});
  EXPECT_EQ(Bad.Status, 4) << Bad;
  EXPECT_FALSE(fs::exists(Box.path("no-such-dir")));
}

// ---------------------------------------------------------------------------
// 9. Determinism

TEST(Determinism, ParallelRunMatchesSerial) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  std::vector<std::string> Sources;
  for (int I = 0; I < 4; ++I) {
    std::string Name = "tu" + std::to_string(I) + ".cpp";
    // Same function names in every TU: fingerprints must still be stable.
    Box.write(Name, std::string(BothCpp) + "int tu" + std::to_string(I) +
                        "() { return " + std::to_string(I) + "; }\n");
    Sources.push_back(Name);
  }
  Box.compileDb(Sources);
  json Serial = runJson(Box, {"check", "-p", ".", "-j", "1"}, 1);
  json Parallel = runJson(Box, {"check", "-p", ".", "-j", "2"}, 1);
  EXPECT_EQ(Serial["findings"].size(), 8u) << summary(Serial["findings"]);
  EXPECT_EQ(Serial["findings"], Parallel["findings"])
      << "-j 1:\n" << summary(Serial["findings"]) << "-j 2:\n"
      << summary(Parallel["findings"]);
  EXPECT_EQ(Serial["errors"], Parallel["errors"]);
  std::set<std::string> FPs;
  for (const json &F : Serial["findings"])
    FPs.insert(F["fingerprint"].get<std::string>());
  EXPECT_EQ(FPs.size(), Serial["findings"].size())
      << "fingerprints collide across files";
}

// ---------------------------------------------------------------------------
// 10. Header filter

constexpr const char *UtilH = R"(#pragma once
#include "chan.h"
inline void shutdown_twice(Chan &ch, bool failed) {
  if (failed)
    ch.close();
  ch.close();
}
)";

TEST(HeaderFilter, HeaderFunctionOnlyWithMatchingFilter) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("include/util.h", UtilH);
  Box.write("include/chan.h", ChanH);
  Box.write("main.cpp", "#include \"include/util.h\"\n"
                        "int main() { return 0; }\n");
  Box.compileDb({"main.cpp"});
  Result None = Box.tether({"check", "-p", "."});
  EXPECT_EQ(None.Status, 0) << None;
  Result Other = Box.tether({"check", "-p", ".", "--header-filter=nomatch"});
  EXPECT_EQ(Other.Status, 0) << Other;
  json J =
      runJson(Box, {"check", "-p", ".", "--header-filter=include/util\\.h$"},
              1);
  ASSERT_EQ(J["findings"].size(), 1u) << summary(J["findings"]);
  EXPECT_EQ(J["findings"][0]["file"], "include/util.h");
  EXPECT_EQ(J["findings"][0]["line"], 6);
}

TEST(HeaderFilter, HeaderIncludedTwiceReportedOnce) {
  Sandbox Box;
  Box.write("util.h", UtilH);
  Box.write("chan.h", ChanH);
  Box.write("one.cpp", "#include \"util.h\"\nint one() { return 1; }\n");
  Box.write("two.cpp", "#include \"util.h\"\nint two() { return 2; }\n");
  Box.compileDb({"one.cpp", "two.cpp"});
  json J = runJson(Box, {"check", "-p", ".", "--header-filter=util\\.h"}, 1);
  ASSERT_EQ(J["findings"].size(), 1u) << summary(J["findings"]);
  EXPECT_EQ(J["findings"][0]["file"], "util.h");
  Result R = Box.tether({"check", "-p", ".", "--header-filter=util\\.h"});
  EXPECT_EQ(countMatching(R.Out, "[channel-double-close]"), 1u) << R;
}

TEST(HeaderFilter, ExcludeHeaderFilterWinsOverTheFilter) {
  Sandbox Box;
  Box.write("include/chan.h", ChanH);
  Box.write("include/util.h", UtilH);
  Box.write("main.cpp", "#include \"include/util.h\"\n"
                        "#include \"include/vendored/util.h\"\n"
                        "int main() { return 0; }\n");
  // The two headers define the same inline function: one TU sees only one
  // definition, so the vendored copy gets a namespace of its own.
  Box.write("include/vendored/util.h",
            "#pragma once\n#include \"../chan.h\"\nnamespace vendored {\n" +
                std::string(UtilH).substr(std::string(UtilH).find("inline")) +
                "}\n");
  Box.compileDb({"main.cpp"});
  json Both = runJson(Box, {"check", "-p", ".", "--header-filter=include/"}, 1);
  ASSERT_EQ(Both["findings"].size(), 2u) << summary(Both["findings"]);
  json J = runJson(Box, {"check", "-p", ".", "--header-filter=include/",
                         "--exclude-header-filter=/vendored/"},
                   1);
  ASSERT_EQ(J["findings"].size(), 1u) << summary(J["findings"]);
  EXPECT_EQ(J["findings"][0]["file"], "include/util.h");
  // The same from the config file.
  Box.write(".tether.yaml", "header_filter: include/\n"
                            "exclude_header_filter: /vendored/\n");
  json C = runJson(Box, {"check", "-p", "."}, 1);
  ASSERT_EQ(C["findings"].size(), 1u) << summary(C["findings"]);
  expectUsageError(Box.tether({"check", "-p", ".", "--exclude-header-filter=("}),
                   "invalid --exclude-header-filter regex");
}

TEST(HeaderFilter, SystemHeadersOnlyWhenAsked) {
  Sandbox Box;
  Box.write("sys/chan.h", ChanH);
  Box.write("sys/util.h", UtilH);
  Box.write("main.cpp", "#include <util.h>\nint main() { return 0; }\n");
  std::vector<std::string> Args{"check", "main.cpp", "--header-filter=.*",
                                "--format=json"};
  std::vector<std::string> Flags{"--", "-std=c++20", "-isystem", "sys"};
  auto Run = [&](std::vector<std::string> Extra) {
    std::vector<std::string> A = Args;
    A.insert(A.end(), Extra.begin(), Extra.end());
    A.insert(A.end(), Flags.begin(), Flags.end());
    return Box.tether(A);
  };
  Result Default = Run({});
  EXPECT_EQ(Default.Status, 0) << Default;
  Result With = Run({"--system-headers"});
  ASSERT_EQ(With.Status, 1) << With;
  json J = parseJson(With.Out);
  ASSERT_EQ(J["findings"].size(), 1u) << summary(J["findings"]);
  EXPECT_EQ(J["findings"][0]["file"], "sys/util.h");
  Result Off = Run({"--system-headers=false"});
  EXPECT_EQ(Off.Status, 0) << Off;
}

TEST(Output, TextRunEndsWithTheCountOnStderr) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("d.cpp", DoubleCloseCpp);
  Box.write("s.cpp", SendAfterCloseCpp);
  Box.compileDb({"d.cpp", "s.cpp"});
  Result R = Box.tether({"check", "-p", "."});
  ASSERT_EQ(R.Status, 1) << R;
  std::vector<std::string> Err = nonEmptyLines(R.Err);
  ASSERT_EQ(Err.size(), 1u) << R;
  // The double close is a remark (Boost.Fiber's close is idempotent): like
  // clang, remarks are not counted. The report on stdout has no count.
  EXPECT_EQ(Err[0], "1 warning generated.") << R;
  EXPECT_EQ(R.Out.find("generated"), std::string::npos) << R;
  EXPECT_EQ(countMatching(R.Out, ": remark: "), 1u) << R;
  // --use-color and its alias --color colour the text; the count stays plain.
  for (const char *Flag : {"--use-color", "--color"}) {
    Result C = Box.tether({"check", "-p", ".", Flag});
    EXPECT_NE(C.Out.find("\x1b["), std::string::npos) << Flag << "\n" << C;
  }
  Result Plain = Box.tether({"check", "-p", ".", "--use-color=false"});
  EXPECT_EQ(Plain.Out.find("\x1b["), std::string::npos) << Plain;
}

// ---------------------------------------------------------------------------
// 11. tether models

TEST(Models, ListsBuiltins) {
  Sandbox Box;
  Result R = Box.tether({"models"});
  ASSERT_EQ(R.Status, 0) << R;
  std::set<std::string> Libs;
  for (const std::string &L : nonEmptyLines(R.Out))
    Libs.insert(L.substr(0, L.find('\t')));
  for (const char *Want :
       {"std", "boost-fiber", "asio", "msd-channel", "boost-thread", "folly",
        "onetbb", "moodycamel", "grpc", "qt", "stdexec"})
    EXPECT_TRUE(Libs.count(Want)) << "missing model '" << Want << "'\n" << R;
  EXPECT_GE(Libs.size(), 10u) << R;
}

TEST(Models, ValidateReportsLocation) {
  Sandbox Box;
  Box.write("good.yaml", "library: acme\n"
                         "channels:\n"
                         "  - types: [acme::Queue]\n"
                         "    close: [close]\n"
                         "    double_close: panic\n");
  Box.write("bad.yaml", "library: acme\n"
                        "channels:\n"
                        "  - types: [acme::Queue]\n"
                        "    close: [close]\n"
                        "    double_close: explode\n");
  Result Good = Box.tether({"models", "--validate", "good.yaml"});
  EXPECT_EQ(Good.Status, 0) << Good;
  Result R = Box.tether({"models", "--validate", "bad.yaml"});
  EXPECT_EQ(R.Status, 2) << R;
  EXPECT_TRUE(
      std::regex_search(R.Err, std::regex(R"((^|\n)bad\.yaml:5:\d+: error: )")))
      << R;
}

// A project's own queue, as `tether models --infer` reads it: printed as a
// model marked inferred, accepted by `--validate`, and the same findings as
// the inference gives when committed under `models:` with the inference off.
constexpr const char *HandRolledQueue = R"(#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace shop {
template <typename T> class OrderQueue {
public:
  void put(T v) {
    std::lock_guard<std::mutex> lk(m_);
    q_.push_back(v);
    cv_.notify_one();
  }
  std::optional<T> next() {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [this] { return shut_ || !q_.empty(); });
    if (q_.empty()) return std::nullopt;
    T v = q_.front();
    q_.pop_front();
    return v;
  }
  void shut() {
    std::lock_guard<std::mutex> lk(m_);
    shut_ = true;
    cv_.notify_all();
  }
private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> q_;
  bool shut_ = false;
};
} // namespace shop

int total(int n) {
  shop::OrderQueue<int> orders;
  std::thread producer([&orders, n] {
    for (int i = 0; i < n; ++i)
      orders.put(i);
  });
  int sum = 0;
  while (auto o = orders.next())
    sum += *o;
  producer.join();
  return sum;
}
)";

TEST(Models, InferPrintsValidYamlForHandRolledQueues) {
  Sandbox Box;
  Box.write("orders.cpp", HandRolledQueue);
  Box.compileDb({"orders.cpp"});
  Result R = Box.tether({"models", "--infer", "-p", "."});
  ASSERT_EQ(R.Status, 0) << R;
  for (const char *Want :
       {"library: *inferred", "shop::OrderQueue", "send:\\s*(\\[\\s*|-\\s*)put",
        "receive:\\s*(\\[\\s*|-\\s*)next", "close:\\s*(\\[\\s*|-\\s*)shut",
        "result: *optional", "inferred: *true"})
    EXPECT_TRUE(std::regex_search(R.Out, std::regex(Want)))
        << "missing " << Want << "\n" << R;
  Box.write("inferred.yaml", R.Out);
  Result V = Box.tether({"models", "--validate", "inferred.yaml"});
  EXPECT_EQ(V.Status, 0) << V;

  // The inferred model finds the producer that never shuts the queue; the
  // same model committed by hand, with the inference off, finds the same.
  Result Inferred = Box.tether({"check", "-p", ".", "--checks=channel-unclosed"});
  EXPECT_EQ(Inferred.Status, 1) << Inferred;
  EXPECT_NE(Inferred.Out.find("inferred to be a channel"), std::string::npos)
      << Inferred;
  std::string Indented;
  for (const std::string &L : nonEmptyLines(R.Out))
    if (L != "---" && L != "...")
      Indented += (Indented.empty() ? "  - " : "    ") + L + "\n";
  Box.write(".tether.yaml", "infer_models: false\nmodels:\n" + Indented);
  Result Written = Box.tether({"check", "-p", ".", "--checks=channel-unclosed"});
  EXPECT_EQ(Written.Status, 1) << Written << "\n.tether.yaml:\n"
                               << Box.read(".tether.yaml");
  EXPECT_EQ(countMatching(Written.Out, "[channel-unclosed]"), 1u) << Written;
  Box.write(".tether.yaml", "infer_models: false\n");
  Result Off = Box.tether({"check", "-p", ".", "--checks=channel-unclosed"});
  EXPECT_EQ(Off.Status, 0) << Off;
}

// A project's own stop signal: inferred as a stop source, printed with its
// request and query methods, and accepted by `--validate`.
TEST(Models, InferPrintsStopSignalsAsStopSources) {
  Sandbox Box;
  Box.write("signal.cpp", R"(#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace svc {
class StopSignal {
public:
  void request_stop() {
    { std::lock_guard<std::mutex> lk(m_); stopped_ = true; }
    cv_.notify_all();
  }
  bool stop_requested() const { return stopped_.load(); }
  bool sleep_for(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lk(m_);
    return cv_.wait_for(lk, d, [this] { return stopped_.load(); });
  }
private:
  std::mutex m_;
  std::condition_variable cv_;
  std::atomic<bool> stopped_{false};
};
} // namespace svc

void poll_forever(svc::StopSignal &stop) {
  while (!stop.stop_requested())
    stop.sleep_for(std::chrono::milliseconds(100));
}
)");
  Box.compileDb({"signal.cpp"});
  Result R = Box.tether({"models", "--infer", "-p", "."});
  ASSERT_EQ(R.Status, 0) << R;
  for (const char *Want :
       {"library: *inferred", "sources:", "type: *'?svc::StopSignal",
        "request:\\s*(\\[\\s*|-\\s*)request_stop",
        "query:\\s*(\\[\\s*|-\\s*)stop_requested"})
    EXPECT_TRUE(std::regex_search(R.Out, std::regex(Want)))
        << "missing " << Want << "\n" << R;
  EXPECT_EQ(R.Out.find("channels:\n  -"), std::string::npos) << R;
  Box.write("inferred.yaml", R.Out);
  Result V = Box.tether({"models", "--validate", "inferred.yaml"});
  EXPECT_EQ(V.Status, 0) << V;
}

TEST(Models, InferNeedsABuildDirectory) {
  Sandbox Box;
  Result R = Box.tether({"models", "--infer"});
  EXPECT_EQ(R.Status, 2) << R;
  EXPECT_NE(R.Err.find("--infer needs -p"), std::string::npos) << R;
  Result P = Box.tether({"models", "-p", "."});
  EXPECT_EQ(P.Status, 2) << P;
}

// ---------------------------------------------------------------------------
// 12. --fix and --fix-dry-run (thread-loop-capture-by-ref's [&i] -> [i])

// thread-loop-capture-by-ref at 9:22 with the fix-it `&i` -> `i`.
constexpr const char *LoopCpp = R"(#include <thread>
#include <vector>

// A comment the fix must not touch.
void record(int shard);

void start(std::vector<std::thread> &ts) {
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&i] { record(i); });
}

int untouched(int x) { return x * 2; } // [&i] in a comment stays
)";

std::string fixedLoop() {
  std::string S = LoopCpp;
  size_t At = S.find("[&i] { record");
  S.replace(At, 4, "[i]");
  return S;
}

constexpr const char *WorkH = R"(#pragma once
#include <thread>
#include <vector>
void record(int shard);
inline void fan_out(std::vector<std::thread> &ts) {
  for (int i = 0; i < 3; ++i)
    ts.emplace_back([&i] { record(i); });
}
)";

TEST(Fix, AppliesFixAndLeavesTheRestAlone) {
  Sandbox Box;
  Box.write("loop.cpp", LoopCpp);
  Box.compileDb({"loop.cpp"});
  fs::permissions(Box.path("loop.cpp"), fs::perms(0640));
  Result R = Box.tether({"check", "-p", ".", "--fix"});
  EXPECT_EQ(R.Status, 1) << R; // findings were reported, even if fixed
  EXPECT_NE(R.Out.find("[thread-loop-capture-by-ref]"), std::string::npos)
      << R;
  EXPECT_NE(R.Err.find("tether: applied 1 fix-its in 1 files"),
            std::string::npos)
      << R;
  EXPECT_EQ(Box.read("loop.cpp"), fixedLoop());
  EXPECT_EQ(fs::status(Box.path("loop.cpp")).permissions() & fs::perms::all,
            fs::perms(0640));
  // No temporary files left behind.
  for (const auto &E : fs::directory_iterator(Box.Root))
    EXPECT_EQ(E.path().filename().string().find("tether-fix"),
              std::string::npos)
        << E.path();
  // Fixed code is clean.
  Result Again = Box.tether({"check", "-p", ".", "--fix"});
  EXPECT_EQ(Again.Status, 0) << Again;
  EXPECT_NE(Again.Err.find("tether: applied 0 fix-its in 0 files"),
            std::string::npos)
      << Again;
}

// cancel-uninterruptible-wait's fix-it: the condition variable becomes the
// model's replacement (std::condition_variable -> _any, spelled as the code
// spells it) and the wait gets the token; the fixed code is clean.
TEST(Fix, UninterruptibleWaitGetsTheReplacementAndTheToken) {
  const std::string Head = R"(#include <condition_variable>
#include <mutex>
#include <queue>
#include <stop_token>
#include <thread>
)";
  const std::string Body = R"(  void post(int v) {
    { std::lock_guard<std::mutex> g(mu_); items_.push(v); }
    cv_.notify_one();
  }
  void run(std::stop_token st) {
    while (!st.stop_requested()) {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return !items_.empty(); });
      items_.pop();
    }
  }
  std::mutex mu_;
  std::queue<int> items_;
)";
  Sandbox Box;
  Box.write("qualified.cpp", Head + "struct Worker {\n" + Body +
                                 "  std::condition_variable cv_;\n};\n");
  Box.write("unqualified.cpp", Head + "using namespace std;\nstruct Worker {\n" +
                                   Body + "  condition_variable cv_;\n};\n");
  Box.compileDb({"qualified.cpp", "unqualified.cpp"});
  Result R = Box.tether({"check", "-p", ".", "--checks=cancel-uninterruptible-wait",
                         "--fix"});
  EXPECT_EQ(R.Status, 1) << R;
  EXPECT_NE(R.Err.find("tether: applied 4 fix-its in 2 files"), std::string::npos)
      << R;
  std::string Q = Box.read("qualified.cpp"), U = Box.read("unqualified.cpp");
  EXPECT_NE(Q.find("  std::condition_variable_any cv_;\n"), std::string::npos) << Q;
  EXPECT_NE(Q.find("cv_.wait(lk, st, [this]"), std::string::npos) << Q;
  EXPECT_NE(U.find("  condition_variable_any cv_;\n"), std::string::npos) << U;
  EXPECT_NE(U.find("cv_.wait(lk, st, [this]"), std::string::npos) << U;
  Result Again = Box.tether({"check", "-p", ".", "--checks=cancel-uninterruptible-wait"});
  EXPECT_EQ(Again.Status, 0) << Again;
}

TEST(Fix, DryRunPrintsDiffAndChangesNothing) {
  Sandbox Box;
  Box.write("loop.cpp", LoopCpp);
  Box.compileDb({"loop.cpp"});
  Result R = Box.tether({"check", "-p", ".", "--fix-dry-run"});
  EXPECT_EQ(R.Status, 1) << R;
  EXPECT_EQ(Box.read("loop.cpp"), LoopCpp);
  std::vector<std::string> Out = lines(R.Out);
  ASSERT_GE(Out.size(), 4u) << R;
  EXPECT_EQ(Out[0], "--- a/loop.cpp") << R;
  EXPECT_EQ(Out[1], "+++ b/loop.cpp") << R;
  EXPECT_EQ(Out[2], "@@ -6,7 +6,7 @@") << R;
  EXPECT_EQ(countMatching(R.Out, "-    ts.emplace_back([&i] { record(i); });"),
            1u)
      << R;
  EXPECT_EQ(countMatching(R.Out, "+    ts.emplace_back([i] { record(i); });"),
            1u)
      << R;
  // The report goes to stderr so that stdout is a patch.
  EXPECT_EQ(R.Out.find("warning:"), std::string::npos) << R;
  EXPECT_NE(R.Err.find("[thread-loop-capture-by-ref]"), std::string::npos)
      << R;
  EXPECT_NE(R.Err.find("tether: would apply 1 fix-its in 1 files"),
            std::string::npos)
      << R;
  // The diff applies with patch(1) and gives what --fix writes.
  Box.write("fix.diff", R.Out);
  Result P = Box.run("patch", {"-s", "-p1", "-i", "fix.diff"});
  if (P.Status == 0)
    EXPECT_EQ(Box.read("loop.cpp"), fixedLoop());
}

TEST(Fix, DryRunWithReportOnStdoutIsAUsageError) {
  Sandbox Box;
  Box.write("loop.cpp", LoopCpp);
  Box.compileDb({"loop.cpp"});
  expectUsageError(
      Box.tether({"check", "-p", ".", "--fix-dry-run", "--format=json"}),
      "--fix-dry-run");
  expectUsageError(Box.tether({"check", "-p", ".", "--fix", "--fix-dry-run"}),
                   "cannot be used together");
}

TEST(Fix, HeaderFixFromTwoTranslationUnitsAppliedOnce) {
  Sandbox Box;
  Box.write("work.h", WorkH);
  Box.write("one.cpp", "#include \"work.h\"\nint one() { return 1; }\n");
  Box.write("two.cpp", "#include \"work.h\"\nint two() { return 2; }\n");
  Box.compileDb({"one.cpp", "two.cpp"});
  // Without the header filter the header is not analysed, and not touched.
  Result None = Box.tether({"check", "-p", ".", "--fix"});
  EXPECT_EQ(None.Status, 0) << None;
  EXPECT_EQ(Box.read("work.h"), WorkH);
  Result R =
      Box.tether({"check", "-p", ".", "--header-filter=work\\.h", "--fix"});
  EXPECT_EQ(R.Status, 1) << R;
  EXPECT_NE(R.Err.find("tether: applied 1 fix-its in 1 files"),
            std::string::npos)
      << R;
  std::string Want = WorkH;
  Want.replace(Want.find("[&i]"), 4, "[i]");
  EXPECT_EQ(Box.read("work.h"), Want);
  EXPECT_EQ(Box.read("one.cpp"), "#include \"work.h\"\nint one() { return 1; }\n");
}

TEST(Fix, ReadOnlyFileGivesClearErrorAndStaysUnchanged) {
  Sandbox Box;
  Box.write("loop.cpp", LoopCpp);
  Box.compileDb({"loop.cpp"});
  fs::permissions(Box.path("loop.cpp"), fs::perms(0444));
  Result R = Box.tether({"check", "-p", ".", "--fix"});
  EXPECT_EQ(R.Status, 1) << R;
  EXPECT_TRUE(std::regex_search(
      R.Err, std::regex("tether: error: cannot apply fix-its to '.*loop\\.cpp'"
                        ": the file is not writable")))
      << R;
  EXPECT_NE(R.Err.find("tether: applied 0 fix-its in 0 files (1 not applied)"),
            std::string::npos)
      << R;
  EXPECT_EQ(R.Err.find("Stack dump"), std::string::npos) << R;
  fs::permissions(Box.path("loop.cpp"), fs::perms(0644));
  EXPECT_EQ(Box.read("loop.cpp"), LoopCpp);
}

TEST(Fix, SuppressedAndBaselinedFindingsGetNoFix) {
  Sandbox Box;
  std::string Suppressed = LoopCpp;
  Suppressed.replace(Suppressed.find("record(i); });") + 14, 0,
                     " // NOLINT(thread-loop-capture-by-ref)");
  Box.write("loop.cpp", Suppressed);
  Box.compileDb({"loop.cpp"});
  Result R = Box.tether({"check", "-p", ".", "--fix"});
  EXPECT_EQ(R.Status, 0) << R;
  EXPECT_EQ(Box.read("loop.cpp"), Suppressed);

  Box.write("loop.cpp", LoopCpp);
  Result W = Box.tether(
      {"check", "-p", ".", "--write-baseline", "base.json", "--quiet"});
  EXPECT_EQ(W.Status, 1) << W;
  Result B =
      Box.tether({"check", "-p", ".", "--baseline", "base.json", "--fix"});
  EXPECT_EQ(B.Status, 0) << B;
  EXPECT_NE(B.Err.find("tether: applied 0 fix-its in 0 files"),
            std::string::npos)
      << B;
  EXPECT_EQ(Box.read("loop.cpp"), LoopCpp);
}

// ---------------------------------------------------------------------------
// 13. CI and build-system integration: a whole compiler command after `--`
// (CMAKE_CXX_CLANG_TIDY), --exit-zero, --format=codeclimate, --export-fixes

TEST(Input, WholeCompilerCommandAfterDoubleDash) {
  // What CMake runs for CMAKE_CXX_CLANG_TIDY="tether;check": the source, then
  // `--` and the compile command with its compiler, output and -c.
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("d.cpp", DoubleCloseCpp);
  std::string Abs = Box.path("d.cpp").string();
  Result R = Box.tether({"check", Abs, "--format=json", "--", TETHER_TEST_CXX,
                         "-DNDEBUG", "-I" + Box.Root.string(), "-std=gnu++20", "-MD",
                         "-MT", "obj/d.cpp.o", "-MF", "obj/d.cpp.o.d", "-o",
                         "obj/d.cpp.o", "-c", Abs});
  ASSERT_EQ(R.Status, 1) << R;
  json J = parseJson(R.Out);
  ASSERT_EQ(J["findings"].size(), 1u) << R;
  EXPECT_EQ(J["findings"][0]["check"], "channel-double-close");
  EXPECT_EQ(J["errors"].size(), 0u) << R;
  // Nothing compiled or written: no object, no dependency file.
  EXPECT_FALSE(fs::exists(Box.path("obj"))) << R;
  // A launcher before the compiler and a relative source work the same.
  Result L = Box.tether({"check", "d.cpp", "--", "ccache", TETHER_TEST_CXX,
                         "-std=c++20", "-c", "d.cpp", "-o", "d.o"});
  EXPECT_EQ(L.Status, 1) << L;
  EXPECT_EQ(countMatching(L.Out, "[channel-double-close]"), 1u) << L;
  EXPECT_FALSE(fs::exists(Box.path("d.o"))) << L;
}

TEST(ExitZero, FindingsExitZeroErrorsDoNot) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("b.cpp", BothCpp);
  Box.compileDb({"b.cpp"});
  // The documented CI recipe: write SARIF, keep the job going, gate later.
  Result R = Box.tether({"check", "-p", ".", "--exit-zero", "-o", "sarif:out.sarif"});
  EXPECT_EQ(R.Status, 0) << R;
  EXPECT_EQ(countMatching(R.Out, ": warning: ") + countMatching(R.Out, ": remark: "), 2u)
      << R;
  json S = parseJson(Box.read("out.sarif"));
  ASSERT_FALSE(S.is_discarded());
  EXPECT_EQ(S["runs"][0]["results"].size(), 2u);
  // Without findings the exit code is 0 as well; errors keep theirs.
  Box.write("clean.cpp", CleanCpp);
  Box.compileDb({"clean.cpp"});
  EXPECT_EQ(Box.tether({"check", "-p", ".", "--exit-zero"}).Status, 0);
  Box.write("broken.cpp", "int broken( { return }\n");
  Box.compileDb({"broken.cpp", "b.cpp"});
  Result P = Box.tether({"check", "-p", ".", "--exit-zero"});
  EXPECT_EQ(P.Status, 3) << P;
  EXPECT_EQ(Box.tether({"check", "-p", "missing-dir", "--exit-zero"}).Status, 2);
}

TEST(CodeClimate, GitLabCodeQualityReportMatchesTheSchemaAndTheFindings) {
  Sandbox Box;
  Box.write("src/chan.h", ChanH);
  Box.write("src/b.cpp", BothCpp);
  Box.write("src/s.cpp", SendAfterCloseCpp);
  Box.compileDb({"src/b.cpp", "src/s.cpp"});
  Result R = Box.tether({"check", "-p", ".", "--format=codeclimate", "-o",
                         "json:report.json", "-o", "codeclimate:gl-code-quality.json"});
  ASSERT_EQ(R.Status, 1) << R;
  EXPECT_EQ(R.Out, Box.read("gl-code-quality.json"));
  // GitLab's format (tests/cli/codeclimate.schema.json).
  Result V = Box.run("node", {TETHER_SCHEMA_CHECK, TETHER_CODECLIMATE_SCHEMA,
                              Box.path("gl-code-quality.json").string()});
  EXPECT_EQ(V.Status, 0) << V;
  json CC = parseJson(R.Out);
  json J = parseJson(Box.read("report.json"));
  ASSERT_TRUE(CC.is_array()) << R;
  ASSERT_EQ(CC.size(), 3u) << R;
  ASSERT_EQ(J["findings"].size(), 3u);
  // One issue per finding, in the same order: GitLab shows one issue per
  // fingerprint, so they are tether's fingerprints and unique.
  std::set<std::string> Fingerprints;
  for (size_t I = 0; I < CC.size(); ++I) {
    const json &C = CC[I], &F = J["findings"][I];
    EXPECT_EQ(C["check_name"], F["check"]);
    EXPECT_EQ(C["description"], F["message"]);
    EXPECT_EQ(C["fingerprint"], F["fingerprint"]);
    EXPECT_EQ(C["location"]["path"], F["file"]);
    EXPECT_EQ(C["location"]["lines"]["begin"], F["line"]);
    EXPECT_EQ(C["severity"], F["severity"] == "warning" ? "major"
                             : F["severity"] == "error" ? "critical"
                                                        : "info");
    // The path notes are the issue's body.
    ASSERT_FALSE(F["notes"].empty());
    EXPECT_NE(C["content"]["body"].get<std::string>().find(
                  F["notes"][0]["message"].get<std::string>()),
              std::string::npos);
    Fingerprints.insert(C["fingerprint"].get<std::string>());
  }
  EXPECT_EQ(Fingerprints.size(), CC.size());
  EXPECT_EQ(CC[0]["location"]["path"], "src/b.cpp");
  EXPECT_EQ(CC[0]["location"]["lines"]["begin"], 5);
  EXPECT_EQ(CC[2]["location"]["path"], "src/s.cpp");

  // No findings: an empty array, which GitLab accepts.
  Box.write("src/clean.cpp", CleanCpp);
  Box.compileDb({"src/clean.cpp"});
  Result Clean = Box.tether({"check", "-p", ".", "--format=codeclimate"});
  EXPECT_EQ(Clean.Status, 0) << Clean;
  EXPECT_EQ(parseJson(Clean.Out), json::array());
}

// clang-apply-replacements-19 (Debian clang-tools-19; tests/cli/requirements.txt).
std::string applyReplacementsTool() {
  for (const char *Dir : {"/usr/bin", "/usr/lib/llvm-19/bin"}) {
    for (const char *Name : {"clang-apply-replacements-19", "clang-apply-replacements"}) {
      fs::path P = fs::path(Dir) / Name;
      if (fs::exists(P))
        return P.string();
    }
  }
  return "";
}

TEST(ExportFixes, ClangApplyReplacementsAppliesWhatFixWould) {
  std::string Tool = applyReplacementsTool();
  ASSERT_FALSE(Tool.empty()) << "clang-apply-replacements-19 is not installed "
                                "(Debian: clang-tools-19; scripts/setup.sh installs it)";
  Sandbox Box;
  Box.write("loop.cpp", LoopCpp);
  Box.write("work.h", WorkH);
  Box.write("one.cpp", "#include \"work.h\"\nint one() { return 1; }\n");
  Box.write("two.cpp", "#include \"work.h\"\nint two() { return 2; }\n");
  Box.compileDb({"loop.cpp", "one.cpp", "two.cpp"});
  fs::create_directories(Box.path("fixes")); // like -o, the folder must exist
  Result R = Box.tether({"check", "-p", ".", "--header-filter=work\\.h",
                         "--export-fixes", "fixes/tether.yaml"});
  ASSERT_EQ(R.Status, 1) << R;
  // The report is unchanged and no file was edited.
  EXPECT_EQ(countMatching(R.Out, "[thread-loop-capture-by-ref]"), 2u) << R;
  EXPECT_EQ(Box.read("loop.cpp"), LoopCpp);
  std::string Yaml = Box.read("fixes/tether.yaml");
  EXPECT_NE(Yaml.find("DiagnosticName:  thread-loop-capture-by-ref"), std::string::npos)
      << Yaml;
  EXPECT_NE(Yaml.find("ReplacementText: i"), std::string::npos) << Yaml;
  EXPECT_NE(Yaml.find("FilePath:        '" + Box.path("work.h").string() + "'"),
            std::string::npos)
      << Yaml;

  Result A = Box.run(quote(Tool), {(Box.Root / "fixes").string()});
  ASSERT_EQ(A.Status, 0) << A;
  EXPECT_EQ(Box.read("loop.cpp"), fixedLoop());
  std::string WantH = WorkH;
  WantH.replace(WantH.find("[&i]"), 4, "[i]");
  EXPECT_EQ(Box.read("work.h"), WantH);
  EXPECT_EQ(Box.read("one.cpp"), "#include \"work.h\"\nint one() { return 1; }\n");
  // Fixed code is clean.
  Result Again = Box.tether({"check", "-p", ".", "--header-filter=work\\.h"});
  EXPECT_EQ(Again.Status, 0) << Again;
}

TEST(ExportFixes, NeedsAFileName) {
  Sandbox Box;
  Box.write("loop.cpp", LoopCpp);
  Box.compileDb({"loop.cpp"});
  expectUsageError(Box.tether({"check", "-p", ".", "--export-fixes", "-"}),
                   "--export-fixes writes a file");
  expectUsageError(Box.tether({"check", "-p", ".", "--export-fixes="}),
                   "--export-fixes needs a file name");
}

// ---------------------------------------------------------------------------
// Pull-request mode: --diff-base and --line-filter

// A real git repository at the sandbox root (the Sandbox's .git is only a
// marker directory).
void gitInit(const Sandbox &Box) {
  fs::remove_all(Box.path(".git"));
  Result R = Box.run("git", {"init", "-q", "."});
  ASSERT_EQ(R.Status, 0) << R;
}

void gitCommitAll(const Sandbox &Box, const std::string &Msg) {
  Result A = Box.run("git", {"add", "-A"});
  ASSERT_EQ(A.Status, 0) << A;
  Result C = Box.run("git", {"-c", "user.name=t", "-c", "user.email=t@example.org",
                             "commit", "-q", "-m", Msg});
  ASSERT_EQ(C.Status, 0) << C;
}

// Closes its channel; defined in its own TU so that a caller's finding needs
// the linked facts.
constexpr const char *ShutCpp = R"(#include "chan.h"
void shut(Chan &ch) { ch.close(); }
)";

TEST(DiffMode, OnlyChangedLinesReportedWholeTUsAndLinkStillAnalysed) {
  Sandbox Box;
  gitInit(Box);
  Box.write("chan.h", ChanH);
  Box.write("both.cpp", BothCpp);
  Box.write("shut.cpp", ShutCpp);
  Box.compileDb({"both.cpp", "shut.cpp"});
  gitCommitAll(Box, "base");
  // Without diff mode: the two old findings.
  ASSERT_EQ(runJson(Box, {"check", "-p", "."}, 1)["findings"].size(), 2u);

  // The change: a new function whose bug needs shut.cpp's facts (the close
  // is in another TU), and an untracked file with a bug of its own.
  Box.write("both.cpp", std::string(BothCpp) + R"(void shut(Chan &ch);
void drain(Chan &out) {
  shut(out);
  out.push(2);
}
)");
  Box.write("fresh.cpp", SendAfterCloseCpp);
  Box.compileDb({"both.cpp", "shut.cpp", "fresh.cpp"});
  Result R = Box.tether({"check", "-p", ".", "--diff-base", "HEAD", "--format=json"});
  EXPECT_EQ(R.Status, 1) << R;
  json J = parseJson(R.Out);
  ASSERT_EQ(J["findings"].size(), 2u) << summary(J["findings"]);
  EXPECT_EQ(J["findings"][0]["file"], "both.cpp");
  EXPECT_EQ(J["findings"][0]["function"], "drain");
  EXPECT_EQ(J["findings"][0]["line"], 14);
  EXPECT_EQ(J["findings"][1]["file"], "fresh.cpp");
  EXPECT_EQ(countMatching(R.Err, "2 findings not on changed lines not shown"), 1u) << R;

  // Once committed, nothing changed against HEAD: clean; against the base
  // commit the change shows again.
  gitCommitAll(Box, "change");
  Result Clean = Box.tether({"check", "-p", ".", "--diff-base", "HEAD"});
  EXPECT_EQ(Clean.Status, 0) << Clean;
  EXPECT_EQ(countMatching(Clean.Out, ": warning: "), 0u) << Clean;
  json Again = runJson(Box, {"check", "-p", ".", "--diff-base", "HEAD~1"}, 1);
  EXPECT_EQ(Again["findings"].size(), 2u) << summary(Again["findings"]);
  // Three-dot form: what the branch changed since it forked.
  json Fork = runJson(Box, {"check", "-p", ".", "--diff-base", "HEAD~1...HEAD"}, 1);
  EXPECT_EQ(Fork["findings"].size(), 2u) << summary(Fork["findings"]);
}

TEST(DiffMode, NotesOnChangedLinesCountOnlyWhenAsked) {
  Sandbox Box;
  gitInit(Box);
  Box.write("chan.h", ChanH);
  Box.write("send.cpp", SendAfterCloseCpp);
  Box.compileDb({"send.cpp"});
  gitCommitAll(Box, "base");
  // Only the close (a note of the finding at line 4) changes.
  std::string Changed = SendAfterCloseCpp;
  Changed.replace(Changed.find("  ch.close();"), 13, "  ch.close(); // done");
  Box.write("send.cpp", Changed);
  Result R = Box.tether({"check", "-p", ".", "--diff-base", "HEAD"});
  EXPECT_EQ(R.Status, 0) << R;
  json J = runJson(Box, {"check", "-p", ".", "--diff-base", "HEAD", "--diff-notes"}, 1);
  ASSERT_EQ(J["findings"].size(), 1u) << summary(J["findings"]);
  EXPECT_EQ(J["findings"][0]["line"], 4);
}

TEST(DiffMode, LineFilterInClangTidyFormat) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("both.cpp", BothCpp);
  Box.compileDb({"both.cpp"});
  // Line 9 holds the send after close; line 5 the double close.
  json One = runJson(Box, {"check", "-p", ".",
                           R"(--line-filter=[{"name":"both.cpp","lines":[[8,9]]}])"}, 1);
  ASSERT_EQ(One["findings"].size(), 1u) << summary(One["findings"]);
  EXPECT_EQ(One["findings"][0]["check"], "channel-send-after-close");
  json Whole = runJson(Box, {"check", "-p", ".", R"(--line-filter=[{"name":"both.cpp"}])"}, 1);
  EXPECT_EQ(Whole["findings"].size(), 2u);
  // A name matches whole path components: "th.cpp" is not "both.cpp".
  json None = runJson(Box, {"check", "-p", ".", R"(--line-filter=[{"name":"th.cpp"}])"}, 0);
  EXPECT_EQ(None["findings"].size(), 0u);
  Box.write("filter.json", R"([{"name":"both.cpp","lines":[[1,6]]}])");
  json FromFile = runJson(Box, {"check", "-p", ".", "--line-filter=@filter.json"}, 1);
  ASSERT_EQ(FromFile["findings"].size(), 1u) << summary(FromFile["findings"]);
  EXPECT_EQ(FromFile["findings"][0]["check"], "channel-double-close");
}

TEST(DiffMode, BadInputIsOneLineAndExitTwo) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("both.cpp", BothCpp);
  Box.compileDb({"both.cpp"});
  expectUsageError(Box.tether({"check", "-p", ".", "--line-filter=nonsense"}),
                   "invalid --line-filter: not JSON");
  expectUsageError(Box.tether({"check", "-p", ".", R"(--line-filter=[{"lines":[[1,2]]}])"}),
                   "entry 1: needs a \"name\" string");
  expectUsageError(
      Box.tether({"check", "-p", ".", R"(--line-filter=[{"name":"a.cpp","lines":[[3,1]]}])"}),
      "first <= last");
  expectUsageError(Box.tether({"check", "-p", ".", "--line-filter=@missing.json"}),
                   "cannot read --line-filter file 'missing.json'");
  // The sandbox's .git is a marker, not a repository.
  expectUsageError(Box.tether({"check", "-p", ".", "--diff-base", "HEAD"}),
                   "--diff-base needs a git repository");
  gitInit(Box);
  gitCommitAll(Box, "base");
  expectUsageError(Box.tether({"check", "-p", ".", "--diff-base", "no-such-rev"}),
                   "git diff no-such-rev failed: .*no-such-rev");
  expectUsageError(Box.tether({"check", "-p", ".", "--diff-base", "HEAD",
                               R"(--line-filter=[{"name":"a.cpp"}])"}),
                   "either --line-filter or --diff-base");
  expectUsageError(Box.tether({"check", "-p", ".", "--diff-notes"}),
                   "--diff-notes needs --diff-base or --line-filter");
}

// ---------------------------------------------------------------------------
// Counters of the analysis (LLVM statistics), for bench/check.

TEST(Stats, CountersOnRequestOnly) {
  Sandbox Box;
  Box.write("chan.h", ChanH);
  Box.write("clean.cpp", CleanCpp);
  Box.write("d.cpp", DoubleCloseCpp);
  Box.compileDb({"clean.cpp", "d.cpp"});
  Result R = Box.tether(
      {"check", "-p", ".", "--quiet", "--analysis-stats=stats.json"});
  ASSERT_EQ(R.Status, 1) << R;
  json S = parseJson(Box.read("stats.json"));
  ASSERT_TRUE(S.is_object()) << Box.read("stats.json");
  // Both TUs are analysed; the functions with bodies ask for CFGs.
  ASSERT_TRUE(S.contains("tether-analysis.NumTUs")) << S.dump();
  EXPECT_GE(S["tether-analysis.NumTUs"].get<int>(), 2) << S.dump();
  ASSERT_TRUE(S.contains("tether-analysis.NumFunctions")) << S.dump();
  ASSERT_TRUE(S.contains("tether-analysis.NumCFGs")) << S.dump();
  int Functions = S["tether-analysis.NumFunctions"].get<int>();
  int CFGs = S["tether-analysis.NumCFGs"].get<int>();
  EXPECT_GT(CFGs, 0) << S.dump();
  // At most one CFG per kind and function: nothing is built twice.
  EXPECT_LE(CFGs, 3 * Functions) << S.dump();
  EXPECT_EQ(R.Err, "") << R;
  // Without the option: no counters, nothing more on stderr.
  Result Plain = Box.tether({"check", "-p", ".", "--quiet"});
  EXPECT_EQ(Plain.Status, 1) << Plain;
  EXPECT_EQ(Plain.Err, "") << Plain;
  // A file it cannot write is refused before the analysis.
  Box.write("dir/keep", "");
  Result Bad = Box.tether({"check", "-p", ".", "--analysis-stats=dir"});
  EXPECT_EQ(Bad.Status, 2) << Bad;
  EXPECT_NE(Bad.Err.find("--analysis-stats"), std::string::npos) << Bad;
}

// ---------------------------------------------------------------------------
// Shards: `--shard I/N --shard-dir DIR` per slice, then `--merge DIR...`

// A pipeline over six TUs, sorted so that round-robin shards of two split
// every cross-TU finding from the function it needs: a_download.cpp
// (shard 1) double-closes after b_shutdown.cpp's helper (shard 2);
// d_export.cpp (shard 2) sends after e_helpers.cpp's close (shard 1);
// c_local.cpp has findings of its own; f_broken.cpp does not compile.
constexpr const char *PipeH = R"(#pragma once
#include "chan.h"
#include <mutex>
#include <thread>
struct Pipe {
  Chan chunks{32};
  Chan rows{64};
  std::mutex mu;
  std::thread worker;
  bool failed = false;
};
void shutdown_pipe(Pipe &p);
void close_rows(Pipe &p);
void emit_rows(Pipe &p, int n);
)";

constexpr const char *ADownloadCpp = R"(#include "pipe.h"
void download(Pipe &p, int n) {
  for (int i = 0; i < n; ++i) {
    if (i == 7) {
      shutdown_pipe(p);
      break;
    }
    p.chunks.push(i);
  }
  p.chunks.close();
}
)";

constexpr const char *BShutdownCpp = R"(#include "pipe.h"
void shutdown_pipe(Pipe &p) {
  p.failed = true;
  p.chunks.close();
}
)";

constexpr const char *CLocalCpp = R"(#include "pipe.h"
void stop(Pipe &p) {
  std::lock_guard<std::mutex> g(p.mu);
  p.worker.join();
}
void flush(Chan &ch) {
  ch.close();
  ch.push(1);
}
)";

constexpr const char *DExportCpp = R"(#include "pipe.h"
void export_with_trailer(Pipe &p) {
  emit_rows(p, 3);
  close_rows(p);
  emit_rows(p, 1);
}
)";

constexpr const char *EHelpersCpp = R"(#include "pipe.h"
void emit_rows(Pipe &p, int n) {
  for (int i = 0; i < n; ++i)
    p.rows.push(i);
}
void close_rows(Pipe &p) { p.rows.close(); }
)";

void writeShardProject(const Sandbox &Box) {
  Box.write("chan.h", ChanH);
  Box.write("pipe.h", PipeH);
  Box.write("a_download.cpp", ADownloadCpp);
  Box.write("b_shutdown.cpp", BShutdownCpp);
  Box.write("c_local.cpp", CLocalCpp);
  Box.write("d_export.cpp", DExportCpp);
  Box.write("e_helpers.cpp", EHelpersCpp);
  Box.write("f_broken.cpp", "#include \"pipe.h\"\nvoid broken( {\n");
  Box.compileDb({"a_download.cpp", "b_shutdown.cpp", "c_local.cpp",
                 "d_export.cpp", "e_helpers.cpp", "f_broken.cpp"});
}

// The SARIF log without the invocation's command line, which names the
// run that wrote it (the merge's differs from a plain run's by design).
json sarifWithoutCommandLine(const std::string &Text) {
  json J = parseJson(Text);
  for (json &Run : J["runs"])
    for (json &Inv : Run["invocations"]) {
      Inv.erase("commandLine");
      Inv.erase("arguments");
    }
  return J;
}

TEST(Shards, MergedShardsWriteWhatAPlainRunWrites) {
  Sandbox Box;
  writeShardProject(Box);
  Result Plain = Box.tether({"check", "-p", ".", "--quiet", "-j1",
                             "-o", "json:plain.json", "-o",
                             "sarif:plain.sarif", "-o", "text:plain.txt"});
  ASSERT_EQ(Plain.Status, 3) << Plain; // findings, and f_broken.cpp
  json Findings = parseJson(Box.read("plain.json"))["findings"];
  // The cross-TU findings are there, each across the shard boundary.
  ASSERT_EQ(select(Findings, "channel-double-close", "a_download.cpp").size(),
            1u)
      << summary(Findings);
  ASSERT_EQ(
      select(Findings, "channel-send-after-close", "d_export.cpp").size(), 1u)
      << summary(Findings);
  ASSERT_GE(select(Findings, "channel-send-after-close", "c_local.cpp").size(),
            1u)
      << summary(Findings);

  Result S1 = Box.tether({"check", "-p", ".", "-j1", "--shard", "1/2",
                          "--shard-dir", "shards/one"});
  ASSERT_EQ(S1.Status, 0) << S1;
  EXPECT_EQ(S1.Out, "") << S1;
  EXPECT_NE(S1.Err.find("shard 1/2: 3 translation units"), std::string::npos)
      << S1;
  Result S2 = Box.tether({"check", "-p", ".", "-j2", "--shard", "2/2",
                          "--shard-dir", "shards/two", "--quiet"});
  ASSERT_EQ(S2.Status, 0) << S2;
  EXPECT_EQ(S2.Err, "") << S2;
  Result M = Box.tether({"check", "-p", ".", "--quiet", "--merge",
                         "shards/two,shards/one", "-o", "json:merged.json",
                         "-o", "sarif:merged.sarif", "-o",
                         "text:merged.txt"});
  ASSERT_EQ(M.Status, 3) << M;
  EXPECT_EQ(Box.read("merged.json"), Box.read("plain.json"));
  EXPECT_EQ(Box.read("merged.txt"), Box.read("plain.txt"));
  EXPECT_EQ(sarifWithoutCommandLine(Box.read("merged.sarif")),
            sarifWithoutCommandLine(Box.read("plain.sarif")));
  // The merge parsed only the TUs whose findings depend on other TUs.
  Result Stats = Box.tether({"check", "-p", ".", "--quiet", "--merge",
                             "shards/one", "--merge", "shards/two",
                             "--analysis-stats=stats.json"});
  EXPECT_EQ(Stats.Status, 3) << Stats;
  json S = parseJson(Box.read("stats.json"));
  EXPECT_EQ(S.value("tether-analysis.NumTUs", 0), 2) << S.dump();
}

TEST(Shards, BadShardsAreOneLineErrors) {
  Sandbox Box;
  writeShardProject(Box);
  for (const char *Bad : {"0/2", "3/2", "1/0", "2", "a/b", "1/2/3", ""})
    expectUsageError(Box.tether({"check", "-p", ".", "--shard", Bad,
                                 "--shard-dir", "s"}),
                     "error: --shard takes I/N");
  expectUsageError(Box.tether({"check", "-p", ".", "--shard", "1/2"}),
                   "error: --shard needs --shard-dir");
  expectUsageError(Box.tether({"check", "-p", ".", "--shard", "1/2",
                               "--shard-dir", "s", "-o", "json:x.json"}),
                   "error: a --shard run writes only its --shard-dir");
  EXPECT_FALSE(fs::exists(Box.path("s")));

  // Exit 5, nothing on stdout, one line on stderr.
  auto ExpectShardError = [&](const Result &R, const std::string &Re) {
    EXPECT_EQ(R.Status, 5) << R;
    EXPECT_EQ(R.Out, "") << R;
    std::vector<std::string> Err = nonEmptyLines(R.Err);
    ASSERT_EQ(Err.size(), 1u) << R;
    EXPECT_TRUE(std::regex_search(Err[0], std::regex(Re))) << Re << "\n" << R;
  };
  // A directory that is not a shard run's is left alone.
  Box.write("mine/notes.txt", "keep me\n");
  ExpectShardError(Box.tether({"check", "-p", ".", "--shard", "1/2",
                               "--shard-dir", "mine"}),
                   "holds files a shard run did not write");
  EXPECT_EQ(Box.read("mine/notes.txt"), "keep me\n");
  fs::create_directory_symlink(Box.path("mine"), Box.path("link"));
  ExpectShardError(Box.tether({"check", "-p", ".", "--shard", "1/2",
                               "--shard-dir", "link"}),
                   "is a symbolic link");

  ASSERT_EQ(Box.tether({"check", "-p", ".", "--quiet", "--shard", "1/2",
                        "--shard-dir", "one"})
                .Status,
            0);
  ASSERT_EQ(Box.tether({"check", "-p", ".", "--quiet", "--shard", "2/2",
                        "--shard-dir", "two"})
                .Status,
            0);
  // Run again into its own directory: replaced, not refused.
  ASSERT_EQ(Box.tether({"check", "-p", ".", "--quiet", "--shard", "2/2",
                        "--shard-dir", "two"})
                .Status,
            0);
  ExpectShardError(
      Box.tether({"check", "-p", ".", "--merge", "one,nowhere"}),
      "--merge 'nowhere': no such directory");
  ExpectShardError(Box.tether({"check", "-p", ".", "--merge", "one"}),
                   "--merge: shard 2/2 missing");
  ExpectShardError(Box.tether({"check", "-p", ".", "--merge", "one,one"}),
                   "shard 1/2 is also in 'one'");
  ExpectShardError(Box.tether({"check", "-p", ".", "--merge", "one,mine"}),
                   "--merge 'mine': not a shard directory");
  // Another configuration: the merge's checks differ from the shards'.
  ExpectShardError(Box.tether({"check", "-p", ".", "--checks=-thread-leak",
                               "--merge", "one,two"}),
                   "another configuration");
  // A shard of another configuration next to one of this.
  ASSERT_EQ(Box.tether({"check", "-p", ".", "--quiet", "--checks=-thread-leak",
                        "--shard", "2/2", "--shard-dir", "other"})
                .Status,
            0);
  ExpectShardError(Box.tether({"check", "-p", ".", "--merge", "one,other"}),
                   "--merge 'other': written by another version of tether or "
                   "another configuration");
  // Shards of three next to a shard of two.
  ASSERT_EQ(Box.tether({"check", "-p", ".", "--quiet", "--shard", "3/3",
                        "--shard-dir", "third"})
                .Status,
            0);
  ExpectShardError(Box.tether({"check", "-p", ".", "--merge", "one,third"}),
                   "does not belong with shards of 2");
  // Another list of inputs.
  ExpectShardError(Box.tether({"check", "-p", ".", "--merge", "one,two",
                               "a_download.cpp"}),
                   "another compile database or list of files");
  // A damaged entry is named, never half-read.
  for (const auto &E : fs::directory_iterator(Box.path("two")))
    if (E.path().extension() == ".tu") {
      std::string Text = slurp(E.path());
      std::ofstream(E.path(), std::ios::binary)
          << Text.substr(0, Text.size() / 2);
      break;
    }
  ExpectShardError(Box.tether({"check", "-p", ".", "--merge", "one,two"}),
                   "cannot read the result of '.*' in 'two': truncated");
}

// ---------------------------------------------------------------------------
// Result cache

// The shard project with one more header: rows.h, which only e_helpers.cpp
// includes, holds the close that d_export.cpp's finding needs.
constexpr const char *RowsH = R"(#pragma once
#include "pipe.h"
inline void finish_rows(Pipe &p) { p.rows.close(); }
)";

// rows.h whose helper no longer closes: d_export.cpp's finding goes.
constexpr const char *RowsHNoClose = R"(#pragma once
#include "pipe.h"
inline void finish_rows(Pipe &p) { p.failed = true; }
)";

constexpr const char *EHelpersWithRowsCpp = R"(#include "rows.h"
void emit_rows(Pipe &p, int n) {
  for (int i = 0; i < n; ++i)
    p.rows.push(i);
}
void close_rows(Pipe &p) { finish_rows(p); }
)";

json statsOf(const Sandbox &Box, const std::string &Rel) {
  json S = parseJson(Box.read(Rel));
  return S.is_object() ? S : json::object();
}

int counter(const json &S, const std::string &Name) {
  return S.contains(Name) ? S[Name].get<int>() : 0;
}

std::vector<std::string> cachedRun(const std::string &Tag) {
  return {"check",        "-p",
          ".",            "--quiet",
          "--cache-dir",  "../cache",
          "-o",           "json:" + Tag + ".json",
          "-o",           "sarif:" + Tag + ".sarif",
          "-o",           "text:" + Tag + ".txt",
          "--analysis-stats=" + Tag + ".stats"};
}

void expectSameReports(const Sandbox &Box, const std::string &A,
                       const std::string &B) {
  EXPECT_EQ(Box.read(A + ".json"), Box.read(B + ".json")) << A << " " << B;
  EXPECT_EQ(Box.read(A + ".txt"), Box.read(B + ".txt")) << A << " " << B;
  EXPECT_EQ(sarifWithoutCommandLine(Box.read(A + ".sarif")),
            sarifWithoutCommandLine(Box.read(B + ".sarif")))
      << A << " " << B;
}

// Tag's reports are what a run without the cache writes on the sources as
// they are now.
void expectSameAsUncachedRun(const Sandbox &Box, const std::string &Tag) {
  ASSERT_EQ(Box.tether({"check", "-p", ".", "--quiet", "--no-cache", "-o",
                        "json:fresh.json", "-o", "text:fresh.txt", "-o",
                        "sarif:fresh.sarif"})
                .Status,
            3);
  expectSameReports(Box, "fresh", Tag);
}

// A cached run after rows.h stopped closing (RowsHNoClose): e_helpers.cpp
// and d_export.cpp, whose linked facts changed, are the two TUs parsed, the
// send after close is gone, and the reports are an uncached run's. Returns
// the run's counters.
json expectRowsCloseGone(const Sandbox &Box, const std::string &Tag) {
  EXPECT_EQ(Box.tether(cachedRun(Tag)).Status, 3);
  json S = statsOf(Box, Tag + ".stats");
  EXPECT_EQ(counter(S, "tether-analysis.NumTUs"), 2) << S.dump();
  json Findings = parseJson(Box.read(Tag + ".json"))["findings"];
  EXPECT_TRUE(
      select(Findings, "channel-send-after-close", "d_export.cpp").empty())
      << summary(Findings);
  expectSameAsUncachedRun(Box, Tag);
  return S;
}

TEST(Cache, NoChangeRerunParsesNothingAndWritesTheSameBytes) {
  Sandbox Box;
  writeShardProject(Box);
  Result Cold = Box.tether(cachedRun("cold"));
  ASSERT_EQ(Cold.Status, 3) << Cold;
  json CS = statsOf(Box, "cold.stats");
  EXPECT_EQ(counter(CS, "tether-cache.NumCacheMisses"), 6) << CS.dump();
  EXPECT_EQ(counter(CS, "tether-cache.NumCacheHits"), 0) << CS.dump();
  // Five first passes and the two second passes.
  EXPECT_EQ(counter(CS, "tether-analysis.NumTUs"), 7) << CS.dump();
  Result Warm = Box.tether(cachedRun("warm"));
  ASSERT_EQ(Warm.Status, 3) << Warm;
  json WS = statsOf(Box, "warm.stats");
  // f_broken.cpp does not compile: not cached, parsed again (and failing
  // again), never read from the cache.
  EXPECT_EQ(counter(WS, "tether-cache.NumCacheHits"), 5) << WS.dump();
  EXPECT_EQ(counter(WS, "tether-cache.NumLinkedHits"), 2) << WS.dump();
  EXPECT_EQ(counter(WS, "tether-analysis.NumTUs"), 0) << WS.dump();
  // Byte for byte what the cold run wrote, SARIF included (same command
  // line but for the file names).
  expectSameReports(Box, "cold", "warm");
  // ... and what a run without the cache writes.
  Result Plain = Box.tether({"check", "-p", ".", "--quiet", "--no-cache",
                             "-o", "json:plain.json", "-o", "text:plain.txt",
                             "-o", "sarif:plain.sarif"});
  ASSERT_EQ(Plain.Status, 3) << Plain;
  expectSameReports(Box, "plain", "warm");
}

TEST(Cache, AHeaderChangeReanalysesItsIncludersAndTheDependentsItChanges) {
  Sandbox Box;
  writeShardProject(Box);
  Box.write("rows.h", RowsH);
  Box.write("e_helpers.cpp", EHelpersWithRowsCpp);
  ASSERT_EQ(Box.tether(cachedRun("cold")).Status, 3);
  json Cold = parseJson(Box.read("cold.json"))["findings"];
  ASSERT_EQ(select(Cold, "channel-send-after-close", "d_export.cpp").size(),
            1u)
      << summary(Cold);

  // A change that leaves e_helpers.cpp's facts as they were: only its
  // includer is parsed; d_export.cpp's second pass comes from the cache.
  Box.write("rows.h", std::string(RowsH) + "constexpr int RowBatch = 64;\n");
  ASSERT_EQ(Box.tether(cachedRun("same-facts")).Status, 3);
  json S1 = statsOf(Box, "same-facts.stats");
  EXPECT_EQ(counter(S1, "tether-cache.NumCacheMisses"), 2) << S1.dump();
  EXPECT_EQ(counter(S1, "tether-analysis.NumTUs"), 1) << S1.dump();
  EXPECT_EQ(counter(S1, "tether-cache.NumLinkedHits"), 2) << S1.dump();
  expectSameReports(Box, "cold", "same-facts");

  // A change of what the helper does: its includer, and d_export.cpp whose
  // linked facts change; a_download.cpp's second pass is still cached.
  Box.write("rows.h", RowsHNoClose);
  json S2 = expectRowsCloseGone(Box, "changed");
  EXPECT_EQ(counter(S2, "tether-cache.NumLinkedHits"), 1) << S2.dump();
}

TEST(Cache, ANewHeaderThatShadowsAnIncludedOneIsAChange) {
  Sandbox Box;
  writeShardProject(Box);
  // rows.h is found in inc2/ after inc1/ was searched: a rows.h created in
  // inc1/ later is what the compiler reads instead, though no file the
  // cold run read has changed.
  Box.write("inc2/rows.h", RowsH);
  Box.write("inc1/README", "headers that override inc2/\n");
  std::string Helpers = EHelpersWithRowsCpp;
  Helpers.replace(Helpers.find("\"rows.h\""), 8, "<rows.h>");
  Box.write("e_helpers.cpp", Helpers);
  json DB = json::array();
  for (const char *S : {"a_download.cpp", "b_shutdown.cpp", "c_local.cpp",
                        "d_export.cpp", "e_helpers.cpp", "f_broken.cpp"})
    DB.push_back({{"directory", Box.Root.string()},
                  {"file", Box.path(S).string()},
                  {"arguments",
                   {TETHER_TEST_CXX, "-std=c++20", "-Iinc1", "-Iinc2", "-I.",
                    "-c", Box.path(S).string()}}});
  Box.write("compile_commands.json", DB.dump(2));
  ASSERT_EQ(Box.tether(cachedRun("cold")).Status, 3);
  json Cold = parseJson(Box.read("cold.json"))["findings"];
  ASSERT_EQ(select(Cold, "channel-send-after-close", "d_export.cpp").size(),
            1u)
      << summary(Cold);
  // Unrelated files appearing are no change. (An include directory that
  // did not exist and now does is one: the parse looked for the directory,
  // not for the files in it.)
  Box.write("inc1/other.h", "#pragma once\n");
  ASSERT_EQ(Box.tether(cachedRun("unrelated")).Status, 3);
  json U = statsOf(Box, "unrelated.stats");
  EXPECT_EQ(counter(U, "tether-analysis.NumTUs"), 0) << U.dump();

  Box.write("inc1/rows.h", RowsHNoClose);
  expectRowsCloseGone(Box, "shadowed");
}

TEST(Cache, TrimmedToItsBoundLeastRecentlyUsedFirst) {
  Sandbox Box;
  writeShardProject(Box);
  ASSERT_EQ(Box.tether(cachedRun("cold")).Status, 3);
  fs::path Cache = Box.Base / "cache";
  auto Entries = [&] {
    std::map<fs::path, uintmax_t> Out;
    for (const auto &E : fs::recursive_directory_iterator(Cache))
      if (E.is_regular_file() && E.path().extension() == ".tu")
        Out[E.path()] = fs::file_size(E.path());
    return Out;
  };
  std::map<fs::path, uintmax_t> All = Entries();
  ASSERT_EQ(All.size(), 7u);
  uintmax_t Total = 0;
  for (const auto &[P, Size] : All)
    Total += Size;
  // Not ours, though in the cache: never removed. An entry of another
  // storage schema goes first.
  Box.write("../cache/README", "kept\n");
  Box.write("../cache/v1/ab/abababababababab.tu", std::string(4096, 'x'));
  Box.write("../cache/v2/notes.tu", "kept\n");
  // Every entry made old. The next run misses only on a_download.cpp
  // (changed; its first and second pass), refreshes the entries it hits,
  // stores two and trims to 80 % of a bound below what is then there:
  // the other schema's entry and a_download.cpp's old ones go first.
  auto Old = fs::file_time_type::clock::now() - std::chrono::hours(48);
  for (const auto &[P, Size] : All)
    fs::last_write_time(P, Old);
  Box.write("a_download.cpp", std::string(ADownloadCpp) + "// edited\n");
  std::vector<std::string> Args = cachedRun("trim");
  Args.push_back("--cache-max-size=" + std::to_string(Total));
  ASSERT_EQ(Box.tether(Args).Status, 3);
  json S = statsOf(Box, "trim.stats");
  EXPECT_GE(counter(S, "tether-cache.NumCacheEvicted"), 2) << S.dump();
  std::map<fs::path, uintmax_t> Left = Entries();
  uintmax_t LeftBytes = 0;
  for (const auto &[P, Size] : Left)
    LeftBytes += Size;
  EXPECT_LE(LeftBytes, Total / 10 * 8);
  EXPECT_FALSE(fs::exists(Cache / "v1/ab/abababababababab.tu"));
  EXPECT_TRUE(fs::exists(Cache / "README"));
  EXPECT_TRUE(fs::exists(Cache / "v2/notes.tu"));
  // The entries this run used are the ones left: the next run with the
  // same sources hits every one still there and writes the same report.
  ASSERT_EQ(Box.tether(cachedRun("after")).Status, 3);
  json A = statsOf(Box, "after.stats");
  EXPECT_GE(counter(A, "tether-cache.NumCacheHits"), 1) << A.dump();
  expectSameReports(Box, "trim", "after");
  // A size that is not one.
  expectUsageError(Box.tether({"check", "-p", ".", "--cache-max-size=12X"}),
                   "error: --cache-max-size: '12X' is not a size \\(bytes, or "
                   "a number with a K, M or G suffix\\)");
  // 0: no bound.
  std::vector<std::string> Zero = cachedRun("zero");
  Zero.push_back("--cache-max-size=0");
  ASSERT_EQ(Box.tether(Zero).Status, 3);
  EXPECT_EQ(counter(statsOf(Box, "zero.stats"), "tether-cache.NumCacheEvicted"),
            0);
}

TEST(Cache, DamagedEntriesAreMissesAndAreReplaced) {
  Sandbox Box;
  writeShardProject(Box);
  ASSERT_EQ(Box.tether(cachedRun("cold")).Status, 3);
  // Every entry damaged another way: truncated, a flipped byte, emptied,
  // replaced by another entry.
  std::vector<fs::path> Entries;
  for (const auto &E : fs::recursive_directory_iterator(Box.Base / "cache"))
    if (E.path().extension() == ".tu")
      Entries.push_back(E.path());
  ASSERT_EQ(Entries.size(), 7u); // five first passes, two second passes
  std::sort(Entries.begin(), Entries.end());
  std::vector<std::string> Originals;
  for (const fs::path &E : Entries)
    Originals.push_back(slurp(E));
  for (size_t I = 0; I < Entries.size(); ++I) {
    std::string Text = Originals[I];
    switch (I % 4) {
    case 0:
      Text.resize(Text.size() / 2);
      break;
    case 1:
      Text[Text.size() - 10] ^= 0x01;
      break;
    case 2:
      Text.clear();
      break;
    case 3: // intact, but another TU's
      Text = Originals[(I + 1) % Originals.size()];
      break;
    }
    std::ofstream(Entries[I], std::ios::binary | std::ios::trunc) << Text;
  }
  Result R = Box.tether(cachedRun("damaged"));
  ASSERT_EQ(R.Status, 3) << R;
  // Only the line about f_broken.cpp: a damaged entry is no news.
  EXPECT_EQ(nonEmptyLines(R.Err).size(), 1u) << R;
  json S = statsOf(Box, "damaged.stats");
  EXPECT_EQ(counter(S, "tether-cache.NumCacheHits"), 0) << S.dump();
  EXPECT_EQ(counter(S, "tether-cache.NumLinkedHits"), 0) << S.dump();
  expectSameReports(Box, "cold", "damaged");
  // Replaced: the next run hits.
  ASSERT_EQ(Box.tether(cachedRun("again")).Status, 3);
  json A = statsOf(Box, "again.stats");
  EXPECT_EQ(counter(A, "tether-cache.NumCacheHits"), 5) << A.dump();
  expectSameReports(Box, "cold", "again");
}

TEST(Cache, TwoRunsAtOnceShareOneDirectory) {
  Sandbox Box;
  writeShardProject(Box);
  // Eight more TUs, so that both runs write entries at the same time.
  std::vector<std::string> Sources = {"a_download.cpp", "b_shutdown.cpp",
                                      "c_local.cpp",    "d_export.cpp",
                                      "e_helpers.cpp",  "f_broken.cpp"};
  for (int I = 0; I < 8; ++I) {
    std::string Name = "g" + std::to_string(I) + ".cpp";
    Box.write(Name, std::string("#include \"pipe.h\"\n") + "void stop" +
                        std::to_string(I) +
                        "(Pipe &p) {\n  p.chunks.close();\n  "
                        "p.chunks.close();\n}\n");
    Sources.push_back(Name);
  }
  Box.compileDb(Sources);
  auto Args = [](const std::string &Tag) {
    std::string Cmd = quote(TETHER_BINARY);
    for (const std::string &A : cachedRun(Tag))
      Cmd += " " + quote(A);
    return Cmd + " -j2";
  };
  Result Both = Box.run("sh", {"-c", Args("one") + " & p1=$!; " +
                                         Args("two") +
                                         " & p2=$!; wait $p1; a=$?; "
                                         "wait $p2; echo \"$a $?\""});
  EXPECT_EQ(Both.Out, "3 3\n") << Both;
  expectSameReports(Box, "one", "two");
  Result Third = Box.tether(cachedRun("three"));
  ASSERT_EQ(Third.Status, 3) << Third;
  json S = statsOf(Box, "three.stats");
  EXPECT_EQ(counter(S, "tether-cache.NumCacheHits"), 13) << S.dump();
  EXPECT_EQ(counter(S, "tether-analysis.NumTUs"), 0) << S.dump();
  expectSameReports(Box, "one", "three");
  // No temporary file left behind.
  for (const auto &E : fs::recursive_directory_iterator(Box.Base / "cache"))
    if (E.is_regular_file())
      EXPECT_EQ(E.path().extension(), ".tu") << E.path();
}

TEST(Cache, DefaultPlaceAndOptions) {
  Sandbox Box;
  writeShardProject(Box);
  fs::path Default = Box.Base / "xdg-cache" / "tether";
  Result Off = Box.tether({"check", "-p", ".", "--quiet", "--no-cache"});
  EXPECT_EQ(Off.Status, 3) << Off;
  EXPECT_FALSE(fs::exists(Default));
  Result On = Box.tether({"check", "-p", ".", "--quiet"});
  EXPECT_EQ(On.Status, 3) << On;
  EXPECT_TRUE(fs::is_directory(Default / "v2"));
  expectUsageError(
      Box.tether({"check", "-p", ".", "--no-cache", "--cache-dir", "c"}),
      "error: --no-cache and --cache-dir cannot be used together");
  // A cache that cannot be written costs a warning, not the run.
  Box.write("not-a-dir", "");
  Result Bad = Box.tether({"check", "-p", ".", "--cache-dir", "not-a-dir",
                           "--format=json"});
  EXPECT_EQ(Bad.Status, 3) << Bad;
  EXPECT_NE(Bad.Err.find("warning: results not cached in 'not-a-dir'"),
            std::string::npos)
      << Bad;
}

} // namespace
