#include "DriverStages.h"
#include "CompileDatabase.h"
#include "SafeIO.h"
#include "ExportFixes.h"
#include "Fixes.h"
#include "Output.h"
#include "Report.h"
#include "ResultCache.h"
#include "Suppress.h"

#include "ApiModelYAML.h"

#include "clang/Basic/Stack.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/FileManager.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/ASTUnit.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Support/Compression.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <set>

#ifndef TETHER_VERSION
#define TETHER_VERSION "0.0.0"
#endif
#ifndef TETHER_CLANG_RESOURCE_DIR
#define TETHER_CLANG_RESOURCE_DIR ""
#endif
#ifndef TETHER_DOCS_URL
#define TETHER_DOCS_URL ""
#endif
#ifndef TETHER_INFORMATION_URI
#define TETHER_INFORMATION_URI ""
#endif

using namespace clang;
using namespace clang::tooling;

#define DEBUG_TYPE "tether-cache"
ALWAYS_ENABLED_STATISTIC(NumCacheHits, "TUs whose first pass came from the "
                                       "result cache");
ALWAYS_ENABLED_STATISTIC(NumCacheMisses, "TUs analysed with the result cache "
                                         "on (no valid entry)");
ALWAYS_ENABLED_STATISTIC(NumLinkedHits, "second passes read from the result "
                                        "cache");
ALWAYS_ENABLED_STATISTIC(NumCacheEvicted, "result cache entries removed to "
                                          "keep the directory in its bound");
ALWAYS_ENABLED_STATISTIC(NumDependents, "TUs whose findings may change with "
                                        "the linked facts (second passes)");

namespace tether {

namespace {

std::string absPath(llvm::StringRef P, llvm::StringRef Base = "") {
  llvm::SmallString<256> S(P);
  if (llvm::sys::path::is_relative(S) && !Base.empty()) {
    S = Base;
    llvm::sys::path::append(S, P);
  }
  llvm::sys::fs::make_absolute(S);
  llvm::sys::path::remove_dots(S, true);
  return std::string(S);
}

// Collects the first compiler error of a TU as one line.
class ErrorCollector : public DiagnosticConsumer {
public:
  void HandleDiagnostic(DiagnosticsEngine::Level L,
                        const Diagnostic &Info) override {
    DiagnosticConsumer::HandleDiagnostic(L, Info);
    if (L < DiagnosticsEngine::Error || !First.empty())
      return;
    llvm::SmallString<256> Msg;
    Info.FormatDiagnostic(Msg);
    std::string Where;
    if (Info.hasSourceManager() && Info.getLocation().isValid()) {
      PresumedLoc P =
          Info.getSourceManager().getPresumedLoc(Info.getLocation());
      if (P.isValid())
        Where = std::string(P.getFilename()) + ":" +
                std::to_string(P.getLine()) + ":" +
                std::to_string(P.getColumn()) + ": ";
    }
    First = Where + std::string(Msg);
  }
  std::string First;
};

// Parses a TU into an ASTUnit (what clang's buildASTs does), reporting
// diagnostics to the tool's consumer.
class ASTUnitAction : public ToolAction {
public:
  explicit ASTUnitAction(std::unique_ptr<ASTUnit> &Out) : Out(Out) {}
  bool runInvocation(std::shared_ptr<CompilerInvocation> Invocation,
                     FileManager *Files,
                     std::shared_ptr<PCHContainerOperations> PCHOps,
                     DiagnosticConsumer *Diags) override {
    Out = ASTUnit::LoadFromCompilerInvocation(
        Invocation, std::move(PCHOps),
        CompilerInstance::createDiagnostics(&Invocation->getDiagnosticOpts(),
                                            Diags,
                                            /*ShouldOwnClient=*/false),
        Files);
    return Out != nullptr;
  }

private:
  std::unique_ptr<ASTUnit> &Out;
};

std::vector<std::string> adjustArgs(std::vector<std::string> Args,
                                    const std::string &File,
                                    const CheckOptionsCLI &Opts) {
  CommandLineArguments A(Args.begin(), Args.end());
  A = getClangStripOutputAdjuster()(A, File);
  A = getClangStripDependencyFileAdjuster()(A, File);
  A = getClangSyntaxOnlyAdjuster()(A, File);
  // Flags GCC accepts and Clang rejects: drop them rather than fail the TU.
  A.erase(std::remove_if(A.begin(), A.end(),
                         [](const std::string &S) {
                           llvm::StringRef R(S);
                           return R.starts_with("-fconcepts-diagnostics-depth") ||
                                  R == "-fno-allow-store-data-races" ||
                                  R.starts_with("-fdeps-") ||
                                  R == "-fmodules-ts" ||
                                  R.starts_with("-fmodule-mapper") ||
                                  R == "-fno-tree-loop-distribute-patterns";
                         }),
          A.end());
  std::vector<std::string> Out(A.begin(), A.end());
  // -fno-caret-diagnostics also keeps Clang from printing "N errors
  // generated." for a TU that does not compile: we report it in one line.
  std::vector<std::string> Extra = {"-fno-caret-diagnostics",
                                    "-Wno-unknown-warning-option",
                                    "-Qunused-arguments", "-w",
                                    "-D__TETHER__=1"};
  bool HasResourceDir = false;
  for (const auto &S : Out)
    if (llvm::StringRef(S).starts_with("-resource-dir"))
      HasResourceDir = true;
  if (!HasResourceDir && *TETHER_CLANG_RESOURCE_DIR)
    Extra.push_back(std::string("-resource-dir=") + TETHER_CLANG_RESOURCE_DIR);
  // Insert before the file name (the last argument after adjusters) so that
  // "--" separated inputs stay last.
  auto Pos = Out.begin() + (Out.empty() ? 0 : 1);
  Out.insert(Pos, Opts.ExtraArgsBefore.begin(), Opts.ExtraArgsBefore.end());
  Out.insert(Out.end(), Extra.begin(), Extra.end());
  Out.insert(Out.end(), Opts.ExtraArgs.begin(), Opts.ExtraArgs.end());
  return Out;
}

// Crash isolation. Each TU is parsed and analysed on a thread of its own
// with a large stack (reserved, touched only as used), inside a crash
// recovery context whose signal handlers run on an alternate stack: a crash
// or a stack overflow in Clang or in an analysis (20,000 chained `else if`)
// becomes "could not analyse FILE" for that TU, and the run goes on.
constexpr unsigned AnalysisStackBytes = 256u << 20;

// The calling thread's alternate signal stack, for as long as it lives.
// After a crash the recovery jumps over its destructor: the stack is then
// leaked with the thread's other state, never freed while in use.
class AltSignalStack {
public:
  AltSignalStack() : Mem(new char[Size]) {
    stack_t SS = {};
    SS.ss_sp = Mem;
    SS.ss_size = Size;
    Ok = sigaltstack(&SS, nullptr) == 0;
  }
  ~AltSignalStack() {
    if (Ok) {
      stack_t SS = {};
      SS.ss_flags = SS_DISABLE;
      sigaltstack(&SS, nullptr);
    }
    delete[] Mem;
  }

private:
  static constexpr size_t Size = 256 * 1024;
  char *Mem;
  bool Ok = false;
};

std::atomic<bool> CrashRecovered{false};

// For --debug-crash-on: recursion the optimizer cannot turn into a loop.
volatile unsigned DebugRecursionLimit = ~0u;
[[gnu::noinline]] unsigned overflowStack(unsigned Depth) {
  volatile char Frame[1024];
  Frame[0] = char(Depth);
  if (Depth == DebugRecursionLimit)
    return 0;
  return overflowStack(Depth + 1) + unsigned(Frame[0]);
}

void debugCrash(const CheckOptionsCLI &Opts, const std::string &File) {
  if (Opts.DebugCrashOn.empty() ||
      File.find(Opts.DebugCrashOn) == std::string::npos)
    return;
  if (Opts.DebugCrashKind == "segv") {
    volatile int *Null = nullptr;
    *Null = 1;
  }
  (void)overflowStack(0);
}

bool runIsolated(llvm::function_ref<void()> Fn) {
  llvm::CrashRecoveryContext CRC;
  bool Ok = CRC.RunSafelyOnThread(
      [&] {
        AltSignalStack Alt;
        clang::noteBottomOfStack();
        Fn();
      },
      AnalysisStackBytes);
  if (!Ok)
    CrashRecovered = true;
  return Ok;
}

// The crash recovery context's handlers must run on the alternate stack: on
// the overflowed stack itself they cannot run at all.
void crashHandlersOnAltStack() {
  for (int Sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP}) {
    struct sigaction SA;
    if (sigaction(Sig, nullptr, &SA) != 0 || SA.sa_handler == SIG_DFL ||
        SA.sa_handler == SIG_IGN)
      continue;
    SA.sa_flags |= SA_ONSTACK;
    sigaction(Sig, &SA, nullptr);
  }
}

TUCheckSetup setupFor(const TUJob &J, const CheckOptionsCLI &Opts) {
  TUCheckSetup S;
  S.Checks = J.Cfg->Checks + "," + Opts.Checks;
  S.Models = J.Cfg->ModelSetPtr.get();
  S.Options = &J.Cfg->Options;
  S.HeaderFilter = J.HeaderFilter;
  S.ExcludeHeaderFilter = J.ExcludeHeaderFilter;
  S.SystemHeaders = J.SystemHeaders;
  S.InferModels = J.Cfg->InferModels;
  return S;
}

// Parses one TU and runs the checks on it. Without Linked (the first pass)
// the TU's facts are exported for the link phase.
// Every file the parse read (main file and headers), with the hash of the
// content it parsed: what a cache entry is valid for.
std::vector<FileDigest> readsOf(ASTUnit &AST) {
  SourceManager &SM = AST.getSourceManager();
  FileManager &FM = AST.getFileManager();
  std::vector<FileDigest> Out;
  for (auto It = SM.fileinfo_begin(); It != SM.fileinfo_end(); ++It) {
    std::optional<llvm::StringRef> Data = It->second->getBufferDataIfLoaded();
    if (!Data)
      continue;
    // Absolute, "." removed; ".." kept: lexically it may climb out of a
    // symbolic link (GCC's include paths are full of them).
    llvm::SmallString<256> P(It->first.getName());
    FM.makeAbsolutePath(P);
    llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/false);
    Out.push_back({std::string(P), llvm::xxh3_64bits(*Data)});
  }
  llvm::sort(Out, [](const FileDigest &A, const FileDigest &B) {
    return A.Path < B.Path;
  });
  Out.erase(std::unique(Out.begin(), Out.end()), Out.end());
  return Out;
}

