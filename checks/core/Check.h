// The check framework. A check is one class: it describes itself (CheckInfo)
// and is handed every analysed function. Analyses shared between checks
// (model matching, object identity, channel flow) are computed once per
// function by FunctionContext and requested by the checks that need them,
// like go/analysis' `Requires`.
#pragma once

#include "CheckInfo.h"
#include "Finding.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

namespace tether {

class ModelSet;
class ChannelFlow;
class LockState;
class SummaryCache;
class LinkedSummaries;

// Check options (`options:` in .tether.yaml, key "check-id.name").
class CheckOptions {
public:
  std::map<std::string, std::string> Values;
  std::string get(llvm::StringRef Check, llvm::StringRef Name,
                  llvm::StringRef Default = "") const;
  std::vector<std::string> getList(llvm::StringRef Check,
                                   llvm::StringRef Name) const;
};

// Everything a check may look at in one translation unit.
struct TUContext {
  TUContext(clang::ASTContext &AST, const ModelSet &Models,
            const CheckOptions &Options);
  ~TUContext();
  clang::ASTContext &AST;
  const ModelSet &Models;
  const CheckOptions &Options;
  // Per-function channel summaries, shared by every function of the TU.
  SummaryCache &summaries();
  // The link phase's view of functions defined in other TUs (null in the
  // first pass).
  const LinkedSummaries *Linked = nullptr;
  // USRs of functions called here whose bodies are not in this TU.
  std::set<std::string> ExternalCallees;

private:
  std::unique_ptr<SummaryCache> Summaries;
};

// Builds a Finding from Clang source locations.
class DiagBuilder {
public:
  DiagBuilder(Finding &F, const clang::SourceManager &SM) : F(F), SM(SM) {}
  DiagBuilder &note(clang::SourceLocation Loc, llvm::StringRef Message);
  DiagBuilder &note(const SourcePoint &Where, llvm::StringRef Message);
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

SourcePoint toSourcePoint(const clang::SourceManager &SM,
                          clang::SourceLocation Loc);
// Source text of a statement: the fingerprint anchor (whitespace is
// normalized when fingerprints are computed).
std::string anchorText(const clang::SourceManager &SM, const clang::Stmt *S,
                       const clang::LangOptions &LO);

class FunctionContext {
public:
  FunctionContext(TUContext &TU, const clang::FunctionDecl *FD,
                  std::vector<Finding> &Out);
  ~FunctionContext();

  const clang::FunctionDecl *function() const { return FD; }
  TUContext &tu() { return TU; }
  clang::ASTContext &ast() { return TU.AST; }

  // Shared analyses, computed on first request.
  const ChannelFlow &channelFlow();
  const LockState &lockState();

  // Starts a finding at Loc; Anchor is the statement whose text identifies
  // it in fingerprints.
  DiagBuilder report(const CheckInfo &Info, clang::SourceLocation Loc,
                     llvm::StringRef Message, const clang::Stmt *Anchor);

private:
  TUContext &TU;
  const clang::FunctionDecl *FD;
  std::vector<Finding> &Out;
  std::unique_ptr<ChannelFlow> Flow;
  std::unique_ptr<LockState> Locks;
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

// `--checks` globs: "*,-channel-*,channel-double-close". Later entries win.
bool checkEnabled(llvm::StringRef Globs, llvm::StringRef Id);

} // namespace tether
