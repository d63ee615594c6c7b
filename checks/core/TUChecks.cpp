#include "TUChecks.h"
#include "TUFactsIO.h"
#include "Check.h"

#include "ChannelFlow.h"
#include "Facts.h"
#include "InferModels.h"
#include "LinkDigest.h"
#include "Summaries.h"

#include "clang/AST/ASTLambda.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"

#include <optional>

using namespace clang;

namespace tether {

const std::vector<CheckInfo> &registeredChecks() {
  static const std::vector<CheckInfo> Infos = [] {
    std::vector<CheckInfo> V;
    for (auto &C : createAllChecks())
      V.push_back(C->info());
    return V;
  }();
  return Infos;
}

TUFacts::TUFacts() = default;
TUFacts::~TUFacts() = default;
TUFacts::TUFacts(TUFacts &&) = default;
TUFacts &TUFacts::operator=(TUFacts &&) = default;
size_t TUFacts::functions() const { return S ? S->Functions.size() : 0; }
bool TUFacts::callsExternal() const {
  return S && !S->ExternalCallees.empty();
}

LinkedFacts::LinkedFacts() = default;
LinkedFacts::~LinkedFacts() = default;
LinkedFacts::LinkedFacts(LinkedFacts &&) = default;
LinkedFacts &LinkedFacts::operator=(LinkedFacts &&) = default;

LinkedFacts LinkedFacts::link(llvm::ArrayRef<const TUFacts *> TUs) {
  LinkedFacts Out;
  Out.L = std::make_unique<LinkedSummaries>();
  for (const TUFacts *F : TUs)
    if (F && F->S)
      Out.L->add(*F->S);
  Out.L->link();
  return Out;
}

bool LinkedFacts::affects(const TUFacts &Facts) const {
  if (!L || !Facts.S)
    return false;
  const TUSummaries &S = *Facts.S;
  // Channel events: any external callee the channel flow saw.
  for (const std::string &USR : S.ExternalCallees)
    if (L->events(USR))
      return true;
  // Facts: only those the first pass asked for. Answered the same as then,
  // they lead the checks to the same questions and the same findings.
  for (const std::string &USR : S.AskedAll ? S.ExternalCallees : S.AskedFacts)
    if (L->facts(USR))
      return true;
  return false;
}

size_t LinkedFacts::functions() const { return L ? L->size() : 0; }

namespace {

// Relative to the compile command's directory, as clang sees the file.
std::string absPath(llvm::StringRef P, FileManager &FM) {
  llvm::SmallString<256> S(P);
  FM.makeAbsolutePath(S);
  llvm::sys::path::remove_dots(S, true);
  return std::string(S);
}

// Hands every function with a body in the analysed files to the checks.
class FunctionVisitor : public RecursiveASTVisitor<FunctionVisitor> {
public:
  FunctionVisitor(TUContext &TU, std::vector<std::unique_ptr<Check>> &Checks,
                  const TUCheckSetup &Setup, std::vector<Finding> &Out)
      : TU(TU), Checks(Checks), HeaderFilter(Setup.HeaderFilter),
        ExcludeHeaderFilter(Setup.ExcludeHeaderFilter),
        SystemHeaders(Setup.SystemHeaders), Out(Out),
        SM(TU.AST.getSourceManager()) {}

  bool shouldVisitTemplateInstantiations() const { return true; }

  // Declarations lexically in files we do not analyse (the standard library,
  // third-party headers) hold nothing to report: skip them whole instead of
  // walking every header's declarations.
  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && D->getLocation().isValid() &&
        !wanted(D->getLocation()))
      return true;
    return RecursiveASTVisitor::TraverseDecl(D);
  }

  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD); MD && isLambdaCallOperator(MD))
      return true; // analysed through VisitLambdaExpr
    analyse(FD);
    return true;
  }
  bool VisitLambdaExpr(LambdaExpr *L) {
    analyse(L->getCallOperator());
    return true;
  }

  // Functions other TUs can call: they get a record for the link phase.
  std::vector<const FunctionDecl *> Exported;