TUResult analyseOne(const CompileCommand &Cmd, const TUJob &J,
                    const CheckOptionsCLI &Opts, const LinkedFacts *Linked,
                    bool MayKeepAST, bool CollectReads = false) {
  const std::string &File = J.File;
  TUResult R;
  std::vector<std::string> Args = adjustArgs(Cmd.CommandLine, File, Opts);
  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS = guardedRealFileSystem();
  llvm::IntrusiveRefCntPtr<AbsenceRecorder> Probes;
  if (CollectReads)
    FS = Probes = llvm::makeIntrusiveRefCnt<AbsenceRecorder>(FS);
  FS->setCurrentWorkingDirectory(Cmd.Directory);
  llvm::IntrusiveRefCntPtr<FileManager> FM(
      new FileManager(FileSystemOptions(), FS));
  ErrorCollector Diags;
  bool Ok = false;
  std::unique_ptr<ASTUnit> AST;
  bool Survived = runIsolated([&] {
    ASTUnitAction Action(AST);
    ToolInvocation Inv(Args, &Action, FM.get(),
                       std::make_shared<PCHContainerOperations>());
    Inv.setDiagnosticConsumer(&Diags);
    Ok = Inv.run() && AST && Diags.getNumErrors() == 0;
    debugCrash(Opts, File);
    if (Ok && Opts.InferOnly)
      R.Inferred = inferTUModels(AST->getASTContext(), *J.Cfg->ModelSetPtr);
    else if (Ok)
      R.Findings = runChecks(AST->getASTContext(), setupFor(J, Opts), Linked,
                             Linked ? nullptr : &R.Facts);
    if (Ok && CollectReads) {
      R.Reads = readsOf(*AST);
      R.Absent = Probes->absent();
    }
  });
  if (!Survived) {
    R.Findings.clear();
    R.Error = "the analyzer crashed on this file (a stack overflow or an "
              "internal error; please report it)";
  } else if (!Ok || Diags.getNumErrors() > 0) {
    R.Findings.clear();
    R.Error = Diags.First.empty() ? "the file could not be parsed"
                                  : "does not compile: " + Diags.First;
    if (Diags.getNumErrors() > 1)
      R.Error += " (and " + std::to_string(Diags.getNumErrors() - 1) +
                 " more errors)";
  } else if (MayKeepAST && !Opts.InferOnly && R.Facts.callsExternal()) {
    R.AST = std::move(AST);
  }
  if (!Survived)
    AST.release(); // its state is unknown after a crash: leak, never free
  return R;
}

