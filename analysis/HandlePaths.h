// HandlePaths: on every path from a handle's start to the end of its scope,
// is the handle joined, detached or handed on? And can the function still
// return after a statement?
//
// The question thread-leak asks about a local std::thread, and the one the
// loop checks and cancel-missing ask about any handle a function keeps in a
// variable: a path that reaches the variable's destructor (a `return`, a
// `break`, the end of the block, an explicit `throw`, or an exception from a
// call inside a `try` block) without any use of the variable in between
// leaves the handle joinable when it is destroyed. Any use of the variable
// ends the search on that path (join, detach, joinable(), a move, a
// reference handed to a guard or captured by a lambda): what happens after
// it is that code's business.
//
// The search runs over the function's CFG with implicit destructors (one
// per function, shared with the other analyses) and indexes it once.
#pragma once

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace tether {

class FunctionAnalyses;
class FactsCache;
class ModelSet;

// How a path leaves the handle's scope without using the handle.
enum class ExitKind {
  Return,            // `return` (At: the return statement)
  Break,             // `break` out of a loop (At: the break)
  Jump,              // `continue` or `goto` (At: the jump)
  ScopeEnd,          // the end of the block (Loc: its closing brace)
  Throw,             // an explicit `throw` that leaves the function
  ExceptionDestroys, // a call in a `try` block around the declaration
                     // throws: the handle is destroyed during unwinding
};

struct UnusedExit {
  ExitKind Kind = ExitKind::ScopeEnd;
  const clang::Stmt *At = nullptr; // the statement that leaves
  clang::SourceLocation Loc;       // where (At's start, or the brace)
  // A call inside a `try` block whose exception led to the handler the
  // path went through; null on a normal path.
  const clang::CallExpr *Via = nullptr;
  // The handle is used somewhere after its start (just not on this path).
  bool UsedSomewhere = false;
};

class HandlePaths {
public:
  explicit HandlePaths(FunctionAnalyses &FA);

  // The first path (breadth first) from Start (the statement that stores
  // the handle in Var) to Var's destructor with no use of Var in between;
  // nullopt when every path uses it, or the CFG has no answer.
  std::optional<UnusedExit> firstUnusedExit(const clang::VarDecl *Var,
                                            const clang::Stmt *Start) const;

  // Can the function return, or leave by an exception, after S? True when
  // unknown. A `main` that serves forever cannot: paths end at calls that
  // do not return (`[[noreturn]]` callees, model operations with
  // `never_returns`, functions whose facts say they never return) and go
  // round loops with no way out; an exception from a call in a `try` block
  // reaches the handlers. An exception a call that does not return may
  // throw out of the function is not followed (as for any call outside a
  // `try` block).
  bool returnsAfter(const clang::Stmt *S) const;

  // Can this call realistically throw? Not a noexcept or noreturn callee,
  // not a join/detach of a spawn-model handle (they throw only for an
  // invalid handle or a self-join), not `<<`/`>>` on a std stream (with
  // the default exception mask streams report errors through their state).
  static bool mayThrow(const clang::CallExpr *Call, const ModelSet &Models);

  // Statements that use Var in Body: references to it and lambdas that
  // capture it.
  static void collectUses(const clang::Stmt *Body, const clang::VarDecl *Var,
                          llvm::DenseSet<const clang::Stmt *> &Out);

private:
  const clang::FunctionDecl *FD;
  const ModelSet &Models;
  FactsCache &Facts; // "does this call return?"
  const clang::CFG *G = nullptr; // owned by the function's analyses
  llvm::DenseMap<const clang::Stmt *,
                 std::pair<const clang::CFGBlock *, unsigned>>
      Where;
  llvm::DenseMap<const clang::CXXTryStmt *, const clang::CFGBlock *>
      TryDispatch;
  llvm::DenseMap<const clang::Stmt *, const clang::CXXTryStmt *> TryOf;

  // The handlers an exception thrown in Try's block reaches (one no
  // handler matches leaves the function: not followed).
  llvm::SmallVector<const clang::CFGBlock *, 2>
  handlersOf(const clang::CXXTryStmt *Try) const;
  UnusedExit exitAt(const clang::CFGBlock *B, unsigned DtorIndex,
                    const clang::CFGAutomaticObjDtor &Dtor) const;
};

} // namespace tether
