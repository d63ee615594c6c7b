// The check framework. A check is one class: it describes itself (CheckInfo)
// and is handed every analysed function. The analyses it reads are computed
// once per function by the analysis layer (FunctionAnalyses) and shared by
// every check that asks.
#pragma once

#include "AnalysisContext.h"
#include "CheckInfo.h"
#include "Finding.h"
#include "Options.h"
#include "TUChecks.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

namespace tether {

// Builds a Finding from Clang source locations.
class DiagBuilder {
public:
  DiagBuilder(Finding &F, const clang::SourceManager &SM) : F(F), SM(SM) {}
  DiagBuilder &note(clang::SourceLocation Loc, llvm::StringRef Message);
  DiagBuilder &note(const SourcePoint &Where, llvm::StringRef Message);
  // A note on a step that runs in thread Thread (an index from thread()).
  DiagBuilder &note(clang::SourceLocation Loc, llvm::StringRef Message,
                    unsigned Thread);
  DiagBuilder &note(const SourcePoint &Where, llvm::StringRef Message,
                    unsigned Thread);
  // The index of the thread named Label among the finding's threads
  // (Finding::Threads), adding it if new. Name the thread of the primary
  // location first: it gets index 0, where notes added without a thread go.
  unsigned thread(llvm::StringRef Label);
  DiagBuilder &range(clang::SourceRange R);
  DiagBuilder &fixReplace(clang::CharSourceRange R, llvm::StringRef Text);
  DiagBuilder &level(Severity S);
  // Moves the primary location to a place in another TU (an operation known
  // from the link phase); the anchor becomes that line's text.
  DiagBuilder &at(const SourcePoint &Where);

private:
  Finding &F;
  const clang::SourceManager &SM;
};

// Names of threads for DiagBuilder::thread(): "thread started at
// pool.cpp:42" for the thread a spawn at Spawn starts, "thread running
// 'Pool::stop'" (or "thread running a lambda in 'Pool::start'") for the
// thread that runs FD.
std::string startedThreadLabel(const clang::SourceManager &SM,
                               clang::SourceLocation Spawn);
std::string runningThreadLabel(const clang::FunctionDecl *FD);
// "'Pool::stop'", "a lambda in 'Pool::start'".
std::string describeFunction(const clang::FunctionDecl *FD);

// Source text of a statement: the fingerprint anchor (whitespace is
// normalized when fingerprints are computed).
std::string anchorText(const clang::SourceManager &SM, const clang::Stmt *S,
                       const clang::LangOptions &LO);

// What a check is handed for each function: the function's shared analyses
// (analysis/AnalysisContext.h) and a way to report.
class FunctionContext : public FunctionAnalyses {
public:
  FunctionContext(TUContext &TU, const clang::FunctionDecl *FD,
                  std::vector<Finding> &Out);

  // Starts a finding at Loc; Anchor is the statement whose text identifies
  // it in fingerprints.
  DiagBuilder report(const CheckInfo &Info, clang::SourceLocation Loc,
                     llvm::StringRef Message, const clang::Stmt *Anchor);

private:
  std::vector<Finding> &Out;
};

class Check {
public:
  virtual ~Check() = default;
  virtual const CheckInfo &info() const = 0;
  // Called once for every function (and lambda body) with a body in the
  // analysed files.
  virtual void checkFunction(FunctionContext &Ctx) = 0;
};

// Every check tether knows, in registration order (see checks/Checks.cpp).
std::vector<std::unique_ptr<Check>> createAllChecks();

} // namespace tether