// The link phase analyses again, on its kept AST, a TU that calls functions
// another TU defines. False when that crashed: the first pass's findings
// stay.
bool reanalyse(TUResult &R, const TUJob &J, const CheckOptionsCLI &Opts,
               const LinkedFacts &Linked) {
  std::unique_ptr<ASTUnit> AST = std::move(R.AST);
  std::vector<Finding> Again;
  bool Survived = runIsolated([&] {
    Again = runChecks(AST->getASTContext(), setupFor(J, Opts), &Linked);
  });
  if (!Survived) {
    AST.release();
    return false; // keep the first pass's findings
  }
  R.Findings = std::move(Again);
  return true;
}

std::string findSourceRoot(const std::string &Start) {
  std::string Repo = findUpward(Start, ".git");
  if (!Repo.empty())
    return Repo;
  llvm::SmallString<256> Cwd;
  llvm::sys::fs::current_path(Cwd);
  return std::string(Cwd);
}

// Validates --checks / config globs: a name without wildcards must be a
// known check.
bool validateGlobs(llvm::StringRef Globs, llvm::StringRef Where,
                   const std::set<std::string> &Known, llvm::raw_ostream &Err) {
  llvm::SmallVector<llvm::StringRef, 8> Parts;
  Globs.split(Parts, ',', -1, false);
  bool Ok = true;
  for (llvm::StringRef P : Parts) {
    P = P.trim();
    P.consume_front("-");
    if (P.empty() || P.find_first_of("*?[") != llvm::StringRef::npos)
      continue;
    if (!Known.count(P.str())) {
      Err << "error: unknown check '" << P << "' in " << Where
          << " (see 'tether check --list-checks')\n";
      Ok = false;
    }
  }
  return Ok;
}

bool writeOutput(const OutputSpec &O, const std::vector<Finding> &Findings,
                 const RunInfo &Info, bool Color) {
  auto Write = [&](llvm::raw_ostream &OS, bool UseColor) {
    if (O.Format == "html") {
      // The page is drawn from the JSON output, by the same renderer as
      // `tether report` (report/, no LLVM).
      std::string Json;
      llvm::raw_string_ostream JS(Json);
      writeJson(JS, Findings, Info);
      JS.flush();
      report::Model M;
      std::string Error;
      report::loadInput("tether check", Json, M, Error);
      report::Options RO;
      RO.SourceRoot = Info.SourceRoot;
      OS << report::renderPage(M, RO);
    } else if (O.Format == "json")
      writeJson(OS, Findings, Info);
    else if (O.Format == "sarif")
      writeSarif(OS, Findings, Info);
    else if (O.Format == "codeclimate")
      writeCodeClimate(OS, Findings, Info);
    else if (O.Format == "fixes-yaml") {
      llvm::SmallString<256> Cwd;
      llvm::sys::fs::current_path(Cwd);
      writeExportFixes(OS, Findings, std::string(Cwd), llvm::errs());
    } else
      writeText(OS, Findings, Info, UseColor);
  };
  if (O.Path == "-") {
    Write(llvm::outs(), Color);
    llvm::outs().flush();
    return true;
  }
  if (O.Path == "<stderr>") {
    Write(llvm::errs(), Color && llvm::sys::Process::StandardErrIsDisplayed());
    return true;
  }
  // Replaced atomically, so that an interrupted run never leaves a truncated
  // report where a good one was; devices and FIFOs are written in place
  // (SafeIO.h).
  std::string Why;
  if (!writeOutputFile(
          O.Path,
          [&](std::string &Text) {
            llvm::raw_string_ostream OS(Text);
            Write(OS, false);
          },
          Why)) {
    llvm::errs() << "error: cannot write '" << O.Path << "': " << Why << "\n";
    return false;
  }
  return true;
}

} // namespace

std::vector<CheckInfo> allCheckInfos() {
  std::vector<CheckInfo> Infos = registeredChecks();
  Infos.push_back(UnusedSuppressionInfo);
  std::sort(Infos.begin(), Infos.end(),
            [](const CheckInfo &A, const CheckInfo &B) { return A.Id < B.Id; });
  return Infos;
}

// Options belong to checks: an unknown key (a misspelling, an option of
// another check) or a value of the wrong type is an error, not ignored.
bool validateConfigOptions(const Config &C, llvm::raw_ostream &Err) {
  std::vector<CheckInfo> Known = allCheckInfos();
  for (const auto &[Key, Value] : C.Options) {
    std::string Why;
    if (!validateOption(Key, Value, Known, Why)) {
      auto From = C.Origin.find("options." + Key);
      Err << (From != C.Origin.end() ? From->second : C.Path)
          << ": error: " << Why << "\n";
      return false;
    }
  }
  return true;
}


bool recoveredFromCrash() { return CrashRecovered; }

int listChecks(const CheckOptionsCLI &Opts) {
  std::string Globs = "*," + Opts.Checks;
  for (const CheckInfo &I : allCheckInfos())
    if (checkEnabled(Globs, I.Id))
      llvm::outs() << I.Id << "\t" << I.Summary << "\n";
  return ExitClean;
}

int listOptions(const CheckOptionsCLI &Opts) {
  std::string Globs = "*," + Opts.Checks;
  for (const CheckInfo &I : allCheckInfos())
    if (checkEnabled(Globs, I.Id))
      for (const OptionInfo &O : I.Options)
        llvm::outs() << I.Id << "." << O.Name << "\t"
                     << optionTypeName(O.Type) << "\t"
                     << (O.Default.empty() ? "\"\"" : O.Default) << "\t"
                     << O.Description << "\n";
  return ExitClean;
}