private:
  bool wanted(SourceLocation Loc) {
    if (Loc.isInvalid())
      return false;
    Loc = SM.getExpansionLoc(Loc);
    FileID FID = SM.getFileID(Loc);
    auto It = FileDecision.find(FID);
    if (It != FileDecision.end())
      return It->second;
    bool Want = false;
    if (SM.isInMainFile(Loc)) {
      Want = true;
    } else if ((SystemHeaders || !SM.isInSystemHeader(Loc)) && HeaderFilter) {
      if (OptionalFileEntryRef FE = SM.getFileEntryRefForID(FID)) {
        std::string Path = absPath(FE->getName(), SM.getFileManager());
        Want = HeaderFilter->match(Path) &&
               !(ExcludeHeaderFilter && ExcludeHeaderFilter->match(Path));
      }
    }
    FileDecision[FID] = Want;
    return Want;
  }

  void analyse(FunctionDecl *FD) {
    if (!FD || !FD->doesThisDeclarationHaveABody() || FD->isDependentContext() ||
        FD->isInvalidDecl() || !wanted(FD->getLocation()))
      return;
    if (!Seen.insert(FD).second)
      return;
    const auto *MD = dyn_cast<CXXMethodDecl>(FD);
    if (FD->isExternallyVisible() && !FD->isTemplateInstantiation() &&
        !(MD && isLambdaCallOperator(MD)) &&
        SM.isInMainFile(SM.getExpansionLoc(FD->getLocation())))
      Exported.push_back(FD);
    FunctionContext Ctx(TU, FD, Out);
    for (auto &C : Checks)
      C->checkFunction(Ctx);
  }

  TUContext &TU;
  std::vector<std::unique_ptr<Check>> &Checks;
  const llvm::Regex *HeaderFilter;
  const llvm::Regex *ExcludeHeaderFilter;
  bool SystemHeaders;
  std::vector<Finding> &Out;
  const SourceManager &SM;
  llvm::DenseMap<FileID, bool> FileDecision;
  llvm::DenseSet<const FunctionDecl *> Seen;
};

} // namespace

// The friend of TUFacts and LinkedFacts that opens them for one run.
struct TUCheckRun {
  static std::vector<Finding> run(ASTContext &AST, const TUCheckSetup &Setup,
                                  const LinkedFacts *Linked, TUFacts *Export) {
    std::vector<Finding> Findings;
    std::vector<std::unique_ptr<Check>> Enabled;
    for (auto &C : createAllChecks())
      if (checkEnabled(Setup.Checks, C->info().Id))
        Enabled.push_back(std::move(C));
    if (Enabled.empty() || !Setup.Models)
      return Findings;
    CheckOptions Options;
    if (Setup.Options)
      Options.Values = *Setup.Options;
    // The project's own queues, read off this TU's classes, join the
    // models every check asks (a copy per TU: another TU may define other
    // classes under the same names).
    const ModelSet *Models = Setup.Models;
    std::optional<ModelSet> WithInferred;
    if (Setup.InferModels) {
      ApiModel Inferred = inferModels(AST, *Setup.Models);
      if (!Inferred.Channels.empty() ||
          !Inferred.Cancellation.Sources.empty()) {
        WithInferred.emplace(*Setup.Models);
        WithInferred->add(std::move(Inferred));
        Models = &*WithInferred;
      }
    }
    TUContext TU(AST, *Models, Options);
    TU.Linked = Linked ? Linked->L.get() : nullptr;
    FunctionVisitor V(TU, Enabled, Setup, Findings);
    V.TraverseDecl(AST.getTranslationUnitDecl());
    if (!Linked && Export) {
      TU.facts().stopAsking();
      auto S = std::make_unique<TUSummaries>();
      TU.summaries().exportTo(V.Exported, *S);
      Export->S = std::move(S);
    }
    return Findings;
  }

  // TUFactsIO.h
  static llvm::json::Value toJSON(const TUFacts &F) {
    return F.S ? tether::toJSON(*F.S) : llvm::json::Value(nullptr);
  }
  static bool fromJSON(const llvm::json::Value &V, TUFacts &Out) {
    Out.S.reset();
    if (V.getAsNull())
      return true;
    auto Read = std::make_unique<TUSummaries>();
    if (!tether::fromJSON(V, *Read))
      return false;
    Out.S = std::move(Read);
    return true;
  }
  static uint64_t digest(const LinkedFacts &Linked, const TUFacts &F) {
    if (!Linked.L || !F.S)
      return 0;
    return linkedDigest(*Linked.L, F.S->ExternalCallees);
  }
};

llvm::json::Value factsToJSON(const TUFacts &Facts) {
  return TUCheckRun::toJSON(Facts);
}
bool factsFromJSON(const llvm::json::Value &V, TUFacts &Out) {
  return TUCheckRun::fromJSON(V, Out);
}
uint64_t linkedDigestFor(const LinkedFacts &Linked, const TUFacts &Facts) {
  return TUCheckRun::digest(Linked, Facts);
}

ApiModel inferTUModels(ASTContext &AST, const ModelSet &Known) {
  return inferModels(AST, Known);
}

std::vector<Finding> runChecks(ASTContext &AST, const TUCheckSetup &Setup,
                               const LinkedFacts *Linked, TUFacts *Export) {
  return TUCheckRun::run(AST, Setup, Linked, Export);
}

} // namespace tether
