// ChannelFlow: the shared analysis behind the channel checks.
//
// For one function it walks the CFG forward with a may-analysis whose state
// is (a) the channels that may have been closed on the path so far, with the
// close sites and the branch conditions under which they happened, and (b)
// the threads started by this function that may still be running. Threads'
// effects come from summaries of their bodies (lambdas, functions, with the
// arguments bound to parameters); calls to functions with a visible body
// apply the callee's summary at the call site. Joins (including
// `for (auto &t : workers) t.join()` and destructors that join) end a
// thread and make its closes "happened before".
//
// The result is a list of conflicts (close after close, send after close,
// close racing other senders) that the checks turn into diagnostics.
#pragma once

#include "ModelMatch.h"
#include "Finding.h"
#include "ObjectKey.h"
#include "Summaries.h"

#include "clang/AST/Decl.h"

#include <deque>
#include <map>
#include <memory>
#include <vector>

namespace tether {

class FunctionAnalyses;
struct TUContext;

// An operation described by a summary from another translation unit.
struct ExternalOp {
  SourcePoint Where;
  std::string Function; // qualified name of the function it is in
};

struct ChanEvent {
  ChanOpKind Kind;
  ObjectKey Key;
  const ChannelModel *Model = nullptr;
  const clang::Expr *Op = nullptr;   // the channel operation itself
  const clang::Expr *Site = nullptr; // where it happens in the analysed
                                     // function (== Op, or the call that
                                     // leads to it)
  const clang::FunctionDecl *Via = nullptr; // callee the op is in, if any
  // The send's outcome is observed: its result is used (status/bool checked)
  // or it sits in a try block.
  bool Handled = false;
  // A receive that ends only when the channel is closed: range-for over the
  // channel, or a loop left when the receive fails.
  bool WaitsClose = false;
  // The operation sits in a loop of its function.
  bool InLoop = false;
  // A close that runs at most once however often its code runs: guarded by
  // a decrement reaching zero, an atomic exchange or compare-exchange
  // (`if (live.fetch_sub(1) == 1) ch.close();`, `if (stopped.exchange(true))
  // return; ch.close();`). The "last sender closes" and idempotent-stop
  // shapes.
  bool Once = false;
  // A send inside a loop that never ends (`while (true)` with no way out):
  // an endless producer has no last send to close after.
  bool Endless = false;
  // A send inside a loop that drains another channel until it is closed
  // (range-for over it, `while (in.pop(v) == success)`): the channel(s) the
  // loop waits on.
  llvm::SmallVector<ObjectKey, 1> InDrainOf;
  // Thread handles (or handle containers) joined unconditionally before
  // this operation in its function: a closer that joins the senders first.
  llvm::SmallVector<ObjectKey, 1> JoinedBefore;
  // Set for operations that come from another translation unit (the link
  // phase's summaries): Op is null and this is where it happens.
  const ExternalOp *Ext = nullptr;
  // For a thread's effect (Site is then the spawn): where in the thread's
  // body it happens (the op, or the call in the body that leads to it).
  const clang::Expr *BodySite = nullptr;

  // Where the operation is, for diagnostics.
  clang::SourceLocation opLoc() const;
};

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

struct ThreadStart {
  const clang::Expr *Spawn = nullptr; // the spawn expression
  const SpawnModel *Model = nullptr;
  std::optional<ObjectKey> Handle; // variable, member or container holding it
  bool GroupHandle = false;        // Handle is a container of handles
  bool Detached = false;
  const clang::FunctionDecl *Body = nullptr;
  const clang::Expr *Callable = nullptr;
  std::vector<ChanEvent> Effects; // mapped into this function's keys
};

enum class ConflictKind {
  DoubleClose,
  SendAfterClose,
  CloseWithActiveSenders,
  ReceiverClose, // Later: the close by a receive-only party; Earlier: a send
  Unclosed,      // Later: a send (or the wait); Earlier: the wait for close
  BlockedSend,   // Later: the blocking send; Earlier: the receive that may
                 // give up (Op null when the receiver just never receives)
};

struct Conflict {
  ConflictKind Kind;
  ChanEvent Later;   // the second close, or the send
  ChanEvent Earlier; // the first close, or the close
  int LaterThread = -1;   // index into threads(); -1: the function itself
  int EarlierThread = -1;
  bool Concurrent = false; // the two may race (neither joined before)
  // Unclosed / BlockedSend: the channel's owning variable.
  const clang::ValueDecl *Owner = nullptr;
};

class ChannelFlow {
public:
  explicit ChannelFlow(FunctionAnalyses &Ctx);
  const std::vector<ThreadStart> &threads() const { return Threads; }
  const std::vector<Conflict> &conflicts() const { return Conflicts; }

private:
  std::vector<ThreadStart> Threads;
  std::vector<Conflict> Conflicts;
};

// The USR of a function (stable across TUs).
std::string usrOf(const clang::FunctionDecl *FD);

} // namespace tether