TUResult::TUResult() = default;
TUResult::~TUResult() = default;
TUResult::TUResult(TUResult &&) = default;
TUResult &TUResult::operator=(TUResult &&) = default;

int collectInputs(const CheckOptionsCLI &Opts, Inputs &In,
                  llvm::raw_ostream &Err) {
  std::set<std::string> Known;
  for (const CheckInfo &I : allCheckInfos())
    Known.insert(I.Id);
  if (!validateGlobs(Opts.Checks, "--checks", Known, Err))
    return ExitUsage;
  std::string Why;
  if (Opts.HeaderFilterSet && !llvm::Regex(Opts.HeaderFilter).isValid(Why)) {
    Err << "error: invalid --header-filter regex: " << Why << "\n";
    return ExitUsage;
  }
  if (Opts.ExcludeHeaderFilterSet &&
      !llvm::Regex(Opts.ExcludeHeaderFilter).isValid(Why)) {
    Err << "error: invalid --exclude-header-filter regex: " << Why << "\n";
    return ExitUsage;
  }

  // Pull-request mode: the changed lines, known before any analysis so a
  // bad revision fails fast.
  if (!Opts.LineFilterJson.empty()) {
    std::string Text = Opts.LineFilterJson;
    if (llvm::StringRef(Text).starts_with("@")) {
      std::string File = Text.substr(1), ReadWhy;
      if (!readInputFile(File, MaxConfigBytes, Text, ReadWhy)) {
        Err << "error: cannot read --line-filter file '" << File
            << "': " << ReadWhy << "\n";
        return ExitUsage;
      }
    }
    In.ChangedLines = LineFilter::fromJson(Text, Why);
    if (!In.ChangedLines) {
      Err << "error: invalid --line-filter: " << Why << "\n";
      return ExitUsage;
    }
  } else if (!Opts.DiffBase.empty()) {
    In.ChangedLines = LineFilter::fromGitDiff(Opts.DiffBase, absPath("."), Why);
    if (!In.ChangedLines) {
      Err << "error: " << Why << "\n";
      return ExitUsage;
    }
  }

  // Compilation database.
  std::string ErrMsg;
  std::unique_ptr<CompilationDatabase> &DB = In.DB;
  if (Opts.FixedFlags) {
    In.DBDir = absPath(".");
    DB = std::make_unique<FixedCompilationDatabase>(In.DBDir, *Opts.FixedFlags);
  } else if (!Opts.BuildPath.empty()) {
    std::string P = absPath(Opts.BuildPath);
    std::string DBFile;
    if (llvm::sys::fs::is_directory(P)) {
      llvm::SmallString<256> J(P);
      llvm::sys::path::append(J, "compile_commands.json");
      if (!llvm::sys::fs::exists(J)) {
        Err << "error: no compile_commands.json in '" << Opts.BuildPath
            << "' (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "
               "or run the build under bear)\n";
        return ExitUsage;
      }
      DBFile = std::string(J);
      In.DBDir = P;
    } else if (!llvm::sys::fs::exists(P)) {
      Err << "error: build directory '" << Opts.BuildPath
          << "' does not exist\n";
      return ExitUsage;
    } else {
      DBFile = P;
      In.DBDir = std::string(llvm::sys::path::parent_path(P));
    }
    In.DBInput = DBFile;
    DB = loadCompileDatabase(DBFile, ErrMsg);
    if (!DB) {
      Err << "error: " << ErrMsg << "\n";
      return ExitUsage;
    }
  } else {
    std::string Start = Opts.Files.empty()
                            ? absPath(".")
                            : std::string(llvm::sys::path::parent_path(
                                  absPath(Opts.Files.front())));
    // compile_commands.json above the start, read strictly; else whatever
    // else Clang finds there (compile_flags.txt).
    std::string Found = findUpward(Start, "compile_commands.json");
    if (!Found.empty()) {
      llvm::SmallString<256> J(Found);
      llvm::sys::path::append(J, "compile_commands.json");
      In.DBInput = std::string(J);
      DB = loadCompileDatabase(In.DBInput, ErrMsg);
      if (!DB) {
        Err << "error: " << ErrMsg << "\n";
        return ExitUsage;
      }
      In.DBDir = Found;
    } else {
      DB = CompilationDatabase::autoDetectFromDirectory(Start, ErrMsg);
      In.DBDir = Start;
    }
  }
  if (!DB) {
    llvm::StringRef Msg(ErrMsg);
    Err << "error: cannot load compilation database: "
        << Msg.trim().split('\n').first << "\n";
    return ExitUsage;
  }

  // Inputs.
  std::vector<std::string> Files;
  if (Opts.Files.empty()) {
    Files = DB->getAllFiles();
    if (Files.empty()) {
      Err << "error: the compilation database lists no files\n";
      return ExitUsage;
    }
  } else {
    for (const std::string &F : Opts.Files) {
      std::string A = absPath(F);
      if (!llvm::sys::fs::exists(A)) {
        In.Errors.push_back({A, "no such file"});
        continue;
      }
      llvm::sys::fs::file_status St;
      if (!llvm::sys::fs::status(A, St) &&
          St.type() != llvm::sys::fs::file_type::regular_file) {
        In.Errors.push_back({A, "not a regular file"});
        continue;
      }
      Files.push_back(A);
    }
  }
  std::sort(Files.begin(), Files.end());
  Files.erase(std::unique(Files.begin(), Files.end()), Files.end());

  // Configs: one per distinct .tether.yaml, loaded before any analysis so
  // that a broken config stops the run with a clear message.
  bool ConfigOk = true;
  auto GetConfig = [&](const std::string &Path) -> const Config * {
    auto It = In.Configs.find(Path);
    if (It != In.Configs.end())
      return It->second.get();
    auto C = std::make_unique<Config>();
    bool Ok = Path.empty() ? defaultConfig(*C, Err) : loadConfig(Path, *C, Err);
    if (Ok)
      Ok = validateGlobs(C->Checks, Path + ": 'checks'", Known, Err) &&
           validateConfigOptions(*C, Err);
    if (!Ok) {
      ConfigOk = false;
      return nullptr;
    }
    return (In.Configs[Path] = std::move(C)).get();
  };
  if (!Opts.ConfigFile.empty() && !llvm::sys::fs::exists(Opts.ConfigFile)) {
    Err << "error: config file '" << Opts.ConfigFile << "' does not exist\n";
    return ExitUsage;
  }
  for (const std::string &F : Files) {
    std::string CfgPath =
        Opts.ConfigFile.empty()
            ? findConfigFor(std::string(llvm::sys::path::parent_path(F)))
            : absPath(Opts.ConfigFile);
    if (const Config *C = GetConfig(CfgPath))
      In.Jobs.push_back({F, C, nullptr});
  }
  if (!ConfigOk)
    return ExitUsage;

  // Outputs: what cannot be written is refused before the analysis, and no
  // output may overwrite an input (a source, the database, a config, the
  // baseline).
  std::vector<std::string> Protect = Files;
  if (!In.DBInput.empty())
    Protect.push_back(In.DBInput);
  for (auto &[Path, C] : In.Configs)
    if (!Path.empty())
      Protect.push_back(Path);
  std::vector<std::pair<std::string, bool>> Targets; // path, is baseline
  for (const OutputSpec &O : Opts.Outputs)
    if (O.Path != "-" && O.Path != "<stderr>")
      Targets.push_back({O.Path, false});
  if (!Opts.WriteBaseline.empty())
    Targets.push_back({Opts.WriteBaseline, true});
  for (const auto &[Target, IsBaseline] : Targets) {
    std::string Why;
    if (!checkOutputPath(Target, Why)) {
      Err << "error: cannot write '" << Target << "': " << Why << "\n";
      return ExitUsage;
    }
    std::vector<std::string> Protected = Protect;
    // --write-baseline over the --baseline it reads is how a baseline is
    // renewed; any other output over it is not.
    if (!Opts.Baseline.empty() && !IsBaseline)
      Protected.push_back(Opts.Baseline);
    for (const std::string &Input : Protected)
      if (sameFile(Target, Input)) {
        Err << "error: refusing to write '" << Target << "': it is the input '"
            << Input << "'\n";
        return ExitUsage;
      }
  }

  // Header filters, compiled once per config; the command line's win.
  for (auto &[Path, C] : In.Configs) {
    std::string HF = Opts.HeaderFilterSet ? Opts.HeaderFilter : C->HeaderFilter;
    if (!HF.empty())
      In.HeaderFilters[C.get()] = std::make_unique<llvm::Regex>(HF);
    std::string XF = Opts.ExcludeHeaderFilterSet ? Opts.ExcludeHeaderFilter
                                                 : C->ExcludeHeaderFilter;
    if (!XF.empty())
      In.ExcludeHeaderFilters[C.get()] = std::make_unique<llvm::Regex>(XF);
  }
  for (TUJob &J : In.Jobs) {
    auto It = In.HeaderFilters.find(J.Cfg);
    J.HeaderFilter = It == In.HeaderFilters.end() ? nullptr : It->second.get();
    auto Xt = In.ExcludeHeaderFilters.find(J.Cfg);
    J.ExcludeHeaderFilter =
        Xt == In.ExcludeHeaderFilters.end() ? nullptr : Xt->second.get();
    J.SystemHeaders = Opts.SystemHeaders.value_or(J.Cfg->SystemHeaders);
  }
  return ExitClean;
}

