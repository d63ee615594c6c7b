// Runs `tether check` on each test case and compares its findings with the
// expectations written next to the code (go/analysis `analysistest` style):
//
//   ch.close();  // want channel-double-close "may already be closed"
//   ch.close();  // want-note "first close here"
//
// A case is one .cpp file in tests/checks/<check-id>/, or a directory there
// holding several .cpp files (one compile DB, several translation units) and
// optionally a .tether.yaml. Every finding must be wanted on its line (check
// id and message regex), and every `want` must be met: a file without wants
// is a must-not-flag case for every check. `want-note` lines must carry a
// note of some finding matching the regex.
//
// Either may name the thread it runs in (the finding's JSON `threads`; ""
// when the check names none), matched by a second regex:
//
//   worker_.join();  // want lock-held-across-blocking "held across" thread "running 'Pool::stop'"
//   lk.lock();       // want-note "takes the mutex" thread "^thread started at pool.cpp:9$"
//
// For a finding that is the thread of its primary location.
//
// A case compiled against a library's real headers names it (its pkg-config
// name) on a line of its own, in any of its sources:
//
//   // requires-pkg: Qt5Core
//
// and gets the flags pkg-config gave at configure time; without the package
// the case is skipped.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Want {
  std::string File;
  int Line;
  std::string Check; // empty for notes
  std::string Regex;
  bool Note;
  bool HasThread = false;
  std::string ThreadRegex; // with HasThread: the step's thread label
  bool Met = false;
};

struct Case {
  std::string Name; // check-id/case
  fs::path Path;    // file or directory
};

// gtest prints a case by its name, not its bytes.
void PrintTo(const Case &C, std::ostream *OS) { *OS << C.Name; }

std::vector<Case> discover() {
  std::vector<Case> Out;
  fs::path Root = TETHER_CHECK_TESTS_DIR;
  for (const auto &CheckDir : fs::directory_iterator(Root)) {
    if (!CheckDir.is_directory() || CheckDir.path().filename() == "include")
      continue;
    for (const auto &Entry : fs::directory_iterator(CheckDir.path())) {
      bool IsCase = Entry.is_directory() ||
                    Entry.path().extension() == ".cpp";
      if (IsCase)
        Out.push_back({CheckDir.path().filename().string() + "/" +
                           Entry.path().stem().string(),
                       Entry.path()});
    }
  }
  std::sort(Out.begin(), Out.end(),
            [](const Case &A, const Case &B) { return A.Name < B.Name; });
  return Out;
}

std::vector<fs::path> sourcesOf(const fs::path &P) {
  std::vector<fs::path> Out;
  if (fs::is_directory(P)) {
    for (const auto &E : fs::directory_iterator(P))
      if (E.path().extension() == ".cpp")
        Out.push_back(fs::canonical(E.path()));
  } else {
    Out.push_back(fs::canonical(P));
  }
  std::sort(Out.begin(), Out.end());
  return Out;
}

std::vector<Want> parseWants(const std::vector<fs::path> &Files) {
  static const std::regex WantRe(
      R"(want(-note)?(?:\s+([a-z0-9-]+))?\s+\"((?:[^\"\\]|\\.)*)\")"
      R"((?:\s+thread\s+\"((?:[^\"\\]|\\.)*)\")?)");
  std::vector<Want> Out;
  std::vector<fs::path> All = Files;
  // Headers next to the sources may carry expectations too.
  if (!Files.empty())
    for (const auto &E : fs::directory_iterator(Files.front().parent_path()))
      if (E.path().extension() == ".h")
        All.push_back(fs::canonical(E.path()));
  for (const fs::path &F : All) {
    std::ifstream In(F);
    std::string Line;
    int N = 0;
    while (std::getline(In, Line)) {
      ++N;
      size_t C = Line.find("// want");
      if (C == std::string::npos)
        continue;
      std::string Rest = Line.substr(C + 3);
      for (std::sregex_iterator It(Rest.begin(), Rest.end(), WantRe), End;
           It != End; ++It) {
        Want W{F.string(), N,           (*It)[2].str(), (*It)[3].str(),
               (*It)[1].matched,   (*It)[4].matched, (*It)[4].str()};
        Out.push_back(W);
      }
    }
  }
  return Out;
}

// The pkg-config packages the case's sources name on `// requires-pkg:`
// lines.
std::vector<std::string> requiredPackages(const std::vector<fs::path> &Files) {
  static const std::string Tag = "// requires-pkg:";
  std::vector<std::string> Out;
  for (const fs::path &F : Files) {
    std::ifstream In(F);
    std::string Line;
    while (std::getline(In, Line)) {
      if (Line.rfind(Tag, 0) != 0)
        continue;
      std::istringstream Names(Line.substr(Tag.size()));
      for (std::string N; Names >> N;)
        if (std::find(Out.begin(), Out.end(), N) == Out.end())
          Out.push_back(N);
    }
  }
  return Out;
}

// The compiler flags of each package found at configure time.
const json &packageFlags() {
  static const json Flags = [] {
    std::ifstream In(TETHER_TEST_PACKAGES_FILE);
    return In ? json::parse(In) : json::object();
  }();
  return Flags;
}

