// The clang-tidy plugin: `clang-tidy -load libtetherTidy.so
// -checks='-*,tether-*'` runs the tether checks that decide their findings
// from one translation unit as clang-tidy checks named tether-<check-id>
// (docs/clang-tidy.md lists them and says why the others are not here).
//
// A front end like tool/: it reaches the checks layer through
// checks/core/TUChecks.h (the facade the driver calls) and reads the
// project's `.tether.yaml` with the driver's loader (checks/core/Config.h).
// Each tidy check adapts one tether check; the first of them to see a TU runs
// every enabled tether-* check on it at once, so the analyses they share are
// computed once per function as in `tether check`, and each tidy check then
// emits its own findings with diag(), their notes and their fix-its.
#include "Config.h"
#include "TUChecks.h"

#include "clang-tidy/ClangTidyCheck.h"
#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"

#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace clang;
using namespace clang::ast_matchers;

namespace tether::tidy {
namespace {

constexpr llvm::StringLiteral Prefix = "tether-";

// The tether checks whose findings one TU decides: none of them asks an
// analysis that reads the link phase's view of other TUs (the facts of
// callees defined elsewhere, analysis/Facts.h; their channel summaries,
// analysis/ChannelSummaries.h; the paths that end at a call that never
// returns, analysis/HandlePaths.h), so `tether check` over a whole project
// reports for this TU exactly what they report on it alone. The others read
// that view (and some report at a place in another TU): docs/clang-tidy.md
// says which and why.
constexpr llvm::StringLiteral OneTUChecks[] = {
    "cancel-dropped-token",        // cancel sources, this function's AST
    "cancel-lost",                 // the function's own CFG
    "cancel-uninterruptible-wait", // lock state, stop paths, models
    "thread-loop-capture-by-ref",  // spawns in loops, captures
    "thread-unbounded-spawn",      // spawn loops, count origins in the TU
};

const CheckInfo *findCheck(llvm::StringRef Id) {
  for (const CheckInfo &I : registeredChecks())
    if (I.Id == Id)
      return &I;
  return nullptr;
}

// The `.tether.yaml` nearest to a main file, loaded once per file: its
// models (and infer_models) apply; which checks run, the header filters and
// the options are clang-tidy's own configuration.
struct LoadedConfig {
  bool Ok = false;
  std::string Errors;
  Config Cfg;
};

// What the tidy checks of one clang-tidy run share: the configs read so far
// and the findings of the TU being analysed, by check id.
class Session {
public:
  // The options of check Id that clang-tidy's CheckOptions set
  // ("tether-<id>.<name>"), as tether keys ("<id>.<name>"), keeping only
  // those that pass the check's own validation.
  static OptionValues optionsOf(llvm::StringRef Id,
                                clang::tidy::ClangTidyContext &Tidy,
                                std::vector<std::string> *Errors = nullptr) {
    OptionValues Out;
    std::string Own = (Prefix + Id + ".").str();
    for (const auto &E : Tidy.getOptions().CheckOptions) {
      llvm::StringRef K = E.getKey();
      if (!K.consume_front(Own))
        continue;
      std::string TetherKey = (Id + "." + K).str();
      const std::string &Value = E.getValue().Value;
      std::string Error;
      if (validateOption(TetherKey, Value, registeredChecks(), Error))
        Out[TetherKey] = Value;
      else if (Errors)
        Errors->push_back(std::move(Error));
    }
    return Out;
  }

  // Called by every tidy check before the TU is matched.
  void startTU() {
    Ran = false;
    ById.clear();
    Files.clear();
  }

  // The place a finding names, in this TU's source manager; invalid when
  // the file is not part of the TU.
  SourceLocation locate(const SourceManager &SM, const SourcePoint &P,
                        bool End = false) {
    unsigned Line = End ? P.EndLine : P.Line;
    unsigned Col = End ? P.EndColumn : P.Column;
    if (P.File.empty() || Line == 0 || Col == 0)
      return {};
    if (Files.empty())
      indexFiles(SM);
    auto It = Files.find(P.File);
    if (It == Files.end())
      return {};
    return SM.translateLineCol(It->second, Line, Col);
  }