namespace {

// R.Packed from Bytes, an entry encoded under R.CacheKey.
void pack(TUResult &R, llvm::StringRef Bytes) {
  R.PackedSize = Bytes.size();
  if (!llvm::compression::zstd::isAvailable()) {
    R.Packed = Bytes.str();
    return;
  }
  llvm::SmallVector<uint8_t, 0> Z;
  llvm::compression::zstd::compress(llvm::arrayRefFromStringRef(Bytes), Z,
                                    llvm::compression::zstd::BestSpeedCompression);
  // Exactly its size: the buffer zstd wrote to is as large as the input.
  R.Packed = llvm::toStringRef(Z).str();
}

// Findings and Facts back from R.Packed.
bool unpack(TUResult &R) {
  llvm::SmallVector<uint8_t, 0> Raw;
  llvm::StringRef Bytes = R.Packed;
  if (llvm::compression::zstd::isAvailable()) {
    if (llvm::Error E = llvm::compression::zstd::decompress(
            llvm::arrayRefFromStringRef(R.Packed), Raw, R.PackedSize)) {
      llvm::consumeError(std::move(E));
      return false;
    }
    Bytes = llvm::toStringRef(Raw);
  }
  StoredTU T;
  std::string Why;
  if (!decodeStoredTU(Bytes, R.CacheKey, T, Why))
    return false;
  R.Findings = std::move(T.Findings);
  R.Facts = std::move(T.Facts);
  R.Packed = std::string();
  R.PackedSize = 0;
  return true;
}

} // namespace