std::string shell(const std::string &Cmd, int &Status) {
  std::string Out;
  FILE *P = popen((Cmd + " 2>&1").c_str(), "r");
  if (!P) {
    Status = -1;
    return Out;
  }
  char Buf[4096];
  size_t N;
  while ((N = fread(Buf, 1, sizeof Buf, P)) > 0)
    Out.append(Buf, N);
  int S = pclose(P);
  Status = WIFEXITED(S) ? WEXITSTATUS(S) : -1;
  return Out;
}

class CheckTest : public ::testing::TestWithParam<Case> {};

TEST_P(CheckTest, FindingsMatchWants) {
  const Case &C = GetParam();
  std::vector<fs::path> Sources = sourcesOf(C.Path);
  ASSERT_FALSE(Sources.empty()) << "no .cpp files in " << C.Path;
  std::vector<std::string> Args = {TETHER_TEST_CXX, "-std=c++20"};
  for (const std::string &Pkg : requiredPackages(Sources)) {
    if (!packageFlags().contains(Pkg))
      GTEST_SKIP() << "needs the package " << Pkg
                   << " (not found by pkg-config when configured)";
    for (const json &Flag : packageFlags()[Pkg])
      Args.push_back(Flag.get<std::string>());
  }
  fs::path Tmp = fs::temp_directory_path() /
                 ("tether-check-test-" + std::to_string(getpid()) + "-" +
                  std::to_string(std::hash<std::string>()(C.Name)));
  fs::create_directories(Tmp);
  fs::path Include = fs::path(TETHER_CHECK_TESTS_DIR) / "include";
  json DB = json::array();
  for (const fs::path &S : Sources) {
    json Cmd = Args;
    Cmd.push_back("-I" + Include.string());
    Cmd.push_back("-c");
    Cmd.push_back(S.string());
    DB.push_back({{"directory", S.parent_path().string()},
                  {"file", S.string()},
                  {"arguments", Cmd}});
  }
  std::ofstream(Tmp / "compile_commands.json") << DB.dump(2);
  fs::path Out = Tmp / "findings.json";
  int Status = 0;
  std::string Log = shell(std::string(TETHER_BINARY) + " check -j 1 --no-cache -p " +
                              Tmp.string() + " --quiet -o json:" +
                              Out.string(),
                          Status);
  ASSERT_TRUE(Status == 0 || Status == 1)
      << "tether exited with " << Status << ":\n" << Log;
  json Result = json::parse(std::ifstream(Out));
  ASSERT_TRUE(Result["errors"].empty()) << Result["errors"].dump(2);

  std::vector<Want> Wants = parseWants(Sources);
  std::string Unexpected;
  auto FileOf = [&](const json &J) {
    fs::path P = J.get<std::string>();
    return P.is_absolute() ? P.string() : fs::weakly_canonical(P).string();
  };
  for (const json &F : Result["findings"]) {
    std::string File = FileOf(F["file"]);
    int Line = F["line"];
    std::string Check = F["check"], Msg = F["message"];
    // The label of thread I of this finding ("" when it names none).
    auto ThreadLabel = [&](size_t I) {
      const json &Ts = F["threads"];
      return I < Ts.size() ? Ts[I].get<std::string>() : std::string();
    };
    auto InThread = [&](const Want &W, size_t I) {
      return !W.HasThread ||
             std::regex_search(ThreadLabel(I), std::regex(W.ThreadRegex));
    };
    bool Matched = false;
    for (Want &W : Wants)
      if (!W.Note && !W.Met && W.File == File && W.Line == Line &&
          W.Check == Check && std::regex_search(Msg, std::regex(W.Regex)) &&
          InThread(W, 0)) {
        W.Met = Matched = true;
        break;
      }
    for (const json &N : F["notes"]) {
      std::string NF = FileOf(N["file"]);
      int NL = N["line"];
      for (Want &W : Wants)
        if (W.Note && W.File == NF && W.Line == NL &&
            std::regex_search(N["message"].get<std::string>(),
                              std::regex(W.Regex)) &&
            InThread(W, N.value("thread", 0u)))
          W.Met = true;
    }
    if (!Matched)
      Unexpected += "  " + File + ":" + std::to_string(Line) + ": [" + Check +
                    "] " + Msg + "\n";
  }
  std::string Unmet;
  for (const Want &W : Wants)
    if (!W.Met)
      Unmet += "  " + W.File + ":" + std::to_string(W.Line) + ": " +
               (W.Note ? "note" : "[" + W.Check + "]") + " \"" + W.Regex +
               "\"" +
               (W.HasThread ? " in thread \"" + W.ThreadRegex + "\"" : "") +
               "\n";
  EXPECT_TRUE(Unexpected.empty()) << "unexpected findings:\n" << Unexpected;
  EXPECT_TRUE(Unmet.empty()) << "expected but not reported:\n" << Unmet;
  fs::remove_all(Tmp);
}

INSTANTIATE_TEST_SUITE_P(
    Checks, CheckTest, ::testing::ValuesIn(discover()),
    [](const ::testing::TestParamInfo<Case> &I) {
      std::string N = I.param.Name;
      for (char &Ch : N)
        if (!isalnum(static_cast<unsigned char>(Ch)))
          Ch = '_';
      return N;
    });

} // namespace
