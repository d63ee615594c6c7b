#include "AnalysisContext.h"
#include "ApiModel.h"
#include "ChannelFlow.h"
#include "CountOrigin.h"
#include "Facts.h"
#include "LockState.h"
#include "MemberAccess.h"
#include "Spawns.h"
#include "HandlePaths.h"

#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Support/Path.h"

using namespace clang;

// Counters of the work done (`tether check --analysis-stats`), kept in
// release builds too: a relaxed atomic add per TU, function and CFG, and
// registered only once statistics are enabled.
#define DEBUG_TYPE "tether-analysis"
ALWAYS_ENABLED_STATISTIC(NumTUs, "translation unit passes (first analysis "
                                 "and re-checks)");
ALWAYS_ENABLED_STATISTIC(NumFunctions, "functions analysed");
ALWAYS_ENABLED_STATISTIC(NumCFGs, "CFGs built");

namespace tether {

std::string CheckOptions::get(llvm::StringRef Check, llvm::StringRef Name,
                              llvm::StringRef Default) const {
  auto It = Values.find((Check + "." + Name).str());
  return It == Values.end() ? Default.str() : It->second;
}

std::vector<std::string> CheckOptions::getList(llvm::StringRef Check,
                                               llvm::StringRef Name) const {
  std::vector<std::string> Out;
  std::string Value = get(Check, Name); // Parts point into it
  llvm::SmallVector<llvm::StringRef, 8> Parts;
  llvm::StringRef(Value).split(Parts, ',', -1, false);
  for (llvm::StringRef P : Parts)
    if (!P.trim().empty())
      Out.push_back(P.trim().str());
  return Out;
}

TUContext::TUContext(ASTContext &AST, const ModelSet &Models,
                     const CheckOptions &Options)
    : AST(AST), Models(Models), Options(Options) {
  ++NumTUs;
}
TUContext::~TUContext() = default;

SummaryCache &TUContext::summaries() {
  if (!Summaries)
    Summaries = std::make_unique<SummaryCache>(*this);
  return *Summaries;
}

FactsCache &TUContext::facts() {
  if (!Facts)
    Facts = std::make_unique<FactsCache>(*this);
  return *Facts;
}

MemberAccess &TUContext::memberAccess() {
  if (!Access)
    Access = std::make_unique<MemberAccess>(AST);
  return *Access;
}

CountOrigins &TUContext::countOrigins() {
  if (!Counts)
    Counts = std::make_unique<CountOrigins>(*this);
  return *Counts;
}

SourcePoint toSourcePoint(const SourceManager &SM, SourceLocation Loc) {
  SourcePoint P;
  if (Loc.isInvalid())
    return P;
  Loc = SM.getFileLoc(Loc);
  FileID FID = SM.getFileID(Loc);
  OptionalFileEntryRef FE = SM.getFileEntryRefForID(FID);
  if (!FE)
    return P;
  // Relative names are relative to the compile command's directory (the
  // file manager's working directory), not to where tether runs.
  llvm::SmallString<256> Path(FE->getName());
  SM.getFileManager().makeAbsolutePath(Path);
  llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  P.File = std::string(Path);
  P.Line = SM.getSpellingLineNumber(Loc);
  P.Column = SM.getSpellingColumnNumber(Loc);
  bool Invalid = false;
  llvm::StringRef Buf = SM.getBufferData(FID, &Invalid);
  if (!Invalid) {
    unsigned Off = SM.getFileOffset(Loc);
    size_t Start = Buf.rfind('\n', Off == 0 ? 0 : Off - 1);
    Start = (Start == llvm::StringRef::npos || Off == 0) ? 0 : Start + 1;
    size_t End = Buf.find('\n', Off);
    P.LineText = Buf.slice(Start, End).rtrim("\r").str();
  }
  return P;
}

FunctionAnalyses::FunctionAnalyses(TUContext &TU, const FunctionDecl *FD)
    : TU(TU), FD(FD) {
  ++NumFunctions;
}
FunctionAnalyses::~FunctionAnalyses() = default;

const CFG *FunctionAnalyses::cfg(CFGKind Kind) {
  unsigned I = unsigned(Kind);
  if (Built[I])
    return CFGs[I].get();
  Built[I] = true;
  const Stmt *Body = FD ? FD->getBody() : nullptr;
  if (!Body)
    return nullptr;
  CFG::BuildOptions BO;
  BO.setAllAlwaysAdd();
  BO.AddImplicitDtors = Kind != CFGKind::Statements;
  BO.AddTemporaryDtors = Kind == CFGKind::AllDtors;
  CFGs[I] = CFG::buildCFG(FD, const_cast<Stmt *>(Body), &TU.AST, BO);
  ++NumCFGs;
  return CFGs[I].get();
}

const ChannelFlow &FunctionAnalyses::channelFlow() {
  if (!Flow)
    Flow = std::make_unique<ChannelFlow>(*this);
  return *Flow;
}

const LockState &FunctionAnalyses::lockState() {
  if (!Locks)
    Locks = std::make_unique<LockState>(FD, TU.AST, TU.Models, this);
  return *Locks;
}

const Spawns &FunctionAnalyses::spawns() {
  if (!SpawnList)
    SpawnList = std::make_unique<Spawns>(TU, FD);
  return *SpawnList;
}

const HandlePaths &FunctionAnalyses::handlePaths() {
  if (!Paths)
    Paths = std::make_unique<HandlePaths>(*this);
  return *Paths;
}

} // namespace tether
