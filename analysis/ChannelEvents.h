// ChannelEvents: the facts one walk over a function body collects, and
// nothing more: which operations happen on which channel (by ObjectKey),
// with their local shape (in a loop, guarded to run once, waiting for the
// close, after which joins); which threads start where and what holds their
// handles; which calls lead into bodies the analysis follows; which uses of
// a channel it does not understand (escapes). No ordering, no verdicts:
// ChannelSummaries maps these facts across calls, ChannelFlow orders them.
#pragma once

#include "ChannelShapes.h"
#include "Finding.h"
#include "ModelMatch.h"
#include "ObjectKey.h"

#include "clang/AST/Decl.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <map>
#include <optional>
#include <vector>

namespace tether {

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

// A thread (or task) started in the body, and what holds its handle.
struct SpawnRec {
  SpawnSite Site;
  std::optional<ObjectKey> Handle;
  bool Group = false;    // Handle is a container of handles
  bool Detached = false; // `std::thread(f).detach()`
};

// Everything one walk over a body learns (collectFacts).
struct BodyFacts {
  std::vector<ChanEvent> Ops; // stable after the walk
  std::map<const clang::Expr *, size_t> OpIndex;
  std::vector<SpawnRec> Spawns;
  std::map<const clang::Expr *, size_t> SpawnIndex;
  std::vector<const clang::CallExpr *> Calls; // calls into functions with bodies
  // Calls into user functions defined in another TU (no body here).
  std::vector<const clang::CallExpr *> ExtCalls;
  std::map<const clang::VarDecl *, ObjectKey> RangeVars; // loop var -> container
  std::vector<const clang::Stmt *> Loops;
  // Uses of channel-holding variables and members (DeclRefExpr or
  // this->member), with the lambda whose capture they initialise.
  std::vector<std::pair<const clang::Expr *, const clang::LambdaExpr *>> ChanRefs;
  llvm::DenseSet<const clang::Expr *> Covered; // uses the analysis understands
  llvm::DenseSet<const clang::LambdaExpr *> AnalysedLambdas;
  std::vector<ChanEvent> Escapes; // uses it does not: the fate is unknown
  // Local channel-holding variables the function returns.
  llvm::DenseSet<const clang::VarDecl *> ReturnedLocals;
  bool ReturnsForeign = false; // returns a channel it did not create
  // Local channel-holding variables whose object did not start here (copied
  // from something the analysis cannot name).
  llvm::DenseSet<const clang::VarDecl *> NotFresh;
  // A call whose result initialises a local: the callee's returned channel
  // is that local.
  std::map<const clang::CallExpr *, ObjectKey> CallDest;
  // Handles detached anywhere in the body (`t.detach()`).
  std::vector<ObjectKey> Detached;
  // Variables declared inside a loop (a new object each iteration), and the
  // loops around each spawn.
  llvm::DenseMap<const clang::VarDecl *, const clang::Stmt *> DeclLoop;
  llvm::DenseMap<const clang::Expr *, llvm::SmallVector<const clang::Stmt *, 2>> SpawnLoops;
};

// Walks Body once and collects its facts; keys are resolved with R.
class Spawns;
BodyFacts collectFacts(const clang::Stmt *Body, TUContext &TU,
                       const ObjectResolver &R, const Spawns &Started);

} // namespace tether