  // The findings of check Id on the TU of Context, computed on the first
  // call for every tether-* check enabled there.
  std::vector<Finding> take(llvm::StringRef Id, ASTContext &AST,
                            clang::tidy::ClangTidyContext &Tidy,
                            const clang::tidy::ClangTidyCheck &Reporter) {
    if (!Ran) {
      Ran = true;
      run(AST, Tidy, Reporter);
    }
    auto It = ById.find(Id.str());
    if (It == ById.end())
      return {};
    std::vector<Finding> Out = std::move(It->second);
    ById.erase(It);
    return Out;
  }

private:
  // Every file of the TU under the name findings give it: the name the
  // compiler opened it by, made absolute and without dots (what
  // toSourcePoint in analysis/AnalysisContext.cpp writes).
  void indexFiles(const SourceManager &SM) {
    for (auto It = SM.fileinfo_begin(), E = SM.fileinfo_end(); It != E; ++It) {
      FileID FID = SM.translateFile(It->getFirst());
      if (FID.isInvalid())
        continue;
      llvm::SmallString<256> Path(It->getFirst().getName());
      llvm::sys::fs::make_absolute(Path);
      llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
      Files.try_emplace(Path, FID);
    }
  }

  // MainFile as the compiler opened it: relative names are resolved in the
  // compile command's directory, as `tether check` resolves them.
  const LoadedConfig &configFor(const SourceManager &SM,
                                llvm::StringRef MainFile) {
    llvm::SmallString<256> Dir(MainFile);
    SM.getFileManager().makeAbsolutePath(Dir);
    llvm::sys::path::remove_filename(Dir);
    std::string Path = findConfigFor(std::string(Dir));
    auto &Slot = Configs[Path];
    if (!Slot) {
      Slot = std::make_unique<LoadedConfig>();
      llvm::raw_string_ostream Err(Slot->Errors);
      Slot->Ok = Path.empty() ? defaultConfig(Slot->Cfg, Err)
                              : loadConfig(Path, Slot->Cfg, Err);
    }
    return *Slot;
  }

  void run(ASTContext &AST, clang::tidy::ClangTidyContext &Tidy,
           const clang::tidy::ClangTidyCheck &Reporter) {
    const SourceManager &SM = AST.getSourceManager();
    OptionalFileEntryRef Main = SM.getFileEntryRefForID(SM.getMainFileID());
    if (!Main)
      return;
    const LoadedConfig &C = configFor(SM, Main->getName());
    if (!C.Ok) {
      Reporter.configurationDiag("tether: %0", DiagnosticIDs::Error)
          << llvm::StringRef(C.Errors).rtrim();
      return;
    }
    // The enabled tether-* checks and their validated options.
    std::string Checks = "-*";
    OptionValues Options;
    for (llvm::StringRef Id : OneTUChecks) {
      if (!Tidy.isCheckEnabled((Prefix + Id).str()))
        continue;
      Checks += "," + Id.str();
      for (auto &[Key, Value] : optionsOf(Id, Tidy))
        Options[Key] = Value;
    }
    const clang::tidy::ClangTidyOptions &TO = Tidy.getOptions();
    std::optional<llvm::Regex> Header, ExcludeHeader;
    if (TO.HeaderFilterRegex && !TO.HeaderFilterRegex->empty())
      Header.emplace(*TO.HeaderFilterRegex);
    if (TO.ExcludeHeaderFilterRegex && !TO.ExcludeHeaderFilterRegex->empty())
      ExcludeHeader.emplace(*TO.ExcludeHeaderFilterRegex);
    TUCheckSetup Setup;
    Setup.Checks = Checks;
    Setup.Models = C.Cfg.ModelSetPtr.get();
    Setup.Options = &Options;
    Setup.HeaderFilter = Header ? &*Header : nullptr;
    Setup.ExcludeHeaderFilter = ExcludeHeader ? &*ExcludeHeader : nullptr;
    Setup.SystemHeaders = TO.SystemHeaders.value_or(false);
    Setup.InferModels = C.Cfg.InferModels;
    for (Finding &F : runChecks(AST, Setup))
      ById[F.CheckId].push_back(std::move(F));
  }

private:
  bool Ran = false;
  std::map<std::string, std::vector<Finding>> ById;
  llvm::StringMap<FileID> Files;
  std::map<std::string, std::unique_ptr<LoadedConfig>> Configs;
};

// One tether check as a clang-tidy check.
class TetherCheck : public clang::tidy::ClangTidyCheck {
public:
  TetherCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext *Context,
              const CheckInfo &Info, std::shared_ptr<Session> S)
      : ClangTidyCheck(Name, Context), Info(Info), S(std::move(S)),
        Tidy(*Context) {
    std::vector<std::string> Errors;
    Session::optionsOf(Info.Id, *Context, &Errors);
    for (const std::string &E : Errors)
      configurationDiag("invalid option of '%0': %1") << Name << E;
  }