std::vector<TUResult> analyseAll(const Inputs &In, const CheckOptionsCLI &Opts,
                                 llvm::ThreadPoolInterface &Pool,
                                 bool KeepASTs, ResultCache *Cache) {
  // One setup digest per config (the cache key's part for it).
  std::map<const Config *, std::string> Setups;
  if (Cache)
    for (const TUJob &J : In.Jobs)
      if (!Setups.count(J.Cfg))
        Setups[J.Cfg] = setupDigest(J, Opts);
  std::vector<TUResult> Results(In.Jobs.size());
  // ASTs of TUs that call into other TUs are kept for the link phase while
  // the heap stays under this size; later ones are parsed again if the link
  // phase needs them.
  constexpr size_t KeepASTsBelowBytes = size_t(2) << 30;
  for (size_t I = 0; I < In.Jobs.size(); ++I)
    Pool.async([&, I] {
      const TUJob &J = In.Jobs[I];
      std::vector<CompileCommand> Cmds = In.DB->getCompileCommands(J.File);
      if (Cmds.empty()) {
        Results[I].Error = "no compile command for this file in the "
                           "compilation database";
        return;
      }
      if (!llvm::sys::fs::is_directory(Cmds.front().Directory)) {
        Results[I].Error = "the compile command's directory '" +
                           Cmds.front().Directory + "' does not exist";
        return;
      }
      if (!llvm::sys::fs::is_regular_file(J.File)) {
        Results[I].Error = llvm::sys::fs::exists(J.File) ? "not a regular file"
                                                         : "no such file";
        return;
      }
      std::string Key;
      if (Cache && !Opts.InferOnly) {
        const CompileCommand &C = Cmds.front();
        Key = Cache->key(J.File, C.Directory,
                         adjustArgs(C.CommandLine, J.File, Opts),
                         Setups.at(J.Cfg));
        StoredTU T;
        std::string Bytes;
        if (Cache->lookup(Key, T, &Bytes) && T.Error.empty()) {
          // Decoded twice, here to check its reads and again when unpacked:
          // a warm run costs 0.3 % of a cold one on RocksDB (bench/README),
          // so reading the reads alone first is left for later.
          ++NumCacheHits;
          Results[I].CacheKey = std::move(Key);
          pack(Results[I], Bytes);
          return;
        }
        ++NumCacheMisses;
      }
      TUResult &R = Results[I];
      R = analyseOne(Cmds.front(), J, Opts, nullptr, KeepASTs,
                     /*CollectReads=*/!Key.empty());
      if (!R.Error.empty() || Opts.InferOnly)
        return;
      if (R.AST && llvm::sys::Process::GetMallocUsage() > KeepASTsBelowBytes)
        R.AST.reset();
      // The entry, for the cache and, once the AST is gone, for R itself;
      // not made for a result that keeps its AST and is not cached.
      if (R.AST && (Key.empty() || R.Reads.empty())) {
        R.CacheKey = std::move(Key);
        return;
      }
      StoredTU T;
      T.File = J.File;
      T.Findings = std::move(R.Findings);
      T.Facts = std::move(R.Facts);
      if (R.AST) {
        // A second pass on the AST is stored under the reads of its parse.
        T.Reads = R.Reads;
        T.Absent = R.Absent;
      } else {
        T.Reads = std::move(R.Reads);
        T.Absent = std::move(R.Absent);
        R.Reads = {};
        R.Absent = {};
      }
      std::string Bytes = encodeStoredTU(T, Key);
      R.CacheKey = std::move(Key);
      if (!R.CacheKey.empty() && !T.Reads.empty())
        Cache->store(R.CacheKey, Bytes);
      if (R.AST) {
        R.Findings = std::move(T.Findings);
        R.Facts = std::move(T.Facts);
      } else {
        T = StoredTU();
        pack(R, Bytes);
      }
    });
  Pool.wait();
  for (size_t I = 0; I < Results.size(); ++I)
    if (!Results[I].Packed.empty())
      Pool.async([&, I] {
        // The bytes were encoded, or read and decoded, by this run.
        if (!unpack(Results[I]))
          Results[I].Error = "internal error: the result of the analysis "
                             "could not be read back";
      });
  Pool.wait();
  return Results;
}

LinkedFacts linkFacts(llvm::ArrayRef<TUResult> Results) {
  std::vector<const TUFacts *> All;
  for (const TUResult &R : Results)
    if (R.Error.empty())
      All.push_back(&R.Facts);
  return LinkedFacts::link(All);
}

std::vector<size_t> dependents(const LinkedFacts &Linked,
                               llvm::ArrayRef<TUResult> Results) {
  std::vector<size_t> Out;
  for (size_t I = 0; I < Results.size(); ++I)
    if (Results[I].Error.empty() && Linked.affects(Results[I].Facts))
      Out.push_back(I);
  NumDependents += Out.size();
  return Out;
}

void recheck(const Inputs &In, const CheckOptionsCLI &Opts,
             const LinkedFacts &Linked, llvm::ArrayRef<size_t> Which,
             std::vector<TUResult> &Results, llvm::ThreadPoolInterface &Pool,
             ResultCache *Cache) {
  // What the second passes need of the first passes' facts is in Linked
  // now, and in the digests of what it says about each dependent's callees
  // (the key of its stored second pass): every TU's facts are freed before
  // any parse, with the ASTs the link phase does not need.
  std::map<size_t, uint64_t> Digests;
  for (size_t I : Which)
    if (Cache && !Results[I].CacheKey.empty())
      Digests[I] = linkedDigestFor(Linked, Results[I].Facts);
  for (size_t I = 0; I < Results.size(); ++I) {
    if (!llvm::is_contained(Which, I))
      Results[I].AST.reset();
    Results[I].Facts = TUFacts();
  }
  for (size_t I : Which)
    Pool.async([&, I] {
      const TUJob &J = In.Jobs[I];
      TUResult &R = Results[I];
      bool Cached = Cache && !R.CacheKey.empty();
      uint64_t Digest = Cached ? Digests.at(I) : 0;
      if (Cached && Cache->lookupLinked(R.CacheKey, Digest, R.Findings)) {
        ++NumLinkedHits;
        R.AST.reset();
        return;
      }
      std::vector<FileDigest> Reads = std::move(R.Reads);
      std::vector<std::string> Absent = std::move(R.Absent);
      bool Done = false;
      if (R.AST) {
        Done = reanalyse(R, J, Opts, Linked);
      } else if (std::vector<CompileCommand> Cmds =
                     In.DB->getCompileCommands(J.File);
                 !Cmds.empty()) {
        TUResult Again = analyseOne(Cmds.front(), J, Opts, &Linked,
                                    /*MayKeepAST=*/false,
                                    /*CollectReads=*/Cached);
        if (Again.Error.empty()) {
          R.Findings = std::move(Again.Findings);
          Reads = std::move(Again.Reads);
          Absent = std::move(Again.Absent);
          Done = true;
        }
      }
      // Stored under the reads of the parse that made it.
      if (Cached && Done && !Reads.empty()) {
        StoredTU T;
        T.File = J.File;
        T.Findings = R.Findings;
        T.Reads = std::move(Reads);
        T.Absent = std::move(Absent);
        Cache->storeLinked(R.CacheKey, Digest, T);
      }
    });
  Pool.wait();
}

Merged mergeResults(const Inputs &In, std::vector<TUResult> &&Results) {
  Merged M;
  M.Errors = In.Errors;
  std::set<std::tuple<std::string, std::string, unsigned, unsigned,
                      std::string>>
      Seen;
  for (size_t I = 0; I < Results.size() && I < In.Jobs.size(); ++I) {
    if (!Results[I].Error.empty()) {
      M.Errors.push_back({In.Jobs[I].File, Results[I].Error});
      continue;
    }
    M.Analysed.push_back(In.Jobs[I].File);
    for (Finding &F : Results[I].Findings)
      if (Seen.insert({F.CheckId, F.Where.File, F.Where.Line, F.Where.Column,
                       F.Message})
              .second)
        M.Findings.push_back(std::move(F));
  }
  Results.clear();
  return M;
}

