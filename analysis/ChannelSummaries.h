// ChannelSummaries: what a function does to the channels its callers can
// name (parameters, `this`, globals, the channel it returns), computed once
// per function from its facts and its callees' and threads' summaries, and
// mapped into a caller's terms at a call or spawn site. The same summaries
// travel across TUs: exported for the link phase, and read back for callees
// defined elsewhere.
#pragma once

#include "ChannelEvents.h"
#include "Summaries.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseSet.h"

#include <deque>
#include <map>
#include <memory>
#include <vector>

namespace tether {

// Per-function summary: what a function does to the channels it can reach
// through its parameters, `this` and globals. Keys rooted at locals are
// dropped.
struct ExternalCallRec;

struct ChannelSummary {
  std::vector<ChanEvent> Events;
  // Calls into functions defined in other TUs, in this function's keys:
  // exported for the link phase.
  std::vector<ExternalCallRec> ExternalCalls;
};

struct ExternalCallRec {
  std::string Callee; // USR
  llvm::SmallVector<std::optional<ObjectKey>, 4> Args;
  std::optional<ObjectKey> Object, Dest;
  bool ObjectIsThis = false; // a member call on this function's `this`
};

// The summaries of one TU, computed on demand and cached.
class SummaryCache {
public:
  explicit SummaryCache(TUContext &TU) : TU(TU) {}
  // FD with a body: computed from it. Without: from the link phase's view,
  // when there is one.
  const ChannelSummary &get(const clang::FunctionDecl *FD);
  const ModelSet &models() const;

  // Exports the summaries of the given functions (defined in this TU) for
  // the link phase.
  void exportTo(llvm::ArrayRef<const clang::FunctionDecl *> Functions,
                TUSummaries &Out);

private:
  const ChannelSummary &fromLinked(const clang::FunctionDecl *FD);
  TUContext &TU;
  std::deque<ExternalOp> ExternalOps;
  std::map<const clang::FunctionDecl *, std::unique_ptr<ChannelSummary>> Cache;
  llvm::DenseSet<const clang::FunctionDecl *> InProgress;
};

namespace chan {

// Arguments of a call as the callee's parameters see them, and the object
// of a member call.
std::pair<llvm::SmallVector<const clang::Expr *, 4>, const clang::Expr *>
callArgs(const clang::CallExpr *Call);

// Maps Callee's events into the caller at Site: parameters become the keys
// of the arguments, `this`-based keys go through Object, the returned
// channel becomes Dest. ThreadBody: Callee is a spawned body (BodySite keeps
// where in it the event happens).
void appendMapped(std::vector<ChanEvent> &Out, const std::vector<ChanEvent> &In,
                  const clang::FunctionDecl *Callee,
                  llvm::ArrayRef<const clang::Expr *> Args,
                  const clang::Expr *Object, const clang::Expr *Site,
                  const ObjectResolver &R, const ObjectKey *Dest = nullptr,
                  bool ThreadBody = false);

// Effects of a spawned body, mapped into the spawning function.
std::vector<ChanEvent> threadEffects(SummaryCache &Cache, const SpawnSite &Site,
                                     const clang::FunctionDecl *Body,
                                     const ObjectResolver &R);

} // namespace chan
} // namespace tether