  bool isLanguageVersionSupported(const LangOptions &LO) const override {
    return LO.CPlusPlus;
  }

  void registerMatchers(MatchFinder *Finder) override {
    Finder->addMatcher(translationUnitDecl().bind("tu"), this);
  }

  void onStartOfTranslationUnit() override { S->startTU(); }

  void check(const MatchFinder::MatchResult &Result) override {
    ASTContext &AST = *Result.Context;
    const SourceManager &SM = AST.getSourceManager();
    for (const Finding &F : S->take(Info.Id, AST, Tidy, *this))
      emit(F, SM);
  }

  void storeOptions(clang::tidy::ClangTidyOptions::OptionMap &Opts) override {
    for (const OptionInfo &O : Info.Options)
      Options.store(Opts, O.Name, Options.get(O.Name).value_or(llvm::StringRef(O.Default)));
  }

private:
  // Messages are written as they are: '%' is a format character to diag().
  static std::string escape(llvm::StringRef Text) {
    std::string Out;
    for (char C : Text) {
      Out += C;
      if (C == '%')
        Out += '%';
    }
    return Out;
  }

  static DiagnosticIDs::Level levelOf(Severity S) {
    switch (S) {
    case Severity::Remark:
      return DiagnosticIDs::Remark;
    case Severity::Warning:
      return DiagnosticIDs::Warning;
    case Severity::Error:
      return DiagnosticIDs::Error;
    }
    return DiagnosticIDs::Warning;
  }

  void emit(const Finding &F, const SourceManager &SM) {
    SourceLocation Loc = S->locate(SM, F.Where);
    {
      DiagnosticBuilder D = Loc.isValid()
                                ? diag(Loc, escape(F.Message), levelOf(F.Level))
                                : diag(escape(F.Message), levelOf(F.Level));
      SourceLocation End = S->locate(SM, F.Where, /*End=*/true);
      if (Loc.isValid() && End.isValid())
        D << CharSourceRange::getCharRange(Loc, End);
      for (const FixIt &X : F.Fixes) {
        SourceLocation B = S->locate(SM, X.Where);
        SourceLocation E = S->locate(SM, X.Where, /*End=*/true);
        if (B.isValid() && E.isValid())
          D << FixItHint::CreateReplacement(CharSourceRange::getCharRange(B, E),
                                            X.Replacement);
      }
    }
    for (const Note &N : F.Notes) {
      SourceLocation NL = S->locate(SM, N.Where);
      if (NL.isValid())
        diag(NL, escape(N.Message), DiagnosticIDs::Note);
      else
        diag(escape(N.Message), DiagnosticIDs::Note);
    }
  }

  const CheckInfo &Info;
  std::shared_ptr<Session> S;
  clang::tidy::ClangTidyContext &Tidy;
};

class TetherModule : public clang::tidy::ClangTidyModule {
public:
  void addCheckFactories(
      clang::tidy::ClangTidyCheckFactories &Factories) override {
    auto S = std::make_shared<Session>();
    for (llvm::StringRef Id : OneTUChecks) {
      const CheckInfo *Info = findCheck(Id);
      if (!Info)
        continue; // a check that no longer exists is not offered
      Factories.registerCheckFactory(
          (Prefix + Id).str(),
          [Info, S](llvm::StringRef Name,
                    clang::tidy::ClangTidyContext *Context) {
            return std::make_unique<TetherCheck>(Name, Context, *Info, S);
          });
    }
  }

  clang::tidy::ClangTidyOptions getModuleOptions() override { return {}; }
};

} // namespace
} // namespace tether::tidy

static clang::tidy::ClangTidyModuleRegistry::Add<tether::tidy::TetherModule>
    X("tether-module", "tether's concurrency checks (one-TU subset).");