std::vector<std::string> enabledCheckIds(const Inputs &In,
                                         const CheckOptionsCLI &Opts) {
  std::vector<std::string> Ids;
  for (const CheckInfo &I : allCheckInfos()) {
    bool On = false;
    for (auto &[P, C] : In.Configs)
      On |= checkEnabled(C->Checks + "," + Opts.Checks, I.Id);
    if (On)
      Ids.push_back(I.Id);
  }
  return Ids;
}

int suppressAndBaseline(Merged &M, llvm::ArrayRef<std::string> EnabledIds,
                        const CheckOptionsCLI &Opts, llvm::raw_ostream &Err) {
  bool ReportUnused = Opts.ReportUnusedSuppressions &&
                      llvm::is_contained(EnabledIds, UnusedSuppressionInfo.Id);
  std::vector<std::string> ScanFiles = M.Analysed;
  for (const Finding &F : M.Findings)
    ScanFiles.push_back(F.Where.File);
  std::sort(ScanFiles.begin(), ScanFiles.end());
  ScanFiles.erase(std::unique(ScanFiles.begin(), ScanFiles.end()),
                  ScanFiles.end());
  SuppressionIndex().apply(M.Findings, ScanFiles, EnabledIds.vec(),
                           ReportUnused);

  std::sort(M.Findings.begin(), M.Findings.end());
  assignFingerprints(M.Findings);

  if (!Opts.WriteBaseline.empty()) {
    std::string Why;
    if (!writeBaseline(Opts.WriteBaseline, M.Findings, Why)) {
      Err << "error: " << Why << "\n";
      return ExitOutput;
    }
  }
  if (!Opts.Baseline.empty()) {
    std::vector<std::string> FPs;
    std::string Why;
    if (!readBaseline(Opts.Baseline, FPs, Why)) {
      Err << "error: " << Why << "\n";
      return ExitUsage;
    }
    applyBaseline(M.Findings, FPs);
  }
  return ExitClean;
}

std::string generatedLine(llvm::ArrayRef<Finding> Findings,
                          size_t InputErrors) {
  // Remarks are not counted, like clang's.
  size_t Warnings = 0, Errors = InputErrors;
  for (const Finding &F : Findings) {
    Warnings += F.Level == Severity::Warning;
    Errors += F.Level == Severity::Error;
  }
  auto Count = [](size_t N, llvm::StringRef What) {
    return std::to_string(N) + " " + What.str() + (N == 1 ? "" : "s");
  };
  if (!Warnings && !Errors)
    return "";
  std::string S;
  if (Warnings)
    S = Count(Warnings, "warning");
  if (Errors)
    S += (S.empty() ? "" : " and ") + Count(Errors, "error");
  return S + " generated.";
}

size_t filterChangedLines(const Inputs &In, Merged &M,
                          const CheckOptionsCLI &Opts) {
  if (!In.ChangedLines)
    return 0;
  return applyLineFilter(M.Findings, *In.ChangedLines, Opts.DiffNotes);
}

int writeResults(const Inputs &In, const Merged &M,
                 llvm::ArrayRef<std::string> EnabledIds,
                 const CheckOptionsCLI &Opts) {
  RunInfo Info;
  Info.ToolVersion = TETHER_VERSION;
  Info.InformationUri = TETHER_INFORMATION_URI;
  Info.DocsBaseUrl = TETHER_DOCS_URL;
  Info.SourceRoot = findSourceRoot(In.DBDir);
  for (const CheckInfo &CI : allCheckInfos())
    if (llvm::is_contained(EnabledIds, CI.Id))
      Info.Checks.push_back(CI);
  Info.Errors = M.Errors;
  Info.CommandLine = Opts.CommandLine;

  bool TextOnStdout = false;
  for (const OutputSpec &O : Opts.Outputs)
    TextOnStdout |=
        (O.Path == "-" || O.Path == "<stderr>") && O.Format == "text";
  if (!TextOnStdout)
    for (const InputError &E : M.Errors)
      llvm::errs() << "error: cannot analyse " << E.File << ": " << E.Message
                   << "\n";
  bool WriteOk = true;
  for (const OutputSpec &O : Opts.Outputs)
    WriteOk &= writeOutput(O, M.Findings, Info, Opts.Color);
  if (!WriteOk)
    return ExitOutput;
  // Like the compiler and clang-tidy, a human-read run ends with a count on
  // stderr; a machine-read stdout (JSON, SARIF) keeps stderr quiet.
  if (std::string Count = generatedLine(M.Findings, M.Errors.size());
      TextOnStdout && !Count.empty()) {
    llvm::outs().flush(); // the report before the count, on a terminal too
    llvm::errs() << Count << "\n";
  }

  // Fix-its of the findings that are reported (suppressed and baselined
  // ones are gone by now). Exit codes do not change: the findings were
  // reported.
  if (Opts.Fix || Opts.FixDryRun) {
    std::set<std::string> Sources(M.Analysed.begin(), M.Analysed.end());
    FixOptions FO;
    FO.DryRun = Opts.FixDryRun;
    FO.DisplayRoot = Info.SourceRoot;
    FO.Allowed = [&](const std::string &File) {
      if (Sources.count(File))
        return true;
      for (const auto &[C, Re] : In.HeaderFilters) {
        auto X = In.ExcludeHeaderFilters.find(C);
        if (Re && Re->match(File) &&
            !(X != In.ExcludeHeaderFilters.end() && X->second->match(File)))
          return true;
      }
      return false;
    };
    FixSummary S = applyFixes(M.Findings, FO, llvm::outs(), llvm::errs());
    llvm::outs().flush();
    llvm::errs() << "tether: " << (Opts.FixDryRun ? "would apply " : "applied ")
                 << S.Applied << " fix-its in " << S.Files << " files";
    if (S.Refused)
      llvm::errs() << " (" << S.Refused << " not applied)";
    llvm::errs() << "\n";
  }
  if (!M.Errors.empty())
    return ExitPartial;
  return M.Findings.empty() ? ExitClean : ExitFindings;
}

