// SpawnLoops: the loop-relative questions about the spawns of a function
// (analysis/Spawns), for the checks about spawns in loops
// (thread-loop-capture-by-ref, thread-unbounded-spawn).
//
// Its spawns are the function's Spawns records started inside a loop.
// Relative to one of those loops it answers "may the thread still run when
// this iteration ends?" — a handle joined (or awaited) in the same
// iteration, or destroyed there by a destructor that joins (jthread, the
// future of std::async), does not.
#pragma once

#include "Spawns.h"

#include "clang/AST/ParentMap.h"
#include "clang/AST/Stmt.h"

#include <vector>

namespace tether {

class FunctionAnalyses;

class SpawnLoops {
public:
  explicit SpawnLoops(FunctionAnalyses &Ctx);
  ~SpawnLoops();
  // The spawns inside a loop (non-empty Loops), in source order.
  const std::vector<const Spawn *> &spawns() const { return InLoops; }

  // May the spawned thread still run when an iteration of Loop (one of
  // S.Loops) ends? Unknown fates answer false (we do not report what we
  // cannot see). Sets Why to the statement that makes it outlive (the
  // detach, the push into an outer container) when it does.
  bool outlivesIteration(const Spawn &S, const clang::Stmt *Loop,
                         const clang::Expr **Why = nullptr) const;

  // Does the body of Loop contain a join or wait of S's handle (or of any
  // element of its container) after the spawn, conditional or not?
  bool joinedSomewhereIn(const Spawn &S, const clang::Stmt *Loop) const;

  // Is S's handle (or its container) joined after Loop, in this function?
  bool joinedAfter(const Spawn &S, const clang::Stmt *Loop) const;

  // Is D declared inside Loop (its init statement, loop variable, condition
  // variable or body), outside lambdas?
  bool declaredIn(const clang::ValueDecl *D, const clang::Stmt *Loop) const;

  const clang::ParentMap &parents() const { return *All.parents(); }
  const ObjectResolver &resolver() const { return *All.resolver(); }

private:
  // Join/wait calls in Loop's body after Site on Storage; Unconditional
  // requires one that runs on every path through the iteration.
  bool joinedIn(const Spawn &S, const clang::Stmt *Loop,
                bool Unconditional) const;
  bool joinsStorage(const Spawn &S, const clang::CallExpr *C,
                    const clang::Stmt *Scope,
                    const clang::Stmt *&Allowed) const;
  bool passedAwayIn(const Spawn &S, const clang::Stmt *Loop) const;
  bool unconditionalIn(const clang::Stmt *S, const clang::Stmt *Body,
                       const clang::Stmt *Allowed) const;

  FunctionAnalyses &Ctx;
  const Spawns &All;
  const clang::Stmt *Body;
  const clang::ParentMap *PM = nullptr;
  const ObjectResolver *Resolver = nullptr;
  std::vector<const Spawn *> InLoops;
  // Calls in the body (outside lambdas), in source order.
  const std::vector<const clang::CallExpr *> &Calls;
};

} // namespace tether
