// StopPaths: how a loop can be told to stop.
//
// Recognises, from the API models, the expressions through which a thread
// learns that it should stop:
//   - a stop-token query (`st.stop_requested()` on a token type of the
//     models) or a stop-source query (`src.stop_requested()`);
//   - a thread interruption point (`boost::this_thread::interruption_point()`),
//     which throws out of the loop when the thread is interrupted;
//   - a hand-rolled stop flag: a `bool` / `std::atomic<bool>` /
//     `std::atomic_flag` that is not the loop function's own local and whose
//     name marks it as a stop signal (stop, running, done, shutdown, quit,
//     exit, alive, cancel, …) or that is written in a destructor or in a
//     function whose name marks it (`stop()`, `shutdown()`);
//   - a channel receive or closed-query whose failure ends the loop (the
//     channel gets closed), and a range-for over a channel model with range
//     support.
//
// On top of that, for one loop it lists every way out (the loop condition,
// `break`, `return`, `throw`, `goto` out of the loop, calls to `[[noreturn]]`
// functions, interruption points, exceptions out of a receive inside `try`)
// with what drives it. A guard that reads state another thread could change
// (a member, a global, a variable captured by reference, anything behind a
// pointer or reference) or a value received inside the loop (a poison pill:
// `auto job = q.pop(); if (job.is_stop()) break;`) counts as a stop path too:
// when unsure, a loop can be stopped.
#pragma once

#include "ApiModel.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <optional>
#include <vector>

namespace tether {

// What decides an exit, strongest first.
enum class StopDriver {
  TokenQuery,    // st.stop_requested() on a token model type
  SourceQuery,   // src.stop_requested() on a source model type
  Interruption,  // an interruption point (throws when interrupted)
  StopFlag,      // a hand-rolled stop flag
  ChannelClose,  // a receive or closed-query: ends when the channel closes
  ChannelRange,  // range-for over a channel model with range support
  ReceivedValue, // a value produced inside the loop by a call: poison pill,
                 // sentinel, a failed read
  SharedState,   // another read of state other threads can change
  Bounded,       // only locals the loop itself changes (a counter)
  Invariant,     // nothing that changes between iterations: never ends a
                 // loop that went round once
};
const char *stopDriverName(StopDriver D);
// True for drivers through which another thread can end the loop.
inline bool isStopDriven(StopDriver D) {
  return D != StopDriver::Bounded && D != StopDriver::Invariant;
}
// True for the explicit cancellation signals (not just "some shared state").
inline bool isCancellationSignal(StopDriver D) {
  return D <= StopDriver::ChannelRange;
}

struct StopQuery {
  StopDriver Kind;
  const clang::Expr *Expr = nullptr;      // the query / read
  const clang::ValueDecl *Flag = nullptr; // StopFlag: the flag
};

struct LoopExit {
  // The loop itself (its condition, or a range-for), a break/return/goto,
  // a throw expression, a call that does not return or an interruption
  // point, or the try statement whose handler leaves the loop.
  const clang::Stmt *Exit = nullptr;
  StopDriver Driver = StopDriver::Invariant;
  const clang::Expr *DrivenBy = nullptr; // the read/call deciding it, if any
};

class StopPaths {
public:
  StopPaths(clang::ASTContext &AST, const ModelSet &Models);
  ~StopPaths();

  // Is E itself (not a subexpression) a stop query? Looks through parens,
  // implicit casts and `!`.
  std::optional<StopQuery> matchStopQuery(const clang::Expr *E) const;
  // The strongest stop query inside S (lambda bodies are not entered;
  // calls to methods of the same object are followed one level:
  // `while (!stopping())`).
  std::optional<StopQuery> findStopQuery(const clang::Stmt *S) const;

  // Token / source types of the models (through references, pointers and
  // smart pointers).
  bool isTokenType(clang::QualType T) const;
  bool isSourceType(clang::QualType T) const;
  // A hand-rolled stop flag (see the file comment). D must be a member, a
  // global, a static local, or the target of a reference.
  bool isStopFlag(const clang::ValueDecl *D) const;

  // Every way out of Loop (a for/while/do/range-for statement in Fn's body;
  // Fn is the function or lambda operator whose body holds it).
  std::vector<LoopExit> loopExits(const clang::Stmt *Loop,
                                  const clang::FunctionDecl *Fn) const;
  // An exit of Loop that another thread can trigger: a stop query, a closed
  // channel, a stop flag, a received sentinel or shared state. The strongest
  // one when there are several.
  std::optional<LoopExit> loopHasStopExit(const clang::Stmt *Loop,
                                          const clang::FunctionDecl *Fn) const;
  // for(;;), while(true), or a condition that reads nothing that changes
  // between iterations (no member, global, shared or loop-changed local).
  // Such a loop ends only through an exit of its body.
  bool isForeverLoop(const clang::Stmt *Loop,
                     const clang::FunctionDecl *Fn) const;
  // True when the loop can end at all after its first iteration: some exit
  // is not Invariant.
  bool loopCanEnd(const clang::Stmt *Loop,
                  const clang::FunctionDecl *Fn) const;

  // What drives condition Cond evaluated inside (or as the condition of)
  // Loop in Fn.
  StopQuery classify(const clang::Expr *Cond, const clang::Stmt *Loop,
                     const clang::FunctionDecl *Fn) const;

  struct Impl;

private:
  std::unique_ptr<Impl> P;
};

} // namespace tether