namespace {

// One line when the cache could not be written (the run's results are not
// affected); then the directory is trimmed to its bound if this run added
// to it.
void finishCache(ResultCache *Cache, const CheckOptionsCLI &Opts) {
  if (!Cache)
    return;
  if (std::string Why = Cache->firstError(); !Why.empty() && !Opts.Quiet)
    llvm::errs() << "tether: warning: results not cached in '"
                 << Cache->root() << "': " << Why << "\n";
  if (Cache->stored())
    NumCacheEvicted += Cache->trim(Opts.CacheMaxBytes);
}

// `--shard I/N`: the slice's first pass into the shard directory; the link
// phase and the report belong to the merge.
int runShard(Inputs &In, const CheckOptionsCLI &Opts, ResultCache *Cache) {
  if (int Rc = prepareShardDir(Opts.ShardDir, llvm::errs()); Rc != ExitClean)
    return Rc;
  std::vector<size_t> Slice =
      shardSlice(In.Jobs.size(), Opts.ShardIndex, Opts.ShardCount);
  Inputs Part;
  Part.DB = std::move(In.DB);
  for (size_t I : Slice)
    Part.Jobs.push_back(In.Jobs[I]);
  std::vector<TUResult> Results;
  {
    llvm::DefaultThreadPool Pool(llvm::hardware_concurrency(Opts.Jobs));
    Results = analyseAll(Part, Opts, Pool, /*KeepASTs=*/false, Cache);
  }
  finishCache(Cache, Opts);
  In.DB = std::move(Part.DB);
  size_t Failed = 0;
  for (const TUResult &R : Results)
    Failed += !R.Error.empty();
  if (int Rc = writeShard(In, Opts, Slice, Results, llvm::errs());
      Rc != ExitClean)
    return Rc;
  if (!Opts.Quiet)
    llvm::errs() << "tether: shard " << Opts.ShardIndex << "/"
                 << Opts.ShardCount << ": " << Slice.size()
                 << " translation unit" << (Slice.size() == 1 ? "" : "s")
                 << " analysed into " << Opts.ShardDir
                 << (Failed ? " (" + std::to_string(Failed) +
                                  " could not be analysed; the merge reports "
                                  "them)"
                            : std::string())
                 << "\n";
  return ExitClean;
}

} // namespace

int runCheck(const CheckOptionsCLI &Opts) {
  llvm::CrashRecoveryContext::Enable();
  crashHandlersOnAltStack();
  Inputs In;
  if (int Rc = collectInputs(Opts, In, llvm::errs()); Rc != ExitClean)
    return Rc;
  std::optional<ResultCache> Cache;
  if (!Opts.CacheDir.empty())
    Cache.emplace(Opts.CacheDir);
  ResultCache *C = Cache ? &*Cache : nullptr;
  if (Opts.ShardCount)
    return runShard(In, Opts, C);
  std::vector<TUResult> Results;
  {
    llvm::DefaultThreadPool Pool(llvm::hardware_concurrency(Opts.Jobs));
    if (!Opts.MergeDirs.empty()) {
      if (int Rc = readShards(In, Opts, Results, llvm::errs());
          Rc != ExitClean)
        return Rc;
    } else {
      Results = analyseAll(In, Opts, Pool, Opts.KeepASTs, C);
    }
    LinkedFacts Linked = linkFacts(Results);
    std::vector<size_t> Again = dependents(Linked, Results);
    recheck(In, Opts, Linked, Again, Results, Pool, C);
  }
  finishCache(C, Opts);
  Merged M = mergeResults(In, std::move(Results));
  std::vector<std::string> EnabledIds = enabledCheckIds(In, Opts);
  if (int Rc = suppressAndBaseline(M, EnabledIds, Opts, llvm::errs());
      Rc != ExitClean)
    return Rc;
  if (size_t Dropped = filterChangedLines(In, M, Opts); Dropped && !Opts.Quiet)
    llvm::errs() << "tether: " << Dropped << " finding"
                 << (Dropped == 1 ? "" : "s")
                 << " not on changed lines not shown\n";
  return writeResults(In, M, EnabledIds, Opts);
}

int runInfer(const CheckOptionsCLI &Opts, llvm::raw_ostream &Out) {
  llvm::CrashRecoveryContext::Enable();
  crashHandlersOnAltStack();
  CheckOptionsCLI InferOpts = Opts;
  InferOpts.InferOnly = true;
  Inputs In;
  if (int Rc = collectInputs(InferOpts, In, llvm::errs()); Rc != ExitClean)
    return Rc;
  std::vector<TUResult> Results;
  {
    llvm::DefaultThreadPool Pool(llvm::hardware_concurrency(Opts.Jobs));
    Results = analyseAll(In, InferOpts, Pool);
  }
  ApiModel All;
  All.Library = "inferred";
  All.Description = "channels and stop sources read off the project's own "
                    "classes by 'tether models --infer'; review before use";
  int Rc = ExitClean;
  for (size_t I = 0; I < Results.size(); ++I) {
    if (!Results[I].Error.empty()) {
      llvm::errs() << In.Jobs[I].File << ": error: " << Results[I].Error
                   << "\n";
      Rc = ExitPartial;
    }
    // A class defined in a header is read in every TU that includes it:
    // the first TU's reading is kept.
    if (Results[I].Inferred)
      for (const ChannelModel &C : Results[I].Inferred->Channels)
        if (llvm::none_of(All.Channels, [&](const ChannelModel &Have) {
              return Have.Types == C.Types;
            }))
          All.Channels.push_back(C);
    if (Results[I].Inferred)
      for (const CancelSourceModel &S :
           Results[I].Inferred->Cancellation.Sources)
        if (llvm::none_of(All.Cancellation.Sources,
                          [&](const CancelSourceModel &Have) {
                            return Have.Type == S.Type;
                          }))
          All.Cancellation.Sources.push_back(S);
  }
  for (const InputError &E : In.Errors) {
    llvm::errs() << E.File << ": error: " << E.Message << "\n";
    Rc = ExitPartial;
  }
  llvm::sort(All.Channels, [](const ChannelModel &A, const ChannelModel &B) {
    return A.Types < B.Types;
  });
  llvm::sort(All.Cancellation.Sources,
             [](const CancelSourceModel &A, const CancelSourceModel &B) {
               return A.Type < B.Type;
             });
  llvm::yaml::Output Y(Out);
  Y << All;
  return Rc;
}

} // namespace tether
