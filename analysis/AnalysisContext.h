// The analysis layer's entry point. A TUContext holds what every analysis of
// one translation unit shares (the AST, the models, the options, the
// per-function summaries); a FunctionAnalyses computes each analysis of one
// function once, on first request, for every check that asks (like
// go/analysis' `Requires`): its CFGs, spawns, channel flow and lock state.
//
// Layers, top to bottom: tool/ -> checks/ -> analysis/ -> models/. Nothing
// here knows about checks or findings' presentation.
#pragma once

#include "Finding.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace tether {

class ModelSet;
class ChannelFlow;
class LockState;
class Spawns;
class HandlePaths;
class SummaryCache;
class FactsCache;
class LinkedSummaries;
class MemberAccess;
class CountOrigins;

// Check options (`options:` in .tether.yaml, key "check-id.name").
class CheckOptions {
public:
  std::map<std::string, std::string> Values;
  std::string get(llvm::StringRef Check, llvm::StringRef Name,
                  llvm::StringRef Default = "") const;
  std::vector<std::string> getList(llvm::StringRef Check,
                                   llvm::StringRef Name) const;
};

// Everything an analysis may look at in one translation unit.
struct TUContext {
  TUContext(clang::ASTContext &AST, const ModelSet &Models,
            const CheckOptions &Options);
  ~TUContext();
  clang::ASTContext &AST;
  const ModelSet &Models;
  const CheckOptions &Options;
  // Per-function channel summaries, shared by every function of the TU.
  SummaryCache &summaries();
  // Per-function facts (Facts.h), shared by every function of the TU.
  FactsCache &facts();
  // Who besides a class's own member functions can touch its members: its
  // friends (MemberAccess.h), computed once per class.
  MemberAccess &memberAccess();
  // Where numbers and container sizes come from (CountOrigin.h), with the
  // TU's call sites for parameters.
  CountOrigins &countOrigins();
  // The link phase's view of functions defined in other TUs (null in the
  // first pass).
  const LinkedSummaries *Linked = nullptr;
  // USRs of functions called here whose bodies are not in this TU.
  std::set<std::string> ExternalCallees;

private:
  std::unique_ptr<SummaryCache> Summaries;
  std::unique_ptr<FactsCache> Facts;
  std::unique_ptr<MemberAccess> Access;
  std::unique_ptr<CountOrigins> Counts;
};

// The CFGs an analysis may ask for: every statement a CFG element
// (`setAllAlwaysAdd`), plus the destructors it needs. Each kind is built at
// most once per function.
enum class CFGKind {
  Statements,     // statements only (cancel-lost's path search)
  ImplicitDtors,  // + automatic objects' destructors (channel flow, threads)
  AllDtors,       // + temporaries' destructors (lock state: guards)
};

class FunctionAnalyses {
public:
  FunctionAnalyses(TUContext &TU, const clang::FunctionDecl *FD);
  virtual ~FunctionAnalyses();

  const clang::FunctionDecl *function() const { return FD; }
  TUContext &tu() { return TU; }
  clang::ASTContext &ast() { return TU.AST; }

  // The function's CFG of that kind; null when the function has no body or
  // Clang cannot build one.
  const clang::CFG *cfg(CFGKind Kind);
  // Shared analyses, computed on first request.
  const ChannelFlow &channelFlow();
  const LockState &lockState();
  // The threads and tasks the function starts and their handles' fates.
  const Spawns &spawns();
  // Paths from a handle's start to the end of its scope (HandlePaths.h).
  const HandlePaths &handlePaths();

protected:
  TUContext &TU;
  const clang::FunctionDecl *FD;

private:
  std::unique_ptr<clang::CFG> CFGs[3];
  bool Built[3] = {false, false, false};
  std::unique_ptr<ChannelFlow> Flow;
  std::unique_ptr<LockState> Locks;
  std::unique_ptr<Spawns> SpawnList;
  std::unique_ptr<HandlePaths> Paths;
};

// Where a source location is, as data (file, line, column, line text).
SourcePoint toSourcePoint(const clang::SourceManager &SM,
                          clang::SourceLocation Loc);

} // namespace tether
